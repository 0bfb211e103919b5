"""Finding a sensitivity label's terms in free text (the rule is in the header of
consent/sensitive_vocabulary.toml).

    fold("Trầm Cảm NẶNG")            -> "tram cam nang"
    words("HIV-1/2 Ab")              -> ["hiv", "1", "2", "ab"]
    words("TDF/3TC/DTG; H.I.V (+)")  -> ["tdf", "3tc", "dtg", "hiv"]
    matcher = TermMatcher([parse_term("mental-health", "trầm cảm")])
    matcher.labels("TRAM CAM")       -> {"mental-health"}

Terms are folded and indexed once, by their first word (exact words in a dict, stems by their
first three letters), so a text costs a few dictionary look-ups per word whatever the size of
the vocabulary.
"""
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

# Every combining mark of the Basic Multilingual Plane (Vietnamese tones and vowel marks among
# them) removed, and "đ" read as "d", the one Vietnamese letter NFKD does not decompose.
_FOLD = {code: None for code in range(0x10000) if unicodedata.combining(chr(code))}
_FOLD[ord("đ")] = "d"
_WORD = re.compile(r"[^\W_]+")           # letters and digits; "_" is a separator too
_TERM_WORD = re.compile(r"[^\W_]+\*?")   # the same, a trailing "*" marking a stem
_STAR_INSIDE = re.compile(r"\*[^\W_]")     # "chla*mydia": a star inside a word
# Single letters joined by dots, an abbreviation written with them: "H.I.V", "S.T.D.",
# "K.H.H.G.Đ" read as one word (hiv, std, khhgd). Digits are not letters: "1.5" stays two words.
_DOTTED = re.compile(r"(?<![^\W_])(?:[^\W\d_]\.)+[^\W\d_](?![^\W_])")
MIN_STEM = 3
_NONE = ()


def fold(text: str) -> str:
    """Case and diacritics away: NFKD, combining marks removed, đ -> d, casefold."""
    if text.isascii():  # most codes' displays: nothing to decompose (a fast path, same result)
        return text.lower()
    return unicodedata.normalize("NFKD", text.casefold()).translate(_FOLD)


def words(text: str) -> list:
    """The folded words of a text, split on anything that is not a letter or a digit, an
    abbreviation dotted letter by letter ("H.I.V") being one word."""
    folded = fold(text)
    if "." in folded:
        folded = _DOTTED.sub(_undotted, folded)
    return _WORD.findall(folded)


def _undotted(match) -> str:
    return match.group().replace(".", "")


class Term(NamedTuple):
    label: str
    parts: tuple       # ((word, is_stem), ...)
    masks: bool        # a `not` phrase: masks the words it covers for its label
    text: str          # as written in the vocabulary, for error messages and tests


def parse_term(label: str, text: str, masks: bool = False) -> Term:
    """A term as written in the vocabulary; ValueError when it is not one (no words, a "*"
    that does not end a word, a stem shorter than MIN_STEM letters)."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a string")
    folded = fold(text)
    pieces = _TERM_WORD.findall(folded)
    if not pieces:
        raise ValueError(f"{text!r} has no words")
    if (folded.count("*") != sum(piece.endswith("*") for piece in pieces)
            or _STAR_INSIDE.search(folded)):
        raise ValueError(f"{text!r}: a '*' may only end a word")
    parts = tuple((piece[:-1], True) if piece.endswith("*") else (piece, False)
                  for piece in pieces)
    if any(stem and len(word) < MIN_STEM for word, stem in parts):
        raise ValueError(f"{text!r}: a stem needs at least {MIN_STEM} letters before '*'")
    return Term(label, parts, masks, text)


class TermMatcher:
    """The labels whose terms a text contains, `not` phrases masking their label's terms."""

    def __init__(self, terms: Iterable[Term]):
        self._exact: dict = {}   # first word -> terms
        self._pairs: dict = {}   # (first word, second word) -> terms, both words exact
        self._stems: dict = {}   # first three letters of a first-word stem -> terms
        for term in terms:
            index, key = self._index_of(term.parts)
            index[key] = (*index.get(key, ()), term)

    def _index_of(self, parts: tuple) -> tuple:
        # Many terms share a first word ("rối loạn ...", "bệnh ..."): those are found by their
        # first two words, so a common word does not try every term that starts with it.
        (word, stem), second = parts[0], parts[1] if len(parts) > 1 else (None, True)
        if stem:
            return self._stems, word[:MIN_STEM]
        return (self._exact, word) if second[1] else (self._pairs, (word, second[0]))

    def labels(self, text: str) -> set:
        tokens = words(text)
        hits = self._hits(tokens)
        if not hits:
            return set()
        masked = {(term.label, covered) for position, term in hits if term.masks
                  for covered in range(position, position + len(term.parts))}
        return {term.label for position, term in hits
                if not term.masks and (term.label, position) not in masked}

    def _hits(self, tokens: list) -> list:
        hits = []
        exact, pairs, stems = self._exact, self._pairs, self._stems
        last = len(tokens) - 1
        for position, token in enumerate(tokens):
            candidates = exact.get(token, _NONE) + stems.get(token[:MIN_STEM], _NONE)
            if position < last:
                candidates += pairs.get((token, tokens[position + 1]), _NONE)
            for term in candidates:
                if _matches_at(term.parts, tokens, position):
                    hits.append((position, term))
        return hits


def _matches_at(parts: tuple, tokens: list, position: int) -> bool:
    if position + len(parts) > len(tokens):
        return False
    for word, stem in parts:
        token = tokens[position]
        if not (token.startswith(word) if stem else token == word):
            return False
        position += 1
    return True


def term_matches(term: str, text: str) -> bool:
    """Whether one term, alone, finds itself in a text (for tests of the vocabulary)."""
    return bool(TermMatcher([parse_term("x", term)]).labels(text))

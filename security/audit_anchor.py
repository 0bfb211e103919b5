"""What ties the audit chain down beyond its entries: the sealed head, and signed checkpoints kept
outside the database. Pure functions, no Flask, no database.

The head ({seq, hash} of the chain's last entry) lives in the same database as the entries, so
on its own it proves nothing to someone who can write there: delete the newest entries and copy
the previous seq and hash into the head, and the chain still ends where its head says. The head
is therefore sealed with the chain key (HMAC over a message of its own kind, so no entry hash can
pass for a head seal), and a head whose seal does not hold is no head at all.

A valid head can still be put back from an older copy (a backup). Checkpoints close that: every
so many entries, or so much time, the server signs {chain, seq, hash, at} with its Ed25519 key
and writes it outside the database (an append-only file, the log stream, and an endpoint a
witness polls). A chain that ends before a checkpoint's seq, or holds another hash there, was
cut. A checkpoint is signed with the public-key scheme so a witness checks it with the public
key alone, and under its own context prefix, so a checkpoint signature never passes for a consent
receipt's (consent/receipts.py) made with the same key, nor the other way round.
"""
import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from security.audit_chain import GENESIS, iso_millis

HEAD_CONTEXT = b"audit-head\x00"
CHECKPOINT_CONTEXT = b"phr-audit-checkpoint/v1\x00"
CHECKPOINT_FIELDS = ("chain", "seq", "hash", "at")
_SCHEME = "ed25519:"
_HEX64 = frozenset("0123456789abcdef")


# --- the head's seal --------------------------------------------------------------------------

def head_seal(key: bytes, chain: str, seq: int, hash_: str) -> str:
    """HMAC-SHA256 hex of the head's chain, seq and hash under the chain key."""
    message = HEAD_CONTEXT + f"{chain}\x00{seq}\x00{hash_}".encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def head_holds(key: bytes, chain: str, head: Mapping | None) -> bool:
    """Whether `head` is a head of `chain` sealed with `key`. False for a missing head, one
    without a seal (written before heads were sealed), or fields of the wrong type."""
    if not head:
        return False
    seq, hash_, seal = head.get("seq"), head.get("hash"), head.get("seal")
    if not _is_seq(seq) or not isinstance(hash_, str) or not isinstance(seal, str):
        return False
    return hmac.compare_digest(seal, head_seal(key, chain, seq, hash_))


def genesis_head(key: bytes, chain: str) -> dict:
    """The head of a chain with no entry yet, sealed. Its checkpoint bookkeeping is empty, so
    the first append makes a checkpoint."""
    return {"seq": 0, "hash": GENESIS, "seal": head_seal(key, chain, 0, GENESIS),
            "checkpoint_seq": 0, "checkpoint_at": None}


# --- when a checkpoint is due -----------------------------------------------------------------

@dataclass(frozen=True)
class Schedule:
    """A checkpoint is due at every entry whose seq is 1 more than a multiple of `every` (the
    first, the (every+1)th, ...: fixed by the seq alone, which the head's seal covers), and on
    the next append once `seconds` went by since the last one was made."""
    every: int
    seconds: int

    def due(self, head: Mapping, new_seq: int, now: datetime) -> bool:
        """From the head as the append read it, the append taking the chain to `new_seq`. The
        count of entries is judged from seqs alone: the checkpoint bookkeeping beside them is
        not sealed, and an operator who kept it saying "just checkpointed" would otherwise
        hold every checkpoint back. The time is judged from that bookkeeping, and bookkeeping
        that does not make sense (missing, of another type, ahead of the head, or dated more
        than a period in the future) counts as due."""
        if (new_seq - 1) // self.every > (head.get("seq", 0) - 1) // self.every:
            return True
        last_seq, last_at = head.get("checkpoint_seq"), head.get("checkpoint_at")
        if not _is_seq(last_seq) or last_seq > head.get("seq", 0) \
                or not isinstance(last_at, datetime):
            return True
        if last_at.tzinfo is None and now.tzinfo is not None:
            last_at = last_at.replace(tzinfo=now.tzinfo)  # pymongo without tz_aware: UTC
        period = timedelta(seconds=self.seconds)
        return now - last_at >= period or last_at - now > period


# --- signed checkpoints -----------------------------------------------------------------------

def checkpoint(chain: str, seq: int, hash_: str, at: datetime) -> dict:
    """The unsigned checkpoint of the chain's entry at `seq`, made at `at`."""
    return {"chain": chain, "seq": seq, "hash": hash_, "at": iso_millis(at)}


def checkpoint_payload(point: Mapping) -> bytes:
    """Sorted-key compact UTF-8 JSON of the checkpoint's four fields: what is signed, after
    CHECKPOINT_CONTEXT."""
    body = {name: point[name] for name in CHECKPOINT_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sign_checkpoint(point: Mapping, private_seed: bytes) -> dict:
    """The checkpoint with its `signature`: "ed25519:" and base64url (no padding) of the
    signature over CHECKPOINT_CONTEXT + checkpoint_payload. Raises ValueError for a key that is
    not a 32-byte seed."""
    if not isinstance(private_seed, (bytes, bytearray)) or len(private_seed) != 32:
        raise ValueError("a checkpoint signing key is a 32-byte Ed25519 seed")
    signer = Ed25519PrivateKey.from_private_bytes(bytes(private_seed))
    raw = signer.sign(CHECKPOINT_CONTEXT + checkpoint_payload(point))
    signature = _SCHEME + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    return {**{name: point[name] for name in CHECKPOINT_FIELDS}, "signature": signature}


def public_key(private_seed: bytes) -> bytes:
    """The 32 raw bytes of the public key that verifies what `private_seed` signs."""
    return Ed25519PrivateKey.from_private_bytes(bytes(private_seed)).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)


def checkpoint_holds(point: Mapping, public: bytes) -> bool:
    """Whether `point` is a well-formed checkpoint signed by the holder of `public`'s private
    half. False for anything else (never an error), so a forged line is told apart, not fatal."""
    if not is_checkpoint(point) or not isinstance(point.get("signature"), str) \
            or not point["signature"].startswith(_SCHEME):
        return False
    text = point["signature"][len(_SCHEME):]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        Ed25519PublicKey.from_public_bytes(public).verify(
            raw, CHECKPOINT_CONTEXT + checkpoint_payload(point))
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True


def is_checkpoint(point) -> bool:
    """Its four fields are there with their types: chain text, seq a whole number, hash 64
    lower-case hex digits, at text."""
    return isinstance(point, Mapping) and isinstance(point.get("chain"), str) \
        and _is_seq(point.get("seq")) and isinstance(point.get("at"), str) \
        and isinstance(point.get("hash"), str) and len(point["hash"]) == 64 \
        and set(point["hash"]) <= _HEX64


def checkpoint_line(signed: Mapping) -> str:
    """One line of a checkpoint file: sorted-key compact JSON and a newline."""
    return json.dumps(dict(signed), sort_keys=True, separators=(",", ":")) + "\n"


def read_checkpoint_line(line: str) -> dict | None:
    """The mapping a checkpoint file's line holds, or None when it is not a JSON object."""
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _is_seq(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

"""Shared fields and the strict base schema."""
from collections.abc import Mapping

import marshmallow as ma
from marshmallow import validate

from security.passwords import MAX_LENGTH, MIN_LENGTH
from security.text import LONE_SURROGATE as _LONE_SURROGATE, holds_lone_surrogate

# [0-9], not \d: \d also matches Arabic-Indic and other Unicode digits. The pattern stays valid
# ECMA-262 for the OpenAPI document; FullMatch refuses the trailing "\n" that Python's $ allows.
NATIONAL_ID_RE = r"^[0-9]{12}$"
NOT_TEXT = "Must be valid Unicode text (no lone surrogate code points)."


class FullMatch(validate.Regexp):
    """Regexp validator that must match the whole string."""

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


class StrictSchema(ma.Schema):
    """Refuses unknown fields, and any string (value or key, at any depth) that is not valid
    Unicode, whatever field type reads it."""
    class Meta:
        unknown = ma.RAISE

    @ma.pre_load(pass_collection=True)
    def refuse_lone_surrogates(self, data, **kwargs):
        """Raises ValidationError naming each top-level field that holds a lone surrogate."""
        if not isinstance(data, Mapping):  # webargs hands query strings over as a Mapping
            if holds_lone_surrogate(data):
                raise ma.ValidationError(NOT_TEXT, "_schema")
            return data
        errors = {}
        for key, value in data.items():
            if isinstance(key, str) and _LONE_SURROGATE.search(key):
                errors["_schema"] = ["A field name is not valid Unicode text."]
            elif holds_lone_surrogate(value):
                errors[key] = [NOT_TEXT]
        if errors:
            raise ma.ValidationError(errors)
        return data


def national_id_field(description: str = "12-digit national identification number (CCCD)",
                      **kwargs) -> ma.fields.String:
    return ma.fields.String(
        validate=FullMatch(NATIONAL_ID_RE, error="Must be exactly 12 digits."),
        metadata={"description": description, "example": "001234567890"}, **kwargs)


def text_field(max_length: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


def password_field(new: bool = False, **kwargs) -> ma.fields.String:
    """A password as typed. A `new` one must fit the policy's length (its guessability is checked
    by security.passwords); an existing one is only bounded, so old passwords still verify."""
    length = (validate.Length(min=MIN_LENGTH, max=MAX_LENGTH) if new
              else validate.Length(min=1, max=1024))
    return ma.fields.String(validate=length, load_only=True, **kwargs)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, the shape of every error. Output only: it documents errors and
    never loads a request, so its Dict field cannot carry an operator into a filter. The `type`
    vocabulary is api/errors.py's PROBLEM_TYPES, listed on this schema in the OpenAPI document."""
    type = ma.fields.String(required=True, metadata={
        "description": "What kind of problem this is: a URN, one of the list below. Clients "
                       "branch on `type` (and `status`), never on the wording of `detail`."})
    title = ma.fields.String(required=True, metadata={"description": "the same for every "
                                                                     "problem of a type"})
    status = ma.fields.Integer(required=True, metadata={"description": "the HTTP status"})
    detail = ma.fields.String(required=True, metadata={"description": "this occurrence, in "
                                                                      "words for people"})
    outcome = ma.fields.Dict(dump_only=True, metadata={
        "description": "FHIR OperationOutcome (rejected transaction bundles)"})
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
                            dump_only=True,
                            metadata={"description": "field -> messages (validation failures)"})

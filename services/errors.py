"""Typed domain errors. Each names what went wrong and carries a client-safe `detail`;
api/errors.py alone decides the HTTP status, problem type, title and headers."""
import re

_TWELVE_DIGITS = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def redact(text: str) -> str:
    """Text that goes back to a client or into a stored answer, without a national ID: a
    conditional reference (Patient?identifier=...|001299887766), or a national ID a client typed
    as a field name, is quoted as [national ID]."""
    return _TWELVE_DIGITS.sub("[national ID]", text)


class DomainError(Exception):
    """Base of every error a use case raises for its caller to answer. `errors` maps a field
    to its messages when the input was at fault."""
    detail = "The request could not be completed."

    def __init__(self, detail: str | None = None, *, errors: dict | None = None):
        self.detail = detail or type(self).detail
        self.errors = errors
        super().__init__(self.detail)


class InvalidCredentials(DomainError):
    detail = "The credentials are not valid."


class Unauthorized(DomainError):
    detail = "A valid access token is required."


class FreshSignInRequired(Unauthorized):
    detail = "This change needs a fresh sign-in: sign in again, then retry."


class TooManyAttempts(DomainError):
    """The account (not the client) is locked for `retry_after_seconds` after repeated failures."""
    detail = "Too many failed attempts. Try again later."

    def __init__(self, retry_after_seconds: float):
        super().__init__()
        self.retry_after_seconds = retry_after_seconds


class ActivationFailed(DomainError):
    detail = ("The national ID and activation code do not match a valid, unused code for a new "
              "account. If you already have an account, use the code to reset your password; "
              "otherwise ask the hospital or support for a new code.")


class ResetFailed(ActivationFailed):
    detail = ("The national ID, activation code and second factor do not match. Check them, or "
              "ask the hospital or support for a new code.")


class InvalidInput(DomainError):
    detail = "The input is not valid."


class Forbidden(DomainError):
    detail = "This token may not use this resource."


class NotFound(DomainError):
    detail = "No such resource."


class Conflict(DomainError):
    detail = "The request conflicts with the current state of the resource."


class IdempotencyKeyReused(DomainError):
    detail = ("This Idempotency-Key was already used with a different body; use a new key for a "
              "new push.")


class TransactionRejected(DomainError):
    """A transaction bundle with invalid entries: nothing was stored. `outcome` is the FHIR
    OperationOutcome naming each failed entry."""
    detail = "The transaction was not stored: some entries are not valid (see errors)."

    def __init__(self, outcome: dict, *, errors: dict):
        super().__init__(errors=errors)
        self.outcome = outcome


class AuditUnavailable(DomainError):
    """The audit trail could not take the entry, so the action it records does not happen."""
    detail = "The request could not be recorded in the audit trail. Try again shortly."


class UnsupportedRequest(DomainError):
    """The request asks for something the endpoint does not do (a Bulk Data kick-off without
    `Prefer: respond-async`)."""
    detail = "This request is not supported."


class TooManyExports(DomainError):
    """The hospital holds as many unexpired exports as it may; one expires or is deleted in
    `retry_after_seconds`, or sooner when it deletes one."""
    detail = ("Too many exports are kept for this client: download and delete one (DELETE its "
              "status URL), or wait until one expires.")

    def __init__(self, retry_after_seconds: float):
        super().__init__()
        self.retry_after_seconds = retry_after_seconds


class ExportFailed(DomainError):
    """An export job stopped before it finished (its server went away): it never will."""
    detail = "The export stopped before it finished. Delete it and start a new one."

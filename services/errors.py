"""Typed domain errors; each knows its HTTP status and a client-safe title and detail."""


class DomainError(Exception):
    status = 400
    title = "Bad request"
    slug = None
    detail = None

    def __init__(self, detail: str | None = None, *, headers: dict | None = None,
                 errors: dict | None = None):
        super().__init__(detail or self.detail or self.title)
        self.detail = detail or self.detail or self.title
        self.headers = headers or {}
        self.errors = errors


class InvalidCredentials(DomainError):
    status, title, slug = 401, "Sign-in failed", "invalid-credentials"
    detail = "The credentials are not valid."


class Unauthorized(DomainError):
    status, title, slug = 401, "Unauthorized", "unauthorized"
    detail = "A valid access token is required."


class FreshSignInRequired(Unauthorized):
    slug = "fresh-sign-in-required"
    detail = "This change needs a fresh sign-in: sign in again, then retry."


class TooManyAttempts(DomainError):
    status, title, slug = 429, "Too many failed attempts", "locked"
    detail = "Too many failed attempts. Try again later."

    def __init__(self, retry_after_seconds: int):
        super().__init__(headers={"Retry-After": str(max(1, retry_after_seconds))})


class ActivationFailed(DomainError):
    status, title, slug = 400, "Registration failed", "activation-failed"
    detail = ("The national ID and activation code do not match a valid, unused code for a new "
              "account. If you already have an account, use the code to reset your password; "
              "otherwise ask the hospital or support for a new code.")


class ResetFailed(ActivationFailed):
    title, slug = "Password reset failed", "reset-failed"
    detail = ("The national ID, activation code and second factor do not match. Check them, or "
              "ask the hospital or support for a new code.")


class InvalidInput(DomainError):
    status, title, slug = 422, "Invalid input", "invalid-input"


class Forbidden(DomainError):
    status, title, slug = 403, "Forbidden", "forbidden"
    detail = "This token may not use this resource."


class NotFound(DomainError):
    status, title, slug = 404, "Not found", "not-found"
    detail = "No such resource."


class Conflict(DomainError):
    status, title, slug = 409, "Conflict", "conflict"

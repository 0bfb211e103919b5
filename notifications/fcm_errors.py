"""How firebase-admin's errors read: drop the device's token, retry later, or give the push up.

Only the error's class, FCM's error code and the HTTP status are looked at, never the message
text (which a log must not carry either).
"""
from __future__ import annotations

import json

import google.auth.exceptions
from firebase_admin import exceptions, messaging

from notifications.push import DROP_TOKEN, FAILED, RETRY

_FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
_BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"

# The FCM-specific classes carry the code FCM put in the error details.
_FCM_CODES = (
    (messaging.UnregisteredError, "UNREGISTERED"),
    (messaging.SenderIdMismatchError, "SENDER_ID_MISMATCH"),
    (messaging.QuotaExceededError, "QUOTA_EXCEEDED"),
    (messaging.ThirdPartyAuthError, "THIRD_PARTY_AUTH_ERROR"),
)
_RETRYABLE = (exceptions.ResourceExhaustedError,  # 429, QuotaExceededError among them
              exceptions.UnavailableError,  # 503, and a connection that failed
              exceptions.InternalError,  # 500
              exceptions.DeadlineExceededError)  # a timeout
_GATEWAY_STATUSES = {500, 502, 503, 504}


def classify(error: BaseException) -> tuple[str, str, float | None]:
    """(outcome, short error code, Retry-After seconds or None) for one push's exception."""
    code = error_code(error)
    if isinstance(error, (messaging.UnregisteredError, messaging.SenderIdMismatchError)):
        return DROP_TOKEN, code, None
    if isinstance(error, exceptions.InvalidArgumentError):
        # 400 also answers a payload FCM refuses; only a 400 that names the token drops it.
        return (DROP_TOKEN if _names_the_token(error) else FAILED), code, None
    if isinstance(error, _RETRYABLE) or _is_transport_or_gateway(error):
        return RETRY, code, _retry_after(error)
    return FAILED, code, None


def error_code(error: BaseException) -> str:
    """A short code: FCM's ("UNREGISTERED"), the platform's ("UNAVAILABLE"), or the class name."""
    for error_class, code in _FCM_CODES:
        if isinstance(error, error_class):
            return code
    if isinstance(error, exceptions.FirebaseError) and isinstance(error.code, str):
        return error.code.upper().replace("-", "_")
    return type(error).__name__


def batch_error_code(error: BaseException) -> str:
    """The code for a batch that failed whole; an OAuth exchange that failed says so."""
    for candidate in (error, getattr(error, "cause", None), error.__cause__):
        if isinstance(candidate, google.auth.exceptions.TransportError):
            return "AUTH_UNAVAILABLE"
        if isinstance(candidate, google.auth.exceptions.RefreshError):
            # A token endpoint that kept answering 5xx (google-auth retried it) is retryable;
            # a refused key or grant is not, though the push is retried all the same.
            return "AUTH_UNAVAILABLE" if candidate.retryable else "AUTH_REFUSED"
    return error_code(error)


def _is_transport_or_gateway(error: BaseException) -> bool:
    if not isinstance(error, exceptions.FirebaseError):
        return False
    response = error.http_response
    return response is None or response.status_code in _GATEWAY_STATUSES


def _retry_after(error: BaseException) -> float | None:
    response = getattr(error, "http_response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        seconds = float(value) if value is not None else None
    except ValueError:  # an HTTP date: rare from FCM, and our backoff still applies
        return None
    return seconds if seconds is not None and seconds >= 0 else None


def _names_the_token(error: exceptions.FirebaseError) -> bool:
    """True when FCM's details say the registration token is what was invalid.

    FCM marks a bad or missing token with an FcmError detail (errorCode INVALID_ARGUMENT) and a
    field violation on message.token; a refused payload comes with a BadRequest on another field.
    """
    for detail in _details(error):
        if detail.get("@type") == _FCM_ERROR and detail.get("errorCode") == "INVALID_ARGUMENT":
            return True
        if detail.get("@type") == _BAD_REQUEST and any(
                isinstance(v, dict) and v.get("field") == "message.token"
                for v in detail.get("fieldViolations") or ()):
            return True
    return False


def _details(error: exceptions.FirebaseError) -> list[dict]:
    response = error.http_response
    if response is None:
        return []
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return []
    error_body = body.get("error") if isinstance(body, dict) else None
    details = error_body.get("details") if isinstance(error_body, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []

"""Corners of the error reading that the local FCM does not reach."""
import google.auth.exceptions
import requests
from firebase_admin import exceptions, messaging

from notifications.fcm_errors import batch_error_code, classify
from notifications.push import DROP_TOKEN, FAILED, RETRY


def response(status: int, body: bytes = b"{}", headers: dict | None = None):
    answer = requests.Response()
    answer.status_code, answer._content = status, body
    answer.headers.update(headers or {})
    return answer


def test_a_400_without_details_keeps_the_token():
    error = exceptions.InvalidArgumentError("bad", http_response=response(400))
    assert classify(error) == (FAILED, "INVALID_ARGUMENT", None)


def test_a_400_with_a_field_violation_on_the_token_drops_it():
    body = (b'{"error": {"details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",'
            b' "fieldViolations": [{"field": "message.token"}]}]}}')
    error = exceptions.InvalidArgumentError("bad", http_response=response(400, body))
    assert classify(error)[0] == DROP_TOKEN


def test_a_400_with_a_body_that_is_not_json_keeps_the_token():
    error = exceptions.InvalidArgumentError("bad", http_response=response(400, b"<html>"))
    assert classify(error)[0] == FAILED


def test_a_connection_that_failed_is_retried():
    error = exceptions.UnavailableError("down", cause=requests.ConnectionError())
    assert classify(error) == (RETRY, "UNAVAILABLE", None)


def test_a_timeout_and_an_answerless_unknown_error_are_retried():
    assert classify(exceptions.DeadlineExceededError("slow"))[:2] == (RETRY, "DEADLINE_EXCEEDED")
    assert classify(exceptions.UnknownError("reset"))[:2] == (RETRY, "UNKNOWN")


def test_a_quota_error_without_fcm_detail_is_still_retried():
    error = exceptions.ResourceExhaustedError("slow down", http_response=response(429))
    assert classify(error)[:2] == (RETRY, "RESOURCE_EXHAUSTED")


def test_retry_after_as_an_http_date_is_ignored_not_fatal():
    error = messaging.QuotaExceededError("quota", http_response=response(
        429, headers={"Retry-After": "Wed, 25 Nov 2026 08:00:00 GMT"}))
    assert classify(error) == (RETRY, "QUOTA_EXCEEDED", None)


def test_permission_denied_without_sender_mismatch_is_failed_not_dropped():
    # A 403 for our own credentials (the service account lost its role) is not the device's.
    error = exceptions.PermissionDeniedError("denied", http_response=response(403))
    assert classify(error) == (FAILED, "PERMISSION_DENIED", None)


def test_a_plain_not_found_is_failed_not_dropped():
    error = exceptions.NotFoundError("no such project", http_response=response(404))
    assert classify(error) == (FAILED, "NOT_FOUND", None)


def test_batch_codes_name_the_oauth_exchange():
    refused = google.auth.exceptions.RefreshError("invalid_grant", retryable=False)
    flaky = google.auth.exceptions.RefreshError("server_error", retryable=True)
    down = google.auth.exceptions.TransportError("refused")
    assert batch_error_code(refused) == "AUTH_REFUSED"
    assert batch_error_code(flaky) == "AUTH_UNAVAILABLE"
    assert batch_error_code(down) == "AUTH_UNAVAILABLE"
    assert batch_error_code(exceptions.UnknownError("wrapped", cause=down)) == "AUTH_UNAVAILABLE"
    assert batch_error_code(RuntimeError("other")) == "RuntimeError"

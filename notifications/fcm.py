"""Senders: firebase-admin's real FCM client, and a logging stand-in for development.

Both take a list of Push and answer one Result per push, in order, and neither raises for what
FCM said about a push or for a batch that could not be sent: such pushes come back RETRY.
"""
from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

import firebase_admin
import google.auth.transport.requests
import requests.adapters
from firebase_admin import credentials, messaging
from urllib3.util.retry import Retry

from notifications.fcm_errors import batch_error_code, classify
from notifications.push import (DROP_TOKEN, FAILED, OUTCOMES, RETRY, SENT, Push, Result,
                                device_label)
from security.net import is_loopback

__all__ = ["DROP_TOKEN", "FAILED", "OUTCOMES", "RETRY", "SENT", "FcmSender", "LogSender", "Push",
           "Result", "MAX_BATCH", "SECURITY_KINDS"]

log = logging.getLogger(__name__)

MAX_BATCH = 500  # messaging.send_each refuses more
FCM_BASE_URL = "https://fcm.googleapis.com"
SECURITY_KINDS = frozenset({"security_event"})

# One connect retry (nothing was sent yet), nothing else: firebase-admin's default retries a 500
# or 503 four times, sleeping up to 7 s and any Retry-After, inside the worker's lease. The outbox
# retries instead, with backoff and jitter, and honours Retry-After without holding a worker.
NO_IN_REQUEST_RETRIES = Retry(total=1, connect=1, read=0, redirect=0, status=0, other=0,
                              allowed_methods=None, status_forcelist=(), raise_on_status=False)


class FcmSender:
    """Sends through FCM's v1 API with a service account.

    Raises OSError for an unreadable credentials file, ValueError for a bad one, a bad URL or an
    `app_name` already in use (one sender per name at a time; close() frees it).

    `fcm_url` is the API root (default https://fcm.googleapis.com; plain http only for a
    loopback host, as in tests); requests go to {fcm_url}/v1/projects/{project}/messages:send.
    `http_timeout` must stay well under the worker's lease. Pushes whose data "kind" is in
    `high_priority_kinds` go high priority on Android and APNs; the rest go normal.
    """

    def __init__(self, credentials_file: str, *, project_id: str | None = None,
                 fcm_url: str | None = None, app_name: str = "phr-fcm",
                 http_timeout: float = 10.0, retries: Retry = NO_IN_REQUEST_RETRIES,
                 high_priority_kinds: Iterable[str] = SECURITY_KINDS) -> None:
        base = _checked_base_url(fcm_url or FCM_BASE_URL)
        options = {"httpTimeout": http_timeout}
        if project_id:
            options["projectId"] = project_id
        self._high = frozenset(high_priority_kinds)
        self._app = firebase_admin.initialize_app(credentials.Certificate(credentials_file),
                                                  options, name=app_name)
        self._token_lock = threading.Lock()
        self._token_request = functools.partial(google.auth.transport.requests.Request(),
                                                timeout=http_timeout)
        try:
            _tune_service(self._app, base, retries)
        except Exception:
            firebase_admin.delete_app(self._app)
            raise

    @property
    def project_id(self) -> str:
        return self._app.project_id

    def close(self) -> None:
        """Frees the firebase-admin app (and its name, for a new sender)."""
        firebase_admin.delete_app(self._app)

    def __enter__(self) -> FcmSender:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send(self, pushes: list[Push]) -> list[Result]:
        results: list[Result] = []
        for start in range(0, len(pushes), MAX_BATCH):
            results.extend(self._send_batch(pushes[start:start + MAX_BATCH]))
        return results

    def _send_batch(self, batch: list[Push]) -> list[Result]:
        results: list[Result | None] = [None] * len(batch)
        ready, messages = [], []
        for index, push in enumerate(batch):
            try:
                message = self._message(push)
                # send_each validates the whole list before sending any: one bad message would
                # refuse the batch, so each is checked (encoded) alone first.
                messaging._MessagingService.encode_message(  # pylint: disable=protected-access
                    message)
            except (TypeError, ValueError):
                results[index] = Result(push, FAILED, "INVALID_MESSAGE")
                continue
            ready.append(index)
            messages.append(message)
        if messages:
            for index, result in zip(ready, self._send_each(batch, ready, messages)):
                results[index] = result
        return results

    def _send_each(self, batch, ready, messages) -> list[Result]:
        try:
            self._fresh_access_token()
            answer = messaging.send_each(messages, app=self._app)
        except Exception as error:  # pylint: disable=broad-except
            # Nothing was confirmed (the OAuth exchange failed, the pool broke...): every push
            # comes back RETRY, none is lost. Only the error's class is logged.
            code = batch_error_code(error)
            log.warning("FCM batch of %d not sent: %s", len(messages), code)
            return [Result(batch[index], RETRY, code) for index in ready]
        return [_result(batch[index], response)
                for index, response in zip(ready, answer.responses)]

    def _fresh_access_token(self) -> None:
        """Refreshes the OAuth token once, under a lock, before a batch needs it.

        Otherwise each of send_each's threads (one per message) finds no valid token and runs
        its own exchange: a batch of 100 made ~100 calls to the token endpoint. Raises what the
        exchange raises (google.auth's TransportError or RefreshError).
        """
        credential = self._app.credential.get_credential()
        with self._token_lock:
            if not credential.valid:
                credential.refresh(self._token_request)

    def _message(self, push: Push) -> messaging.Message:
        high = push.kind in self._high
        message = messaging.Message(
            fid=push.token if push.token_field == "fid" else None,
            notification=messaging.Notification(title=push.title, body=push.body),
            data=dict(push.data),
            android=messaging.AndroidConfig(collapse_key=push.collapse_key,
                                            priority="high" if high else "normal"),
            apns=messaging.APNSConfig(headers={"apns-collapse-id": push.collapse_key,
                                               "apns-priority": "10" if high else "5"}),
        )
        if push.token_field == "token":
            # Message(token=...) warns on every push that tokens are deprecated for FIDs
            # (firebase-admin 7.7). FCM still takes registration tokens, which is what devices
            # register until the apps move to FIDs (Push.token_field), so no warning per push.
            message.token = push.token
        return message


class LogSender:
    """Development without a service account: logs each push (device label and kind) as SENT."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or log

    def send(self, pushes: list[Push]) -> list[Result]:
        for push in pushes:
            self._log.info("push to device %s kind %s (job %s)", device_label(push.token),
                           push.kind or "-", push.job_id)
        return [Result(push, SENT, None) for push in pushes]


def _result(push: Push, response: messaging.SendResponse) -> Result:
    if response.exception is None:
        return Result(push, SENT, None)
    outcome, code, retry_after = classify(response.exception)
    return Result(push, outcome, code, retry_after)


def _checked_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError("fcm_url must be a root URL such as https://fcm.googleapis.com")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError("fcm_url may use plain http only on a loopback host")
    return url.rstrip("/")


def _tune_service(app: firebase_admin.App, base: str, retries: Retry) -> None:
    """Points the app's messaging service at `base` and replaces its retry policy.

    firebase-admin has no public switch for either; these are the attributes STACK.md measured
    for 7.7.0 (`_fcm_url`; `_client.session`). Raises RuntimeError if a new version moved them.
    """
    service = messaging._get_messaging_service(app)  # pylint: disable=protected-access
    session = getattr(getattr(service, "_client", None), "session", None)
    if not hasattr(service, "_fcm_url") or session is None:
        raise RuntimeError("firebase-admin's messaging service changed; see STACK.md")
    service._fcm_url = (  # pylint: disable=protected-access
        f"{base}/v1/projects/{app.project_id}/messages:send")
    # requests picks the longest matching prefix: firebase-admin mounted its own on the FCM host.
    for prefix in {"http://", "https://", FCM_BASE_URL, base}:
        session.mount(prefix, requests.adapters.HTTPAdapter(
            max_retries=retries, pool_connections=10, pool_maxsize=100))

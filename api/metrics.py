"""Prometheus metrics at /metrics, when METRICS_ENABLED (off by default).

- phr_http_requests_total{method, route, status} and phr_http_request_seconds{method, route}:
  the route is the URL rule (`/v1/me/records/<record_id>`), never the path, so no id reaches a
  label; a request no rule matched is `unmatched`. A streamed body (the exports) is timed to
  its first byte, not its last.
- phr_notification_outbox{state}: deliveries not done yet (pending, claimed), counted when
  scraped (two count queries served by the outbox index).
- phr_audit_unavailable_total: appends the audit trail refused (each refused action answered
  503); anything above zero wants `flask verify-audit`.

Each app has its own registry (tests build many apps in one process). Who may read: the
figures hold no personal data, but they show traffic and failures. With METRICS_TOKEN set a
scraper must send `Authorization: Bearer <METRICS_TOKEN>`, and production refuses to serve
metrics without one; keep /metrics off the public proxy as well (docs/deployment.md).
"""
import hmac
import time

from flask import Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

from api.errors import problem

METRICS_PATH = "/metrics"
OUTBOX_STATES = ("pending", "claimed")


class _Outbox:
    """A collector that counts the outbox at scrape time (no gauge to keep in step)."""

    def __init__(self, app):
        self.app = app

    def describe(self):
        return [_outbox_family()]  # registering queries nothing

    def collect(self):
        family = _outbox_family()
        depth = self.app.extensions["ctx"].repos.notifications.outbox_depth(OUTBOX_STATES)
        for state in OUTBOX_STATES:
            family.add_metric([state], depth[state])
        yield family


def _outbox_family() -> GaugeMetricFamily:
    return GaugeMetricFamily("phr_notification_outbox", "Push deliveries not done yet, by state.",
                             labels=["state"])


class Metrics:
    def __init__(self, app):
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("phr_http_requests", "HTTP requests answered.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("phr_http_request_seconds", "Time to answer, by route.",
                                 ["method", "route"], registry=self.registry)
        self.audit_unavailable = Counter("phr_audit_unavailable",
                                         "Audit appends refused (the action answered 503).",
                                         registry=self.registry)
        self.registry.register(_Outbox(app))

    def observe(self, event: str) -> None:
        """The services' operational events (services/context.py: ctx.observe)."""
        if event == "audit_unavailable":
            self.audit_unavailable.inc()


def install(app) -> None:
    """Count requests and serve /metrics when METRICS_ENABLED; else nothing at all. Called
    before the services' context is built, which takes `observe` from app.extensions."""
    if not app.config["METRICS_ENABLED"]:
        return
    metrics = Metrics(app)
    app.extensions["metrics"] = metrics
    app.extensions["observe"] = metrics.observe
    app.before_request(_start_timer)
    app.after_request(_count)
    app.add_url_rule(METRICS_PATH, "metrics", _serve, methods=["GET"])


def _start_timer():
    g.metrics_started = time.perf_counter()


def _route() -> str:
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def _count(response):
    metrics = current_app.extensions["metrics"]
    route = _route()
    metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        metrics.latency.labels(request.method, route).observe(time.perf_counter() - started)
    return response


def _serve():
    token = current_app.config["METRICS_TOKEN"]
    if token and not _bearer_matches(token):
        return problem(401, "Metrics need the metrics bearer token.")
    from prometheus_client import generate_latest
    body = generate_latest(current_app.extensions["metrics"].registry)
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Cache-Control": "no-store"})


def _bearer_matches(token: str) -> bool:
    sent = request.headers.get("Authorization", "")
    scheme, _, value = sent.partition(" ")
    # Constant time: the token is a secret a scraper proves it holds.
    return scheme.lower() == "bearer" and hmac.compare_digest(value.encode(), token.encode())

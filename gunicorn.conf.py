"""gunicorn settings for a deployment on a real MongoDB: `gunicorn -c gunicorn.conf.py wsgi:app`
(docs/deployment.md). The embedded database cannot serve here: each worker process would hold an
empty database of its own, and APP_ENV=production refuses to start without MONGO_URI anyway.

Every value comes from the environment, with the defaults below:
    HOST, PORT              where to listen (127.0.0.1:8000; behind the TLS proxy, set HOST to
                            the address the proxy reaches, and PROXY_FIX_HOPS to its hop count)
    WEB_WORKERS             worker processes (2 per core is the usual start; argon2 hashing is
                            CPU-bound, PASSWORD_HASH_CONCURRENCY bounds it per process)
    WEB_THREADS             threads per worker (gthread): requests mostly wait on MongoDB
    WEB_TIMEOUT             seconds a request may run before its worker is restarted; a large
                            FHIR bundle or an export stream needs more than the usual 30
"""
import os


def _number(name: str, default: int) -> int:
    value = os.environ.get(name) or str(default)
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number above 0, not {value!r}")
    return int(value)


bind = f"{os.environ.get('HOST', '127.0.0.1')}:{_number('PORT', 8000)}"
workers = _number("WEB_WORKERS", 2 * (os.cpu_count() or 1))
worker_class = "gthread"
threads = _number("WEB_THREADS", 4)
timeout = _number("WEB_TIMEOUT", 120)
graceful_timeout = 30
keepalive = 5
# Each worker builds the app itself (no preload): pymongo clients must not cross a fork.
preload_app = False
# Recycle workers now and then (with jitter, not all at once) to bound any slow growth.
max_requests = 5000
max_requests_jitter = 500
# Bodies: the app refuses what exceeds MAX_BODY_BYTES / BUNDLE_MAX_BYTES itself; no limit here.
limit_request_line = 8190
# No access log: its lines hold raw paths and client addresses without the request id; the
# app's own JSON lines and /metrics (by URL rule) carry what operators need. The TLS proxy keeps
# its access log, with the X-Request-ID it sends (the app keeps a well-formed one).
accesslog = None
errorlog = "-"
loglevel = "info"
# Behind the proxy: trust X-Forwarded-* only through PROXY_FIX_HOPS (the app's ProxyFix), not
# gunicorn's own handling, so one setting says how many proxies there are.
forwarded_allow_ips = "127.0.0.1"

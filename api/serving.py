"""How `python wsgi.py` serves the app with waitress: its arguments come from the app's config,
the few errors waitress answers itself (the app never sees those requests) keep the API's
problem+json shape, and on the embedded database the push delivery loop runs beside it."""
import errno
import signal
import threading

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask
from werkzeug.exceptions import default_exceptions

from api.errors import problem
from models.db import utcnow
from notifications.worker import deliver_until, default_worker_id
from services.operations.push_outbox import MongoOutbox, make_sender

THREADS = 8
# How long shutdown waits for a delivery round under way (an FCM call) before leaving it: its
# claims then run out and another round sends again (at least once).
DRAIN_SECONDS = 15
# The only route that takes bodies up to BUNDLE_MAX_BYTES (FHIR bundles); every other request is
# refused from its Content-Length above MAX_BODY_BYTES.
LARGE_BODY_PATHS = ("/v1/hospital/bundles",)


def serve_options(config) -> dict:
    """waitress's keyword arguments for this app's config."""
    return {
        "host": config["HOST"], "port": config["PORT"], "threads": THREADS,
        # waitress refuses a request whose Content-Length reaches this, from the headers alone,
        # before it reads (and buffers, by default up to 1 GB) a body the app would refuse anyway.
        # It refuses at >= where Flask refuses at >, hence the + 1: both accept exactly the limit.
        # This is the bundle route's limit; PathLimitedParser lowers it for every other path.
        "max_request_body_size": max(config["MAX_CONTENT_LENGTH"],
                                     config["BUNDLE_MAX_BYTES"]) + 1,
    }


def listen_url(options: dict) -> str:
    host = options["host"]
    return f"http://{f'[{host}]' if ':' in host else host}:{options['port']}"


def serve(app, options: dict) -> None:
    """Listen and serve until interrupted (no delivery loop: the benchmark server)."""
    run(listen(app, options))


def listen(app, options: dict):
    """The waitress server, holding its port(s) but not yet serving. Raises OSError when an
    address cannot be bound (the port is taken)."""
    PathLimitedParser.small_limit = app.config["MAX_CONTENT_LENGTH"] + 1
    listeners = {}
    server = create_server(app, map=listeners, **options)
    # create_server makes one listener per address HOST resolves to (localhost: 127.0.0.1
    # and ::1) and registers each in the map it is given.
    for listener in listeners.values():
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = ProblemChannel
    return server


def bind_refusal(options: dict, error: OSError) -> str:
    """Why the server could not listen, in one line for the operator."""
    where = listen_url(options)
    why = (f"{where} is in use (another server, perhaps this one started before, holds it; "
           "set PORT to use another)" if error.errno == errno.EADDRINUSE
           else f"{where} cannot be bound ({error.strerror or type(error).__name__})")
    return f"{why}. Nothing was seeded: a demo credentials file is left as it was."


def run(server, background=()) -> None:
    """Serve until interrupted (Ctrl-C) or terminated (SIGTERM), each function of `background`
    running in a thread of its own with a threading.Event it stops at. On the way out the event
    is set and each is given DRAIN_SECONDS to end its round (the threads are daemons: one stuck
    on the network does not hold the process)."""
    stop = threading.Event()
    threads = [threading.Thread(target=work, args=(stop,), name=work.__name__, daemon=True)
               for work in background]
    # waitress ends its loop cleanly on SystemExit, as on KeyboardInterrupt. Signal handlers
    # belong to the main thread; elsewhere SIGTERM keeps its default.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _exit) if main else None
    for thread in threads:
        thread.start()
    try:
        server.run()
    finally:
        stop.set()
        for thread in threads:
            thread.join(DRAIN_SECONDS)
        if main:
            signal.signal(signal.SIGTERM, previous)


def _exit(signum, frame):
    raise SystemExit(0)


def delivers_in_process(config) -> bool:
    """On the embedded database only this process can deliver its pushes; with MONGO_URI the
    `send-notifications` workers do (several may run, beside several servers)."""
    return not config["MONGO_URI"]


def in_process_delivery(app):
    """The delivery loop of `send-notifications`, on this app's database, as a function of the
    event it stops at."""
    outbox, sender = MongoOutbox(app.extensions["ctx"]), make_sender(app.config)

    def push_delivery(stop: threading.Event) -> None:
        try:
            deliver_until(stop, outbox, sender, worker_id=f"{default_worker_id()}:in-process",
                          clock=utcnow)
        finally:
            getattr(sender, "close", lambda: None)()
    return push_delivery


def delivery_line(config) -> str:
    """The start-up line that says where pushes go from."""
    to = ("FCM" if config.get("FCM_CREDENTIALS_FILE")
          else "the log and the in-app inbox only (no FCM_CREDENTIALS_FILE)")
    if delivers_in_process(config):
        return f"Push delivery: in this process (embedded database), to {to}"
    return (f"Push delivery: not in this process (MONGO_URI): run `flask --app wsgi "
            f"send-notifications` workers beside it; they send to {to}")


class ProblemErrorTask(ErrorTask):
    """waitress's own answers (413 from Content-Length, 400 for an unparseable request, 431, 501,
    500) as problem+json with werkzeug's wording, the same body Flask's 413 has. Like ErrorTask,
    it must not fail."""

    def execute(self):
        error = self.request.error
        known = default_exceptions.get(error.code)
        response = problem(error.code, known.description if known else None)
        body = response.get_data()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([
            ("Content-Type", response.content_type),
            # What api.errors.protective_headers adds to every answer the app gives.
            ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Limited:
    """waitress's adjustments with another max_request_body_size, for one request."""

    def __init__(self, adjustments, limit: int):
        self._adjustments, self.max_request_body_size = adjustments, limit

    def __getattr__(self, name):
        return getattr(self._adjustments, name)


class PathLimitedParser(HTTPRequestParser):
    """Reads the request line and headers as waitress does, then holds any path but the bundle
    route to the small limit, before a byte of its body is read."""
    small_limit = None

    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        if self.small_limit is not None and self.path not in LARGE_BODY_PATHS:
            self.adj = _Limited(self.adj, self.small_limit)


class ProblemChannel(HTTPChannel):
    error_task_class = ProblemErrorTask
    parser_class = PathLimitedParser

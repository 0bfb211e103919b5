"""How `python wsgi.py` serves the app with waitress: its arguments come from the app's config,
and the few errors waitress answers itself (the app never sees those requests) keep the API's
problem+json shape."""
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask
from werkzeug.exceptions import default_exceptions

from api.errors import problem

THREADS = 8
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
    """Listen and serve until interrupted."""
    PathLimitedParser.small_limit = app.config["MAX_CONTENT_LENGTH"] + 1
    listeners = {}
    server = create_server(app, map=listeners, **options)
    # create_server makes one listener per address HOST resolves to (localhost: 127.0.0.1
    # and ::1) and registers each in the map it is given.
    for listener in listeners.values():
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = ProblemChannel
    server.run()


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

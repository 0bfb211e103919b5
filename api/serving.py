"""How `python wsgi.py` serves the app with waitress: its arguments come from the app's config,
and the few errors waitress answers itself (the app never sees those requests) keep the API's
problem+json shape."""
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask
from werkzeug.exceptions import default_exceptions

from api.errors import problem

THREADS = 8


def serve_options(config) -> dict:
    """waitress's keyword arguments for this app's config."""
    return {
        "host": config["HOST"], "port": config["PORT"], "threads": THREADS,
        # waitress refuses a request whose Content-Length reaches this, from the headers alone,
        # before it reads (and buffers, by default up to 1 GB) a body the app would refuse anyway.
        # It refuses at >= where Flask refuses at >, hence the + 1: both accept exactly the limit.
        "max_request_body_size": config["MAX_CONTENT_LENGTH"] + 1,
    }


def listen_url(options: dict) -> str:
    host = options["host"]
    return f"http://{f'[{host}]' if ':' in host else host}:{options['port']}"


def serve(app, options: dict) -> None:
    """Listen and serve until interrupted."""
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


class ProblemChannel(HTTPChannel):
    error_task_class = ProblemErrorTask

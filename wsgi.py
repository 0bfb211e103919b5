"""Entry point: `python wsgi.py` serves the API on $HOST:$PORT (default 127.0.0.1:8000) with
waitress, one process.

One process on purpose: the embedded database lives inside it, and so, on that database, does
push delivery (a thread). With several workers (gunicorn -w N wsgi:app) set MONGO_URI, or each
worker gets its own empty database; with MONGO_URI, `flask --app wsgi send-notifications`
workers deliver.
"""
import os
import sys

from api import create_app, seed_demo
from api.config import ConfigError


def main() -> None:
    """Serve until interrupted. A configuration error, or a port another server holds, ends the
    process with its message, no traceback: it is the operator's to fix, not a bug."""
    from api import serving

    try:
        application = create_app(served_elsewhere=False, seed=False)  # waitress listens on HOST
    except ConfigError as error:
        sys.exit(f"PHR API not started: {error}")
    from services import fhir
    fhir.warm_up()  # load the FHIR models now, not during the first hospital's push
    options = serving.serve_options(application.config)
    try:
        server = serving.listen(application, options)
    except OSError as error:
        sys.exit(f"PHR API not started: {serving.bind_refusal(options, error)}")
    # Only now, holding the port: a second start must not replace the credentials of the server
    # that runs. Requests wait in the listen backlog until the seed is written.
    seed_demo(application)
    print(f"PHR API on {serving.listen_url(options)}  (docs: /v1/docs)", flush=True)
    print(serving.delivery_line(application.config), flush=True)
    in_process = serving.delivers_in_process(application.config)
    serving.run(server, [serving.in_process_delivery(application)] if in_process else [])


if __name__ == "__main__":
    main()
elif os.environ.get("FLASK_RUN_FROM_CLI") == "true":
    # `flask --app wsgi COMMAND` (FlaskGroup sets the variable before it loads the app): an
    # operator's command. A configuration error is one line, not flask's traceback. The demo
    # is never seeded here: the seed belongs to the server, and on the embedded database this
    # process's is a throwaway whose credentials would replace the running server's.
    try:
        app = create_app(served_elsewhere=True, seed=False)
    except ConfigError as error:
        sys.exit(f"flask --app wsgi: {error}")
else:
    # `gunicorn wsgi:app` imports the app; `python wsgi.py` builds it in main(), where a
    # ConfigError is a message rather than a traceback. Imported, the address the server
    # listens on is not HOST: the development secrets need an explicit APP_ENV. (A ConfigError
    # stays an exception here: gunicorn halts on a worker that fails to boot, whereas a worker
    # that exits would be started again and again.)
    app = create_app(served_elsewhere=True)

"""Entry point: `python wsgi.py` serves the API on $HOST:$PORT (default 127.0.0.1:8000) with
waitress, one process.

One process on purpose: the embedded database lives inside it. With several workers
(gunicorn -w N wsgi:app) set MONGO_URI, or each worker gets its own empty database.
"""
import sys

from api import create_app
from api.config import ConfigError


def main() -> None:
    """Serve until interrupted. A configuration error ends the process with its message, no
    traceback: it is the operator's to fix, not a bug."""
    from api.serving import listen_url, serve, serve_options

    try:
        application = create_app(served_elsewhere=False)  # waitress listens on HOST
    except ConfigError as error:
        sys.exit(f"PHR API not started: {error}")
    from services import fhir
    fhir.warm_up()  # load the FHIR models now, not during the first hospital's push
    options = serve_options(application.config)
    print(f"PHR API on {listen_url(options)}  (docs: /v1/docs)", flush=True)
    if not application.config.get("FCM_CREDENTIALS_FILE"):
        print("No FCM_CREDENTIALS_FILE: `flask --app wsgi send-notifications` sends pushes to "
              "the log and the in-app inbox only", flush=True)
    serve(application, options)


if __name__ == "__main__":
    main()
else:
    # `gunicorn wsgi:app` and `flask --app wsgi` import the app; `python wsgi.py` builds it in
    # main(), where a ConfigError is a message rather than a traceback. Imported, the address
    # the server listens on is not HOST: the development secrets need an explicit APP_ENV.
    app = create_app(served_elsewhere=True)

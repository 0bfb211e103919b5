"""Entry point: `python wsgi.py` serves the API on 127.0.0.1:$PORT (waitress, one process).

One process on purpose: the embedded database lives inside it. With several workers
(gunicorn -w N wsgi:app) set MONGO_URI, or each worker gets its own empty database.
"""
import os

from api import create_app

app = create_app()

if __name__ == "__main__":
    from waitress import serve

    port = int(os.environ.get("PORT", "8000"))
    print(f"PHR API on http://127.0.0.1:{port}  (docs: /v1/docs)", flush=True)
    serve(app, host="127.0.0.1", port=port, threads=8)

"""Browser-test helpers: the app served on a free local port, and Chromium's launch flags."""
from __future__ import annotations

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

from app.extensions import db

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def serving(app):
    """Serve `app` in a thread on 127.0.0.1; yields the base URL, then stops and releases the database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

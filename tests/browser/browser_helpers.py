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


# Reports every Content-Security-Policy violation in any frame to the test (init scripts and bindings are
# Playwright's own, so the page's CSP does not stop them).
_REPORT_CSP = """document.addEventListener("securitypolicyviolation", (e) => window.__ndCspViolation(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || document.URL}:${e.lineNumber}`));"""


def csp_console_message(text: str) -> bool:
    """Whether a console line is Chromium reporting a Content-Security-Policy violation."""
    return "Content Security Policy" in text or "Content-Security-Policy" in text


@contextmanager
def browser_page(chromium_path: str, problems: list[str], phone: bool = True):
    """A Korean-locale page in headless Chromium (phone-sized by default) that records page errors.

    Every test using it also fails on any CSP violation (a `securitypolicyviolation` event or Chromium's
    console report of one), even when the page still seemed to work.
    """
    from playwright.sync_api import sync_playwright

    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
        page = browser.new_page(viewport=size, locale="ko-KR")
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("dialog", lambda d: (problems.append("dialog: " + d.message), d.dismiss()))
        page.expose_function("__ndCspViolation", lambda text: violations.append(f"CSP violation: {text}"))
        page.add_init_script(_REPORT_CSP)
        page.on("console", lambda m: csp_console_message(m.text) and violations.append(f"CSP console: {m.text}"))
        try:
            yield page
        finally:
            browser.close()
    problems.extend(violations)
    assert not violations, "\n".join(violations)


@contextmanager
def signed_in_page(chromium_path: str, problems: list[str], base: str, email: str, password: str, phone: bool = True):
    """A `browser_page` signed in as `email` through the login form."""
    with browser_page(chromium_path, problems, phone) as page:
        log_in(page, base, email, password)
        yield page


def log_in(page, base: str, email: str, password: str) -> None:
    """Sign in through the login form."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main button[type=submit]").click()

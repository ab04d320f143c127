"""Browser-test helpers: the app served on a free local port, and Chromium's launch flags."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from werkzeug.serving import make_server

from app.extensions import db
from tests.support import need

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _buffered(app):
    """`app` answering with its whole body at once: Werkzeug's development server closes a response (a static
    file's handle) only after writing all of it, so a page that navigates away mid-download left a file open
    (a ResourceWarning, an error under this suite's warning filter). gunicorn, which serves the app, closes it."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@contextmanager
def serving(app):
    """Serve `app` in a thread on 127.0.0.1; yields the base URL, then stops and releases the database."""
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
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
def chromium(chromium_path: str):
    """Headless Chromium for a test or a whole module (pages from `watched_page`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def watched_page(browser, problems: list[str], phone: bool = True):
    """A Korean-locale page with its own cookies (phone-sized by default) that records into `problems` its errors,
    dialogs and every Content-Security-Policy violation (lines starting "CSP")."""
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
    page = browser.new_page(viewport=size, locale="ko-KR")
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append("dialog: " + d.message), d.dismiss()))
    page.expose_function("__ndCspViolation", lambda text: problems.append(f"CSP violation: {text}"))
    page.add_init_script(_REPORT_CSP)
    page.on("console", lambda m: csp_console_message(m.text) and problems.append(f"CSP console: {m.text}"))
    return page


@contextmanager
def browser_page(chromium_path: str, problems: list[str], phone: bool = True):
    """A `watched_page` in its own Chromium; the test fails on any CSP violation, even when the page still seemed
    to work (the other problems are the test's to assert)."""
    with chromium(chromium_path) as browser:
        yield watched_page(browser, problems, phone)
    violations = [p for p in problems if p.startswith("CSP")]
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


AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_IMPACTS = ("serious", "critical")
# Playwright evaluates this over the DevTools protocol, which the page's CSP does not govern: no script tag and no
# bypass_csp needed, so the CSP checks of browser_page keep watching the page itself.
_AXE_RUN = """async ({exclude, impacts}) => {
    const context = exclude.length ? {include: [document], exclude: exclude.map((s) => [s])} : document;
    const result = await axe.run(context, {resultTypes: ["violations"], iframes: false});
    return result.violations.filter((v) => impacts.includes(v.impact)).map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ") + " :: " + n.failureSummary.split("\\n").slice(1, 3).join(" ")),
    }));
}"""


@cache
def _axe_source() -> str:
    if not AXE_SCRIPT.exists():
        need(f"axe-core not installed ({AXE_SCRIPT}; run npm ci)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page, exclude: dict[str, str] | None = None, impacts=AXE_IMPACTS) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per rule and node.

    `exclude` maps a CSS selector to the reason it is left out (only for third-party markup we cannot fix);
    frames are not entered: check a framed page at its own URL.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    found = page.evaluate(_AXE_RUN, {"exclude": list(exclude or {}), "impacts": list(impacts)})
    return [f"{page.url}: {v['impact']} {v['id']} ({v['help']}): {node}" for v in found for node in v["nodes"]]


# The focused element and whether a person can see where focus is: an outline at least 2px wide and not transparent,
# or a box-shadow (what :focus-visible styles draw), on an element with a size and not hidden.
_FOCUS = r"""() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el), box = el.getBoundingClientRect();
    const clear = (colour) => colour === "transparent" || /^rgba\(.*,\s*0\)$/.test(colour);
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 && !clear(s.outlineColor);
    const ring = outline || (s.boxShadow || "none") !== "none";
    const shown = box.width > 0 && box.height > 0 && s.visibility !== "hidden";
    const name = (el.getAttribute("aria-label") || el.innerText || el.value || el.getAttribute("alt") || "").trim();
    return {tag: el.tagName.toLowerCase(), type: el.type || "", href: el.href || "", name: name.slice(0, 60),
            visible: ring && shown};
}"""


def focused(page) -> dict | None:
    """The focused element (tag, type, href, name) and whether its focus is visible; None on the page itself."""
    return page.evaluate(_FOCUS)


def tab_to(page, wanted, limit: int = 200, key: str = "Tab") -> list[str]:
    """Press Tab until `wanted(focused)` holds; returns the focused elements whose focus could not be seen.

    Fails when `limit` presses never reach it, so a test cannot loop forever over a page that lost its target.
    """
    unseen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now and not now["visible"]:
            unseen.append(f"{page.url}: {now}")
        if now and wanted(now):
            return unseen
    raise AssertionError(f"{limit} presses of {key} on {page.url} never reached the element; last: {focused(page)}")

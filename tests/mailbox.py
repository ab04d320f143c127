"""A local SMTP server (aiosmtpd) that keeps what it receives: the notifications tests and the browser test read it."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Mailbox:
    """Messages received, parsed (subject, to, body)."""

    def __init__(self) -> None:
        self.messages: list = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def use_for(self, app) -> None:
        """Send the app's e-mail here."""
        send_mail_to(app, self.port)

    def bodies(self) -> list[str]:
        return [m.get_body(("plain",)).get_content() for m in self.messages]


def free_port() -> int:
    """A port nobody listens on now (tests run side by side in CI: no fixed ports)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send_mail_to(app, port: int) -> None:
    """Point the app's SMTP settings at 127.0.0.1:port and really send (Flask-Mail suppresses mail while testing)."""
    from app.extensions import mail

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_SUPPRESS_SEND=False)
    mail.init_app(app)


@contextmanager
def smtp_server():
    """Run a Mailbox on 127.0.0.1 for the block; yields it with its port."""
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()

"""The 알림톡/SMS adapter's request (Solapi API) against a local HTTP server started by the test."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from app.database import unit_of_work
from app.notifications.models import NotificationSettings, OutboxMessage
from app.notifications.services import notify
from tests.factories import place_booking


@pytest.fixture
def solapi(app):
    """A fake Solapi on a free port: records each request and answers with `status`."""
    seen: list[dict] = []
    answer = {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's hook name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append({"path": self.path, "auth": self.headers["Authorization"], "body": json.loads(body)})
            self.send_response(answer["status"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"groupId": "G4V20301231"}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(
        NOTIFY_CHANNELS="email,kakao",
        SOLAPI_BASE_URL=f"http://127.0.0.1:{server.server_port}",
        SOLAPI_API_KEY="NCSTESTKEY",
        SOLAPI_API_SECRET="test-secret",
        SOLAPI_SENDER="0212345678",
        SOLAPI_PF_ID="KA01PF-test",
        SOLAPI_TEMPLATES="booking_confirmed=KA01TP-confirmed",
    )
    yield seen, answer
    server.shutdown()
    thread.join()
    server.server_close()


def test_alimtalk_request_is_signed_and_carries_the_template(app, db, drain, parent, slot, solapi):
    seen, answer = solapi
    db.session.add(NotificationSettings(user_id=parent.id, email=False, kakao=True, phone="01098765432"))
    db.session.commit()
    booking = place_booking(db.session, parent, slot)
    with unit_of_work():
        notify(db.session, parent, "booking_confirmed", booking)
        notify(db.session, parent, "booking_reminder", booking)  # no template: plain SMS
    drain()
    confirmed, reminder = seen
    assert confirmed["path"] == "/messages/v4/send"
    header = r"HMAC-SHA256 apiKey=(\S+), date=(\S+), salt=(\S+), signature=([0-9a-f]{64})"
    auth = re.fullmatch(header, confirmed["auth"])
    key, date, salt, signature = auth.groups()
    assert key == "NCSTESTKEY"
    assert signature == hmac.new(b"test-secret", (date + salt).encode(), hashlib.sha256).hexdigest()
    message = confirmed["body"]["message"]
    assert (message["to"], message["from"]) == ("01098765432", "0212345678")
    assert message["kakaoOptions"] == {"pfId": "KA01PF-test", "templateId": "KA01TP-confirmed", "disableSms": False}
    assert booking.code in message["text"] and "시청점" in message["text"]
    assert "kakaoOptions" not in reminder["body"]["message"]
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.channel, r.status, r.provider, r.recipient) for r in rows] == [
        ("kakao", "sent", "solapi", "010-****-5432"),
        ("kakao", "sent", "solapi", "010-****-5432"),
    ]
    answer["status"] = 500  # the provider refuses: kept for a retry, with its answer
    with unit_of_work():
        notify(db.session, parent, "booking_cancelled", booking, reason="보호자 취소")
    drain()
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "booking_cancelled")).one()
    assert (failed.status, failed.attempts, failed.last_error[:8]) == ("pending", 1, "HTTP 500")

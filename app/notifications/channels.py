"""Transports behind one interface: ``send(to, subject, body, event)`` delivers or raises DeliveryError.

- SmtpChannel: e-mail through Flask-Mail (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD,
  MAIL_DEFAULT_SENDER).
- SolapiChannel: 카카오 알림톡 with SMS fallback through Solapi's HTTP API (SOLAPI_*; off while SOLAPI_API_KEY is
  empty). An event with a template id in SOLAPI_TEMPLATES goes as 알림톡 and Solapi falls back to SMS/LMS when
  KakaoTalk cannot deliver it; an event without one goes as SMS/LMS.
- RecordingChannel: the development channel. It only records (log line; the outbox row says provider "dev"), so a
  site without SMTP or Solapi settings still shows every message it would have sent.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import UTC, datetime

import requests
from flask import current_app
from flask_mail import Message

from app.notifications.choices import Channel

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The transport refused or failed; the outbox retries with back-off."""


class RecordingChannel:
    """Records the message and sends nothing."""

    name = "dev"

    def send(self, to: str, subject: str, body: str, event: str) -> None:
        log.info("notification recorded (not sent): %s %s", event, subject)


class SmtpChannel:
    """E-mail over SMTP (Flask-Mail)."""

    name = "smtp"

    def send(self, to: str, subject: str, body: str, event: str) -> None:
        try:
            current_app.extensions["mail"].send(Message(subject=subject, recipients=[to], body=body))
        except Exception as exc:  # smtplib, socket and TLS errors alike: the row records which
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def solapi_authorization(api_key: str, secret: str, date: str, salt: str) -> str:
    """Solapi's header: HMAC-SHA256 apiKey=…, date=…, salt=…, signature=hex(hmac_sha256(secret, date + salt))."""
    signature = hmac.new(secret.encode(), (date + salt).encode(), hashlib.sha256).hexdigest()
    return f"HMAC-SHA256 apiKey={api_key}, date={date}, salt={salt}, signature={signature}"


def _templates(raw: str) -> dict[str, str]:
    """SOLAPI_TEMPLATES "event=templateId,event=templateId" as a dict."""
    pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
    return {k.strip(): v.strip() for k, v in pairs}


class SolapiChannel:
    """알림톡 (SMS fallback) through POST {SOLAPI_BASE_URL}/messages/v4/send."""

    name = "solapi"

    def send(self, to: str, subject: str, body: str, event: str) -> None:
        config = current_app.config
        message = {"to": to, "from": config["SOLAPI_SENDER"], "text": f"{subject}\n{body}"}
        template = _templates(config["SOLAPI_TEMPLATES"]).get(event)
        if template and config["SOLAPI_PF_ID"]:
            message["kakaoOptions"] = {"pfId": config["SOLAPI_PF_ID"], "templateId": template, "disableSms": False}
        date = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        auth = solapi_authorization(config["SOLAPI_API_KEY"], config["SOLAPI_API_SECRET"], date, secrets.token_hex(16))
        try:
            response = requests.post(
                config["SOLAPI_BASE_URL"].rstrip("/") + "/messages/v4/send",
                json={"message": message},
                headers={"Authorization": auth},
                timeout=config["NOTIFY_HTTP_TIMEOUT"],
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")


def transport_for(channel: str):
    """The transport a channel uses here: the real one when configured, else the recording one."""
    config = current_app.config
    if channel == Channel.EMAIL and config["MAIL_SERVER"]:
        return SmtpChannel()
    if channel == Channel.KAKAO and config["SOLAPI_API_KEY"]:
        return SolapiChannel()
    return RecordingChannel()

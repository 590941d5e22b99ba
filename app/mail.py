"""Email: each message is rendered from a plain-text and an HTML template, then sent by the
background worker through SMTP (Flask-Mailman).

With no `MAIL_SERVER` configured (the embedded default), messages go to an outbox folder in
`instance/` instead, one `.eml` file each, which admins read under Admin, Outbox.
"""

from __future__ import annotations

import email
import email.policy
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app, render_template
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.base import BaseEmailBackend

from .queue import after_commit, app_task

mail = Mail()

ORG_HEADER = "X-Ascent-Org"


def init_mail(app: Flask) -> None:
    """Use SMTP when a server is configured, else the outbox folder in instance/."""
    app.config.setdefault("MAIL_DEFAULT_SENDER", "Ascent <ascent@localhost>")
    if not app.config.get("MAIL_SERVER"):
        app.config["MAIL_BACKEND"] = OutboxBackend
    elif not app.config.get("MAIL_BACKEND"):
        app.config["MAIL_BACKEND"] = "smtp"
    mail.init_app(app)


def outbox_dir() -> Path:
    """Return the outbox folder: MAIL_OUTBOX_DIR, else instance/outbox."""
    configured = current_app.config.get("MAIL_OUTBOX_DIR")
    return Path(configured or os.path.join(current_app.instance_path, "outbox"))


class OutboxBackend(BaseEmailBackend):
    """Keep each message as an .eml file in the outbox folder instead of sending it."""

    def send_messages(self, email_messages) -> int:
        """Write the messages; return how many were written."""
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
        return len(email_messages)


def compose(to: str, subject: str, template: str, org_slug: str | None = None, **context):
    """Render the message's two parts now (in the request) and send it after the commit."""
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", subject=subject, **context)
    after_commit(deliver, to, subject[:200], text, html, org_slug or "")


@app_task(retries=3, retry_delay=30)
def deliver(to: str, subject: str, text: str, html: str, org_slug: str) -> None:
    """Send one message (the worker retries it when the server does not answer)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[to],
        headers={ORG_HEADER: org_slug} if org_slug else None,
    )
    message.attach_alternative(html, "text/html")
    message.send()


@dataclass(frozen=True)
class OutboxMessage:
    """A message kept in the outbox: who it went to, its subject and its text."""

    name: str
    at: datetime
    to: str
    subject: str
    text: str


def outbox(org_slug: str, limit: int = 100) -> list[OutboxMessage]:
    """Return the newest messages in the outbox that were sent for an org."""
    folder = outbox_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.eml"), reverse=True):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if parsed.get(ORG_HEADER, "") != org_slug:
            continue
        body = parsed.get_body(preferencelist=("plain",))
        found.append(
            OutboxMessage(
                name=path.stem,
                at=datetime.strptime(path.stem.split("-")[0], "%Y%m%dT%H%M%S%f"),
                to=str(parsed.get("To", "")),
                subject=str(parsed.get("Subject", "")),
                text=body.get_content() if body else "",
            )
        )
        if len(found) >= limit:
            break
    return found

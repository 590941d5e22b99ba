"""Invitations and password resets by email: through the outbox (no mail server) and through a
real SMTP server (aiosmtpd) in the test process, read by the person and used."""

import re
import socket
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app import create_app
from app.extensions import db
from app.mail import outbox
from app.models import AuditEntry, Membership, OneTimeLink, User, utcnow
from app.orgs import operations as org_ops
from tests.conftest import PASSWORD, app_config

NEW_PASSWORD = "violet kettle harbour 42"
LINK = re.compile(r"https?://\S+/(invite|reset)/[\w-]+")


def _link(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return found.group(0).split("://", 1)[1].split("/", 1)[1]


def _outbox_link(org="acme") -> str:
    messages = outbox(org)
    assert messages
    return "/" + _link(messages[0].text)


def test_an_admin_invites_a_person_who_chooses_a_password_and_joins(client, world, login):
    login("admin@acme.test")
    page = client.post(
        "/o/acme/admin/people",
        data={"email": "Dana@Acme-Insurance.com", "name": "Dana Data", "role": "executive"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "An invitation is on its way to dana@acme-insurance.com" in page
    assert "Pending invitations (1)" in page
    message = outbox("acme")[0]
    assert message.to == "dana@acme-insurance.com" and "Ada Admin invited you" in message.subject
    dana = db.session.scalar(sa.select(User).where(User.email == "dana@acme-insurance.com"))
    assert not dana.check_password(PASSWORD) and not dana.must_change_password
    client.post("/logout")
    link = "/" + _link(message.text)
    weak = client.post(link, data={"new": "password1234", "confirm": "password1234"})
    assert weak.status_code == 422  # the password policy holds here too
    joined = client.post(link, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/o/acme/")
    role = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == dana.id))
    assert role == "executive"
    assert client.get("/o/acme/dashboard").status_code == 200  # signed in, as an executive
    assert client.get(link).status_code == 404  # a link works once
    kinds = set(db.session.scalars(sa.select(AuditEntry.kind)))
    assert {"person.invited", "person.joined"} <= kinds


def test_an_account_of_another_org_is_invited_never_shown_nor_joined(
    client, world, login, make_org, make_user
):
    other = make_org("globex", "Globex")
    ada = make_user("ada@globex-corp.com", other, "admin", "Ada Lovelace")
    login("admin@acme.test")
    page = client.post(
        "/o/acme/admin/people",
        data={"email": "ada@globex-corp.com", "name": "Typed Name", "role": "member"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "An invitation is on its way to ada@globex-corp.com" in page
    assert "Ada Lovelace" not in page
    memberships = (
        sa.select(sa.func.count()).select_from(Membership).where(Membership.user_id == ada.id)
    )
    assert db.session.scalar(memberships) == 1  # not joined until they accept
    link = _outbox_link()
    client.post("/logout")
    asks = client.get(link).get_data(as_text=True)
    assert "Sign in as ada@globex-corp.com first" in asks
    client.post("/login", data={"email": "ada@globex-corp.com", "password": PASSWORD})
    accepted = client.post(link)
    assert accepted.status_code == 302 and db.session.scalar(memberships) == 2


def test_an_admin_resends_and_cancels_an_invitation(client, world, login):
    login("admin@acme.test")
    client.post(
        "/o/acme/admin/people",
        data={"email": "eve@acme-insurance.com", "name": "Eve", "role": "member"},
    )
    first = _outbox_link()
    link = db.session.scalar(sa.select(OneTimeLink).where(OneTimeLink.cancelled_at.is_(None)))
    client.post(f"/o/acme/admin/invitations/{link.id}", data={"action": "resend"})
    second = _outbox_link()
    assert second != first
    client.post("/logout")
    assert client.get(first).status_code == 404  # the old link stopped working
    assert client.get(second).status_code == 200
    login("admin@acme.test")
    newest = db.session.scalar(sa.select(OneTimeLink).where(OneTimeLink.cancelled_at.is_(None)))
    client.post(f"/o/acme/admin/invitations/{newest.id}", data={"action": "cancel"})
    client.post("/logout")
    assert client.get(second).status_code == 404


def test_forgot_password_answers_the_same_and_the_link_resets_once(client, world, elsewhere):
    known = client.post("/forgot", data={"email": "alice@acme.test"}, follow_redirects=True)
    unknown = client.post("/forgot", data={"email": "nobody@acme.test"}, follow_redirects=True)
    words = "If an account uses that address"
    assert words in known.get_data(as_text=True) and words in unknown.get_data(as_text=True)
    assert len(outbox("acme")) == 1  # only the real account got a message
    link = _outbox_link()
    # Alice is signed in elsewhere; the reset ends that session.
    browser = elsewhere()
    browser.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    assert browser.get("/o/acme/").status_code == 200
    done = client.post(link, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert browser.get("/o/acme/").status_code == 302  # signed out there
    assert client.get(link).status_code == 404
    alice = db.session.scalar(sa.select(User).where(User.email == "alice@acme.test"))
    db.session.refresh(alice)
    assert alice.check_password(NEW_PASSWORD)


def test_a_reset_link_expires_after_an_hour(client, world):
    client.post("/forgot", data={"email": "alice@acme.test"})
    link = _outbox_link()
    db.session.execute(sa.update(OneTimeLink).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get(link).status_code == 404


def test_a_deactivated_person_cannot_sign_in_and_their_sessions_end(
    client, world, login, elsewhere
):
    from app.api.auth import create_token

    _, token = create_token(world["alice"], "laptop")
    db.session.commit()
    api = {"Authorization": f"Bearer {token}"}
    browser = elsewhere()  # a second browser: its signed-in person is not shared
    assert elsewhere().get("/api/v1/me", headers=api).status_code == 200
    browser.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    assert browser.get("/o/acme/").status_code == 200
    login("admin@acme.test")
    off = client.post(f"/o/acme/admin/people/{world['alice'].id}/active", data={"active": "0"})
    assert off.status_code == 302
    db.session.refresh(world["alice"])
    assert world["alice"].deactivated_at is not None
    assert browser.get("/o/acme/").status_code == 302  # signed out
    assert elsewhere().get("/api/v1/me", headers=api).status_code == 401  # tokens stop too
    refused = browser.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    assert refused.status_code == 401
    people = client.get("/o/acme/admin/people").get_data(as_text=True)
    assert "inactive" in people
    client.post(f"/o/acme/admin/people/{world['alice'].id}/active", data={"active": "1"})
    again = browser.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    assert again.status_code == 302
    kinds = set(db.session.scalars(sa.select(AuditEntry.kind)))
    assert {"person.deactivated", "person.activated"} <= kinds


class Inbox:
    """An SMTP handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def test_email_goes_through_a_real_smtp_server(database_url, tmp_path, smtp_server, make_org):
    port, inbox = smtp_server
    app = create_app(
        app_config(
            database_url,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=port,
            MAIL_DEFAULT_SENDER="Ascent <ascent@acme.test>",
            BASE_URL="https://ascent.acme.test",
        )
    )
    app.instance_path = str(tmp_path)
    with app.app_context():
        org = org_ops.create_org("smtp", "Smtp Org")
        org_ops.invite_person(org, "zoe@acme-insurance.com", "Zoe", "member", "Ada Admin")
        db.session.commit()
        for _ in range(50):
            if inbox.messages:
                break
            time.sleep(0.05)
        assert len(inbox.messages) == 1
        envelope = inbox.messages[0]
        assert envelope.rcpt_tos == ["zoe@acme-insurance.com"]
        body = envelope.content.decode()
        assert "text/plain" in body and "text/html" in body
        assert "https://ascent.acme.test/invite/" in body
        assert outbox("smtp") == []  # sent, not kept
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


def test_a_person_an_import_created_is_invited_from_the_people_page(client, world, login):
    user = org_ops.create_user_without_password("ivy@acme-insurance.com", "Ivy Import")
    org_ops.set_org_role(world["org"], user, "member")
    db.session.commit()
    login("admin@acme.test")
    page = client.get("/o/acme/admin/people").get_data(as_text=True)
    assert "Send invitation" in page
    client.post(f"/o/acme/admin/people/{user.id}/invite")
    link = _outbox_link()
    client.post("/logout")
    joined = client.post(link, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert joined.status_code == 302
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)


def test_an_admin_invites_through_the_api_and_the_command_line(client, world, runner):
    from app.api.auth import create_token

    _, admin = create_token(world["admin"], "hr sync")
    _, lead = create_token(world["lead"], "hr sync")
    db.session.commit()
    body = {"email": "Uma@Acme-Insurance.com", "name": "Uma", "role": "member"}
    sent = client.post(
        "/api/v1/orgs/acme/people", json=body, headers={"Authorization": f"Bearer {admin}"}
    )
    assert sent.status_code == 200 and sent.get_json() == {
        "email": "uma@acme-insurance.com",
        "result": "invited",
    }
    assert outbox("acme")[0].to == "uma@acme-insurance.com"
    refused = client.post(
        "/api/v1/orgs/acme/people", json=body, headers={"Authorization": f"Bearer {lead}"}
    )
    assert refused.status_code == 403
    bad = client.post(
        "/api/v1/orgs/acme/people",
        json={"email": "not an email"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert bad.status_code == 422
    result = runner.invoke(
        args=[
            "user",
            "create",
            "vic@acme-insurance.com",
            "--name",
            "Vic",
            "--org",
            "acme",
            "--invite",
        ]
    )
    assert result.exit_code == 0 and "Invitation sent" in result.output
    assert {m.to for m in outbox("acme")} >= {"vic@acme-insurance.com"}

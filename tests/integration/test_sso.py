"""Single sign-on settings (admin page and command line), password refusal, and who may join."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_login import FlaskLoginClient

from app import sso
from app.auth import sessions
from app.auth import sso as flow
from app.extensions import db
from app.models import AuditEntry, Membership, OrgSso, User
from app.orgs import operations as org_ops
from tests.conftest import PASSWORD

SECRET = "very-secret-client-value-7f3a9c"
FORM = {
    "issuer": "https://login.acme.example/",
    "client_id": "ascent-web",
    "client_secret": SECRET,
    "domains": "acme.example, Acme.co.uk",
    "password_allowed": "on",
}


def stored(org) -> OrgSso | None:
    """Return the org's settings as the database has them now."""
    db.session.expire_all()
    return db.session.scalar(sa.select(OrgSso).where(OrgSso.org_id == org.id))


def sso_entries(org) -> list[AuditEntry]:
    """Return the org's audit entries about single sign-on settings, oldest first."""
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.org_id == org.id, AuditEntry.kind == "settings.sso")
        .order_by(AuditEntry.id)
    ).all()


def configure(org, **changes) -> None:
    """Store single sign-on settings for the org directly."""
    values = {
        "issuer": "https://login.acme.example",
        "client_id": "ascent-web",
        "client_secret": SECRET,
        "domains": "acme.example",
        "password_allowed": True,
    } | changes
    sso.update_settings(org, **values)
    db.session.commit()


def test_admin_sets_the_provider_and_never_sees_the_secret_again(client, world, login):
    login("admin@acme.test")
    page = client.get("/o/acme/admin/sso")
    assert page.status_code == 200
    assert "Single sign-on is <strong>off</strong>" in page.get_data(as_text=True)
    assert "http://localhost/sso/callback" in page.get_data(as_text=True)

    saved = client.post("/o/acme/admin/sso", data=FORM)
    assert saved.status_code == 302
    row = stored(world["org"])
    assert (row.issuer, row.client_id, row.client_secret) == (
        "https://login.acme.example",
        "ascent-web",
        SECRET,
    )
    assert row.domain_list == ["acme.example", "acme.co.uk"] and row.password_allowed

    page = client.get("/o/acme/admin/sso").get_data(as_text=True)
    assert SECRET[:-4] not in page and "ending in …3a9c" in page
    entry = sso_entries(world["org"])[-1]
    assert entry.actor == "Ada Admin"
    assert SECRET not in str(entry.after) and entry.after["client_secret"] == "changed"


def test_an_empty_secret_keeps_the_stored_one_and_required_turns_passwords_off(
    client, world, login
):
    configure(world["org"])
    login("admin@acme.test")
    form = FORM | {"client_secret": ""}
    del form["password_allowed"]
    assert client.post("/o/acme/admin/sso", data=form).status_code == 302
    row = stored(world["org"])
    assert row.client_secret == SECRET and row.password_allowed is False
    entry = sso_entries(world["org"])[-1]
    assert entry.before["password_allowed"] is True and entry.after["password_allowed"] is False
    assert "client_secret" not in entry.after


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issuer", "ftp://login.acme.example", "must use https"),
        ("issuer", "http://login.acme.example", "must use https"),
        ("issuer", "https://login.acme.example/?tenant=1", "with no query"),
        ("issuer", "", "issuer URL"),
        ("client_id", "", "client id"),
        ("client_id", "x" * 201, "client id"),
        ("client_secret", "", "client secret"),
        ("domains", "", "at least one email domain"),
        ("domains", "acme", "is not an email domain"),
        ("domains", "acme.example, bad_domain.example", "is not an email domain"),
    ],
)
def test_bad_settings_are_refused_with_a_message(client, world, login, field, value, message):
    login("admin@acme.test")
    answer = client.post("/o/acme/admin/sso", data=FORM | {field: value})
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert stored(world["org"]) is None and sso_entries(world["org"]) == []


def test_a_domain_belongs_to_one_org_only(client, world, login, make_org):
    other = make_org("globex", "Globex")
    configure(other, domains="acme.co.uk")
    login("admin@acme.test")
    answer = client.post("/o/acme/admin/sso", data=FORM)
    assert answer.status_code == 422
    assert "Another organisation signs in people of acme.co.uk" in answer.get_data(as_text=True)
    assert stored(world["org"]) is None


def test_admin_turns_single_sign_on_off(client, world, login):
    configure(world["org"])
    login("admin@acme.test")
    answer = client.post("/o/acme/admin/sso", data={"action": "remove"})
    assert answer.status_code == 302
    assert stored(world["org"]) is None
    assert sso_entries(world["org"])[-1].summary == "Single sign-on turned off"


@pytest.mark.parametrize("email", ["exec@acme.test", "lead@acme.test", "alice@acme.test"])
def test_only_admins_see_or_change_the_provider(client, world, login, email):
    configure(world["org"])
    login(email)
    assert client.get("/o/acme/admin/sso").status_code == 403
    assert client.post("/o/acme/admin/sso", data=FORM | {"client_id": "x"}).status_code == 403
    assert stored(world["org"]).client_id == "ascent-web"


def test_another_orgs_admin_gets_a_404(client, world, login, make_org, make_user):
    other = make_org("globex", "Globex")
    make_user("admin@globex.test", other, "admin")
    login("admin@globex.test")
    assert client.get("/o/acme/admin/sso").status_code == 404


def test_the_admin_tabs_link_the_page(client, world, login):
    login("admin@acme.test")
    page = client.get("/o/acme/admin/settings").get_data(as_text=True)
    assert 'href="/o/acme/admin/sso"' in page and "Single sign-on" in page


def test_command_sets_shows_and_turns_off_the_provider(runner, world):
    args = ["org", "sso", "acme", "--issuer", "https://login.acme.example", "--client-id", "web"]
    args += ["--client-secret", SECRET, "--domains", "acme.example,b.example", "--required"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output and "…3a9c" in result.output
    assert "password sign-in refused" in result.output
    row = stored(world["org"])
    assert row.domain_list == ["acme.example", "b.example"] and not row.password_allowed
    assert sso_entries(world["org"])[-1].actor == "command line"

    # Options left out are kept; --password-allowed lets passwords in again.
    result = runner.invoke(args=["org", "sso", "acme", "--password-allowed"])
    assert result.exit_code == 0, result.output
    row = stored(world["org"])
    assert row.password_allowed and row.client_secret == SECRET and row.client_id == "web"

    shown = runner.invoke(args=["org", "sso", "acme"])
    assert "issuer https://login.acme.example" in shown.output and SECRET not in shown.output

    off = runner.invoke(args=["org", "sso", "acme", "--off"])
    assert "turned off" in off.output and stored(world["org"]) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--issuer", "https://login.acme.example"], "Give --issuer, --client-id"),
        (
            ["--issuer", "http://login.acme.example", "--client-id", "w", "--client-secret", "s"]
            + ["--domains", "acme.example"],
            "must use https",
        ),
    ],
)
def test_command_refuses_incomplete_or_bad_settings(runner, world, args, message):
    result = runner.invoke(args=["org", "sso", "acme", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert stored(world["org"]) is None


def test_password_sign_in_is_refused_when_the_org_requires_sso(client, world, make_org):
    configure(world["org"], domains="acme.test", password_allowed=False)
    answer = client.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    assert answer.status_code == 403
    page = answer.get_data(as_text=True)
    assert "signs in through its own provider" in page and 'href="/sso"' in page
    assert client.get("/o/acme/").status_code == 302  # not signed in


def test_a_member_from_another_domain_is_refused_a_password_too(client, world, make_user):
    configure(world["org"], domains="acme.example", password_allowed=False)
    make_user("contractor@freelance.test", world["org"], "member")
    answer = client.post(
        "/login", data={"email": "contractor@freelance.test", "password": PASSWORD}
    )
    assert answer.status_code == 403
    # A wrong password says nothing about the org's rule.
    wrong = client.post("/login", data={"email": "contractor@freelance.test", "password": "no"})
    assert wrong.status_code == 401


def test_passwords_still_work_when_the_org_allows_them(client, world, login):
    configure(world["org"], domains="acme.test", password_allowed=True)
    login("alice@acme.test")
    assert client.get("/o/acme/").status_code == 200


def test_the_email_step_finds_the_org_by_domain_or_short_name(client, world):
    configure(world["org"], domains="acme.example")
    found = client.post("/sso", data={"email": "Kim@ACME.example"})
    assert found.status_code == 303 and found.headers["Location"] == "/sso/acme"
    by_slug = client.post("/sso", data={"email": "acme"})
    assert by_slug.status_code == 303 and by_slug.headers["Location"] == "/sso/acme"
    page = client.get("/sso/acme").get_data(as_text=True)
    assert "Continue to Acme Insurance" in page and 'href="/sso/acme/start"' in page


@pytest.mark.parametrize("given", ["kim@elsewhere.example", "globex", "not an email", "x" * 255])
def test_the_email_step_says_when_no_org_signs_in_that_way(client, world, given):
    configure(world["org"], domains="acme.example")
    answer = client.post("/sso", data={"email": given})
    assert answer.status_code == 422
    text = answer.get_data(as_text=True)
    assert "No organisation signs in" in text or "at most 254" in text


def test_an_org_without_sso_has_no_sign_in_page(client, world):
    assert client.get("/sso/acme").status_code == 404
    assert client.get("/sso/acme/start").status_code == 404


def test_a_callback_nobody_started_is_refused(client, world):
    configure(world["org"])
    answer = client.get("/sso/callback?code=abc&state=def")
    assert answer.status_code == 400
    assert "already used or has expired" in answer.get_data(as_text=True)


CLAIMS = {"sub": "1", "email": "new@acme.example", "email_verified": True, "name": "Nova New"}


def test_a_first_sign_in_creates_a_member_without_a_password(world):
    configure(world["org"])
    user = flow.person_for(sso.settings_of(world["org"].id), CLAIMS)
    db.session.commit()
    assert (user.email, user.name, user.has_usable_password) == (
        "new@acme.example",
        "Nova New",
        False,
    )
    role = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == user.id))
    assert role == "member"


def test_a_deactivated_person_cannot_sign_in_by_sso(world):
    configure(world["org"], domains="acme.test")
    org_ops.set_active(world["org"], world["bob"], False)
    db.session.commit()
    with pytest.raises(flow.SsoRefused, match="deactivated"):
        flow.person_for(sso.settings_of(world["org"].id), CLAIMS | {"email": "bob@acme.test"})


def test_a_person_of_another_org_joins_only_when_invited(world, make_org, make_user):
    other = make_org("globex", "Globex")
    make_user("gus@acme.example", other, "member", "Gus")
    configure(world["org"])
    row = sso.settings_of(world["org"].id)
    claims = CLAIMS | {"email": "gus@acme.example"}
    with pytest.raises(flow.SsoRefused, match="not in Acme Insurance"):
        flow.person_for(row, claims)
    org_ops.invite_person(world["org"], "gus@acme.example", "Gus", "executive", "Ada Admin")
    db.session.commit()
    user = flow.person_for(row, claims)
    db.session.commit()
    role = db.session.scalar(
        sa.select(Membership.role).where(
            Membership.user_id == user.id, Membership.org_id == world["org"].id
        )
    )
    assert role == "executive"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"email_verified": False}, "not verified"),
        ({"email_verified": "true"}, "not verified"),
        ({"email": ""}, "did not send your email"),
        ({"email": "new@evil.example"}, "is not in an email domain"),
        ({"email": "new@sub.acme.example"}, "is not in an email domain"),
    ],
)
def test_the_provider_must_vouch_for_a_verified_email_in_an_allowed_domain(world, claims, message):
    configure(world["org"])
    with pytest.raises(flow.SsoRefused, match=message):
        flow.person_for(sso.settings_of(world["org"].id), CLAIMS | claims)
    assert db.session.scalar(sa.select(User).where(User.email.like("new@%"))) is None


def test_a_person_who_joined_by_sso_is_not_asked_for_a_password_they_never_had(app, world):
    configure(world["org"])
    user = flow.person_for(sso.settings_of(world["org"].id), CLAIMS)
    with app.test_request_context():
        sessions.sign_in(user)  # the session the callback would start
    db.session.commit()
    app.test_client_class = FlaskLoginClient
    page = app.test_client(user=user).get("/account/password").get_data(as_text=True)
    assert "You have no password in Ascent" in page and "Current password" not in page

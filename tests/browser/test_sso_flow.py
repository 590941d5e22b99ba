"""Single sign-on end to end: Chromium, the app and a real OpenID provider on loopback."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app import sso
from app.extensions import db
from app.models import AuditEntry, Membership, User
from tests.conftest import PASSWORD


@pytest.fixture
def sso_org(make_org, make_user, oidc_provider):
    """An org whose people of sso.example sign in through the test provider."""
    org = make_org("acme", "Acme Insurance")
    make_user("admin@acme.test", org, "admin", "Ada Admin")
    sso.update_settings(
        org,
        issuer=oidc_provider.issuer,
        client_id=oidc_provider.client_id,
        client_secret=oidc_provider.client_secret,
        domains="sso.example",
        password_allowed=True,
    )
    db.session.commit()
    return org


def start_sso(page, live_server: str, email: str) -> None:
    """Go from the sign-in page to the provider's sign-in form with a work email."""
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Sign in with your organisation").click()
    page.get_by_label("Work email").fill(email)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Sign in with Acme Insurance")).to_be_visible()
    page.get_by_role("link", name="Continue to Acme Insurance's sign-in").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def provider_login(page, login: str) -> None:
    """Sign in at the provider's own form (its development sign-in accepts any login)."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()


def person(email: str) -> User | None:
    """Return the person with this email as the database has them now."""
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_first_sign_in_creates_the_member_and_the_second_reuses_them(
    browser, live_server, sso_org, tmp_path
):
    context = browser.new_context()
    page = context.new_page()
    start_sso(page, live_server, "Nia.Ng@sso.example")
    # The email given in Ascent is passed on as a login hint.
    expect(page.locator("input[name=login]")).to_have_value("nia.ng@sso.example")
    provider_login(page, "nia.ng@sso.example")
    expect(page).to_have_url(f"{live_server}/o/acme/")
    page.screenshot(path=tmp_path / "sso-first-sign-in.png", full_page=True)

    nia = person("nia.ng@sso.example")
    assert nia is not None and not nia.has_usable_password
    membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == nia.id))
    assert (membership.org_id, membership.role) == (sso_org.id, "member")
    kinds = db.session.scalars(
        sa.select(AuditEntry.kind).where(AuditEntry.org_id == sso_org.id)
    ).all()
    assert "person.added" in kinds and "signin.succeeded" in kinds

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/login")
    # The provider remembers the person, so the second sign-in comes straight back.
    page.goto(f"{live_server}/sso/acme")
    page.get_by_role("link", name="Continue to Acme Insurance's sign-in").click()
    expect(page).to_have_url(f"{live_server}/o/acme/")
    db.session.expire_all()
    same = sa.select(sa.func.count()).select_from(User).where(User.email == "nia.ng@sso.example")
    assert db.session.scalar(same) == 1
    signins = sa.select(sa.func.count()).where(
        AuditEntry.kind == "signin.succeeded", AuditEntry.object_id == str(nia.id)
    )
    assert db.session.scalar(signins) == 2
    context.close()


def test_an_email_outside_the_allowed_domains_is_refused(browser, live_server, sso_org):
    context = browser.new_context()
    page = context.new_page()
    start_sso(page, live_server, "someone@sso.example")
    provider_login(page, "mallory@elsewhere.example")  # the provider vouches for another domain
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("mallory@elsewhere.example is not in an email domain")).to_be_visible()
    assert person("mallory@elsewhere.example") is None
    page.goto(f"{live_server}/o/acme/")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fo%2Facme%2F")
    context.close()


def test_an_unverified_email_is_refused(browser, live_server, sso_org):
    context = browser.new_context()
    page = context.new_page()
    start_sso(page, live_server, "unverified.sam@sso.example")
    provider_login(page, "unverified.sam@sso.example")
    expect(page.get_by_text("not verified")).to_be_visible()
    assert person("unverified.sam@sso.example") is None
    context.close()


def test_a_replayed_or_tampered_callback_is_refused(browser, live_server, sso_org):
    context = browser.new_context()
    page = context.new_page()
    callbacks = []
    page.on("request", lambda r: callbacks.append(r.url) if "/sso/callback" in r.url else None)
    start_sso(page, live_server, "ria@sso.example")
    provider_login(page, "ria@sso.example")
    expect(page).to_have_url(f"{live_server}/o/acme/")
    page.get_by_role("button", name="Sign out").click()

    # The same answer again, once signed out: it was used up.
    replay = page.goto(callbacks[0])
    assert replay.status == 400
    expect(page.get_by_text("already used or has expired")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    context.close()

    # Another browser starts its own sign-in; an answer with a state it never sent is refused
    # (a forged state, or an answer meant for someone else's browser).
    context = browser.new_context()
    page = context.new_page()
    start_sso(page, live_server, "ria@sso.example")
    for url in (_with(callbacks[0], state="forged-state-value"), callbacks[0]):
        start = page.goto(f"{live_server}/sso/acme/start")
        assert start.ok
        answer = page.goto(url)
        assert answer.status == 400
        expect(page.get_by_text("does not belong to the sign-in you started")).to_be_visible()
    page.goto(f"{live_server}/o/acme/")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fo%2Facme%2F")
    context.close()


def _with(url: str, **params) -> str:
    """Return url with some query parameters replaced."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | params
    return urlunsplit(parts._replace(query=urlencode(query)))


def change_authorization_request(context, **params) -> None:
    """Rewrite the app's redirect to the provider: as if someone changed the request on its way."""

    def rewrite(route):
        answer = route.fetch(max_redirects=0)
        location = _with(answer.headers["location"], **params)
        route.fulfill(response=answer, headers={**answer.headers, "location": location})

    context.route("**/sso/acme/start", rewrite)


def test_an_id_token_with_another_nonce_is_refused(browser, live_server, sso_org):
    context = browser.new_context()
    page = context.new_page()
    # The signed ID token then carries a nonce the app never issued for this browser.
    change_authorization_request(context, nonce="not-the-apps-nonce")
    start_sso(page, live_server, "noa@sso.example")
    provider_login(page, "noa@sso.example")
    expect(page.get_by_text("could not be verified")).to_be_visible()
    assert person("noa@sso.example") is None
    context.close()


def test_a_code_without_its_pkce_verifier_is_refused(browser, live_server, sso_org):
    context = browser.new_context()
    page = context.new_page()
    change_authorization_request(context, code_challenge="A" * 43)  # not the app's challenge
    start_sso(page, live_server, "pia@sso.example")
    provider_login(page, "pia@sso.example")
    expect(page.get_by_text("The provider did not sign you in")).to_be_visible()
    assert person("pia@sso.example") is None
    context.close()


def test_admin_sets_up_sso_in_the_page_and_people_find_it(
    page, live_server, make_org, make_user, sign_in, tmp_path
):
    org = make_org("acme", "Acme Insurance")
    make_user("admin@acme.test", org, "admin", "Ada Admin")
    sign_in("admin@acme.test", PASSWORD)
    page.goto(f"{live_server}/o/acme/admin/people")
    page.get_by_role("link", name="Single sign-on").click()
    expect(page.locator("#redirect-uri")).to_have_text(f"{live_server}/sso/callback")
    page.get_by_label("Issuer URL").fill("https://login.acme.example")
    page.get_by_label("Client id").fill("ascent-web")
    page.get_by_label("Client secret").fill("a-long-client-secret-4711")
    page.get_by_label("Allowed email domains").fill("acme.example")
    page.get_by_label("may still sign in with a password").uncheck()
    page.get_by_role("button", name="Save single sign-on").click()
    expect(page.get_by_text("Single sign-on saved.")).to_be_visible()
    expect(page.get_by_text("password sign-in is refused")).to_be_visible()
    expect(page.get_by_label("Client secret")).to_have_value("")
    expect(page.get_by_text("ending in …4711")).to_be_visible()
    assert "a-long-client-secret" not in page.content()
    page.screenshot(path=tmp_path / "sso-admin.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill("kim@acme.example")
    page.get_by_label("Password").fill("whatever password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("signs in through its own provider")).to_be_visible()
    page.screenshot(path=tmp_path / "sso-login-refused.png", full_page=True)
    page.get_by_role("link", name="Sign in with your organisation").click()
    page.get_by_label("Work email").fill("kim@acme.example")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Continue to Acme Insurance's sign-in")).to_be_visible()
    page.screenshot(path=tmp_path / "sso-continue.png", full_page=True)

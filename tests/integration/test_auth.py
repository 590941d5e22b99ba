"""Signing in and out, changing a password, and CSRF protection."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from app import create_app
from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD


def test_sign_in_lands_on_the_org_home(client, world, login):
    login("alice@acme.test")
    assert client.get("/").headers["Location"].endswith("/o/acme/")
    page = client.get("/o/acme/").get_data(as_text=True)
    assert "Acme Insurance" in page and "Claims Triage" in page


def test_wrong_password_is_refused_with_a_message(client, world):
    response = client.post("/login", data={"email": "alice@acme.test", "password": "nope"})
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)
    assert client.get("/o/acme/").status_code == 302


def test_pages_need_sign_in(client, world):
    response = client.get("/o/acme/survey/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_out(client, world, login):
    login("alice@acme.test")
    client.post("/logout")
    assert client.get("/o/acme/").status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_next_url_must_stay_on_the_site(client, world, target):
    response = client.post(
        f"/login?next={target}", data={"email": "alice@acme.test", "password": PASSWORD}
    )
    assert (
        "evil" not in response.headers["Location"]
        and "javascript" not in response.headers["Location"]
    )


def test_next_url_on_the_site_is_followed(client, world):
    response = client.post(
        "/login?next=/scoring", data={"email": "alice@acme.test", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/scoring"


def test_change_password(client, world, login):
    login("alice@acme.test")
    bad = client.post(
        "/account/password",
        data={"current": "wrong", "new": "a-much-longer-secret", "confirm": "a-much-longer-secret"},
    )
    assert "not your current password" in bad.get_data(as_text=True)
    short = client.post(
        "/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"}
    )
    assert "at least 12 characters" in short.get_data(as_text=True)
    common = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "123456789012", "confirm": "123456789012"},
    )
    assert "too easy to guess" in common.get_data(as_text=True)
    ok = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "a-much-longer-secret",
            "confirm": "a-much-longer-secret",
        },
    )
    assert ok.status_code == 302
    client.post("/logout")
    assert (
        client.post("/login", data={"email": "alice@acme.test", "password": PASSWORD}).status_code
        == 401
    )
    login("alice@acme.test", "a-much-longer-secret")


def test_one_time_password_must_be_changed_at_first_sign_in(client, world, login):
    user = db.session.get(User, world["bob"].id)
    user.must_change_password = True
    db.session.commit()
    response = login("bob@acme.test")
    assert response.headers["Location"].endswith("/account/password")
    # Nothing else opens until a new password is chosen: pages, tokens, the API.
    for path in ("/o/acme/", "/account/tokens", "/o/acme/survey/"):
        assert client.get(path).headers["Location"].endswith("/account/password"), path
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 302
    from app.api.auth import create_token

    _, token = create_token(user, "before")
    db.session.commit()
    api = client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "password_change_required"
    client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "quiet river lantern", "confirm": "quiet river lantern"},
    )
    assert client.get("/o/acme/").status_code == 200


def _cookies(test_client) -> dict:
    return {c.key: c.value for c in test_client._cookies.values()}


def test_logout_ends_the_session_on_the_server(world, elsewhere):
    browser = elsewhere()
    browser.post("/login", data={"email": "alice@acme.test", "password": PASSWORD, "remember": "y"})
    assert browser.get("/o/acme/").status_code == 200
    stolen = _cookies(browser)
    assert {"session", "remember_token"} <= set(stolen)
    browser.post("/logout")
    for names in (["session"], ["remember_token"], ["session", "remember_token"]):
        replay = elsewhere()
        for name in names:
            replay.set_cookie(name, stolen[name])
        assert replay.get("/o/acme/").status_code == 302, names  # to the sign-in page


def test_a_password_change_ends_the_other_sessions(world, elsewhere):
    other = elsewhere()
    other.post("/login", data={"email": "alice@acme.test", "password": PASSWORD, "remember": "y"})
    assert other.get("/o/acme/").status_code == 200
    mine = elsewhere()
    mine.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    mine.post(
        "/account/password",
        data={"current": PASSWORD, "new": "quiet river lantern", "confirm": "quiet river lantern"},
    )
    assert mine.get("/o/acme/").status_code == 200  # the one that changed it stays
    assert other.get("/o/acme/").status_code == 302


def test_an_admin_signs_a_person_out_everywhere(world, elsewhere):
    alice = elsewhere()
    alice.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    assert alice.get("/o/acme/").status_code == 200
    admin = elsewhere()
    admin.post("/login", data={"email": "admin@acme.test", "password": PASSWORD})
    done = admin.post(f"/o/acme/admin/people/{world['alice'].id}/signout", follow_redirects=True)
    assert "Alice is signed out everywhere (1 session(s))" in done.get_data(as_text=True)
    assert alice.get("/o/acme/").status_code == 302


def test_the_remember_cookie_lasts_weeks_not_a_year(client, world):
    response = client.post(
        "/login", data={"email": "alice@acme.test", "password": PASSWORD, "remember": "y"}
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "remember_token" in c)
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    days = (expires - datetime.now(UTC)).days
    assert 13 <= days <= 14


def test_passwords_are_stored_hashed(world):
    user = db.session.get(User, world["alice"].id)
    assert PASSWORD not in user.password_hash and user.check_password(PASSWORD)


def test_post_without_csrf_token_is_refused(database_url, world, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "SECRET_KEY": "t",
            "QUEUE": "immediate",
        }
    )
    app.instance_path = str(tmp_path)
    client = app.test_client()
    response = client.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_failed_sign_ins_are_throttled_per_account_with_retry_after(client, world):
    for _ in range(8):
        wrong = client.post("/login", data={"email": "alice@acme.test", "password": "nope"})
        assert wrong.status_code == 401
    blocked = client.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    assert blocked.status_code == 429  # even the right password waits
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)
    # Another account from the same address is not locked out by Alice's attempts.
    assert (
        client.post("/login", data={"email": "bob@acme.test", "password": PASSWORD}).status_code
        == 302
    )


def test_unknown_and_known_emails_cost_the_same_hash_check(client, world, monkeypatch):
    import app.auth.views as views
    import app.models as models

    checks = []
    for module in (views, models):
        original = module.check_password_hash
        monkeypatch.setattr(
            module,
            "check_password_hash",
            lambda hashed, password, original=original: (
                checks.append(1) or original(hashed, password)
            ),
        )
    client.post("/login", data={"email": "nobody@acme.test", "password": "guess"})
    client.post("/login", data={"email": "alice@acme.test", "password": "guess"})
    assert len(checks) == 2  # one password hash checked for each, whether or not the email exists


def test_wrong_tokens_are_throttled_per_address(client, world):
    for _ in range(60):
        assert (
            client.get("/api/v1/orgs", headers={"Authorization": "Bearer nope"}).status_code == 401
        )
    blocked = client.get("/api/v1/orgs", headers={"Authorization": "Bearer nope"})
    assert blocked.status_code == 429 and blocked.get_json()["error"]["code"]
    assert "Retry-After" in blocked.headers


def test_a_server_database_without_a_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(RuntimeError, match="Set ASCENT_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://root@127.0.0.1/none"})
    # The embedded default keeps making its own key in instance/, as before.
    assert create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"}).secret_key

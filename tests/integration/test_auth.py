"""Signing in and out, changing a password, and CSRF protection."""

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
    assert "at least 10 characters" in short.get_data(as_text=True)
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

"""Bad input answers 4xx, exports cannot smuggle formulas, and every response carries headers."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import KEY, submit_response

SURVEY = "/o/acme/survey/2026-Q4"


@pytest.mark.parametrize("path", ["/o/acme/compare?team=%C2%B2", "/o/acme/compare?team=-1"])
def test_superscript_and_negative_ids_are_ignored_not_a_500(client, world, login, path):
    login("exec@acme.test")
    assert client.get(path).status_code == 200


def test_a_superscript_attempt_number_shows_the_module(client, trained, login):
    login("alice@acme.test")
    assert client.get(f"/o/acme/learning/{KEY}?attempt=%C2%B2").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "where"),
    [
        ("post", "/login", {"data": {"email": "a\x00b@acme.test", "password": "x"}}, "field"),
        ("get", "/o/acme/compare?cycle=2026%00Q4", {}, "query parameter"),
        ("get", "/o/acme%00/", {}, "address"),
    ],
)
def test_control_characters_are_refused_with_a_clear_message(
    client, world, login, method, path, kwargs, where
):
    if path != "/login":
        login("exec@acme.test")
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 400
    assert where in response.get_data(as_text=True)
    assert "control character" in response.get_data(as_text=True)


def test_a_nul_in_a_survey_comment_is_refused_and_the_draft_kept(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    client.post(f"{SURVEY}/{team_id}/")
    client.post(f"{SURVEY}/{team_id}/data", data={"answer-data.contracts": "2", "go": "review"})
    bad = client.post(
        f"{SURVEY}/{team_id}/data",
        data={"answer-data.contracts": "3", "comment-data.contracts": "ok\x00", "go": "review"},
    )
    assert bad.status_code == 400
    page = client.get(f"{SURVEY}/{team_id}/data").get_data(as_text=True)
    assert 'value="2" checked' in page  # the saved draft is untouched


def test_a_crlf_question_id_is_not_a_500(client, world, login):
    login("alice@acme.test")
    team_id = world["team"].id
    client.post(f"{SURVEY}/{team_id}/")
    response = client.post(
        f"{SURVEY}/{team_id}/data", data={"answer-data.contracts\r\n": "2", "go": "review"}
    )
    assert response.status_code < 500


def test_a_nul_in_an_api_body_is_a_json_400(client, world):
    from app.api.auth import create_token
    from app.extensions import db

    _, token = create_token(world["alice"], "test")
    db.session.commit()
    response = client.put(
        f"/api/v1/orgs/acme/cycles/2026-Q4/teams/{world['team'].id}/response",
        json={"answers": {"data.contracts": {"level": 2, "comment": "a\u0000b"}}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert "control character" in response.get_json()["error"]["message"]


def test_csv_exports_never_start_a_formula(client, runner, world, login, make_team):
    from app.extensions import db

    evil = make_team(world["org"], "=cmd|' /C calc'!A0", world["lead"])
    submit_response(world["cycle"], evil, world["lead"], {"data.contracts": 1})
    db.session.commit()
    login("exec@acme.test")
    text = client.get(f"/o/acme/compare.csv?team={evil.id}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(r["team"] == "'=cmd|' /C calc'!A0" for r in rows)
    exported = runner.invoke(
        args=["scores", "export", "--org", "acme", "--cycle", "2026-Q4"]
    ).output
    teams = {r["team"] for r in csv.DictReader(io.StringIO(exported))}
    assert "'=cmd|' /C calc'!A0" in teams and "=cmd|' /C calc'!A0" not in teams


def test_pages_and_downloads_carry_security_headers(client, world, login):
    login("exec@acme.test")
    for path in ("/o/acme/dashboard", "/o/acme/report.pdf"):
        response = client.get(path)
        assert response.status_code == 200, path
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"  # personal data stays out of caches
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert "max-age" in secure.headers["Strict-Transport-Security"]


def test_a_wrong_method_says_which_are_allowed(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_a_wrong_method_on_the_api_is_json_with_allow(client):
    response = client.delete("/api/v1/orgs")
    assert response.status_code == 405 and response.get_json()["error"]["code"]
    assert "GET" in response.headers["Allow"]

"""API v1: tokens, every endpoint, rights by role, errors, and the OpenAPI document."""

import pytest
import sqlalchemy as sa

from app.api.auth import create_token, revoke_token
from app.extensions import db
from app.models import ActionStatus, ApiToken, Response, TeamTarget
from tests.conftest import submit_response


@pytest.fixture
def api(world, make_org, make_user, make_team, make_cycle, client):
    """Tokens for each role, a scored team, and another org."""
    other = make_org("globex", "Globex")
    stranger = make_user("boss@globex.test", other, "admin")
    make_team(other, "Secret Models", stranger)
    make_cycle(other, "2026-Q4")
    submit_response(
        world["cycle"], world["team"], world["alice"], {"data.contracts": 2, "data.lineage": 1}
    )
    from app.comparisons import store_team_scores

    store_team_scores(world["cycle"])
    tokens = {}
    for role in ("admin", "executive", "lead", "alice", "bob"):
        user = world[role]
        _, tokens[role] = create_token(user, f"{role} token")
    _, tokens["stranger"] = create_token(stranger, "other org")
    db.session.commit()

    def call(method, path, who="admin", **kwargs):
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return {**world, "tokens": tokens, "call": call, "secret_org": other}


def test_no_token_or_a_bad_one_is_401_in_json(api, client):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/orgs", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_session_cookie_never_authorizes_the_api(api, client, login):
    login("admin@acme.test")
    assert client.get("/api/v1/orgs").status_code == 401


def test_revoked_token_is_401(api):
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "bob token"))
    assert revoke_token(api["bob"], row.id)
    db.session.commit()
    assert api["call"]("GET", "/orgs", "bob").status_code == 401


def test_only_a_hash_is_stored(api):
    stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert api["tokens"]["bob"] not in stored and len(stored[0]) == 64


def test_token_page_creates_and_revokes(client, world, login):
    login("bob@acme.test")
    page = client.post("/account/tokens", data={"name": "BI refresh", "action": "create"}).get_data(
        as_text=True
    )
    token = page.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("asc_")
    assert (
        client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    row = db.session.scalar(sa.select(ApiToken))
    client.post("/account/tokens", data={"token_id": row.id, "action": "revoke"})
    assert (
        client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )


def test_token_cli_prints_a_working_token(runner, world, client):
    token = runner.invoke(
        args=["token", "create", "--user", "exec@acme.test", "--name", "BI"]
    ).output.strip()
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()["email"]
        == "exec@acme.test"
    )


def test_read_endpoints(api):
    call, team = api["call"], api["team"]
    assert call("GET", "/me").get_json()["orgs"] == [
        {"slug": "acme", "name": "Acme Insurance", "role": "admin"}
    ]
    assert call("GET", "/orgs").get_json()["total"] == 1
    assert call("GET", "/orgs/acme").get_json()["role"] == "admin"
    teams = call("GET", "/orgs/acme/teams").get_json()
    assert teams["items"][0]["name"] == "Claims Triage" and teams["items"][0]["members"] == 3
    assert call("GET", "/orgs/acme/cycles").get_json()["items"][0]["status"] == "open"
    scores = call("GET", f"/orgs/acme/teams/{team.id}/scores").get_json()
    data = scores["cycles"][0]["scores"]["data"]
    # (2*2 + 1*1) / (2 + 1) with data.contracts weight 2, data.lineage weight 1
    assert data["score"] == pytest.approx(5 / 3) and scores["cycles"][0]["respondents"] == 1
    comparison = call("GET", "/orgs/acme/cycles/2026-Q4/comparison").get_json()
    row = comparison["teams"][0]
    assert (
        comparison["cycle"] == "2026-Q4"
        and row["team"] == "Claims Triage"
        and row["business_unit"] == "Insurance"
    )
    assert row["scores"]["data"] == pytest.approx(5 / 3) and row["percentiles"]["data"] == 50
    assert row["change"]["data"] is None and "overall" in row["scores"]
    assert comparison["median"]["data"] == pytest.approx(5 / 3) and comparison["quartiles"][
        "data"
    ] == pytest.approx([5 / 3, 5 / 3])
    roadmap = call("GET", f"/orgs/acme/teams/{team.id}/roadmap").get_json()
    assert roadmap["cycle"] == "2026-Q4" and roadmap["actions"][0]["phase"] == "now"
    owners = call("GET", f"/orgs/acme/teams/{team.id}/ownership").get_json()
    assert len(owners["matrix"]) == 8 * 10 and owners["findings"]  # challenges x roles
    assert call("GET", "/orgs/acme/assignments").get_json() == {
        "items": [],
        "page": 1,
        "per_page": 50,
        "total": 0,
    }


def test_lists_are_paginated(api, make_team):
    for n in range(4):
        make_team(api["org"], f"Team {n}")
    page = api["call"]("GET", "/orgs/acme/teams?per_page=2&page=2").get_json()
    assert (
        page["total"] == 5
        and page["page"] == 2
        and [t["name"] for t in page["items"]] == ["Team 1", "Team 2"]
    )
    assert api["call"]("GET", "/orgs/acme/teams?per_page=500").status_code == 400
    assert api["call"]("GET", "/orgs/acme/teams?page=zero").status_code == 400


def test_another_orgs_objects_are_404(api):
    call = api["call"]
    secret_team = db.session.scalar(sa.text("select id from team where name = 'Secret Models'"))
    for path in (
        "/orgs/globex",
        "/orgs/globex/teams",
        f"/orgs/acme/teams/{secret_team}/roadmap",
        "/orgs/globex/cycles/2026-Q4/comparison",
    ):
        response = call("GET", path)
        assert (
            response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
        ), path
    assert call("GET", f"/orgs/acme/teams/{api['team'].id}/roadmap", "stranger").status_code == 404


@pytest.mark.parametrize(
    ("who", "status", "teams"),
    [
        ("admin", 200, 1),
        ("executive", 200, 1),
        ("lead", 200, 1),
        ("alice", 403, None),
        ("bob", 403, None),
    ],
)
def test_comparison_rights(api, who, status, teams):
    response = api["call"]("GET", "/orgs/acme/cycles/2026-Q4/comparison", who)
    assert response.status_code == status
    if teams is not None:
        assert len(response.get_json()["teams"]) == teams


def test_member_submits_a_response_with_the_form_validation(api):
    call, team = api["call"], api["team"]
    path = f"/orgs/acme/cycles/2026-Q4/teams/{team.id}/response"
    bad = call(
        "PUT",
        path,
        "bob",
        json={"answers": {"data.contracts": {"level": 7}, "cost.nope": {"level": 1}}},
    )
    assert bad.status_code == 422
    details = bad.get_json()["error"]["details"]
    assert set(details) == {"data.contracts", "cost.nope"}
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Response)
            .where(Response.user_id == api["bob"].id)
        )
        == 0
    )
    draft = call(
        "PUT",
        path,
        "bob",
        json={
            "answers": {
                "data.contracts": {"level": 3, "comment": "via API"},
                "data.lineage": {"level": "na"},
            }
        },
    )
    assert draft.get_json() == {"status": "draft", "answered": 2, "total": 48}
    done = call(
        "PUT", path, "bob", json={"answers": {"data.access": {"level": "unknown"}}, "submit": True}
    )
    assert done.get_json()["status"] == "submitted"
    comparison = call("GET", "/orgs/acme/cycles/2026-Q4/comparison").get_json()
    assert comparison["teams"][0]["respondents"] == 2
    assert call("PUT", path, "bob", data="not json").status_code == 400
    assert call("PUT", path, "bob", json={"answers": [1, 2]}).status_code == 422


def test_response_to_a_team_you_are_not_in_is_404_and_closed_cycle_409(api, make_team):
    other = make_team(api["org"], "Elsewhere")
    assert (
        api["call"](
            "PUT",
            f"/orgs/acme/cycles/2026-Q4/teams/{other.id}/response",
            "bob",
            json={"answers": {}},
        ).status_code
        == 404
    )
    from app.orgs.operations import close_cycle

    close_cycle(api["cycle"])
    db.session.commit()
    closed = api["call"](
        "PUT",
        f"/orgs/acme/cycles/2026-Q4/teams/{api['team'].id}/response",
        "bob",
        json={"answers": {"data.contracts": {"level": 1}}},
    )
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "cycle_closed"


def test_targets_and_actions_are_for_leads_and_admins(api):
    call, team = api["call"], api["team"]
    assert (
        call(
            "PUT", f"/orgs/acme/teams/{team.id}/targets", "bob", json={"targets": {"data": 4}}
        ).status_code
        == 403
    )
    ok = call("PUT", f"/orgs/acme/teams/{team.id}/targets", "lead", json={"targets": {"data": 4}})
    assert ok.status_code == 200 and ok.get_json()["targets"]["data"] == 4
    assert db.session.scalar(sa.select(TeamTarget.level)) == 4
    bad = call(
        "PUT",
        f"/orgs/acme/teams/{team.id}/targets",
        "admin",
        json={"targets": {"data": 9, "wellbeing": 2}},
    )
    # Schema errors name each field by its path in the body.
    error = bad.get_json()["error"]
    assert bad.status_code == 422 and set(error["details"]) == {"targets.data", "targets.wellbeing"}
    assert "targets.wellbeing: Unknown field" in error["message"]
    action = {"question": "data.contracts", "from_level": 2, "status": "done"}
    assert (
        call("PUT", f"/orgs/acme/teams/{team.id}/roadmap/actions", "alice", json=action).status_code
        == 403
    )
    assert (
        call("PUT", f"/orgs/acme/teams/{team.id}/roadmap/actions", "lead", json=action).status_code
        == 200
    )
    assert db.session.scalar(sa.select(ActionStatus.status)) == "done"
    dismiss = call(
        "PUT",
        f"/orgs/acme/teams/{team.id}/roadmap/actions",
        "lead",
        json={**action, "status": "dismissed"},
    )
    assert dismiss.status_code == 422 and "Say why" in dismiss.get_json()["error"]["message"]


def test_assignments_rights(api, runner):
    from app.curricula import sync_library
    from app.models import Assignment
    from tests.conftest import ROOT

    sync_library(ROOT / "curricula")
    for user in (api["alice"], api["bob"]):
        db.session.add(
            Assignment(
                team_id=api["team"].id,
                user_id=user.id,
                module_key="data-contracts-first-feeds",
                challenge="data",
            )
        )
    db.session.commit()
    assert api["call"]("GET", "/orgs/acme/assignments", "executive").get_json()["total"] == 2
    assert api["call"]("GET", "/orgs/acme/assignments", "lead").get_json()["total"] == 2
    mine = api["call"]("GET", "/orgs/acme/assignments", "bob").get_json()
    assert (
        mine["total"] == 1
        and mine["items"][0]["person"] == "bob@acme.test"
        and mine["items"][0]["status"] == "not started"
    )


def test_errors_are_json_with_4xx(api, client):
    assert api["call"]("GET", "/nothing").get_json()["error"]["code"] == "not_found"
    assert api["call"]("POST", "/orgs").status_code == 405
    assert api["call"]("DELETE", "/orgs/acme").get_json()["error"]["code"] == "method_not_allowed"


def test_openapi_document_and_reference_page(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert (
        document["openapi"].startswith("3.")
        and "/orgs/{slug}/cycles/{cycle_name}/comparison" in document["paths"]
    )
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/orgs/{slug}/cycles/{cycle_name}/comparison" in page and "Bearer" in page


def test_an_empty_cycle_has_no_invented_roadmap(client, world):
    from app.api.auth import create_token
    from app.extensions import db

    _, token = create_token(world["lead"], "t")
    db.session.commit()
    document = client.get(
        f"/api/v1/orgs/acme/teams/{world['team'].id}/roadmap",
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    assert document["actions"] == [] and document["challenges"] == []
    assert "No responses yet in 2026-Q4" in document["note"]


def test_a_misspelt_or_missing_field_is_refused_by_name_and_nothing_is_saved(api):
    path = f"/orgs/acme/cycles/2026-Q4/teams/{api['team'].id}/response"
    misspelt = api["call"](
        "PUT", path, "bob", json={"answers": {"data.contracts": {"level": 2}}, "sumbit": True}
    )
    assert misspelt.status_code == 422
    assert misspelt.get_json()["error"]["details"] == {"sumbit": "Unknown field."}
    no_level = api["call"]("PUT", path, "bob", json={"answers": {"data.contracts": {}}})
    assert no_level.status_code == 422
    assert "answers.data.contracts.level" in no_level.get_json()["error"]["message"]
    action = api["call"](
        "PUT",
        f"/orgs/acme/teams/{api['team'].id}/roadmap/actions",
        "lead",
        json={"question": "data.contracts", "from_level": True, "status": "done"},
    )
    assert action.status_code == 422 and set(action.get_json()["error"]["details"]) == {
        "from_level"
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1  # alice's

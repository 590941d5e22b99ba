"""Targets, roadmap, ownership and dashboard pages through the test client."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ActionStatus, RaciCell, RoleHolder, TargetProfile, Team, TeamTarget
from tests.conftest import query_counter, submit_response

LOW = {
    "data.contracts": 1,
    "data.quality-gates": 1,
    "data.stewardship": 1,
    "data.lineage": 1,
    "ownership.model-owner": 3,
    "ownership.roles": 3,
    "governance.risk-classification": 2,
}


@pytest.fixture
def planned(world):
    submit_response(world["cycle"], world["team"], world["alice"], LOW)
    submit_response(world["cycle"], world["team"], world["bob"], LOW)
    return world


def roadmap_page(client, team_id):
    return client.get(f"/o/acme/teams/{team_id}/roadmap").get_data(as_text=True)


def test_roadmap_lists_actions_with_why_and_projection(client, planned, login):
    login("bob@acme.test")
    page = roadmap_page(client, planned["team"].id)
    assert "Now" in page and "Why here: Data foundations at 1.0 against a target of 3" in page
    assert "After Now" in page
    assert 'name="status-' not in page and "Save changes" not in page  # only the lead marks


def test_lead_marks_done_and_the_slot_is_freed(client, planned, login):
    login("lead@acme.test")
    team = planned["team"]
    client.post(
        f"/o/acme/teams/{team.id}/targets",
        data={
            **{
                f"target-{k}": 3
                for k in (
                    "data",
                    "ownership",
                    "infrastructure",
                    "monitoring",
                    "governance",
                    "culture",
                    "cost",
                    "integration",
                )
            },
            "capacity": 1,
        },
    )
    page = roadmap_page(client, team.id)
    now = page.split('id="phase-now"')[1].split('id="phase-next"')[0]
    first, step = now.split('name="row" value="')[1].split('"')[0].rsplit("-", 1)
    second = page.split('id="phase-next"')[1].split('name="row" value="')[1].split('"')[0]
    second = second.rsplit("-", 1)[0]
    client.post(
        f"/o/acme/teams/{team.id}/roadmap/actions",
        data={"question_id": first, "from_level": step, "status": "done"},
    )
    page = roadmap_page(client, team.id)
    now_after = page.split('id="phase-now"')[1].split('id="phase-next"')[0]
    assert first not in now_after
    assert second in now_after  # the next action moved up into the freed slot
    assert "Done and dismissed" in page
    status = db.session.scalar(
        sa.select(ActionStatus.status).where(ActionStatus.question_id == first)
    )
    assert status == "done"


def test_dismissing_needs_a_reason(client, planned, login):
    login("lead@acme.test")
    team_id = planned["team"].id
    refused = client.post(
        f"/o/acme/teams/{team_id}/roadmap/actions",
        data={
            "question_id": "data.contracts",
            "from_level": 1,
            "status": "dismissed",
            "reason": " ",
        },
        follow_redirects=True,
    )
    assert "Say why you dismiss" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionStatus)) == 0
    client.post(
        f"/o/acme/teams/{team_id}/roadmap/actions",
        data={
            "question_id": "data.contracts",
            "from_level": 1,
            "status": "dismissed",
            "reason": "Vendor owns this feed",
        },
    )
    assert "Vendor owns this feed" in roadmap_page(client, team_id)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"question_id": "nope.x", "from_level": 1, "status": "done"}, "is not a question"),
        (
            {"question_id": "data.contracts", "from_level": 9, "status": "done"},
            "no action from level 9",
        ),
        (
            {"question_id": "data.contracts", "from_level": 1, "status": "finished"},
            "is not a status",
        ),
    ],
)
def test_bad_action_marks_are_refused_with_a_message(client, planned, login, data, message):
    login("lead@acme.test")
    response = client.post(
        f"/o/acme/teams/{planned['team'].id}/roadmap/actions", data=data, follow_redirects=True
    )
    assert message in response.get_data(as_text=True)


def test_members_cannot_mark_or_set_targets(client, planned, login):
    login("bob@acme.test")
    team_id = planned["team"].id
    mark = client.post(
        f"/o/acme/teams/{team_id}/roadmap/actions",
        data={"question_id": "data.contracts", "from_level": 1, "status": "done"},
    )
    assert mark.status_code == 403
    assert (
        client.post(
            f"/o/acme/teams/{team_id}/targets", data={"target-data": 4, "capacity": 5}
        ).status_code
        == 403
    )
    assert client.post(f"/o/acme/teams/{team_id}/ownership", data={}).status_code == 403


def test_targets_and_capacity_are_validated(client, planned, login):
    login("lead@acme.test")
    team_id = planned["team"].id
    bad = client.post(
        f"/o/acme/teams/{team_id}/targets",
        data={"target-data": 9, "capacity": 5},
        follow_redirects=True,
    )
    assert "9 is not a level" in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TeamTarget)) == 0
    ok = client.post(
        f"/o/acme/teams/{team_id}/targets",
        data={"target-data": 4, "capacity": 2},
        follow_redirects=True,
    )
    assert "Targets saved" in ok.get_data(as_text=True)
    assert db.session.scalar(sa.select(TeamTarget.level).where(TeamTarget.challenge == "data")) == 4
    assert db.session.get(Team, team_id).phase_capacity == 2


def test_admin_profile_sets_team_targets(client, planned, login):
    login("admin@acme.test")
    client.post(
        "/o/acme/admin/profiles",
        data={"name": "High risk", "level-governance": 4, "level-monitoring": 4},
    )
    profile = db.session.scalar(sa.select(TargetProfile))
    assert profile.levels["governance"] == 4 and profile.levels["data"] == 3
    team_id = planned["team"].id
    client.post(f"/o/acme/teams/{team_id}/targets", data={"target-governance": 2, "capacity": 5})
    client.post(f"/o/acme/teams/{team_id}/targets", data={"profile": profile.id})
    page = client.get(f"/o/acme/teams/{team_id}/targets").get_data(as_text=True)
    assert (
        'id="target-governance"' in page
        and '<option value="4" selected>4 · Optimized' in page.split('id="target-governance"')[1]
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TeamTarget)) == 0


def test_lead_cannot_apply_a_profile(client, planned, login):
    login("lead@acme.test")
    assert (
        client.post(f"/o/acme/teams/{planned['team'].id}/targets", data={"profile": ""}).status_code
        == 403
    )


def test_ownership_matrix_names_people_and_shows_findings(client, planned, login):
    login("lead@acme.test")
    team_id = planned["team"].id
    page = client.get(f"/o/acme/teams/{team_id}/ownership").get_data(as_text=True)
    assert "Nobody named for Data engineering, the Accountable role." in page
    response = client.post(
        f"/o/acme/teams/{team_id}/ownership",
        data={
            "holder-data_engineering": planned["alice"].id,
            "name-executive_sponsor": "Marta Ruiz (COO)",
            "cell-data-data_science": "A",
            "cell-data-data_engineering": "A",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "2 Accountable roles (Data science, Data engineering); keep one." in page
    assert "Marta Ruiz (COO)" in page
    holder = db.session.scalar(sa.select(RoleHolder).where(RoleHolder.role == "data_engineering"))
    assert holder.user_id == planned["alice"].id
    cells = db.session.scalars(sa.select(RaciCell.role)).all()
    assert cells == ["data_science"]  # the unchanged default letter is not stored


def test_ownership_refuses_someone_outside_the_team(client, planned, login, make_user):
    outsider = make_user("zed@acme.test", planned["org"])
    login("lead@acme.test")
    response = client.post(
        f"/o/acme/teams/{planned['team'].id}/ownership",
        data={"holder-governance": outsider.id},
        follow_redirects=True,
    )
    assert "Only a member of the team" in response.get_data(as_text=True)


def test_dashboard_is_for_executives_and_admins(client, planned, login):
    login("bob@acme.test")
    assert client.get("/o/acme/dashboard").status_code == 403
    client.post("/logout")
    login("exec@acme.test")
    page = client.get("/o/acme/dashboard").get_data(as_text=True)
    assert "Distribution of overall maturity" in page and "Largest gaps" in page
    assert "Claims Triage" in page and 'role="img"' in page


def test_dashboard_query_count_does_not_grow_with_teams(
    client, planned, login, make_team, make_user
):
    login("exec@acme.test")
    client.get("/o/acme/")
    db.session.expire_all()
    statements, stop = query_counter(db.engine)
    client.get("/o/acme/dashboard")  # the first view of this version renders the page
    rendered = len(statements)
    statements.clear()
    client.get("/o/acme/dashboard")  # then it is kept per person and version
    warm = len(statements)
    for n in range(4):
        member = make_user(f"m{n}@acme.test", planned["org"])
        team = make_team(planned["org"], f"Team {n}", member)
        submit_response(planned["cycle"], team, member, {"data.contracts": n % 5})
    db.session.expire_all()
    statements.clear()
    page = client.get("/o/acme/dashboard").get_data(as_text=True)
    assert "Team 3" in page
    assert len(statements) <= rendered + 1  # the person is loaded again after expire_all
    statements.clear()
    client.get("/o/acme/dashboard")
    stop()
    assert len(statements) <= warm < rendered


def test_pdf_downloads(client, planned, login):
    login("exec@acme.test")
    team = client.get(f"/o/acme/teams/{planned['team'].id}/report.pdf")
    assert (
        team.status_code == 200
        and team.mimetype == "application/pdf"
        and team.data.startswith(b"%PDF")
    )
    assert "attachment" in team.headers["Content-Disposition"]
    org = client.get("/o/acme/report.pdf")
    assert org.status_code == 200 and org.data.startswith(b"%PDF")
    assert client.get("/o/acme/print").status_code == 200
    assert "Ownership matrix" in client.get(f"/o/acme/teams/{planned['team'].id}/print").get_data(
        as_text=True
    )


def table_form(page: str) -> dict[str, list[str] | str]:
    """Return what the roadmap table posts when the lead changes nothing."""
    keys = re.findall(r'name="row" value="([^"]+)"', page)
    data: dict[str, list[str] | str] = {"row": keys, "cycle": "2026-Q4", "apply": "rows"}
    for key in keys:
        status = page.split(f'id="status-{key}"')[1].split("</select>")[0]
        data[f"status-{key}"] = status.split(" selected>")[0].rsplit('value="', 1)[1].split('"')[0]
        data[f"reason-{key}"] = (
            page.split(f'id="reason-{key}" value="')[1].split('"')[0]
            if f'id="reason-{key}" value="' in page
            else ""
        )
        due = page.split(f'id="due-{key}"')[1].split(">")[0]
        data[f"due-{key}"] = due.split('value="')[1].split('"')[0]
    return data


def alerts(page: str) -> list[str]:
    """Return the messages shown at the top of a page."""
    return re.findall(r'<div class="alert alert-\w+">(.*?)</div>', page, re.S)


def post_table(client, team_id, data, **kwargs):
    """Post the roadmap table where its form posts: to the roadmap page itself."""
    return client.post(f"/o/acme/teams/{team_id}/roadmap", data=data, **kwargs)


def stored(question_id, level=1):
    return db.session.scalar(
        sa.select(ActionStatus).where(
            ActionStatus.question_id == question_id, ActionStatus.from_level == level
        )
    )


def test_the_roadmap_is_one_table_with_why_here_behind_an_expander(client, planned, login):
    login("lead@acme.test")
    page = roadmap_page(client, planned["team"].id)
    assert page.count('<form method="post"') == 2  # sign out, and the one roadmap form
    assert page.count('class="action-row') == page.count('name="row"') > 5
    assert '<details class="why-details' in page and "Why here: Data foundations" in page
    assert page.count("Save changes") == 1


def test_saved_message_names_the_action_and_returns_to_the_top(client, planned, login):
    login("lead@acme.test")
    team_id = planned["team"].id
    data = table_form(roadmap_page(client, team_id))
    data["status-data.contracts-1"] = "done"
    response = post_table(client, team_id, data)
    assert response.status_code == 302 and "#" not in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    message = " ".join(alerts(page))
    assert "Done: “Turn those descriptions into machine-checked" in message
    assert "data.contracts" not in message  # never the internal key
    assert stored("data.contracts").status == "done"
    assert stored("data.lineage") is None  # unchanged rows are not written


def test_a_refused_dismissal_keeps_what_the_lead_chose(client, planned, login):
    login("lead@acme.test")
    team_id = planned["team"].id
    data = table_form(roadmap_page(client, team_id))
    data["status-data.contracts-1"] = "dismissed"
    data["status-data.lineage-1"] = "planned"
    response = post_table(client, team_id, data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    top = " ".join(alerts(page))
    assert "Nothing was saved." in top and "Say why you dismiss this action" in top
    assert "“Turn those descriptions into machine-checked" in top
    for key, status in (("data.contracts-1", "dismissed"), ("data.lineage-1", "planned")):
        select = page.split(f'id="status-{key}"')[1].split("</select>")[0]
        assert f'<option value="{status}" selected>' in select
    assert 'id="reason-data.contracts-1" value="" maxlength="500" aria-invalid="true"' in page
    assert 'aria-current=page href="/o/acme/teams/' in page.split(">Roadmap</a>")[0][-200:]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionStatus)) == 0


def test_bulk_change_sets_the_ticked_actions_only(client, planned, login):
    login("lead@acme.test")
    team_id = planned["team"].id
    data = table_form(roadmap_page(client, team_id))
    ticked = ["data.contracts-1", "data.lineage-1", "data.stewardship-1", "data.quality-gates-1"]
    data |= {
        "apply": "selected",
        "selected": ticked,
        "bulk_status": "planned",
        "bulk_due": "2027-01-15",
    }
    response = post_table(client, team_id, data, follow_redirects=True)
    assert "Saved 4 actions: 4 Planned." in response.get_data(as_text=True)
    for key in ticked:
        row = stored(key.rsplit("-", 1)[0])
        assert row.status == "planned" and row.due_on.isoformat() == "2027-01-15"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionStatus)) == 4


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"selected": [], "bulk_status": "done"}, "Tick the actions to change first"),
        ({"selected": ["data.contracts-1"]}, "Choose a status or a due date"),
        (
            {"selected": ["data.contracts-1"], "bulk_status": "dismissed"},
            "Say why you dismiss",
        ),
        ({"selected": ["data.contracts-1"], "bulk_due": "31/12/2026"}, "is not a date"),
        ({"selected": ["data.contracts-1"], "bulk_due": "1999-12-31"}, "between 2000 and 2100"),
        ({"selected": ["data.contracts-1"], "bulk_status": "finished"}, "is not a status"),
    ],
)
def test_bad_bulk_changes_are_refused_with_a_message(client, planned, login, extra, message):
    login("lead@acme.test")
    team_id = planned["team"].id
    data = table_form(roadmap_page(client, team_id)) | {"apply": "selected"} | extra
    response = post_table(client, team_id, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionStatus)) == 0


def test_a_past_due_date_on_an_open_action_shows_as_overdue(client, planned, login):
    login("lead@acme.test")
    team_id = planned["team"].id
    data = table_form(roadmap_page(client, team_id))
    data["due-data.contracts-1"] = "2020-03-01"
    data["due-data.lineage-1"] = "2099-03-01"
    data["status-data.stewardship-1"] = "done"
    data["due-data.stewardship-1"] = "2020-03-01"
    post_table(client, team_id, data)
    assert stored("data.contracts").due_on.isoformat() == "2020-03-01"
    assert stored("data.contracts").status == "open"
    page = roadmap_page(client, team_id)
    assert page.count('<span class="badge overdue-badge">Overdue</span>') == 1  # not the done one
    row = page.split('id="action-data.contracts-1"')[1].split("</tr>")[0]
    assert "Overdue" in row and 'value="2020-03-01"' in row
    assert "Overdue:</strong> 1 open action past its due date" in page
    client.post("/logout")
    login("bob@acme.test")  # members read the due dates too
    row = roadmap_page(client, team_id).split('id="action-data.lineage-1"')[1].split("</tr>")[0]
    assert "2099-03-01" in row


def test_clearing_a_due_date_keeps_the_status(client, planned, login):
    login("lead@acme.test")
    team_id = planned["team"].id
    data = table_form(roadmap_page(client, team_id))
    data["status-data.contracts-1"] = "in_progress"
    data["due-data.contracts-1"] = "2027-02-01"
    post_table(client, team_id, data)
    data = table_form(roadmap_page(client, team_id))
    assert data["due-data.contracts-1"] == "2027-02-01"
    data["due-data.contracts-1"] = ""
    response = post_table(client, team_id, data, follow_redirects=True)
    assert "In progress: “Turn those descriptions into machine-checked" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert stored("data.contracts").due_on is None
    assert stored("data.contracts").status == "in_progress"


def test_targets_page_shows_the_current_score_and_gap_beside_each_target(client, planned, login):
    login("lead@acme.test")
    team_id = planned["team"].id
    page = client.get(f"/o/acme/teams/{team_id}/targets").get_data(as_text=True)
    assert 'Now<br><span class="fw-normal small text-secondary text-nowrap">2026-Q4</span>' in page
    data = page.split('for="target-data"')[1].split("</tr>")[0]
    assert '<td class="text-end current-score">1.0</td>' in data
    assert '<td class="text-end gap-cell">2.0</td>' in data
    ownership = page.split('for="target-ownership"')[1].split("</tr>")[0]
    assert 'current-score">3.0<' in ownership and 'gap-cell">–<' in ownership


def test_targets_page_says_when_the_team_has_no_score_yet(client, world, login):
    login("lead@acme.test")
    page = client.get(f"/o/acme/teams/{world['team'].id}/targets").get_data(as_text=True)
    assert "no current score to set targets against yet" in page
    assert "current-score" not in page


def test_marking_an_action_done_keeps_its_lift_in_the_projection(client, planned, login):
    login("lead@acme.test")
    team_id = planned["team"].id

    def after_later(page):
        """Return the 'after Later' projection of data foundations."""
        data_row = page.split("Data foundations")[1].split("</tr>")[0]
        return re.findall(r'<td class="text-end small">([\d.]+)</td>', data_row)[-1]

    client.post(f"/o/acme/teams/{team_id}/targets", data={"capacity": 20})  # every action placed
    before = after_later(roadmap_page(client, team_id))
    assert float(before) > 1.0  # today data foundations is at 1.0; its actions lift it
    data = table_form(roadmap_page(client, team_id))
    for key in [k for k in data["row"] if k.startswith("data.")]:
        data[f"status-{key}"] = "done"
    post_table(client, team_id, data)
    assert float(after_later(roadmap_page(client, team_id))) >= float(before)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["nope"], "is not a question"),
        (["data.contracts-x"], "The step of the action is missing"),
        (["data.contracts-9"], "no action from level 9"),
        ([f"data.contracts-{n}" for n in range(501)], "at most 500 actions"),
    ],
)
def test_forged_table_rows_are_refused_with_a_message(client, planned, login, rows, message):
    login("lead@acme.test")
    data = {"row": rows, "apply": "rows"}
    data |= {f"status-{key}": "done" for key in rows}
    response = post_table(client, planned["team"].id, data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionStatus)) == 0


def test_members_cannot_post_the_roadmap_table(client, planned, login):
    login("bob@acme.test")
    data = {"row": ["data.contracts-1"], "status-data.contracts-1": "done", "apply": "rows"}
    assert post_table(client, planned["team"].id, data).status_code == 403

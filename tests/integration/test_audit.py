"""The audit trail: every change by a person or the command line leaves an entry, which admins
read, filter and download, and which nothing edits."""

import csv
import io
import json
from datetime import timedelta

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models import AuditEntry, utcnow
from app.questionnaires import model_of
from tests.conftest import submit_response


def _kinds() -> list[str]:
    return db.session.scalars(sa.select(AuditEntry.kind).order_by(AuditEntry.id)).all()


def _last(kind: str) -> AuditEntry:
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.kind == kind).order_by(AuditEntry.id.desc())
    )
    assert entry is not None, f"no {kind} entry among {_kinds()}"
    return entry


def test_admin_changes_in_the_pages_are_recorded_with_who_and_what(client, world, login):
    login("admin@acme.test")
    client.post(
        "/o/acme/admin/people",
        data={"email": "nia@acme-insurance.com", "name": "Nia New", "role": "member"},
    )
    invited = _last("person.invited")
    assert invited.actor == "Ada Admin" and invited.after["email"] == "nia@acme-insurance.com"
    client.post(f"/o/acme/admin/people/{world['alice'].id}/role", data={"role": "executive"})
    role = _last("person.role")
    assert (role.before, role.after["role"]) == ({"role": "member"}, "executive")
    client.post("/o/acme/admin/teams", data={"name": "Fraud", "business_unit": "Risk"})
    assert _last("team.created").after == {"name": "Fraud", "business_unit": "Risk"}
    team = world["team"]
    client.post(f"/o/acme/admin/teams/{team.id}", data={"user_id": world["bob"].id, "role": "lead"})
    member = _last("team.member")
    assert member.before["team_role"] == "member" and member.after["team_role"] == "lead"
    client.post(f"/o/acme/admin/teams/{team.id}/remove/{world['bob'].id}")
    assert _last("team.member_removed").summary == "Took Bob out of Claims Triage"
    client.post("/o/acme/admin/cycles/2026-Q4/close")
    client.post("/o/acme/admin/cycles/2026-Q4/reopen")
    assert {"cycle.closed", "cycle.reopened"} <= set(_kinds())
    client.post(f"/o/acme/admin/people/{world['bob'].id}/signout")
    assert _last("person.signed_out").actor == "Ada Admin"


def test_lead_changes_to_targets_ownership_and_roadmap_are_recorded(client, world, login):
    questionnaire = model_of(world["cycle"].questionnaire)
    submit_response(
        world["cycle"], world["team"], world["alice"], {q.id: 1 for q in questionnaire.questions}
    )
    login("lead@acme.test")
    team = world["team"].id
    client.post(f"/o/acme/teams/{team}/targets", data={"target-data": "4", "capacity": "3"})
    targets = _last("target.levels")
    assert targets.actor == "Lee Lead" and targets.after["data"] == 4
    assert _last("target.capacity").after == {"capacity": 3}
    client.post(
        f"/o/acme/teams/{team}/ownership",
        data={"cell-data-ml_engineering": "A"},
    )
    assert _last("ownership.matrix").actor == "Lee Lead"
    question = questionnaire.questions[0]
    client.post(
        f"/o/acme/teams/{team}/roadmap/actions",
        data={"question_id": question.id, "from_level": "1", "status": "done"},
    )
    status = _last("roadmap.status")
    assert status.before["status"] == "open" and status.after["status"] == "done"


def test_sign_ins_and_tokens_are_recorded(client, world, login):
    client.post("/login", data={"email": "alice@acme.test", "password": "wrong password!"})
    failed = _last("signin.failed")
    assert failed.org_id == world["org"].id and failed.actor.startswith("someone at")
    login("alice@acme.test")
    assert _last("signin.succeeded").actor == "Alice"
    client.post("/account/tokens", data={"name": "laptop"})
    assert "laptop" in _last("token.created").summary


def test_command_line_changes_name_the_command_line(runner, world, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(
        "team,respondent,question,level,comment\nClaims Triage,alice@acme.test,data.contracts,2,\n"
    )
    result = runner.invoke(
        args=["responses", "import", "--org", "acme", "--cycle", "2026-Q4", str(path)]
    )
    assert result.exit_code == 0, result.output
    entry = _last("cycle.import")
    assert entry.actor == "command line" and entry.after["file"] == "answers.csv"
    assert entry.after["answers"] == 1
    result = runner.invoke(args=["org", "settings", "acme", "--comment-authors", "named"])
    assert _last("settings.privacy").actor == "command line"


def test_admins_filter_and_download_the_trail(client, world, login, runner):
    runner.invoke(args=["org", "settings", "acme", "--audit-retention-days", "90"])
    login("admin@acme.test")
    page = client.get("/o/acme/admin/audit?kind=settings").get_data(as_text=True)
    assert "Changed audit retention days" in page and "person.added" not in page
    everyone = client.get("/o/acme/admin/audit").get_data(as_text=True)
    assert "person.added" in everyone
    assert client.get("/o/acme/admin/audit?since=yesterday").status_code == 400
    assert client.get("/o/acme/admin/audit?kind=nope").status_code == 400
    rows = list(
        csv.DictReader(io.StringIO(client.get("/o/acme/admin/audit.csv?kind=settings").text))
    )
    assert [r["kind"] for r in rows] == ["settings.privacy", "settings.org_created"]
    assert json.loads(rows[0]["after"]) == {"audit_retention_days": 90}
    exported = runner.invoke(args=["audit", "export", "--org", "acme", "--format", "json"])
    kinds = {e["kind"] for e in json.loads(exported.output)}
    assert {"person.added", "team.created", "cycle.opened", "settings.privacy"} <= kinds


def test_nothing_edits_entries_and_retention_deletes_only_old_ones(app, world):
    routes = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert routes and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in routes)
    old = audit.record(world["org"], "settings.test", "old entry")
    db.session.flush()
    old.at = utcnow() - timedelta(days=800)
    db.session.commit()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    assert audit.purge_expired() == 1  # the default keeps 730 days
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == count - 1


def test_admins_read_the_trail_through_the_api_and_nobody_else_does(client, world):
    from app.api.auth import create_token

    _, admin = create_token(world["admin"], "audit")
    _, executive = create_token(world["executive"], "audit")
    db.session.commit()
    answer = client.get(
        "/api/v1/orgs/acme/audit?kind=team&per_page=2",
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["total"] == 4 and len(body["items"]) == 2  # a team created, three people put in it
    assert all(item["kind"].startswith("team.") for item in body["items"])
    refused = client.get(
        "/api/v1/orgs/acme/audit", headers={"Authorization": f"Bearer {executive}"}
    )
    assert refused.status_code == 403
    bad = client.get(
        "/api/v1/orgs/acme/audit?kind=nope", headers={"Authorization": f"Bearer {admin}"}
    )
    assert bad.status_code == 400
    assert (
        client.put(
            "/api/v1/orgs/acme/audit", headers={"Authorization": f"Bearer {admin}"}
        ).status_code
        == 405
    )

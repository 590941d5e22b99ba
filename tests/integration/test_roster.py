"""Roster import and export: one file sets up people, teams and roles; bad rows change nothing."""

import csv
import io

import sqlalchemy as sa

from app.extensions import db
from app.mail import outbox
from app.models import AuditEntry, Membership, Team, TeamMember, User

HEADER = "email,name,team,business_unit,team_role,job_role,org_role\n"
ROSTER = HEADER + (
    "nia@acme-insurance.com,Nia Nguyen,Fraud,Risk,lead,ml_engineering,member\n"
    "omar@acme-insurance.com,Omar Obi,Fraud,,member,data_engineering,\n"
    "omar@acme-insurance.com,,Claims Triage,,member,,\n"
    "pat@acme-insurance.com,Pat Park,,,,,executive\n"
)


def _write(tmp_path, text: str, name="roster.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_roster_sets_up_people_teams_and_roles_once(runner, world, tmp_path):
    path = _write(tmp_path, ROSTER)
    dry = runner.invoke(args=["people", "import", "--org", "acme", "--dry-run", path])
    assert dry.exit_code == 0, dry.output
    assert "would make 3 people created" in dry.output and "1 teams created" in dry.output
    assert db.session.scalar(sa.select(User).where(User.email == "nia@acme-insurance.com")) is None
    result = runner.invoke(args=["people", "import", "--org", "acme", "--invite", path])
    assert result.exit_code == 0, result.output
    assert "3 people created" in result.output and "3 invitations sent" in result.output
    fraud = db.session.scalar(sa.select(Team).where(Team.name == "Fraud"))
    assert fraud.business_unit == "Risk"
    places = {
        (u.email, t.name): (m.role, m.job_role)
        for m, u, t in db.session.execute(sa.select(TeamMember, User, Team).join(User).join(Team))
    }
    assert places[("nia@acme-insurance.com", "Fraud")] == ("lead", "ml_engineering")
    assert places[("omar@acme-insurance.com", "Claims Triage")] == ("member", None)
    pat = db.session.scalar(sa.select(User).where(User.email == "pat@acme-insurance.com"))
    role = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == pat.id))
    assert role == "executive" and not pat.has_usable_password
    assert {m.to for m in outbox("acme")} == {
        "nia@acme-insurance.com",
        "omar@acme-insurance.com",
        "pat@acme-insurance.com",
    }
    before = (_count(User), _count(TeamMember), _count(AuditEntry))
    again = runner.invoke(args=["people", "import", "--org", "acme", path])
    assert "nothing to change" in again.output
    assert (_count(User), _count(TeamMember), _count(AuditEntry)) == before


def test_bad_rows_are_named_by_line_and_change_nothing(runner, world, tmp_path):
    text = HEADER + (
        "ok@acme-insurance.com,Ok,Fraud,,member,,\n"
        "not-an-email,X,Fraud,,member,,\n"
        "q@acme-insurance.com,Q,Fraud,,boss,,\n"
        "r@acme-insurance.com,R,Fraud,,,wizard,\n"
        "s@acme-insurance.com,S,,,lead,,\n"
        "ok@acme-insurance.com,Ok,Fraud,,member,,\n"
    )
    users = _count(User)
    result = runner.invoke(args=["people", "import", "--org", "acme", _write(tmp_path, text)])
    assert result.exit_code == 1
    for expected in (
        "roster.csv:3: email 'not-an-email' is not an email address",
        "roster.csv:4: team_role 'boss' is not lead or member",
        "roster.csv:5: job_role 'wizard'",
        "roster.csv:6: team_role, job_role and business_unit need a team",
        "roster.csv:7: repeats line 2",
    ):
        assert expected in result.output
    assert _count(User) == users
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "zoë@acme-insurance.com,Zoë,,,,,\n").encode("latin-1"))
    refused = runner.invoke(args=["people", "import", "--org", "acme", str(latin)])
    assert "latin.csv is not UTF-8" in refused.output


def test_the_export_has_the_import_columns_and_reimports_to_nothing(runner, world, tmp_path):
    exported = runner.invoke(args=["people", "export", "--org", "acme"]).output
    rows = list(csv.DictReader(io.StringIO(exported)))
    lee = next(r for r in rows if r["email"] == "lead@acme.test")
    assert lee["team"] == "Claims Triage" and lee["team_role"] == "lead"
    result = runner.invoke(
        args=["people", "import", "--org", "acme", _write(tmp_path, exported, "back.csv")]
    )
    assert result.exit_code == 0 and "nothing to change" in result.output


def test_an_admin_previews_and_applies_a_roster_upload(client, world, login):
    login("admin@acme.test")
    preview = client.post(
        "/o/acme/admin/roster",
        data={"action": "preview", "roster": (io.BytesIO(ROSTER.encode()), "team.csv")},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Preview of team.csv (4 rows)" in page
    assert db.session.scalar(sa.select(User).where(User.email == "nia@acme-insurance.com")) is None
    token = page.split('name="token" value="')[1].split('"')[0]
    applied = client.post("/o/acme/admin/roster", data={"action": "apply", "token": token})
    assert applied.status_code == 302
    assert db.session.scalar(sa.select(User).where(User.email == "nia@acme-insurance.com"))
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.kind == "person.roster_import")
    )
    assert entry.actor == "Ada Admin" and entry.after["file"] == "team.csv"
    bad = client.post(
        "/o/acme/admin/roster",
        data={"action": "preview", "roster": (io.BytesIO(b"email\nx\n"), "bad.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "the header lacks" in bad.get_data(as_text=True)
    assert (
        client.post("/o/acme/admin/roster", data={"action": "apply", "token": "../x"}).status_code
        == 400
    )


def test_only_admins_import_rosters(client, world, login):
    login("lead@acme.test")
    assert client.get("/o/acme/admin/roster").status_code == 403
    assert client.get("/o/acme/admin/roster.csv").status_code == 403


def test_a_lead_sets_job_roles_on_the_team_page(client, world, login):
    login("lead@acme.test")
    url = f"/o/acme/teams/{world['team'].id}/training"
    page = client.get(url).get_data(as_text=True)
    assert "Job roles" in page and f'name="job_role-{world["alice"].id}"' in page
    client.post(url, data={"action": "job_roles", f"job_role-{world['alice'].id}": "finance"})
    role = db.session.scalar(
        sa.select(TeamMember.job_role).where(TeamMember.user_id == world["alice"].id)
    )
    assert role == "finance"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.kind == "team.job_role"))
    assert entry.actor == "Lee Lead" and entry.after["job_role"] == "finance"
    bad = client.post(
        url,
        data={"action": "job_roles", f"job_role-{world['alice'].id}": "wizard"},
        follow_redirects=True,
    )
    assert "is not a job role" in bad.get_data(as_text=True)

"""The flask commands admins script with."""

import csv
import io
import json

import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, Cycle, Membership, Org, QuestionnaireVersion, Response, Team, User
from tests.conftest import QUESTIONNAIRE


def test_questionnaire_validate_and_import_is_idempotent(runner, tmp_path):
    result = runner.invoke(args=["questionnaire", "validate", str(QUESTIONNAIRE)])
    assert result.exit_code == 0 and "48 questions" in result.output
    assert (
        "Imported ai-scaling v1"
        in runner.invoke(args=["questionnaire", "import", str(QUESTIONNAIRE)]).output
    )
    assert (
        "Already imported"
        in runner.invoke(args=["questionnaire", "import", str(QUESTIONNAIRE)]).output
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionnaireVersion)) == 1
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        QUESTIONNAIRE.read_text().replace("Scaling AI to production", "Changed title", 1)
    )
    conflict = runner.invoke(args=["questionnaire", "import", str(changed)])
    assert conflict.exit_code != 0 and "new version number" in conflict.output


def test_questionnaire_validate_names_file_line_and_field(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(QUESTIONNAIRE.read_text().replace("effort: S,", "effort: XL,", 1))
    result = runner.invoke(args=["questionnaire", "validate", str(bad)])
    assert result.exit_code == 1
    line = (
        QUESTIONNAIRE.read_text()
        .splitlines()
        .index(next(t for t in QUESTIONNAIRE.read_text().splitlines() if "effort: S," in t))
        + 1
    )
    assert f"bad.yaml:{line}:" in result.output and "actions[0].effort" in result.output


def test_org_user_and_cycle_commands(runner):
    assert runner.invoke(args=["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    assert runner.invoke(args=["org", "create", "acme", "--name", "Again"]).exit_code == 1
    result = runner.invoke(
        args=[
            "user",
            "create",
            "ada@acme.test",
            "--name",
            "Ada",
            "--org",
            "acme",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code == 0 and "One-time password: " in result.output
    one_time = result.output.split("One-time password: ")[1].strip()
    user = db.session.scalar(sa.select(User).where(User.email == "ada@acme.test"))
    assert user.check_password(one_time) and user.must_change_password
    assert db.session.scalar(sa.select(Membership.role)) == "admin"
    with_password = runner.invoke(
        args=["user", "create", "bo@acme.test", "--name", "Bo", "--password", "long-enough-pw"]
    )
    assert "One-time" not in with_password.output
    weak = runner.invoke(args=["user", "create", "cy@acme.test", "--name", "Cy", "--password", "x"])
    assert weak.exit_code == 1 and "at least 12 characters" in weak.output
    assert db.session.scalar(sa.select(User).where(User.email == "cy@acme.test")) is None
    missing = runner.invoke(
        args=["cycle", "open", "--org", "acme", "2026-Q4", "--questionnaire", "ai-scaling"]
    )
    assert missing.exit_code == 1 and "questionnaire import" in missing.output
    runner.invoke(args=["questionnaire", "import", str(QUESTIONNAIRE)])
    opened = runner.invoke(
        args=["cycle", "open", "--org", "acme", "2026-Q4", "--questionnaire", "ai-scaling"]
    )
    assert opened.exit_code == 0 and "ai-scaling v1" in opened.output
    assert runner.invoke(args=["cycle", "close", "--org", "acme", "2026-Q4"]).exit_code == 0
    assert db.session.scalar(sa.select(Cycle.closed_at)) is not None
    assert (
        "closed already"
        in runner.invoke(args=["cycle", "close", "--org", "acme", "2026-Q4"]).output
    )


def write_csv(path, rows, header="team,respondent,question,level,comment"):
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return str(path)


def test_responses_import_and_scores_export(runner, world, tmp_path):
    file = write_csv(
        tmp_path / "answers.csv",
        [
            "Claims Triage,alice@acme.test,data.contracts,3,from the spreadsheet",
            "Claims Triage,alice@acme.test,data.quality-gates,1,",
            "Claims Triage,alice@acme.test,data.lineage,,",
            "Claims Triage,bob@acme.test,data.contracts,1,",
            "Claims Triage,bob@acme.test,data.quality-gates,1,",
            "Claims Triage,bob@acme.test,data.stewardship,4,",
            "Claims Triage,bob@acme.test,cost.right-sizing,na,",
        ],
    )
    result = runner.invoke(
        args=["responses", "import", "--org", "acme", "--cycle", "2026-Q4", file]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 7 answers in 2 responses" in result.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Response).where(Response.status == "submitted")
        )
        == 2
    )
    again = runner.invoke(args=["responses", "import", "--org", "acme", "--cycle", "2026-Q4", file])
    assert again.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 7

    exported = runner.invoke(args=["scores", "export", "--org", "acme", "--cycle", "2026-Q4"])
    rows = {(r["team"], r["challenge"]): r for r in csv.DictReader(io.StringIO(exported.output))}
    data = rows[("Claims Triage", "data")]
    # Alice (2*3+2*1)/4 = 2.0, Bob (2*1+2*1+1*4)/5 = 1.6 -> 1.8, sd 0.2, coverage 5/12
    assert data["score"].startswith("1.8") and len(data["score"].split(".")[1]) >= 6
    assert abs(float(data["disagreement"]) - 0.2) < 1e-9
    assert abs(float(data["coverage"]) - 5 / 12) < 1e-9
    assert data["respondents"] == "2"
    assert rows[("Claims Triage", "governance")]["score"] == ""
    assert rows[("Claims Triage", "cost")]["coverage"] == "0.000000"
    assert abs(float(rows[("Claims Triage", "overall")]["score"]) - 1.8) < 1e-9
    as_json = json.loads(
        runner.invoke(
            args=["scores", "export", "--org", "acme", "--cycle", "2026-Q4", "--format", "json"]
        ).output
    )
    assert {
        "team": "Claims Triage",
        "challenge": "governance",
        "score": None,
        "disagreement": None,
        "coverage": 0.0,
        "respondents": 2,
    } in as_json


def test_responses_import_rejects_bad_rows_and_imports_nothing(runner, world, tmp_path):
    file = write_csv(
        tmp_path / "bad.csv",
        [
            "Claims Triage,alice@acme.test,data.contracts,3,",
            "Claims Triage,alice@acme.test,data.nonsense,2,",
            "Claims Triage,bob@acme.test,data.contracts,7,",
            "Nowhere Team,alice@acme.test,data.lineage,1,",
            "Claims Triage,stranger@else.test,data.lineage,1,",
        ],
    )
    result = runner.invoke(
        args=["responses", "import", "--org", "acme", "--cycle", "2026-Q4", file]
    )
    assert result.exit_code == 1
    assert "bad.csv:3:" in result.output and "data.nonsense" in result.output
    assert "bad.csv:4:" in result.output and "'7'" in result.output
    assert "bad.csv:5:" in result.output and "Nowhere Team" in result.output
    assert "bad.csv:6:" in result.output and "stranger@else.test" in result.output
    assert "bad.csv:2:" not in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_responses_import_names_a_missing_column(runner, world, tmp_path):
    file = write_csv(
        tmp_path / "cols.csv",
        ["Claims Triage,alice@acme.test,data.contracts,3"],
        header="team,respondent,question,level",
    )
    result = runner.invoke(
        args=["responses", "import", "--org", "acme", "--cycle", "2026-Q4", file]
    )
    assert result.exit_code == 1 and "missing column(s): comment" in result.output


def test_responses_import_can_create_missing_teams_and_people(runner, world, tmp_path):
    file = write_csv(tmp_path / "new.csv", ["Pricing,new.person@acme.test,data.contracts,2,"])
    refused = runner.invoke(
        args=["responses", "import", "--org", "acme", "--cycle", "2026-Q4", file]
    )
    assert refused.exit_code == 1
    result = runner.invoke(
        args=[
            "responses",
            "import",
            "--org",
            "acme",
            "--cycle",
            "2026-Q4",
            "--create-missing",
            file,
        ]
    )
    assert result.exit_code == 0 and "1 teams and 1 people created" in result.output
    team = db.session.scalar(sa.select(Team).where(Team.name == "Pricing"))
    assert [m.user.email for m in team.members] == ["new.person@acme.test"]


def test_demo_creates_a_living_org_once(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "member@demo.ascent" in result.output
    org = db.session.scalar(sa.select(Org).where(Org.slug == "demo"))
    teams = db.session.scalars(sa.select(Team).where(Team.org_id == org.id)).all()
    assert len(teams) == 12 and len({t.business_unit for t in teams}) == 3
    people = db.session.scalar(sa.select(sa.func.count()).select_from(Membership))
    assert 55 <= people <= 70
    assert [c.name for c in db.session.scalars(sa.select(Cycle).order_by(Cycle.opened_at))] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Answer).where(Answer.level.is_(None))
        )
        > 0
    )
    versions = dict(
        db.session.execute(
            sa.select(Cycle.name, QuestionnaireVersion.version).join(
                QuestionnaireVersion, QuestionnaireVersion.id == Cycle.questionnaire_id
            )
        ).all()
    )
    # The open cycle runs on questionnaire v2; the closed ones stay on v1.
    assert versions == {"2026-Q1": 1, "2026-Q2": 1, "2026-Q3": 1, "2026-Q4": 2}
    kept = runner.invoke(args=["demo", "--if-empty"])
    assert kept.exit_code == 0 and "keeping it" in kept.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Org)) == 1


def test_demo_teams_improve_at_different_speeds(runner):
    runner.invoke(args=["demo"])
    first = _overall(runner, "2026-Q1")
    third = _overall(runner, "2026-Q3")
    changes = sorted(third[t] - first[t] for t in first)
    assert changes[-1] - changes[0] > 0.4


def _overall(runner, cycle):
    output = runner.invoke(args=["scores", "export", "--org", "demo", "--cycle", cycle]).output
    return {
        r["team"]: float(r["score"])
        for r in csv.DictReader(io.StringIO(output))
        if r["challenge"] == "overall"
    }


def test_an_import_never_joins_an_account_of_another_org(runner, world, tmp_path, make_org):
    from app.orgs import operations as ops

    other = make_org("globex", "Globex")
    ops.set_org_role(other, ops.create_user("ada@globex.test", "Ada", None)[0], "member")
    db.session.commit()
    file = write_csv(tmp_path / "x.csv", ["Claims Triage,ada@globex.test,data.contracts,2,"])
    result = runner.invoke(
        args=[
            "responses",
            "import",
            "--org",
            "acme",
            "--cycle",
            "2026-Q4",
            "--create-missing",
            file,
        ]
    )
    assert result.exit_code == 1 and "has an account outside acme" in result.output

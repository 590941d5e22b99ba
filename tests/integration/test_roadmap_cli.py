"""The roadmap, targets, ownership and report commands."""

import csv
import io
import json

import sqlalchemy as sa

from app.extensions import db
from app.models import TeamTarget
from tests.conftest import submit_response

ANSWERS = {
    "data.contracts": 1,
    "data.quality-gates": 2,
    "ownership.model-owner": 3,
    "monitoring.input-drift": 3,
}


def test_targets_set_one_or_all(runner, world):
    result = runner.invoke(
        args=[
            "targets",
            "set",
            "--org",
            "acme",
            "--team",
            "Claims Triage",
            "--challenge",
            "governance",
            "4",
        ]
    )
    assert result.exit_code == 0, result.output
    assert (
        db.session.scalar(sa.select(TeamTarget.level).where(TeamTarget.challenge == "governance"))
        == 4
    )
    runner.invoke(args=["targets", "set", "--org", "acme", "--team", "Claims Triage", "--all", "2"])
    assert set(db.session.scalars(sa.select(TeamTarget.level))) == {2}
    assert (
        runner.invoke(
            args=["targets", "set", "--org", "acme", "--team", "Claims Triage", "5", "--all"]
        ).exit_code
        != 0
    )
    assert (
        runner.invoke(
            args=["targets", "set", "--org", "acme", "--team", "Nope", "--all", "3"]
        ).exit_code
        == 1
    )


def test_roadmap_export_json_follows_the_rule(runner, world):
    submit_response(world["cycle"], world["team"], world["alice"], ANSWERS)
    output = runner.invoke(
        args=["roadmap", "export", "--org", "acme", "--cycle", "2026-Q4", "--team", "Claims Triage"]
    ).output
    document = json.loads(output)
    assert document["team"] == "Claims Triage" and document["cycle"] == "2026-Q4"
    assert {c["key"] for c in document["challenges"]} >= {"data", "ownership"}
    assert [c["rank"] for c in document["challenges"]] == list(range(1, 9))
    actions = document["actions"]
    assert actions and {a["phase"] for a in actions} <= {"now", "next", "later", "backlog"}
    assert {a["earliest_phase"] for a in actions} <= {"now", "next", "later"}
    priorities = [a["priority"] for a in actions]
    assert priorities == sorted(priorities, reverse=True)
    contracts = next(a for a in actions if a["question"] == "data.contracts")
    assert (
        contracts["from_level"] == 1 and contracts["mean_level"] == 1 and not contracts["unknown"]
    )
    assert any(a["unknown"] for a in actions)


def test_roadmap_export_csv_has_the_same_actions(runner, world):
    submit_response(world["cycle"], world["team"], world["alice"], ANSWERS)
    args = ["roadmap", "export", "--org", "acme", "--cycle", "2026-Q4", "--team", "Claims Triage"]
    as_json = json.loads(runner.invoke(args=args).output)["actions"]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(args=args + ["--format", "csv"]).output)))
    assert [r["question"] for r in rows] == [a["question"] for a in as_json]


def test_ownership_export(runner, world, questionnaire_version):
    rows = list(
        csv.DictReader(
            io.StringIO(
                runner.invoke(
                    args=["ownership", "export", "--org", "acme", "--team", "Claims Triage"]
                ).output.split("# finding")[0]
            )
        )
    )
    assert len(rows) == 8 * 10 and set(rows[0]) == {"challenge", "role", "raci", "person"}
    document = json.loads(
        runner.invoke(
            args=[
                "ownership",
                "export",
                "--org",
                "acme",
                "--team",
                "Claims Triage",
                "--format",
                "json",
            ]
        ).output
    )
    assert any(f["kind"] == "nobody_named" for f in document["findings"])


def test_report_pdf_for_team_and_org(runner, world, tmp_path):
    submit_response(world["cycle"], world["team"], world["alice"], ANSWERS)
    team_file, org_file = tmp_path / "team.pdf", tmp_path / "org.pdf"
    result = runner.invoke(
        args=[
            "report",
            "pdf",
            "--org",
            "acme",
            "--cycle",
            "2026-Q4",
            "--team",
            "Claims Triage",
            "--output",
            str(team_file),
        ]
    )
    assert result.exit_code == 0, result.output
    assert team_file.read_bytes().startswith(b"%PDF")
    result = runner.invoke(
        args=["report", "pdf", "--org", "acme", "--cycle", "2026-Q4", "--output", str(org_file)]
    )
    assert result.exit_code == 0, result.output
    assert org_file.read_bytes().startswith(b"%PDF")

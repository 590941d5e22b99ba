"""Upskilling through the test client and the CLI: assignment, modules, quiz, versions."""

import csv
import io
import re

import sqlalchemy as sa

from app.curricula import latest_versions, module_of, sync_library
from app.extensions import db
from app.models import Assignment, ModuleProgress, QuizAttempt, StepCheck
from app.orgs import operations as org_ops
from tests.conftest import KEY, ROOT


def test_closing_a_cycle_assigns_modules_once(client, trained, login):
    login("admin@acme.test")
    response = client.post("/o/acme/admin/cycles/2026-Q4/close", follow_redirects=True)
    assert "workshop modules were assigned" in response.get_data(as_text=True)
    rows = db.session.execute(sa.select(Assignment.user_id, Assignment.module_key)).all()
    assert (trained["alice"].id, KEY) in rows
    # the data module names data roles: Bob and the lead, with no such role, do not get it
    assert (trained["bob"].id, KEY) not in rows
    assert {key for _, key in rows} == {KEY}  # only data foundations is below target


def test_assignments_run_is_idempotent_and_prints_what_it_assigned(runner, trained):
    first = runner.invoke(args=["assignments", "run", "--org", "acme", "--cycle", "2026-Q4"])
    assert first.exit_code == 0 and KEY in first.output and "alice@acme.test" in first.output
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment))
    again = runner.invoke(args=["assignments", "run", "--org", "acme", "--cycle", "2026-Q4"])
    assert "Assigned 0 new modules." in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == total


def test_a_deactivated_person_is_not_assigned_modules(runner, trained):
    org_ops.set_active(trained["org"], trained["alice"], False)
    db.session.commit()
    runner.invoke(args=["assignments", "run", "--org", "acme", "--cycle", "2026-Q4"])
    users = set(db.session.scalars(sa.select(Assignment.user_id)))
    assert trained["alice"].id not in users


def test_my_learning_shows_why_and_progress(client, runner, trained, login):
    runner.invoke(args=["assignments", "run", "--org", "acme", "--cycle", "2026-Q4"])
    login("alice@acme.test")
    page = client.get("/o/acme/learning/").get_data(as_text=True)
    assert "Write and enforce your first data contracts" in page
    steps = len(module_of(latest_versions()[KEY]).steps)
    assert "Why: Data foundations at level 1" in page and f"0/{steps} steps" in page


def test_steps_save_with_evidence_and_quiz_retakes_complete_the_module(
    client, runner, trained, login
):
    runner.invoke(args=["assignments", "run", "--org", "acme", "--cycle", "2026-Q4"])
    version = latest_versions()[KEY]
    module = module_of(version)
    login("alice@acme.test")
    steps = {
        "version_id": version.id,
        "step": [str(i) for i in range(len(module.steps))],
        "evidence-2": "https://git.example/pr/7",
    }
    saved = client.post(f"/o/acme/learning/{KEY}/steps", data=steps, follow_redirects=True)
    assert "Progress saved." in saved.get_data(as_text=True)
    assert (
        db.session.scalar(sa.select(StepCheck.evidence).where(StepCheck.step == 2))
        == "https://git.example/pr/7"
    )
    wrong = {f"q{i}": str((q.answer + 1) % len(q.options)) for i, q in enumerate(module.quiz)}
    failed = client.post(
        f"/o/acme/learning/{KEY}/quiz",
        data={"version_id": version.id, **wrong},
        follow_redirects=True,
    )
    page = failed.get_data(as_text=True)
    assert "not yet the 80% needed" in page and "Not quite." in page
    # A failed attempt says which answers were wrong, never which were right.
    assert module.quiz[0].explanation[:40] not in page and "The best answer" not in page
    right = {f"q{i}": str(q.answer) for i, q in enumerate(module.quiz)}
    passed = client.post(
        f"/o/acme/learning/{KEY}/quiz",
        data={"version_id": version.id, **right},
        follow_redirects=True,
    )
    assert "Quiz passed with 100%. Module completed." in passed.get_data(as_text=True)
    assert module.quiz[0].explanation[:40] in passed.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 2
    assert db.session.scalar(sa.select(ModuleProgress.completed_at)) is not None
    mine = client.get("/o/acme/learning/").get_data(as_text=True)
    assert "Completed (1)" in mine


def test_steps_answer_json_for_the_page_script(client, trained, login):
    version = latest_versions()[KEY]
    login("alice@acme.test")
    response = client.post(
        f"/o/acme/learning/{KEY}/steps",
        data={"version_id": version.id, "step": ["0"]},
        headers={"Accept": "application/json"},
    )
    steps = len(module_of(version).steps)
    assert response.get_json() == {"status": "in progress", "ticked": 1, "steps": steps}
    bad = client.post(
        f"/o/acme/learning/{KEY}/steps",
        data={"version_id": version.id, "step": ["99"]},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400 and bad.get_json()["error"]["message"]


def test_a_new_module_version_keeps_progress_on_the_old_one(client, trained, login, tmp_path):
    version = latest_versions()[KEY]
    login("alice@acme.test")
    client.post(
        f"/o/acme/learning/{KEY}/steps", data={"version_id": version.id, "step": ["0", "1"]}
    )
    changed = tmp_path / "curricula" / "data"
    changed.mkdir(parents=True)
    source = (ROOT / "curricula" / "data" / f"{KEY}.md").read_text()
    (changed / f"{KEY}.md").write_text(
        source.replace("## Checklist\n", "## Checklist\n\n- [ ] A new first step\n", 1)
    )
    counts = sync_library(tmp_path / "curricula")
    db.session.commit()
    assert counts["changed"] == 1
    page = client.get(f"/o/acme/learning/{KEY}").get_data(as_text=True)
    steps = len(module_of(version).steps)
    assert "A newer version (2) of this module exists" in page and f"2 of {steps} steps" in page
    assert "A new first step" not in page
    client.post(f"/o/acme/learning/{KEY}/restart")
    page = client.get(f"/o/acme/learning/{KEY}").get_data(as_text=True)
    assert (
        "version 2" in page
        and "A new first step" in page
        and f"0 of {steps + 1} steps done" in page
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StepCheck)
            .where(StepCheck.module_version_id == version.id)
        )
        == 2
    )


def test_lead_assigns_by_hand_with_due_date_and_unassigns(client, trained, login):
    login("lead@acme.test")
    team_id = trained["team"].id
    client.post(
        f"/o/acme/teams/{team_id}/training",
        data={
            "action": "assign",
            "module": "cost-per-prediction-worksheet",
            "who": "team",
            "due": "2027-01-15",
        },
    )
    rows = db.session.scalars(
        sa.select(Assignment).where(Assignment.module_key == "cost-per-prediction-worksheet")
    ).all()
    assert len(rows) == 3 and all(r.due_at.year == 2027 and r.source == "manual" for r in rows)
    page = client.get(f"/o/acme/teams/{team_id}/training").get_data(as_text=True)
    assert "Cost per prediction" in page and "15 Jan" in page
    client.post(
        f"/o/acme/teams/{team_id}/training",
        data={"action": "unassign", "assignment_id": rows[0].id},
    )
    assert db.session.get(Assignment, rows[0].id).removed_at is not None
    bad = client.post(
        f"/o/acme/teams/{team_id}/training",
        data={"action": "assign", "module": "nope", "who": "team"},
        follow_redirects=True,
    )
    assert "There is no module" in bad.get_data(as_text=True)


def test_members_cannot_see_or_change_team_training(client, trained, login):
    login("bob@acme.test")
    assert client.get(f"/o/acme/teams/{trained['team'].id}/training").status_code == 403
    assert client.get("/o/acme/training").status_code == 403


def test_executives_see_org_training_with_effect(client, runner, trained, login):
    runner.invoke(args=["assignments", "run", "--org", "acme", "--cycle", "2026-Q4"])
    login("exec@acme.test")
    page = client.get("/o/acme/training").get_data(as_text=True)
    assert "Does training move the scores?" in page and "Completion by module" in page
    assert client.get(f"/o/acme/teams/{trained['team'].id}/training").status_code == 200


def test_assignments_export(runner, trained):
    runner.invoke(args=["assignments", "run", "--org", "acme", "--cycle", "2026-Q4"])
    output = runner.invoke(
        args=["assignments", "export", "--org", "acme", "--team", "Claims Triage"]
    ).output
    rows = list(csv.DictReader(io.StringIO(output)))
    assert set(rows[0]) == {
        "team",
        "person",
        "module",
        "challenge",
        "status",
        "assigned_at",
        "due_at",
        "completed_at",
        "quiz_score",
    }
    assert any(r["module"] == KEY and r["status"] == "not started" for r in rows)


def test_curricula_validate_command(runner, tmp_path):
    assert "26 modules" in runner.invoke(args=["curricula", "validate"]).output
    bad = tmp_path / "data"
    bad.mkdir()
    (bad / "x.md").write_text("---\nkey: Bad Key\n---\nno steps\n")
    result = runner.invoke(args=["curricula", "validate", str(tmp_path)])
    assert result.exit_code == 1 and "x.md:2:" in result.output and "field 'key'" in result.output


def test_evidence_is_shown_as_text_to_the_lead(client, trained, login):
    version = latest_versions()[KEY]
    org_ops.put_in_team(trained["team"], trained["alice"], "member")
    db.session.add(
        Assignment(
            team_id=trained["team"].id,
            user_id=trained["alice"].id,
            module_key=KEY,
            challenge="data",
        )
    )
    db.session.commit()
    login("alice@acme.test")
    client.post(
        f"/o/acme/learning/{KEY}/steps",
        data={"version_id": version.id, "step": ["0"], "evidence-0": "<script>alert(1)</script>"},
    )
    client.post("/logout")
    login("lead@acme.test")
    page = client.get(f"/o/acme/teams/{trained['team'].id}/training").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_a_kept_module_page_shows_each_new_tick(client, trained, login):
    login("alice@acme.test")
    page = client.get(f"/o/acme/learning/{KEY}").get_data(as_text=True)
    assert client.get(f"/o/acme/learning/{KEY}").get_data(as_text=True) == page  # kept
    version = latest_versions()[KEY]
    client.post(
        f"/o/acme/learning/{KEY}/steps",
        data={"version_id": version.id, "step": ["0"], "evidence-0": "https://wiki/contract-7"},
    )
    after = client.get(f"/o/acme/learning/{KEY}").get_data(as_text=True)
    assert "https://wiki/contract-7" in after and after != page


def test_each_attempt_shows_the_options_in_a_new_order(client, trained, login):
    version = latest_versions()[KEY]
    module = module_of(version)
    login("alice@acme.test")

    def orders(page):
        return [re.findall(rf'name="q{i}" id="q{i}-(\d)"', page) for i in range(len(module.quiz))]

    first = orders(client.get(f"/o/acme/learning/{KEY}").get_data(as_text=True))
    assert first == orders(client.get(f"/o/acme/learning/{KEY}").get_data(as_text=True))
    assert all(sorted(o) == [str(i) for i in range(4)] for o in first)
    client.post(f"/o/acme/learning/{KEY}/quiz", data={"version_id": version.id, "q0": "0"})
    second = orders(client.get(f"/o/acme/learning/{KEY}").get_data(as_text=True))
    assert second != first


def test_a_module_page_opens_with_a_table_of_contents_that_links_every_section(
    client, trained, login
):
    login("alice@acme.test")
    page = client.get(f"/o/acme/learning/{KEY}").get_data(as_text=True)
    toc = page.split('aria-labelledby="toc-heading"')[1].split("</nav>")[0]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    titles = [title for _, title in links]
    assert titles[0] == "What you will be able to do" and titles[-1] == "Quiz"
    assert "Worked example" in titles and "Template" in titles
    assert (
        titles.index("Worked example") < titles.index("Checklist") < titles.index("Going further")
    )
    for anchor, _ in links:
        assert page.count(f'id="{anchor}"') == 1, anchor  # each link lands on one section
    assert page.index("toc-heading") < page.index('id="section-worked-example"')

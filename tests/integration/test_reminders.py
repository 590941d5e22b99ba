"""Deadlines, response rates and reminders: each reminder goes once, even with two workers."""

import threading
from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.mail import outbox
from app.models import Assignment, AuditEntry, ReminderSent, utcnow
from app.orgs import operations as org_ops
from app.reminders import send_deadline_reminders, send_overdue_module_reminders
from tests.conftest import submit_response


def _due_in(world, days: int) -> None:
    world["cycle"].deadline = utcnow() + timedelta(days=days)
    db.session.commit()


def test_people_who_have_not_submitted_are_reminded_once_before_the_deadline(app, world):
    submit_response(world["cycle"], world["team"], world["lead"], {"data.contracts": 2})
    submit_response(
        world["cycle"], world["team"], world["alice"], {"data.contracts": 1}, status="draft"
    )
    _due_in(world, 10)
    assert send_deadline_reminders() == 0  # outside the 3 days before the deadline
    _due_in(world, 2)
    assert send_deadline_reminders() == 2  # Alice (a draft) and Bob (nothing); not the lead
    messages = {m.to: m for m in outbox("acme")}
    assert set(messages) == {"alice@acme.test", "bob@acme.test"}
    assert "discarded when the cycle closes" in messages["alice@acme.test"].text
    assert "discarded" not in messages["bob@acme.test"].text
    assert "/survey/2026-Q4/" in messages["bob@acme.test"].text
    assert send_deadline_reminders() == 0  # once per person and cycle
    assert len(outbox("acme")) == 2


def test_a_deactivated_person_gets_no_reminder(app, world):
    org_ops.set_active(world["org"], world["bob"], False)
    _due_in(world, 1)
    send_deadline_reminders()
    assert "bob@acme.test" not in {m.to for m in outbox("acme")}


def test_two_workers_at_the_same_moment_send_each_reminder_once(app, world, database_url):
    _due_in(world, 1)
    barrier = threading.Barrier(2)
    counts = []

    def worker():
        with app.app_context():
            barrier.wait()
            counts.append(send_deadline_reminders())
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 3  # the lead, Alice and Bob, each once
    assert len(outbox("acme")) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSent)) == 3


def test_overdue_modules_are_reminded_weekly_unless_the_person_opts_out(app, world):
    for user in (world["alice"], world["bob"]):
        db.session.add(
            Assignment(
                team_id=world["team"].id,
                user_id=user.id,
                module_key="data-contracts-first-feeds",
                challenge="data",
                due_at=utcnow() - timedelta(days=2),
            )
        )
    world["bob"].module_reminders = False
    db.session.commit()
    assert send_overdue_module_reminders() == 1
    [message] = outbox("acme")
    assert message.to == "alice@acme.test" and "overdue" in message.subject
    assert send_overdue_module_reminders() == 0  # once a week
    assert send_overdue_module_reminders(utcnow() + timedelta(days=7)) == 1


def test_a_person_turns_module_reminders_off_on_their_account_page(client, world, login):
    login("alice@acme.test")
    page = client.get("/account/password").get_data(as_text=True)
    assert "Weekly reminders of overdue modules" in page and "checked" in page
    client.post("/account/reminders", data={})
    db.session.refresh(world["alice"])
    assert world["alice"].module_reminders is False


def test_an_admin_sets_a_deadline_and_sees_response_rates(client, world, login):
    submit_response(world["cycle"], world["team"], world["alice"], {"data.contracts": 2})
    login("admin@acme.test")
    day = date.today() + timedelta(days=14)
    client.post("/o/acme/admin/cycles/2026-Q4/deadline", data={"deadline": day.isoformat()})
    db.session.refresh(world["cycle"])
    assert world["cycle"].deadline.date() == day
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.kind == "cycle.deadline"))
    assert entry.actor == "Ada Admin"
    page = client.get("/o/acme/admin/cycles").get_data(as_text=True)
    assert "Response rate in 2026-Q4" in page and "1 of 3 team members submitted" in page
    assert "33%" in page
    past = client.post(
        "/o/acme/admin/cycles/2026-Q4/deadline",
        data={"deadline": "2020-01-01"},
        follow_redirects=True,
    )
    assert "A deadline is today or later" in past.get_data(as_text=True)
    bad = client.post(
        "/o/acme/admin/cycles/2026-Q4/deadline", data={"deadline": "soon"}, follow_redirects=True
    )
    assert "a date like 2026-12-15" in bad.get_data(as_text=True)


def test_the_lead_sees_the_teams_response_rate(client, world, login):
    submit_response(world["cycle"], world["team"], world["alice"], {"data.contracts": 2})
    login("lead@acme.test")
    page = client.get(f"/o/acme/teams/{world['team'].id}/report").get_data(as_text=True)
    assert "1 of 3 members (33%)" in page


def test_the_command_line_sets_and_clears_a_deadline(runner, world):
    day = (date.today() + timedelta(days=5)).isoformat()
    result = runner.invoke(args=["cycle", "deadline", "--org", "acme", "2026-Q4", day])
    assert result.exit_code == 0, result.output
    assert world["cycle"].deadline is not None or "due" in result.output
    cleared = runner.invoke(args=["cycle", "deadline", "--org", "acme", "2026-Q4", "none"])
    assert "no deadline" in cleared.output
    bad = runner.invoke(args=["cycle", "deadline", "--org", "acme", "2026-Q4", "tomorrow"])
    assert bad.exit_code != 0 and "not a date" in bad.output

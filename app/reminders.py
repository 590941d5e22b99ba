"""Reminders by email: before a cycle's deadline, and weekly for an overdue module.

The worker's scheduler runs `send_due_reminders` every hour on every worker. Each reminder
is claimed by inserting a row that a unique key guards (kind, person, event) before its
message is composed, so two workers never send the same reminder twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from huey import crontab

from . import mail
from .auth.links import external_url
from .dbutil import insert_for
from .domain.reminders import deadline_reminder_due, week_key
from .extensions import db
from .models import (
    Assignment,
    Cycle,
    ModuleProgress,
    ModuleVersion,
    Org,
    ReminderSent,
    Response,
    Team,
    TeamMember,
    User,
    utcnow,
)
from .queue import app_task, huey


def _claim(kind: str, user_id: int, key: str) -> bool:
    """Claim one reminder; return False when it was sent already (here or by another worker)."""
    stmt = (
        insert_for(ReminderSent)
        .values(kind=kind, user_id=user_id, key=key[:80], sent_at=utcnow())
        .on_conflict_do_nothing(index_elements=["kind", "user_id", "key"])
        .returning(ReminderSent.id)
    )
    return db.session.execute(stmt).scalar() is not None


def response_counts(cycle: Cycle) -> dict[int, tuple[int, int, int]]:
    """Return {team id: (active members, submitted, drafts)} for a cycle (two queries)."""
    members: dict[int, int] = defaultdict(int)
    for team_id, count in db.session.execute(
        sa.select(TeamMember.team_id, sa.func.count())
        .join(Team, Team.id == TeamMember.team_id)
        .join(User, User.id == TeamMember.user_id)
        .where(Team.org_id == cycle.org_id, User.deactivated_at.is_(None))
        .group_by(TeamMember.team_id)
    ):
        members[team_id] = count
    submitted: dict[int, int] = defaultdict(int)
    drafts: dict[int, int] = defaultdict(int)
    for team_id, status, count in db.session.execute(
        sa.select(Response.team_id, Response.status, sa.func.count())
        .where(Response.cycle_id == cycle.id)
        .group_by(Response.team_id, Response.status)
    ):
        (submitted if status == "submitted" else drafts)[team_id] += count
    teams = set(members) | set(submitted) | set(drafts)
    return {t: (members[t], submitted[t], drafts[t]) for t in teams}


def send_deadline_reminders(now: datetime | None = None) -> int:
    """Remind everyone on a team who has not submitted, in the days before a deadline."""
    now = now or utcnow()
    sent = 0
    cycles = db.session.execute(
        sa.select(Cycle, Org)
        .join(Org, Org.id == Cycle.org_id)
        .where(Cycle.closed_at.is_(None), Cycle.deadline.is_not(None))
    ).all()
    for cycle, org in cycles:
        if not deadline_reminder_due(now, cycle.deadline, org.reminder_days):
            continue
        statuses = {
            (team_id, user_id): status
            for team_id, user_id, status in db.session.execute(
                sa.select(Response.team_id, Response.user_id, Response.status).where(
                    Response.cycle_id == cycle.id
                )
            )
        }
        people = db.session.execute(
            sa.select(User, Team)
            .join(TeamMember, TeamMember.user_id == User.id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.org_id == org.id, User.deactivated_at.is_(None))
        ).all()
        for user, team in people:
            status = statuses.get((team.id, user.id))
            if status == "submitted":
                continue
            if not _claim("cycle_deadline", user.id, f"cycle:{cycle.id}:team:{team.id}"):
                continue
            mail.compose(
                user.email,
                f"{cycle.name} closes on {cycle.deadline:%d %b}: your answers for {team.name}",
                "deadline_reminder",
                org.slug,
                name=user.name,
                team=team.name,
                org_name=org.name,
                cycle=cycle.name,
                deadline=f"{cycle.deadline:%d %b %Y %H:%M}",
                draft=status == "draft",
                link=external_url(
                    "survey.start", slug=org.slug, cycle_name=cycle.name, team_id=team.id
                ),
            )
            sent += 1
        db.session.commit()
    return sent


def send_overdue_module_reminders(now: datetime | None = None) -> int:
    """Remind each learner of their overdue modules once a week, unless they opted out."""
    now = now or utcnow()
    done = set(
        db.session.execute(
            sa.select(ModuleProgress.user_id, ModuleVersion.key)
            .join(ModuleVersion, ModuleVersion.id == ModuleProgress.module_version_id)
            .where(ModuleProgress.completed_at.is_not(None))
        ).all()
    )
    rows = db.session.execute(
        sa.select(Assignment, User, Org)
        .join(User, User.id == Assignment.user_id)
        .join(Team, Team.id == Assignment.team_id)
        .join(Org, Org.id == Team.org_id)
        .where(
            Assignment.removed_at.is_(None),
            Assignment.due_at.is_not(None),
            Assignment.due_at < now,
            User.deactivated_at.is_(None),
            User.module_reminders.is_(True),
        )
    ).all()
    overdue: dict[tuple[int, int], list] = defaultdict(list)
    for assignment, user, org in rows:
        if (user.id, assignment.module_key) not in done:
            overdue[(user.id, org.id)].append((assignment, user, org))
    titles = dict(db.session.execute(sa.select(ModuleVersion.key, ModuleVersion.title)).all())
    sent = 0
    for items in overdue.values():
        _, user, org = items[0]
        if not _claim("module_overdue", user.id, f"org:{org.id}:{week_key(now)}"):
            continue
        mail.compose(
            user.email,
            f"{len(items)} overdue module{'s' if len(items) != 1 else ''} in Ascent",
            "module_reminder",
            org.slug,
            name=user.name,
            org_name=org.name,
            modules=[
                (titles.get(a.module_key, a.module_key), f"{a.due_at:%d %b}") for a, _, _ in items
            ],
            link=external_url("training.mine", slug=org.slug),
            settings=external_url("auth.change_password"),
        )
        sent += 1
    db.session.commit()
    current_app.logger.info("Reminders: %d overdue-module messages", sent)
    return sent


@app_task()
def send_due_reminders() -> int:
    """Send every reminder that is due now (deadlines, overdue modules)."""
    return send_deadline_reminders() + send_overdue_module_reminders()


@huey.periodic_task(crontab(minute="7"), name="reminders_hourly")
def reminders_hourly() -> None:
    """Once an hour on every worker; the claims make each reminder go once."""
    send_due_reminders()

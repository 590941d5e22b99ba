"""Writes of upskilling: assignments, ticked steps with evidence, quiz attempts, progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa

from ..curricula import latest_versions, module_of
from ..dbutil import get_by_id, insert_for, upsert
from ..domain.training import COMPLETED, Member, assign_modules, grade, progress_of
from ..domain.vocabulary import CHALLENGE_TITLES
from ..extensions import db
from ..models import (
    Assignment,
    Cycle,
    ModuleProgress,
    ModuleVersion,
    QuizAttempt,
    StepCheck,
    Team,
    TeamMember,
    User,
    utcnow,
)
from ..roadmap.queries import plan_teams

MAX_EVIDENCE = 1000


class TrainingError(Exception):
    """A change to training that cannot be made, with a message for the person."""


def run_assignments(cycle: Cycle, teams: Sequence[Team]) -> list[tuple[Team, User, str, str]]:
    """Assign each team the modules of its top three roadmap challenges; return what is new."""
    plans = plan_teams(cycle, teams)
    modules = [module_of(v) for v in latest_versions().values()]
    members = _members(teams)
    rows, reasons = [], {}
    for team in teams:
        plan = plans[team.id]
        if not plan.score.respondents:
            continue
        gaps = {c.key: c for c in plan.roadmap.challenges}
        top = [
            (k, plan.score.challenges[k].score, gaps[k].gap) for k in plan.roadmap.top_challenges()
        ]
        for item in assign_modules(top, modules, members.get(team.id, [])):
            reason = (
                f"{CHALLENGE_TITLES[item.challenge]} at level {item.level}, "
                f"{item.gap:.1f} below target in {cycle.name}"
            )
            rows.append(
                {
                    "team_id": team.id,
                    "user_id": item.user_id,
                    "module_key": item.module_key,
                    "challenge": item.challenge,
                    "reason": reason,
                    "source": "auto",
                    "cycle_id": cycle.id,
                    "assigned_at": utcnow(),
                }
            )
            reasons[(team.id, item.user_id, item.module_key)] = team
    before = _existing(teams)
    upsert(Assignment, rows, conflict=["team_id", "user_id", "module_key"], update=[])
    added = [r for r in rows if (r["team_id"], r["user_id"], r["module_key"]) not in before]
    users = {
        u.id: u
        for u in db.session.scalars(
            sa.select(User).where(User.id.in_({r["user_id"] for r in added}))
        )
    }
    return [
        (
            reasons[(r["team_id"], r["user_id"], r["module_key"])],
            users[r["user_id"]],
            r["module_key"],
            r["reason"],
        )
        for r in added
    ]


def _members(teams: Sequence[Team]) -> dict[int, list[Member]]:
    """Return each team's active members with their job roles (deactivated people get nothing)."""
    result: dict[int, list[Member]] = {}
    rows = db.session.execute(
        sa.select(TeamMember.team_id, TeamMember.user_id, TeamMember.job_role)
        .join(User, User.id == TeamMember.user_id)
        .where(TeamMember.team_id.in_([t.id for t in teams]), User.deactivated_at.is_(None))
        .order_by(TeamMember.user_id)
    )
    for team_id, user_id, job_role in rows:
        result.setdefault(team_id, []).append(Member(user_id, job_role))
    return result


def _existing(teams: Sequence[Team]) -> set[tuple[int, int, str]]:
    rows = db.session.execute(
        sa.select(Assignment.team_id, Assignment.user_id, Assignment.module_key).where(
            Assignment.team_id.in_([t.id for t in teams])
        )
    )
    return {tuple(r) for r in rows}


def assign_by_hand(
    team: Team, user_ids: Sequence[int], module_key: str, due_at: datetime | None, by: User
) -> int:
    """Assign a module to people of the team (again, if it was removed); return how many."""
    version = latest_versions().get(module_key)
    if version is None:
        raise TrainingError(f"There is no module '{module_key}'.")
    members = set(
        db.session.scalars(sa.select(TeamMember.user_id).where(TeamMember.team_id == team.id))
    )
    if not user_ids or not set(user_ids) <= members:
        raise TrainingError("Choose people of this team.")
    now = utcnow()
    rows = [
        {
            "team_id": team.id,
            "user_id": user_id,
            "module_key": module_key,
            "challenge": version.challenge,
            "reason": f"assigned by {by.name}",
            "source": "manual",
            "assigned_at": now,
            "due_at": due_at,
            "assigned_by_id": by.id,
            "removed_at": None,
        }
        for user_id in user_ids
    ]
    upsert(
        Assignment,
        rows,
        conflict=["team_id", "user_id", "module_key"],
        update=["due_at", "removed_at", "assigned_by_id"],
    )
    return len(rows)


def unassign(team: Team, assignment_id: int) -> None:
    """Remove an assignment; the rule will not assign it again, the lead can."""
    assignment = get_by_id(Assignment, assignment_id)
    if assignment is None or assignment.team_id != team.id:
        raise TrainingError("That assignment is not in this team.")
    assignment.removed_at = utcnow()
    db.session.flush()


def save_steps(
    user: User, version: ModuleVersion, ticked: set[int], evidence: Mapping[int, str]
) -> str:
    """Store which steps are ticked (with evidence) and return the person's new status."""
    module = module_of(version)
    if any(not 0 <= i < len(module.steps) for i in ticked | set(evidence)):
        raise TrainingError("That step is not part of this module.")
    now = utcnow()
    stored = {
        s.step: s
        for s in db.session.scalars(
            sa.select(StepCheck).where(
                StepCheck.user_id == user.id, StepCheck.module_version_id == version.id
            )
        )
    }
    rows = []
    for step in range(len(module.steps)):
        note = (evidence.get(step) or "").strip()[:MAX_EVIDENCE]
        old = stored.get(step)
        checked = step in ticked
        if old is None and not checked and not note:
            continue
        changed = old is None or old.checked != checked
        rows.append(
            {
                "user_id": user.id,
                "module_version_id": version.id,
                "step": step,
                "checked": checked,
                "evidence": note,
                "checked_at": now if changed else old.checked_at,
            }
        )
    upsert(
        StepCheck,
        rows,
        conflict=["user_id", "module_version_id", "step"],
        update=["checked", "evidence", "checked_at"],
    )
    return refresh_progress(user, version)


def record_attempt(user: User, version: ModuleVersion, answers: Mapping[int, int | None]):
    """Grade and keep a quiz attempt; return the graded result and the new status."""
    module = module_of(version)
    if not module.quiz:
        raise TrainingError("This module has no quiz.")
    graded = grade(module.quiz, answers)
    db.session.add(
        QuizAttempt(
            user_id=user.id,
            module_version_id=version.id,
            answers=list(graded.chosen),
            score=graded.score,
            passed=graded.passed,
        )
    )
    db.session.flush()
    return graded, refresh_progress(user, version)


def refresh_progress(user: User, version: ModuleVersion) -> str:
    """Recompute a person's status on a module version and keep its start and completion."""
    module = module_of(version)
    ticked = db.session.scalars(
        sa.select(StepCheck.step).where(
            StepCheck.user_id == user.id,
            StepCheck.module_version_id == version.id,
            StepCheck.checked.is_(True),
        )
    )
    scores = db.session.scalars(
        sa.select(QuizAttempt.score).where(
            QuizAttempt.user_id == user.id, QuizAttempt.module_version_id == version.id
        )
    )
    status = progress_of(module, set(ticked), scores).status
    now = utcnow()
    db.session.execute(
        insert_for(ModuleProgress)
        .values(user_id=user.id, module_version_id=version.id, started_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "module_version_id"])
    )
    row = db.session.scalar(
        sa.select(ModuleProgress).where(
            ModuleProgress.user_id == user.id, ModuleProgress.module_version_id == version.id
        )
    )
    if status == COMPLETED and row.completed_at is None:
        row.completed_at = now
    elif status != COMPLETED:
        row.completed_at = None
    db.session.flush()
    return status

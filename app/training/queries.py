"""Reads of upskilling: progress per person and module, completions over time, the effect."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..curricula import latest_versions, module_of
from ..domain.curriculum import Module
from ..domain.training import Effect, Progress, progress_of, training_effect
from ..domain.vocabulary import CHALLENGE_KEYS
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
    utcnow,
)
from ..scores import history


@dataclass
class PersonModule:
    """A person's standing on a module: the version they work on, their progress, dates."""

    version: ModuleVersion
    module: Module
    progress: Progress
    completed_at: datetime | None
    newer: ModuleVersion | None


def progress_for(
    user_ids: Sequence[int], latest: dict[str, ModuleVersion]
) -> dict[tuple[int, str], PersonModule]:
    """Return each person's progress per module key they started (three queries for any count)."""
    started = db.session.execute(
        sa.select(ModuleProgress, ModuleVersion)
        .join(ModuleVersion, ModuleVersion.id == ModuleProgress.module_version_id)
        .where(ModuleProgress.user_id.in_(list(user_ids)))
    ).all()
    ticked: dict[tuple[int, int], set[int]] = defaultdict(set)
    for user_id, version_id, step in db.session.execute(
        sa.select(StepCheck.user_id, StepCheck.module_version_id, StepCheck.step).where(
            StepCheck.user_id.in_(list(user_ids)), StepCheck.checked.is_(True)
        )
    ):
        ticked[(user_id, version_id)].add(step)
    scores: dict[tuple[int, int], list[float]] = defaultdict(list)
    for user_id, version_id, score in db.session.execute(
        sa.select(QuizAttempt.user_id, QuizAttempt.module_version_id, QuizAttempt.score).where(
            QuizAttempt.user_id.in_(list(user_ids))
        )
    ):
        scores[(user_id, version_id)].append(score)
    result: dict[tuple[int, str], PersonModule] = {}
    for row, version in sorted(started, key=lambda r: r[1].version):
        module = module_of(version)
        key = (row.user_id, version.key)
        progress = progress_of(
            module, ticked[(row.user_id, version.id)], scores[(row.user_id, version.id)]
        )
        newest = latest.get(version.key)
        newer = newest if newest is not None and newest.version > version.version else None
        result[key] = PersonModule(version, module, progress, row.completed_at, newer)
    return result


def fresh(version: ModuleVersion) -> PersonModule:
    """Return the standing of someone who has not started the module."""
    module = module_of(version)
    return PersonModule(version, module, progress_of(module, (), ()), None, None)


@dataclass
class AssignedModule:
    """An assignment with the module and the person's standing on it."""

    assignment: Assignment
    standing: PersonModule

    @property
    def overdue(self) -> bool:
        """Return True when the due date passed before completion."""
        due = self.assignment.due_at
        return due is not None and self.standing.completed_at is None and due < utcnow()


def assignments_for(where, latest: dict[str, ModuleVersion] | None = None) -> list[AssignedModule]:
    """Return the active assignments matching where, with each person's progress."""
    latest = latest or latest_versions()
    rows = db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.removed_at.is_(None), *where)
        .options(sa.orm.joinedload(Assignment.user), sa.orm.joinedload(Assignment.team))
        .order_by(Assignment.assigned_at.desc(), Assignment.module_key)
    ).all()
    standing = progress_for({a.user_id for a in rows}, latest)
    result = []
    for assignment in rows:
        version = latest.get(assignment.module_key)
        if version is None:
            continue
        person = standing.get((assignment.user_id, assignment.module_key)) or fresh(version)
        result.append(AssignedModule(assignment, person))
    return result


def weekly_completions(user_ids: Sequence[int], weeks: int = 52) -> list[tuple[str, int]]:
    """Return module completions per week (Monday dates) for the last weeks, oldest first."""
    today = utcnow().date()
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    counts: Counter = Counter()
    for (completed_at,) in db.session.execute(
        sa.select(ModuleProgress.completed_at).where(
            ModuleProgress.user_id.in_(list(user_ids)),
            ModuleProgress.completed_at >= datetime.combine(start, datetime.min.time()),
        )
    ):
        day = completed_at.date()
        counts[day - timedelta(days=day.weekday())] += 1
    return [
        ((start + timedelta(weeks=i)).isoformat(), counts[start + timedelta(weeks=i)])
        for i in range(weeks)
    ]


def effect_of_training(cycles: Sequence[Cycle], teams: Sequence[Team]) -> list[Effect]:
    """Per challenge, the score change between consecutive cycles with and without completed modules."""
    ordered = sorted(cycles, key=lambda c: c.opened_at)
    scores = history(ordered, [t.id for t in teams])
    members: dict[int, int] = {}
    for team_id, user_id in db.session.execute(
        sa.select(TeamMember.team_id, TeamMember.user_id).where(
            TeamMember.team_id.in_([t.id for t in teams])
        )
    ):
        members.setdefault(user_id, team_id)
    completions = db.session.execute(
        sa.select(ModuleProgress.user_id, ModuleVersion.challenge, ModuleProgress.completed_at)
        .join(ModuleVersion, ModuleVersion.id == ModuleProgress.module_version_id)
        .where(ModuleProgress.completed_at.is_not(None), ModuleProgress.user_id.in_(list(members)))
    ).all()
    changes, trained = [], set()
    for before, after in zip(ordered, ordered[1:], strict=False):
        for team in teams:
            for key in CHALLENGE_KEYS:
                a = scores[before.id][team.id].challenges[key].score
                b = scores[after.id][team.id].challenges[key].score
                if a is not None and b is not None:
                    changes.append((key, f"{team.id}:{after.id}", b - a))
        for user_id, challenge, completed_at in completions:
            if before.opened_at <= completed_at < after.opened_at:
                trained.add((challenge, f"{members[user_id]}:{after.id}"))
    return training_effect(changes, trained, CHALLENGE_KEYS)


def org_members(team_ids: Sequence[int]) -> list[int]:
    """Return the ids of the people in these teams."""
    return list(
        set(
            db.session.scalars(
                sa.select(TeamMember.user_id).where(TeamMember.team_id.in_(list(team_ids)))
            )
        )
    )

"""Reads of the survey: the person's open surveys and their progress."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Answer, Cycle, Org, Response, Team, TeamMember, User
from ..questionnaires import model_of


@dataclass
class SurveyItem:
    """One survey a person can fill out: a team in an open cycle, with progress."""

    team: Team
    cycle: Cycle
    response: Response | None
    answered: int
    total: int

    @property
    def status(self) -> str:
        """Return 'not started', 'draft' or 'submitted'."""
        return self.response.status if self.response else "not started"


def my_surveys(org: Org, user: User) -> list[SurveyItem]:
    """Return a survey item for each of the person's teams in each open cycle of the org."""
    teams = db.session.scalars(
        sa.select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.org_id == org.id, TeamMember.user_id == user.id)
        .order_by(Team.name)
    ).all()
    cycles = db.session.scalars(
        sa.select(Cycle)
        .where(Cycle.org_id == org.id, Cycle.closed_at.is_(None))
        .order_by(Cycle.opened_at.desc())
    ).all()
    if not teams or not cycles:
        return []
    responses = {
        (r.cycle_id, r.team_id): r
        for r in db.session.scalars(
            sa.select(Response).where(
                Response.user_id == user.id, Response.cycle_id.in_([c.id for c in cycles])
            )
        )
    }
    counts = dict(
        db.session.execute(
            sa.select(Answer.response_id, sa.func.count())
            .where(Answer.response_id.in_([r.id for r in responses.values()]))
            .group_by(Answer.response_id)
        ).all()
    )
    items = []
    for cycle in cycles:
        total = len(model_of(cycle.questionnaire).questions)
        for team in teams:
            response = responses.get((cycle.id, team.id))
            answered = counts.get(response.id, 0) if response else 0
            items.append(SurveyItem(team, cycle, response, answered, total))
    return items


@dataclass
class CycleProgress:
    """How far an open cycle has come: teams and people who have submitted, in counts only."""

    cycle: Cycle
    teams: int
    teams_answered: int
    people: int
    submitted: int
    drafts: int


def open_cycle_progress(org: Org) -> list[CycleProgress]:
    """Return the response progress of each open cycle of the org (no individual is named)."""
    cycles = db.session.scalars(
        sa.select(Cycle)
        .where(Cycle.org_id == org.id, Cycle.closed_at.is_(None))
        .order_by(Cycle.opened_at.desc())
    ).all()
    if not cycles:
        return []
    teams = db.session.scalar(sa.select(sa.func.count(Team.id)).where(Team.org_id == org.id))
    people = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(TeamMember.user_id)))
        .join(Team, Team.id == TeamMember.team_id)
        .where(Team.org_id == org.id)
    )
    counts = {
        (cycle_id, status): (n, answered_teams)
        for cycle_id, status, n, answered_teams in db.session.execute(
            sa.select(
                Response.cycle_id,
                Response.status,
                sa.func.count(),
                sa.func.count(sa.distinct(Response.team_id)),
            )
            .where(Response.cycle_id.in_([c.id for c in cycles]))
            .group_by(Response.cycle_id, Response.status)
        )
    }
    return [
        CycleProgress(
            cycle,
            teams,
            counts.get((cycle.id, "submitted"), (0, 0))[1],
            people,
            counts.get((cycle.id, "submitted"), (0, 0))[0],
            counts.get((cycle.id, "draft"), (0, 0))[0],
        )
        for cycle in cycles
    ]

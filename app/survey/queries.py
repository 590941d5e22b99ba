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

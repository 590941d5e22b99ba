"""Who sees a team's scores: the minimum-respondents rule applied to the signed-in person.

The read models store every team below the org's minimum without scores. Its own members
and lead always see their team, so views pass their rows through `reveal_own_rows` (for
dashboard rows) or `reveal_own_comparison` (for comparison rows), which put the team's
scores back for the teams the person belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import g
from flask_login import current_user

from .domain.privacy import is_suppressed, suppression_note
from .extensions import db
from .models import Cycle, Org, Team, TeamMember, TeamScoreRow

# Built once: asked on every page that may show a team's scores.
_MY_TEAMS = (
    sa.select(TeamMember.team_id)
    .join(Team, Team.id == TeamMember.team_id)
    .where(Team.org_id == sa.bindparam("org_id"), TeamMember.user_id == sa.bindparam("user_id"))
)
_RESPONDENTS = sa.select(TeamScoreRow.respondents).where(
    TeamScoreRow.cycle_id == sa.bindparam("cycle_id"),
    TeamScoreRow.team_id == sa.bindparam("team_id"),
    TeamScoreRow.challenge == "overall",
)


def my_team_ids(org: Org) -> set[int]:
    """Return the ids of the org's teams the signed-in person is in (as lead or member)."""
    cached = g.get("_my_team_ids")
    if cached is not None and cached[0] == org.id:
        return cached[1]
    ids = set(db.session.scalars(_MY_TEAMS, {"org_id": org.id, "user_id": current_user.id}))
    g._my_team_ids = (org.id, ids)
    return ids


def respondents(cycle: Cycle, team_id: int) -> int:
    """Return how many submitted responses a team has in a cycle (from its stored scores)."""
    return db.session.scalar(_RESPONDENTS, {"cycle_id": cycle.id, "team_id": team_id}) or 0


def hides_team(org: Org, cycle: Cycle, team: Team, count: int | None = None) -> bool:
    """Return True when the signed-in person may not see the team's scores in the cycle."""
    if org.min_respondents <= 1 or team.id in my_team_ids(org):
        return False
    count = respondents(cycle, team.id) if count is None else count
    return is_suppressed(count, org.min_respondents)


def note(org: Org) -> str:
    """Return the words shown instead of a hidden team's scores."""
    return suppression_note(org.min_respondents)


def _own_scores(cycle: Cycle, team_ids: Iterable[int]) -> dict[int, dict[str, float | None]]:
    """Return the stored scores of some teams in a cycle."""
    result: dict[int, dict[str, float | None]] = {}
    for team_id, key, score in db.session.execute(
        sa.select(TeamScoreRow.team_id, TeamScoreRow.challenge, TeamScoreRow.score).where(
            TeamScoreRow.cycle_id == cycle.id, TeamScoreRow.team_id.in_(list(team_ids))
        )
    ):
        result.setdefault(team_id, {})[key] = score
    return result


def reveal_own_rows(org: Org, cycle: Cycle, rows: list) -> list:
    """Return dashboard TeamRows with the person's own hidden teams shown with their scores."""
    own = [r.id for r in rows if r.suppressed and r.id in my_team_ids(org)]
    if not own:
        return rows
    scores = _own_scores(cycle, own)
    return [
        r._replace(
            suppressed=False,
            overall=scores.get(r.id, {}).get("overall"),
            scores={k: v for k, v in scores.get(r.id, {}).items() if k != "overall"},
        )
        if r.id in own
        else r
        for r in rows
    ]


def reveal_own_comparison(org: Org, cycle: Cycle, rows: list[dict]) -> list[dict]:
    """Return comparison rows with the person's own hidden teams' scores (never percentiles)."""
    own = [r["team_id"] for r in rows if r.get("suppressed") and r["team_id"] in my_team_ids(org)]
    if not own:
        return rows
    scores = _own_scores(cycle, own)
    return [
        {
            **r,
            "scores": {**r["scores"], **scores.get(r["team_id"], {})},
            "suppressed": False,
            "suppressed_reason": None,
        }
        if r["team_id"] in own
        else r
        for r in rows
    ]

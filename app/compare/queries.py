"""Reads for comparing teams: stored scores over cycles, and the pieces of a comparison."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

import sqlalchemy as sa

from ..domain.privacy import is_suppressed
from ..extensions import db
from ..models import Cycle, TeamScoreRow


def stored_history(
    cycles: Sequence[Cycle], min_respondents: int = 1, own: Collection[int] = ()
) -> dict[int, dict[int, dict[str, float | None]]]:
    """Return {cycle id: {team id: {challenge or 'overall': score}}} from stored scores (one query).

    A team below min_respondents in a cycle is left out of that cycle, unless it is one of
    the viewer's own teams.
    """
    result: dict[int, dict[int, dict]] = defaultdict(lambda: defaultdict(dict))
    rows = db.session.execute(
        sa.select(
            TeamScoreRow.cycle_id,
            TeamScoreRow.team_id,
            TeamScoreRow.challenge,
            TeamScoreRow.score,
            TeamScoreRow.respondents,
        ).where(TeamScoreRow.cycle_id.in_([c.id for c in cycles]))
    )
    for cycle_id, team_id, key, score, respondents in rows:
        if team_id not in own and is_suppressed(respondents, min_respondents):
            continue
        result[cycle_id][team_id][key] = score
    return result

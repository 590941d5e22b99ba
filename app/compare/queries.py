"""Reads for comparing teams: stored scores over cycles, and the pieces of a comparison."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa

from ..extensions import db
from ..models import Cycle, TeamScoreRow


def stored_history(cycles: Sequence[Cycle]) -> dict[int, dict[int, dict[str, float | None]]]:
    """Return {cycle id: {team id: {challenge or 'overall': score}}} from stored scores (one query)."""
    result: dict[int, dict[int, dict]] = defaultdict(lambda: defaultdict(dict))
    rows = db.session.execute(
        sa.select(
            TeamScoreRow.cycle_id, TeamScoreRow.team_id, TeamScoreRow.challenge, TeamScoreRow.score
        ).where(TeamScoreRow.cycle_id.in_([c.id for c in cycles]))
    )
    for cycle_id, team_id, key, score in rows:
        result[cycle_id][team_id][key] = score
    return result

"""Reads of the reports: cycles with results and the org's teams at a glance."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, g

from ..extensions import db
from ..models import Cycle, Org, Team, TeamScoreRow


def org_cycles(org: Org) -> list[Cycle]:
    """Return the org's cycles, newest first, each knowing whether it has responses (one query)."""
    rows = db.session.execute(_ORG_CYCLES, {"org_id": org.id}).all()
    for cycle, answered in rows:
        cycle.has_responses = bool(answered)
    return [cycle for cycle, _ in rows]


def _answered(cycle_id):
    """Return an EXISTS that is true when a team has submitted responses in the cycle.

    It stops at the first such team, whatever the number of teams.
    """
    return (
        sa.select(TeamScoreRow.id)
        .where(
            TeamScoreRow.cycle_id == cycle_id,
            TeamScoreRow.challenge == "overall",
            TeamScoreRow.respondents > 0,
        )
        .exists()
    )


# Built once: every report page asks it with an org id.
_ORG_CYCLES = (
    sa.select(Cycle, _answered(Cycle.id))
    .where(Cycle.org_id == sa.bindparam("org_id"))
    .order_by(Cycle.opened_at.desc())
)


def chosen_cycle(org: Org, cycles: list[Cycle], name: str | None) -> Cycle | None:
    """Return the cycle of that name (404 when the org has none), else the latest with responses.

    A new cycle has nothing to show until people submit, so by default pages show the latest
    cycle that has submitted responses, and the cycle picker says so (`g.cycle_note`).
    """
    if name:
        found = next((c for c in cycles if c.name == name), None)
        if found is None:
            abort(404)
        return found
    if not cycles:
        return None
    answered = cycles_with_responses(cycles)
    found = next((c for c in cycles if c.id in answered), None)
    if found is None:
        return cycles[0]
    if found.id != cycles[0].id:
        g.cycle_note = (
            f"Showing {found.name}, the latest cycle with submitted responses: "
            f"{cycles[0].name} has none yet."
        )
    return found


def cycles_with_responses(cycles: list[Cycle]) -> set[int]:
    """Return the ids of the cycles in which at least one team has a submitted response."""
    known = {c.id for c in cycles if getattr(c, "has_responses", False)}
    if all(hasattr(c, "has_responses") for c in cycles):
        return known  # org_cycles found out already
    return set(
        db.session.scalars(
            sa.select(Cycle.id).where(Cycle.id.in_([c.id for c in cycles]), _answered(Cycle.id))
        )
    )


def latest_cycle(org: Org) -> Cycle | None:
    """Return the org's latest cycle with responses, else its newest one."""
    return chosen_cycle(org, org_cycles(org), None)


def org_teams(org: Org) -> list[Team]:
    """Return the org's teams by business unit and name."""
    return db.session.scalars(
        sa.select(Team).where(Team.org_id == org.id).order_by(Team.business_unit, Team.name)
    ).all()


def org_overview(org: Org, cycle: Cycle):
    """Return every team of the org with its scores in the cycle, from the read model."""
    from .dashboard import team_rows

    return team_rows(cycle)

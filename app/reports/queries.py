"""Reads of the reports: cycles with results and the org's teams at a glance."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from ..extensions import db
from ..models import Cycle, Org, Team


def org_cycles(org: Org) -> list[Cycle]:
    """Return the org's cycles, newest first."""
    return db.session.scalars(
        sa.select(Cycle).where(Cycle.org_id == org.id).order_by(Cycle.opened_at.desc())
    ).all()


def chosen_cycle(org: Org, cycles: list[Cycle], name: str | None) -> Cycle | None:
    """Return the cycle of that name (404 when the org has none), or the newest one."""
    if name:
        found = next((c for c in cycles if c.name == name), None)
        if found is None:
            abort(404)
        return found
    return cycles[0] if cycles else None


def latest_cycle(org: Org) -> Cycle | None:
    """Return the org's newest cycle."""
    cycles = org_cycles(org)
    return cycles[0] if cycles else None


def org_teams(org: Org) -> list[Team]:
    """Return the org's teams by business unit and name."""
    return db.session.scalars(
        sa.select(Team).where(Team.org_id == org.id).order_by(Team.business_unit, Team.name)
    ).all()


def org_overview(org: Org, cycle: Cycle):
    """Return every team of the org with its scores in the cycle, from the read model."""
    from .dashboard import team_rows

    return team_rows(cycle)

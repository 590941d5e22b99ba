"""Who may see what: loaders that return an object only to those allowed, 404 otherwise."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, g
from flask_login import current_user

from .dbutil import get_by_id
from .extensions import db
from .models import Cycle, Membership, Org, Team, TeamMember


def _org_query():
    """Return the org, membership and leads-a-team query, built once, asked with slug and user."""
    leads = (
        sa.select(TeamMember.id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(
            Team.org_id == Org.id,
            TeamMember.user_id == sa.bindparam("user_id"),
            TeamMember.role == "lead",
        )
        .exists()
    )
    return (
        sa.select(Org, Membership, leads)
        .join(Membership, Membership.org_id == Org.id)
        .where(Org.slug == sa.bindparam("slug"), Membership.user_id == sa.bindparam("user_id"))
    )


_ORG = _org_query()


def get_org_or_404(slug: str) -> Org:
    """Return the org when the signed-in user belongs to it; remember their membership in g."""
    row = db.session.execute(_ORG, {"slug": slug, "user_id": current_user.id}).first()
    if row is None:
        abort(404)
    g.org, g.membership, g.leads_a_team = row
    return row[0]


def require_org_role(*roles: str) -> None:
    """Refuse with 403 unless the user's role in g.org is one of roles."""
    if g.membership.role not in roles:
        abort(403, "Your role in this organisation does not allow this page.")


def is_org_admin() -> bool:
    """Return True when the signed-in user administers g.org."""
    return g.membership.role == "admin"


def sees_org_reports() -> bool:
    """Return True for executives and admins, who see every team's aggregates."""
    return g.membership.role in ("admin", "executive")


def get_team_or_404(org: Org, team_id: int) -> Team:
    """Return the team when it belongs to org (which the user already belongs to)."""
    team = get_by_id(Team, team_id)
    if team is None or team.org_id != org.id:
        abort(404)
    return team


def team_role(team: Team, user_id: int) -> str | None:
    """Return 'lead', 'member' or None for the user's place in the team."""
    return db.session.scalar(_TEAM_ROLE, {"team_id": team.id, "user_id": user_id})


_TEAM_ROLE = sa.select(TeamMember.role).where(
    TeamMember.team_id == sa.bindparam("team_id"), TeamMember.user_id == sa.bindparam("user_id")
)


def is_team_lead(team: Team) -> bool:
    """Return True when the signed-in user leads the team."""
    return team_role(team, current_user.id) == "lead"


def get_cycle_or_404(org: Org, name: str) -> Cycle:
    """Return the org's cycle of that name."""
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.org_id == org.id, Cycle.name == name))
    if cycle is None:
        abort(404)
    return cycle


def user_orgs(user_id: int) -> list[tuple[Org, str]]:
    """Return the orgs the user belongs to, with their role, by name."""
    rows = db.session.execute(
        sa.select(Org, Membership.role)
        .join(Membership, Membership.org_id == Org.id)
        .where(Membership.user_id == user_id)
        .order_by(Org.name)
    ).all()
    return [(org, role) for org, role in rows]

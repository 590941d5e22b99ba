"""Roster import and export: set up an org's people, teams and roles from one CSV file.

An import changes only what differs from the file, all or nothing: a second import of the
same file changes nothing. New people get no password; with `invite`, each is sent an
invitation (and an account of another org is invited to accept, never joined).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import sqlalchemy as sa

from .auth import links
from .domain.inputs import csv_row
from .domain.roster import COLUMNS, RosterRejected, RosterRow
from .extensions import db
from .models import Membership, Org, Team, TeamMember, User
from .orgs import operations as org_ops


@dataclass
class RosterResult:
    """What an import changed (or, in a dry run, would change)."""

    people_created: int = 0
    people_renamed: int = 0
    roles_changed: int = 0
    teams_created: int = 0
    teams_changed: int = 0
    memberships: int = 0
    job_roles: int = 0
    invited: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Return True when the import changed anything."""
        return bool(self.changes)

    def summary(self) -> str:
        """Return the counts in words."""
        parts = [
            (self.people_created, "people created"),
            (self.people_renamed, "names changed"),
            (self.roles_changed, "org roles set"),
            (self.teams_created, "teams created"),
            (self.teams_changed, "business units changed"),
            (self.memberships, "team places set"),
            (self.job_roles, "job roles set"),
            (self.invited, "invitations sent"),
        ]
        shown = [f"{n} {words}" for n, words in parts if n]
        return ", ".join(shown) if shown else "nothing to change"


def import_roster(
    org: Org, rows: list[RosterRow], file: str, inviter: str, invite: bool = False
) -> RosterResult:
    """Apply the roster's rows to the org; raise RosterRejected naming the rows that cannot be."""
    result = RosterResult()
    emails = {r.email for r in rows}
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    roles = dict(
        db.session.execute(
            sa.select(Membership.user_id, Membership.role).where(Membership.org_id == org.id)
        ).all()
    )
    teams = {t.name: t for t in db.session.scalars(sa.select(Team).where(Team.org_id == org.id))}
    places = {
        (m.team_id, m.user_id): m
        for m in db.session.scalars(sa.select(TeamMember).join(Team).where(Team.org_id == org.id))
    }
    problems = [
        f"{file}:{r.line}: {r.email} has an account outside {org.slug}; "
        + ("it is invited to join" if invite else "use --invite to invite them")
        for r in rows
        if r.email in users and users[r.email].id not in roles and not invite
    ]
    if problems:
        raise RosterRejected(problems)
    outside = set()
    for row in rows:
        user = users.get(row.email)
        if user is None:
            user = users[row.email] = org_ops.create_user_without_password(
                row.email, row.name or row.email
            )
            result.people_created += 1
            result.changes.append(f"line {row.line}: new person {row.email}")
        elif user.id not in roles and user.id not in outside:
            # Another org's account: invited to accept, never joined by an import.
            outside.add(user.id)
            links.send_invitation(org, user, row.org_role or "member", inviter)
            result.invited += 1
            result.changes.append(f"line {row.line}: invited {row.email}")
            continue
        if user.id in outside:
            continue
        if row.name and row.name != user.name and user.id in roles:
            user.name = row.name
            result.people_renamed += 1
            result.changes.append(f"line {row.line}: {row.email} is named {row.name}")
        wanted = row.org_role or roles.get(user.id) or "member"
        if roles.get(user.id) != wanted:
            try:
                org_ops.set_org_role(org, user, wanted)
            except org_ops.AdminError as exc:
                raise RosterRejected([f"{file}:{row.line}: {exc}"]) from None
            roles[user.id] = wanted
            result.roles_changed += 1
            result.changes.append(f"line {row.line}: {row.email} is {wanted}")
        if row.team:
            _place(org, row, user, teams, places, result)
    if invite:
        pending = {u.id for _, u in links.pending_invitations(org)}
        for user in sorted({users[r.email] for r in rows}, key=lambda u: u.email):
            if (
                user.id in roles
                and not user.has_usable_password
                and user.active
                and user.id not in pending
            ):
                links.send_invitation(org, user, roles[user.id], inviter)
                result.invited += 1
                result.changes.append(f"invited {user.email}")
    db.session.flush()
    return result


def _place(org, row: RosterRow, user: User, teams: dict, places: dict, result) -> None:
    """Put the person in the row's team with its team role and job role (creating the team)."""
    team = teams.get(row.team)
    if team is None:
        team = teams[row.team] = org_ops.create_team(org, row.team, row.business_unit)
        result.teams_created += 1
        result.changes.append(f"line {row.line}: new team {row.team}")
    elif row.business_unit and team.business_unit != row.business_unit:
        team.business_unit = row.business_unit
        result.teams_changed += 1
        result.changes.append(f"line {row.line}: {row.team} is in {row.business_unit}")
    place = places.get((team.id, user.id))
    wanted = row.team_role or (place.role if place else "member")
    if place is None or place.role != wanted:
        place = places[(team.id, user.id)] = org_ops.put_in_team(team, user, wanted)
        result.memberships += 1
        result.changes.append(f"line {row.line}: {row.email} is {wanted} of {row.team}")
    if row.job_role and place.job_role != row.job_role:
        org_ops.set_job_role(place, row.job_role)
        result.job_roles += 1
        result.changes.append(f"line {row.line}: {row.email} works in {row.job_role}")


def export_rows(org: Org) -> list[list[str]]:
    """Return the org's roster: one row per person and team (a person on no team: one row)."""
    people = db.session.execute(
        sa.select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org.id)
        .order_by(User.email)
    ).all()
    places: dict[int, list] = {}
    for member, team in db.session.execute(
        sa.select(TeamMember, Team)
        .join(Team, Team.id == TeamMember.team_id)
        .where(Team.org_id == org.id)
        .order_by(Team.name)
    ):
        places.setdefault(member.user_id, []).append((member, team))
    rows = []
    for user, role in people:
        for member, team in places.get(user.id, []) or [(None, None)]:
            rows.append(
                [
                    user.email,
                    user.name,
                    team.name if team else "",
                    team.business_unit if team else "",
                    member.role if member else "",
                    (member.job_role or "") if member else "",
                    role,
                ]
            )
    return rows


def export_csv(org: Org) -> str:
    """Return the roster as CSV text with the import's columns, formula cells neutralized."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in export_rows(org):
        writer.writerow(csv_row(row))
    return out.getvalue()

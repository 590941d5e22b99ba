"""Writes of org administration: orgs, people, memberships, teams and cycles."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time

import sqlalchemy as sa

from .. import audit
from ..comparisons import request_org_rebuild, request_rebuild, touch_teams
from ..extensions import db
from ..models import (
    ORG_ROLES,
    TEAM_ROLES,
    Cycle,
    Membership,
    Org,
    QuestionnaireVersion,
    Team,
    TeamMember,
    User,
    utcnow,
)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
CYCLE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")


class AdminError(Exception):
    """An administrative change that cannot be made, with a message for the person."""


def create_org(slug: str, name: str) -> Org:
    """Create an org with a unique slug."""
    if not SLUG_RE.match(slug):
        raise AdminError("An org slug uses lowercase letters, digits and dashes.")
    if db.session.scalar(sa.select(Org.id).where(Org.slug == slug)):
        raise AdminError(f"An org with the slug '{slug}' exists already.")
    org = Org(slug=slug, name=name.strip() or slug)
    db.session.add(org)
    db.session.flush()
    audit.record(org, "settings.org_created", f"Created the org {org.name}", target=("org", slug))
    return org


def one_time_password() -> str:
    """Return a random password to hand over once."""
    return secrets.token_urlsafe(12)


def create_user(email: str, name: str, password: str | None) -> tuple[User, str | None]:
    """Create a person; without a password, make a one-time one and return it."""
    generated = None if password else one_time_password()
    user = _new_user(email, name)
    user.must_change_password = bool(generated)
    user.set_password(password or generated)
    db.session.add(user)
    db.session.flush()
    return user, generated


def create_user_without_password(email: str, name: str) -> User:
    """Create a person who cannot sign in with a password: they join by invitation or SSO.

    No password is hashed (an import may create hundreds of people at once).
    """
    user = _new_user(email, name)
    user.set_unusable_password()
    db.session.add(user)
    db.session.flush()
    return user


def _new_user(email: str, name: str) -> User:
    """Return a new person with a checked, unused email (not added to the session yet)."""
    email = email.strip().lower()
    if not email or "@" not in email:
        raise AdminError(f"'{email}' is not an email address.")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise AdminError(f"A person with the email {email} exists already.")
    return User(email=email, name=name.strip() or email)


def member_by_email(org: Org, email: str) -> User | None:
    """Return the person of the org with this email address, or None."""
    return db.session.scalar(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org.id, User.email == email.strip().lower())
    )


def invite_person(org: Org, email: str, name: str, role: str, inviter: str) -> str:
    """Invite a person to the org by email; return "member" when they belong already.

    An unknown address gets an account without a password and joins when the invitation is
    used; an account of another org is invited to accept, and nothing about it is shown.
    """
    from ..auth import links

    if role not in ORG_ROLES:
        raise AdminError(f"'{role}' is not a role; use one of {', '.join(ORG_ROLES)}.")
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        in_org = db.session.scalar(
            sa.select(Membership.id).where(
                Membership.org_id == org.id, Membership.user_id == user.id
            )
        )
        if in_org:
            set_org_role(org, user, role)
            return "member"
    else:
        user = create_user_without_password(email, name)
    links.send_invitation(org, user, role, inviter)
    return "invited"


def cancel_invitation(org: Org, link, user: User) -> None:
    """Cancel a pending invitation (an account made only for it stays, without access)."""
    link.cancelled_at = utcnow()
    audit.record(
        org,
        "person.invitation_cancelled",
        f"Cancelled the invitation to {user.email}",
        target=("person", user.id),
    )


def set_active(org: Org, user: User, active: bool) -> None:
    """Deactivate a person (no sign-in, no tokens, no reminders or assignments) or reactivate."""
    from ..auth import sessions

    if active == user.active:
        return
    if not active:
        membership = db.session.scalar(
            sa.select(Membership).where(Membership.org_id == org.id, Membership.user_id == user.id)
        )
        active_admins = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.org_id == org.id,
                Membership.role == "admin",
                User.deactivated_at.is_(None),
            )
        )
        if membership is not None and membership.role == "admin" and active_admins <= 1:
            raise AdminError("An organisation needs at least one active admin.")
        user.deactivated_at = utcnow()
        sessions.revoke(user.id)
    else:
        user.deactivated_at = None
    db.session.flush()
    audit.record(
        org,
        "person.activated" if active else "person.deactivated",
        f"{'Reactivated' if active else 'Deactivated'} {user.name}",
        target=("person", user.id),
    )


def set_org_role(org: Org, user: User, role: str) -> Membership:
    """Give a person a role in the org, adding them to it when needed."""
    if role not in ORG_ROLES:
        raise AdminError(f"'{role}' is not a role; use one of {', '.join(ORG_ROLES)}.")
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.org_id == org.id, Membership.user_id == user.id)
    )
    before = membership.role if membership else None
    if membership is None:
        membership = Membership(org_id=org.id, user_id=user.id, role=role)
        db.session.add(membership)
    else:
        if membership.role == "admin" and role != "admin" and _admin_count(org) <= 1:
            raise AdminError("An organisation needs at least one admin.")
        membership.role = role
    db.session.flush()
    if before != role:
        audit.record(
            org,
            "person.role" if before else "person.added",
            f"{user.name} is {role}" if before else f"Added {user.name} as {role}",
            target=("person", user.id),
            before={"role": before} if before else None,
            after={"role": role, "email": user.email},
        )
    return membership


def _admin_count(org: Org) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(Membership.org_id == org.id, Membership.role == "admin")
    )


def create_team(org: Org, name: str, business_unit: str) -> Team:
    """Create a team with a business unit; names are unique in the org."""
    name = name.strip()
    if not name:
        raise AdminError("A team needs a name.")
    if len(name) > 200 or len(business_unit.strip()) > 200:
        raise AdminError("A team name and a business unit have at most 200 characters each.")
    if db.session.scalar(sa.select(Team.id).where(Team.org_id == org.id, Team.name == name)):
        raise AdminError(f"A team called {name} exists already.")
    team = Team(org_id=org.id, name=name, business_unit=business_unit.strip())
    db.session.add(team)
    db.session.flush()
    audit.record(
        org,
        "team.created",
        f"Created the team {team.name}",
        target=("team", team.id),
        after={"name": team.name, "business_unit": team.business_unit},
    )
    request_org_rebuild(org.id)
    return team


def put_in_team(team: Team, user: User, role: str) -> TeamMember:
    """Put a person of the team's org in the team as lead or member (or change their place)."""
    if role not in TEAM_ROLES:
        raise AdminError(f"'{role}' is not a team role; use lead or member.")
    in_org = db.session.scalar(
        sa.select(Membership.id).where(
            Membership.org_id == team.org_id, Membership.user_id == user.id
        )
    )
    if not in_org:
        raise AdminError(f"{user.email} is not in this organisation.")
    member = db.session.scalar(
        sa.select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user.id)
    )
    before = member.role if member else None
    if member is None:
        member = TeamMember(team_id=team.id, user_id=user.id, role=role)
        db.session.add(member)
    else:
        member.role = role
    db.session.flush()
    if before != role:
        audit.record(
            team.org_id,
            "team.member",
            f"{user.name} is {role} of {team.name}",
            target=("team", team.id),
            before={"person": user.id, "team_role": before} if before else None,
            after={"person": user.id, "team_role": role},
        )
    touch_teams([team.id])
    return member


def set_job_role(member: TeamMember, job_role: str | None) -> None:
    """Set the job role a person has in a team (it decides the modules they are assigned)."""
    from ..domain.vocabulary import ROLES

    job_role = job_role or None
    if job_role is not None and job_role not in ROLES:
        raise AdminError(
            f"'{str(job_role)[:40]}' is not a job role; use one of {', '.join(ROLES)}."
        )
    if member.job_role == job_role:
        return
    team = db.session.get(Team, member.team_id)
    user = db.session.get(User, member.user_id)
    audit.record(
        team.org_id,
        "team.job_role",
        f"{user.name} works in {job_role or 'no set job role'} in {team.name}",
        target=("team", team.id),
        before={"person": user.id, "job_role": member.job_role},
        after={"person": user.id, "job_role": job_role},
    )
    member.job_role = job_role
    db.session.flush()


def remove_from_team(team: Team, user_id: int) -> None:
    """Take a person out of a team; their past responses stay."""
    result = db.session.execute(
        sa.delete(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id)
    )
    if result.rowcount:
        name = db.session.scalar(sa.select(User.name).where(User.id == user_id))
        audit.record(
            team.org_id,
            "team.member_removed",
            f"Took {name} out of {team.name}",
            target=("team", team.id),
            before={"person": user_id},
        )
    touch_teams([team.id])


def deadline_of(day: date | None) -> datetime | None:
    """Return the stored deadline of a day: its last second, UTC."""
    return datetime.combine(day, time(23, 59, 59)) if day else None


def set_deadline(cycle: Cycle, day: date | None) -> None:
    """Set or clear an open cycle's deadline; a past day is refused."""
    if cycle.closed_at is not None:
        raise AdminError(f"{cycle.name} is closed; reopen it to change its deadline.")
    deadline = deadline_of(day)
    if deadline is not None and deadline < utcnow():
        raise AdminError("A deadline is today or later.")
    if deadline == cycle.deadline:
        return
    audit.record(
        cycle.org_id,
        "cycle.deadline",
        f"{cycle.name} is due {day:%d %b %Y}" if day else f"{cycle.name} has no deadline",
        target=("cycle", cycle.name),
        before={"deadline": cycle.deadline},
        after={"deadline": deadline},
    )
    cycle.deadline = deadline
    db.session.flush()


def open_cycle(
    org: Org, name: str, questionnaire: QuestionnaireVersion, deadline: date | None = None
) -> Cycle:
    """Open a new cycle on a questionnaire version, with an optional deadline."""
    if not CYCLE_RE.match(name):
        raise AdminError(
            "A cycle name uses letters, digits, dots, dashes or underscores, like 2026-Q4."
        )
    if db.session.scalar(sa.select(Cycle.id).where(Cycle.org_id == org.id, Cycle.name == name)):
        raise AdminError(f"The cycle {name} exists already.")
    _refuse_second_open(org.id, questionnaire.key, name)
    if deadline is not None and deadline_of(deadline) < utcnow():
        raise AdminError("A deadline is today or later.")
    cycle = Cycle(
        org_id=org.id,
        name=name,
        questionnaire_id=questionnaire.id,
        opened_at=utcnow(),
        deadline=deadline_of(deadline),
    )
    db.session.add(cycle)
    db.session.flush()
    audit.record(
        org,
        "cycle.opened",
        f"Opened the cycle {name}",
        target=("cycle", name),
        after={
            "questionnaire": questionnaire.key,
            "version": questionnaire.version,
            "deadline": cycle.deadline,
        },
    )
    request_rebuild([cycle.id])
    return cycle


def _refuse_second_open(org_id: int, key: str, name: str) -> None:
    """Raise AdminError when the org has an open cycle on the same questionnaire."""
    other = db.session.scalar(
        sa.select(Cycle.name)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Cycle.questionnaire_id)
        .where(
            Cycle.org_id == org_id,
            Cycle.closed_at.is_(None),
            QuestionnaireVersion.key == key,
            Cycle.name != name,
        )
    )
    if other:
        raise AdminError(
            f"{other} is still open. Close it before opening {name}: one cycle of a "
            "questionnaire runs at a time, so nobody answers two at once."
        )


def reopen_cycle(cycle: Cycle) -> bool:
    """Open a closed cycle again for answers; return False when it was open already."""
    if cycle.closed_at is None:
        return False
    _refuse_second_open(cycle.org_id, cycle.questionnaire.key, cycle.name)
    closed_at, cycle.closed_at, cycle.frozen_targets = cycle.closed_at, None, None
    db.session.flush()
    audit.record(
        cycle.org_id,
        "cycle.reopened",
        f"Reopened the cycle {cycle.name}",
        target=("cycle", cycle.name),
        before={"closed_at": closed_at},
    )
    return True


def close_cycle(cycle: Cycle) -> bool:
    """Close a cycle, freezing its responses; return False when it was closed already."""
    if cycle.closed_at is not None:
        return False
    cycle.closed_at = utcnow()
    cycle.frozen_targets = _current_targets(cycle.org_id)
    db.session.flush()
    audit.record(
        cycle.org_id,
        "cycle.closed",
        f"Closed the cycle {cycle.name}",
        target=("cycle", cycle.name),
        after={"closed_at": cycle.closed_at},
    )
    return True


def _current_targets(org_id: int) -> dict[str, dict[str, int]]:
    """Return every team's targets now, as a closed cycle keeps them: {team id: {challenge: level}}."""
    from ..roadmap.queries import targets_for

    teams = db.session.scalars(sa.select(Team).where(Team.org_id == org_id)).all()
    return {str(team_id): dict(levels) for team_id, levels in targets_for(teams).items()}

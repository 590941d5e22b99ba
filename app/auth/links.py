"""One-time links sent by email: invitations to join an org, and password resets.

A link carries a random token; only its SHA-256 is stored. It works once, until it expires,
and issuing a new link of the same kind for the same person (and org) cancels the old one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request, url_for

from .. import audit, mail
from ..extensions import db
from ..models import Membership, OneTimeLink, Org, User, utcnow

INVITATION_DAYS = 7
RESET_HOURS = 1


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    kind: str, user: User, lifetime: timedelta, org: Org | None = None, role: str | None = None
) -> tuple[OneTimeLink, str]:
    """Create a link for the person, cancelling their earlier open link of the same kind."""
    now = utcnow()
    query = sa.update(OneTimeLink).where(
        OneTimeLink.kind == kind,
        OneTimeLink.user_id == user.id,
        OneTimeLink.used_at.is_(None),
        OneTimeLink.cancelled_at.is_(None),
    )
    if org is not None:
        query = query.where(OneTimeLink.org_id == org.id)
    db.session.execute(query.values(cancelled_at=now))
    token = secrets.token_urlsafe(32)
    link = OneTimeLink(
        kind=kind,
        user_id=user.id,
        org_id=org.id if org else None,
        role=role,
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + lifetime,
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def find(kind: str, token: str) -> OneTimeLink | None:
    """Return the open, unexpired link of that kind for the token, else None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(OneTimeLink).where(
            OneTimeLink.kind == kind,
            OneTimeLink.token_hash == _digest(token),
            OneTimeLink.used_at.is_(None),
            OneTimeLink.cancelled_at.is_(None),
            OneTimeLink.expires_at > utcnow(),
        )
    )


def external_url(endpoint: str, **values) -> str:
    """Return an absolute URL: the configured BASE_URL, else the request's host."""
    base = current_app.config.get("BASE_URL")
    if has_request_context() and not base:
        return url_for(endpoint, _external=True, **values)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return (base or "http://localhost:5000").rstrip("/") + path


def _when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y %H:%M")


def send_invitation(org: Org, user: User, role: str, inviter: str) -> OneTimeLink:
    """Issue an invitation to the org and email it; the person joins when they use it."""
    link, token = issue("invite", user, timedelta(days=INVITATION_DAYS), org, role)
    mail.compose(
        user.email,
        f"{inviter} invited you to {org.name} on Ascent",
        "invitation",
        org.slug,
        name=user.name if user.has_usable_password else "",
        inviter=inviter,
        org_name=org.name,
        role=role,
        needs_password=not user.has_usable_password,
        link=external_url("auth.accept_invitation", token=token),
        expires=_when(link.expires_at),
    )
    audit.record(
        org,
        "person.invited",
        f"Invited {user.email} as {role}",
        target=("person", user.id),
        after={"email": user.email, "role": role, "expires_at": link.expires_at},
    )
    return link


def send_reset(user: User) -> None:
    """Issue a password reset link for one hour and email it."""
    link, token = issue("reset", user, timedelta(hours=RESET_HOURS))
    orgs = db.session.scalars(
        sa.select(Org.slug).join(Membership).where(Membership.user_id == user.id)
    ).all()
    mail.compose(
        user.email,
        "Reset your Ascent password",
        "reset",
        orgs[0] if len(orgs) == 1 else None,
        name=user.name,
        link=external_url("auth.reset_password", token=token),
        expires=_when(link.expires_at),
    )
    audit.record_for_person(
        user,
        "person.reset_requested",
        f"Password reset requested for person #{user.id}",
        actor_label=f"someone at {request.remote_addr if has_request_context() else 'command line'}",
    )


def pending_invitations(org: Org) -> list[tuple[OneTimeLink, User]]:
    """Return the org's open invitations with their people, newest first."""
    return db.session.execute(
        sa.select(OneTimeLink, User)
        .join(User, User.id == OneTimeLink.user_id)
        .where(
            OneTimeLink.kind == "invite",
            OneTimeLink.org_id == org.id,
            OneTimeLink.used_at.is_(None),
            OneTimeLink.cancelled_at.is_(None),
        )
        .order_by(OneTimeLink.created_at.desc())
    ).all()


def use(link: OneTimeLink) -> None:
    """Mark the link used, so it never works again."""
    link.used_at = utcnow()
    db.session.flush()

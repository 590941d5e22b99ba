"""Personal access tokens: created once, stored as a hash, acting with the owner's rights."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import g, request

from ..dbutil import get_by_id
from ..extensions import db
from ..models import ApiToken, User, utcnow

PREFIX = "asc_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for a person; return the row and the token, shown this once."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=(name or "token").strip()[:120],
        token_hash=_digest(token),
        prefix=token[:10],
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of the person's tokens; return False when there is no such token."""
    row = get_by_id(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        return False
    row.revoked_at = row.revoked_at or utcnow()
    db.session.flush()
    return True


def user_from_request() -> User | None:
    """Return the owner of the request's bearer token when it is valid and not revoked."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    row = db.session.execute(
        sa.select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == _digest(token.strip()),
            ApiToken.revoked_at.is_(None),
            User.deactivated_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    token_row, user = row
    g.api_token = token_row
    now = utcnow()
    if token_row.last_used_at is None or now - token_row.last_used_at > timedelta(hours=1):
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == token_row.id).values(last_used_at=now)
        )
        db.session.commit()
    return user

"""Sign-ins the server can revoke: each one is a row; its cookie holds the row and a secret.

Flask-Login keeps `User.get_id()` in the session cookie and, with "keep me signed in", in
the remember cookie. That id names a UserSession row and carries its secret (only a hash is
stored), so ending the row ends both cookies, on every host.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from flask_login import login_user, logout_user

from ..extensions import db
from ..models import User, UserSession, utcnow


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def sign_in(user: User, remember: bool = False) -> None:
    """Start a revocable session for the person and sign them in."""
    secret = secrets.token_urlsafe(24)
    row = UserSession(user_id=user.id, secret_hash=_hash(secret))
    db.session.add(row)
    db.session.flush()
    user.session_token = f"{row.id}.{secret}"
    login_user(user, remember=remember)


# Built once: every signed-in request asks it.
_LIVE_SESSION = (
    sa.select(User, UserSession.secret_hash)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        User.id == sa.bindparam("user_id"),
        UserSession.id == sa.bindparam("row_id"),
        UserSession.revoked_at.is_(None),
        User.deactivated_at.is_(None),
    )
)


def load(session_id: str) -> User | None:
    """Return the person of a live session id ('user:row.secret'), or None (one query)."""
    user_part, _, token = session_id.partition(":")
    row_part, _, secret = token.partition(".")
    if not (user_part.isascii() and user_part.isdigit() and row_part.isascii()):
        return None
    if not row_part.isdigit() or not secret or len(secret) > 100:
        return None
    found = db.session.execute(
        _LIVE_SESSION, {"user_id": int(user_part), "row_id": int(row_part)}
    ).one_or_none()
    if found is None or not hmac.compare_digest(found[1], _hash(secret)):
        return None
    user = found[0]
    user.session_token = token
    return user


def sign_out(user: User) -> None:
    """End the current session: its session and remember cookies stop working everywhere."""
    row_id = _row_id(user)
    if row_id is not None:
        revoke(user.id, only=[row_id])
    logout_user()


def revoke(user_id: int, only: Iterable[int] | None = None, keep: int | None = None) -> int:
    """End the person's sessions (all, only some, or all but one); return how many ended."""
    query = sa.update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if only is not None:
        query = query.where(UserSession.id.in_(list(only)))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return db.session.execute(query.values(revoked_at=utcnow())).rowcount


def current_row(user: User) -> int | None:
    """Return the id of the session this person object was loaded for."""
    return _row_id(user)


def _row_id(user: User) -> int | None:
    token = user.session_token or ""
    row = token.partition(".")[0]
    return int(row) if row.isascii() and row.isdigit() else None

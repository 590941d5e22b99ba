"""The audit trail: an append-only record of every change a person or the command line makes.

Writes call `record(...)` inside their own transaction, so an entry exists exactly when the
change was committed. The actor is the signed-in person (pages), the token's owner (API), or
"command line" outside a request. Nothing here updates an entry; `purge_expired` deletes only
entries older than each org's retention.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user

from .domain.inputs import csv_row
from .extensions import db
from .models import AuditEntry, Membership, Org, User, utcnow

COMMAND_LINE = "command line"

# The kinds of entry, by group, as the admin page's filter lists them.
KINDS = {
    "person": "People: added, role, erased, signed out everywhere",
    "team": "Teams and memberships",
    "cycle": "Cycles: opened, closed, reopened, imports",
    "target": "Targets, capacity and target profiles",
    "ownership": "Ownership matrix",
    "roadmap": "Roadmap action statuses",
    "settings": "Org settings",
    "token": "API tokens",
    "signin": "Sign-ins, failed and succeeded",
    "privacy": "Data exports and erasures",
}


def _actor() -> tuple[int | None, str]:
    """Return who is acting: the signed-in person or token owner, else the command line."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.name
    return None, COMMAND_LINE


def record(
    org: Org | int | None,
    kind: str,
    summary: str,
    *,
    target: tuple[str, object] | None = None,
    before: dict | None = None,
    after: dict | None = None,
    actor: User | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the session (committed with the change it describes)."""
    actor_id, actor_name = (actor.id, actor.name) if actor is not None else _actor()
    if actor_label is not None:
        actor_id, actor_name = None, actor_label
    object_type, object_id = target if target else ("", "")
    entry = AuditEntry(
        org_id=org.id if isinstance(org, Org) else org,
        at=utcnow(),
        actor_id=actor_id,
        actor=actor_name[:200],
        kind=kind[:60],
        object_type=str(object_type)[:40],
        object_id=str(object_id)[:120],
        summary=summary[:500],
        before=_plain(before),
        after=_plain(after),
    )
    db.session.add(entry)
    return entry


def record_for_person(user: User, kind: str, summary: str, **details) -> None:
    """Record a change to a person's own account in every org they belong to."""
    org_ids = db.session.scalars(
        sa.select(Membership.org_id).where(Membership.user_id == user.id)
    ).all()
    for org_id in org_ids or [None]:
        record(org_id, kind, summary, target=("person", user.id), **details)


def _plain(value: dict | None) -> dict | None:
    """Return value as JSON-safe data (dates as ISO text)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str))


def entries_query(
    org: Org,
    *,
    person: str = "",
    kind: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
):
    """Return a select of the org's entries, newest first, filtered."""
    query = sa.select(AuditEntry).where(AuditEntry.org_id == org.id)
    if person:
        query = query.where(AuditEntry.actor.ilike(f"%{_escape_like(person)}%", escape="\\"))
    if kind:
        query = query.where(
            sa.or_(AuditEntry.kind == kind, AuditEntry.kind.startswith(f"{kind}.", autoescape=True))
        )
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until + timedelta(days=1))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def as_dict(entry: AuditEntry) -> dict:
    """Return an entry as plain data, for JSON exports and the API."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(timespec="seconds") + "Z",
        "actor": entry.actor,
        "actor_id": entry.actor_id,
        "kind": entry.kind,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "summary": entry.summary,
        "before": entry.before,
        "after": entry.after,
    }


COLUMNS = ["at", "actor", "kind", "object_type", "object_id", "summary", "before", "after"]


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """Return entries as CSV text, with formula cells neutralized."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in entries:
        row = as_dict(entry)
        writer.writerow(
            csv_row(
                [
                    row["at"],
                    row["actor"],
                    row["kind"],
                    row["object_type"],
                    row["object_id"],
                    row["summary"],
                    json.dumps(row["before"]) if row["before"] is not None else "",
                    json.dumps(row["after"]) if row["after"] is not None else "",
                ]
            )
        )
    return out.getvalue()


def purge_expired(now: datetime | None = None) -> int:
    """Delete the entries older than their org's retention; return how many went."""
    now = now or utcnow()
    removed = 0
    for org_id, days in db.session.execute(
        sa.select(Org.id, Org.audit_retention_days).where(Org.audit_retention_days > 0)
    ):
        result = db.session.execute(
            sa.delete(AuditEntry).where(
                AuditEntry.org_id == org_id, AuditEntry.at < now - timedelta(days=days)
            )
        )
        removed += result.rowcount or 0
    db.session.commit()
    return removed

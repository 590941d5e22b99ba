"""Database helpers that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db


def insert_for(model):
    """Return an INSERT for model in the session's dialect, which offers ON CONFLICT."""
    name = db.session.get_bind().dialect.name
    module = postgresql if name == "postgresql" else sqlite
    return module.insert(model)


def upsert(model, rows: list[dict], conflict: list[str], update: list[str]) -> None:
    """Insert rows, or update the listed columns of the rows that already exist."""
    if not rows:
        return
    stmt = insert_for(model).values(rows)
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=conflict, set_={name: stmt.excluded[name] for name in update}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=conflict)
    db.session.execute(stmt)


from .domain.inputs import MAX_ID  # noqa: E402  (re-exported for the URL converter)


def get_by_id(model, ident):
    """Return the row with this primary key, or None for a missing or out-of-range id."""
    if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident)

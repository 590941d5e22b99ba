"""Database helpers that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db


def insert_for(model):
    """Return an INSERT for model in the session's dialect, which offers ON CONFLICT."""
    name = db.session.get_bind().dialect.name
    module = postgresql if name == "postgresql" else sqlite
    return module.insert(model)


# SQLite before 3.32 binds at most 999 variables in a statement (later ones 32,766): a
# multi-row VALUES stays under the smaller limit whatever the number of rows.
MAX_VARIABLES = 999


def upsert(model, rows: list[dict], conflict: list[str], update: list[str]) -> None:
    """Insert rows, or update the listed columns of the rows that already exist.

    Rows go in multi-row statements of at most MAX_VARIABLES bound values each.
    """
    if not rows:
        return
    per_statement = max(1, MAX_VARIABLES // max(len(row) for row in rows))
    for start in range(0, len(rows), per_statement):
        stmt = insert_for(model).values(rows[start : start + per_statement])
        db.session.execute(_on_conflict(stmt, conflict, update))


def upsert_many(model, rows: list[dict], conflict: list[str], update: list[str]) -> None:
    """Upsert rows with the same keys through one executemany of a single-row statement.

    The fast way for thousands of rows: one prepared statement, no bound-variable limit.
    """
    if rows:
        stmt = _on_conflict(insert_for(model.__table__), conflict, update)
        db.session.execute(stmt, rows)


def _on_conflict(stmt, conflict: list[str], update: list[str]):
    """Return the insert that updates the listed columns (or does nothing) on a conflict."""
    if update:
        return stmt.on_conflict_do_update(
            index_elements=conflict, set_={name: stmt.excluded[name] for name in update}
        )
    return stmt.on_conflict_do_nothing(index_elements=conflict)


from .domain.inputs import MAX_ID  # noqa: E402  (re-exported for the URL converter)


def get_by_id(model, ident):
    """Return the row with this primary key, or None for a missing or out-of-range id."""
    if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident)

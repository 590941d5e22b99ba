"""Database helpers that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

import functools

import sqlalchemy as sa
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

    Rows with the same keys go in one executemany; others in multi-row statements of at
    most MAX_VARIABLES bound values each.
    """
    if not rows:
        return
    keys = rows[0].keys()
    if all(row.keys() == keys for row in rows):
        db.session.execute(_on_conflict(insert_for(model.__table__), conflict, update), rows)
        return
    per_statement = max(1, MAX_VARIABLES // max(len(row) for row in rows))
    for start in range(0, len(rows), per_statement):
        stmt = insert_for(model).values(rows[start : start + per_statement])
        db.session.execute(_on_conflict(stmt, conflict, update))


def upsert_many(
    model, columns: list[str], rows: list[tuple], conflict: list[str], update: list[str]
):
    """Upsert rows of values (in the order of columns) with one executemany by the driver.

    The fast way for thousands of rows: one prepared statement, no bound-variable limit,
    and no per-row work in SQLAlchemy. Values must be what the driver takes (ints, strings,
    None, booleans); pass dates through `driver_value`.
    """
    if not rows:
        return
    dialect = db.session.get_bind().dialect
    if dialect.name == "postgresql":
        _copy_upsert(model.__table__, columns, rows, conflict, update)
        return
    sql, order = _upsert_sql(model, tuple(columns), tuple(conflict), tuple(update), dialect)
    if order is None:  # named parameters
        params = [dict(zip(columns, row, strict=True)) for row in rows]
    elif order != tuple(range(len(columns))):
        params = [tuple(row[i] for i in order) for row in rows]
    else:
        params = rows
    db.session.connection().exec_driver_sql(sql, params)


def _copy_upsert(table, columns: list[str], rows: list[tuple], conflict, update) -> None:
    """PostgreSQL: COPY the rows into a temporary table, then upsert them in one statement.

    Twice as fast as an executemany there (100,000 answers: 2.0 s against 4.1 s). The rows
    must not repeat a conflict key (one statement cannot update a row twice).
    """
    staging = f"staged_{table.name}"
    names = ", ".join(columns)
    connection = db.session.connection()
    with connection.connection.driver_connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table.name} WITH NO DATA"
        )
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    staged = sa.table(staging, *(sa.column(name) for name in columns))
    insert = postgresql.insert(table).from_select(columns, sa.select(staged))
    connection.execute(_on_conflict(insert, conflict, update))
    connection.execute(sa.text(f"TRUNCATE {staging}"))


@functools.cache
def _upsert_sql(model, columns: tuple, conflict: tuple, update: tuple, dialect):
    """Return the SQL of an upsert and the column order of its positional parameters."""
    stmt = _on_conflict(insert_for(model.__table__), list(conflict), list(update))
    compiled = stmt.compile(dialect=dialect, column_keys=list(columns))
    if not compiled.positional:
        return compiled.string, None
    return compiled.string, tuple(columns.index(name) for name in compiled.positiontup)


def driver_value(model, column: str, value):
    """Return value as the driver stores it in model's column (a date as SQLite's text)."""
    dialect = db.session.get_bind().dialect
    process = model.__table__.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process else value


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

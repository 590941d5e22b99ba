"""Connection settings for the embedded SQLite database."""

import sqlalchemy as sa


def configure_sqlite(engine: sa.Engine) -> None:
    """Turn on WAL, a busy timeout and foreign keys on every SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "busy_timeout=5000",
            "foreign_keys=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

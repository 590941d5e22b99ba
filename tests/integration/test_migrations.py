"""Upgrading a database that holds data keeps every row: SQLite rebuilds tables to alter them,
and with foreign keys enforced that used to cascade and delete what referred to them."""

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db

ROWS = [
    "INSERT INTO org (id, slug, name, created_at) VALUES (1, 'acme', 'Acme', '2026-01-01')",
    "INSERT INTO user (id, email, name, password_hash, must_change_password, created_at) "
    "VALUES (1, 'ada@acme.test', 'Ada', 'x', 0, '2026-01-01')",
    "INSERT INTO membership (id, org_id, user_id, role) VALUES (1, 1, 1, 'admin')",
    "INSERT INTO team (id, org_id, name, business_unit, phase_capacity, data_version, created_at) "
    "VALUES (1, 1, 'Claims', 'Insurance', 5, 0, '2026-01-01')",
    "INSERT INTO team_member (id, team_id, user_id, role) VALUES (1, 1, 1, 'lead')",
]
KEPT = ["org", "user", "membership", "team", "team_member"]


def test_an_upgrade_from_0009_keeps_every_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "t", "QUEUE": "immediate"}
    )
    with app.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as connection:
            for statement in ROWS:
                connection.exec_driver_sql(statement.replace("user ", '"user" ', 1))
        upgrade()
        with db.engine.connect() as connection:
            counts = {
                t: connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in KEPT
            }
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
    assert counts == dict.fromkeys(KEPT, 1)

"""Print SQL query counts and latency of the main pages on the demo org (SQLite in a temp dir).

Usage: .venv/bin/python -m bench.report_queries [requests]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.demo import DEMO_PASSWORD, create_demo
from app.extensions import db
from app.models import Team


def main(requests: int = 200) -> None:
    """Load the demo org, then time the main pages as the lead (the dashboard as the admin)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
            }
        )
        app.instance_path = folder
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            create_demo()
            db.session.commit()
            print(f"demo org created in {time.perf_counter() - started:.2f} s")
            team_id = db.session.scalar(sa.select(Team.id).where(Team.name == "Fraud Detection"))
            statements: list[str] = []
            sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        client = app.test_client()
        client.post("/login", data={"email": "lead@demo.ascent", "password": DEMO_PASSWORD})
        admin = app.test_client()
        admin.post("/login", data={"email": "admin@demo.ascent", "password": DEMO_PASSWORD})
        for name, url in [
            ("team report (lead)", f"/o/demo/teams/{team_id}/report?cycle=2026-Q3"),
            ("teams overview", "/o/demo/teams/?cycle=2026-Q3"),
            ("survey page", f"/o/demo/survey/2026-Q4/{team_id}/data"),
            ("team roadmap", f"/o/demo/teams/{team_id}/roadmap?cycle=2026-Q4"),
            ("ownership matrix", f"/o/demo/teams/{team_id}/ownership"),
            ("executive dashboard", "/o/demo/dashboard?cycle=2026-Q4"),
        ]:
            who = admin if "dashboard" in url else client
            who.get(url)  # warm: chart cache, questionnaire parse
            statements.clear()
            who.get(url)
            queries = len(statements)
            times = []
            for _ in range(requests):
                t0 = time.perf_counter()
                assert who.get(url).status_code == 200
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            print(
                f"{name:22} {queries:3d} queries  p50 {statistics.median(times):6.1f} ms  "
                f"p95 {times[int(len(times) * 0.95) - 1]:6.1f} ms  ({requests} requests, one process)"
            )
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)

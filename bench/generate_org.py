"""Generate a large org for load tests: 500 teams, 8 quarterly cycles, about a million answers.

Usage: DATABASE_URL=sqlite:////tmp/ascent-bench.db .venv/bin/python -m bench.generate_org [teams] [cycles]
Prints how long each part took. The org's slug is 'bench'; people's password is 'bench-password'.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash

from app import create_app
from app.comparisons import rebuild_stale, store_team_scores
from app.extensions import db
from app.models import Answer, Cycle, Membership, Org, Response, Team, TeamMember, User
from app.questionnaires import import_file, model_of

PASSWORD = "bench-password"


def generate(teams: int = 500, cycles: int = 8, members: int = 5, seed: int = 11) -> None:
    """Create the org 'bench' with its people, teams, cycles and submitted responses."""
    rng = random.Random(seed)
    started = time.perf_counter()
    version, _ = import_file("questionnaires/ai-scaling-v1.yaml")
    questions = model_of(version).questions
    org = Org(slug="bench", name="Bench Corp")
    db.session.add(org)
    db.session.flush()
    password = generate_password_hash(PASSWORD)
    users = [
        {"email": f"person{i}@bench.example", "name": f"Person {i}", "password_hash": password}
        for i in range(teams * members)
    ]
    users.append(
        {"email": "exec@bench.example", "name": "Bench Executive", "password_hash": password}
    )
    db.session.execute(sa.insert(User), users)
    ids = dict(
        db.session.execute(
            sa.select(User.email, User.id).where(User.email.like("%@bench.example"))
        ).all()
    )
    db.session.execute(
        sa.insert(Membership),
        [
            {
                "org_id": org.id,
                "user_id": uid,
                "role": "executive" if email.startswith("exec") else "member",
            }
            for email, uid in ids.items()
        ],
    )
    db.session.execute(
        sa.insert(Team),
        [
            {
                "org_id": org.id,
                "name": f"Team {t:03d}",
                "business_unit": f"Unit {t % 10}",
                "phase_capacity": 5,
            }
            for t in range(teams)
        ],
    )
    team_ids = [
        tid
        for (tid,) in db.session.execute(
            sa.select(Team.id).where(Team.org_id == org.id).order_by(Team.name)
        )
    ]
    db.session.execute(
        sa.insert(TeamMember),
        [
            {
                "team_id": tid,
                "user_id": ids[f"person{t * members + m}@bench.example"],
                "role": "lead" if m == 0 else "member",
            }
            for t, tid in enumerate(team_ids)
            for m in range(members)
        ],
    )
    start = datetime(2025, 1, 6, 9)
    cycle_rows = []
    for c in range(cycles):
        opened = start + timedelta(days=91 * c)
        closed = None if c == cycles - 1 else opened + timedelta(days=25)
        cycle_rows.append(
            Cycle(
                org_id=org.id,
                name=f"C{c + 1}",
                questionnaire_id=version.id,
                opened_at=opened,
                closed_at=closed,
            )
        )
    db.session.add_all(cycle_rows)
    db.session.flush()
    print(
        f"org, {len(users)} people, {teams} teams, {cycles} cycles: {time.perf_counter() - started:.1f} s"
    )
    base = {tid: rng.uniform(0.5, 2.5) for tid in team_ids}
    pace = {tid: rng.uniform(0.0, 0.25) for tid in team_ids}
    answers_total = 0
    for number, cycle in enumerate(cycle_rows):
        t0 = time.perf_counter()
        responses = [
            {
                "cycle_id": cycle.id,
                "team_id": tid,
                "user_id": ids[f"person{t * members + m}@bench.example"],
                "questionnaire_id": version.id,
                "status": "submitted",
                "created_at": cycle.opened_at,
                "updated_at": cycle.opened_at,
                "submitted_at": cycle.opened_at + timedelta(days=5),
            }
            for t, tid in enumerate(team_ids)
            for m in range(members)
        ]
        db.session.execute(sa.insert(Response), responses)
        rows = db.session.execute(
            sa.select(Response.id, Response.team_id).where(Response.cycle_id == cycle.id)
        ).all()
        batch = []
        for response_id, tid in rows:
            level = base[tid] + pace[tid] * number
            for q in questions:
                roll = rng.random()
                value = None if roll < 0.05 else min(4, max(0, round(level + rng.gauss(0, 0.7))))
                batch.append(
                    {
                        "response_id": response_id,
                        "question_id": q.id,
                        "level": value,
                        "not_applicable": False,
                        "comment": "",
                        "carried_over": False,
                        "updated_at": cycle.opened_at,
                    }
                )
            if len(batch) > 50_000:
                db.session.execute(sa.insert(Answer), batch)
                answers_total += len(batch)
                batch = []
        db.session.execute(sa.insert(Answer), batch)
        answers_total += len(batch)
        db.session.flush()
        t1 = time.perf_counter()
        store_team_scores(cycle)
        db.session.info.pop("after_commit", None)  # built right here, not by a worker
        db.session.commit()
        rebuild_stale(org.id)
        print(
            f"cycle {cycle.name}: responses and answers {t1 - t0:.1f} s, stored scores and read model {time.perf_counter() - t1:.1f} s"
        )
    print(f"{answers_total} answers in all, {time.perf_counter() - started:.1f} s")


def main() -> None:
    """Migrate the database in DATABASE_URL and generate the org."""
    teams = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    cycles = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    os.environ.setdefault("ASCENT_SECRET_KEY", "bench-secret")  # a server database needs one
    app = create_app()
    with app.app_context():
        upgrade()
        if db.session.scalar(sa.select(Org.id).where(Org.slug == "bench")):
            print("The org 'bench' exists already; use a fresh DATABASE_URL.")
            return
        generate(teams, cycles)


if __name__ == "__main__":
    main()

"""The write path and the read models at 500 teams: submits alone and 64 at once, then reads.

Usage (after bench.generate_org filled DATABASE_URL; works on SQLite and PostgreSQL):
  DATABASE_URL=... .venv/bin/python -m bench.write_path [seconds] [instances]

Serves the app with `gunicorn -w 2` (two of them on one database with instances=2, as two
hosts) and one `flask worker` beside it, on loopback. Prints, as ratios to /healthz in the
same run:
- one submit at a time (p50, p95);
- 64 respondents open-loop, each saving eight pages and submitting as a person does:
  page save and submit p50/p95 and errors;
- how long after the last submit the stored comparison and dashboard equal a fresh
  computation from the responses;
- wrk -t2 -c16 on the dashboard, team report, survey page, module page, comparison API and
  compare page, warm.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from app import create_app
from app.api.auth import create_token
from app.comparisons import build_documents
from app.curricula import sync_library
from app.extensions import db
from app.models import (
    Cycle,
    CycleComparison,
    Org,
    ReadModelRequest,
    Response,
    Team,
    TeamMember,
    User,
)
from app.questionnaires import model_of
from bench.load import HOST, free_port, serve, session_cookie, wrk_figures

ORG, CYCLE = "bench", "C8"
ROOT = Path(__file__).resolve().parent.parent
RESPONDENTS = 64


def put(base: str, token: str, team_id: int, answers: dict, submit: bool) -> tuple[float, int]:
    """Save answers (and submit) through the API; return milliseconds and the status."""
    body = json.dumps({"answers": answers, "submit": submit}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/orgs/{ORG}/cycles/{CYCLE}/teams/{team_id}/response",
        data=body,
        method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        urllib.request.urlopen(request, timeout=60).read()
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 599
    return (time.perf_counter() - started) * 1000, status


def pct(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)]


def prepare(app):
    """Create tokens for respondents of distinct teams; return them and what the reads need."""
    with app.app_context():
        sync_library(ROOT / "curricula")  # the module page needs the library
        db.session.commit()
        org = db.session.scalar(sa.select(Org).where(Org.slug == ORG))
        if org is None:
            raise SystemExit("Run bench.generate_org first with the same DATABASE_URL.")
        cycle = db.session.scalar(
            sa.select(Cycle).where(Cycle.org_id == org.id, Cycle.name == CYCLE)
        )
        questionnaire = model_of(cycle.questionnaire)
        pairs = db.session.execute(
            sa.select(TeamMember.user_id, TeamMember.team_id)
            .join(Team)
            .where(Team.org_id == org.id, TeamMember.role == "member")
            .order_by(Team.name, TeamMember.user_id)
        ).all()
        by_team = {}
        for user_id, team_id in pairs:
            by_team.setdefault(team_id, user_id)
        chosen = list(by_team.items())[: RESPONDENTS + 40]
        people = []
        for team_id, user_id in chosen:
            _, token = create_token(db.session.get(User, user_id), "bench write path")
            people.append((token, team_id))
        executive = db.session.scalar(sa.select(User).where(User.email == f"exec@{ORG}.example"))
        _, exec_token = create_token(executive, "bench")
        member_email = db.session.get(User, chosen[0][1]).email
        report_team = chosen[0][0]
        cycle_id = cycle.id
        db.session.commit()
        pages = {c.key: {q.id: {"level": 0} for q in c.questions} for c in questionnaire.challenges}
        picks = db.session.scalars(
            sa.select(Team.id).where(Team.name.in_(["Team 001", "Team 250", "Team 499"]))
        ).all()
        db.engine.dispose()
    return people, exec_token, member_email, report_team, pages, cycle_id, picks


def caught_up(app, cycle_id: int) -> bool:
    """Return True when no change waits for the cycle's read model."""
    with app.app_context():
        pending = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ReadModelRequest)
            .where(ReadModelRequest.cycle_id == cycle_id)
        )
        db.session.rollback()
        return pending == 0


def matches_fresh(app, cycle_id: int) -> bool:
    """Return True when the stored comparison and dashboard equal a fresh computation."""
    with app.app_context():
        stored = db.session.get(CycleComparison, cycle_id)
        fresh = build_documents(db.session.get(Cycle, cycle_id))
        same = json.loads(stored.document) == json.loads(fresh.document) and json.loads(
            stored.dashboard
        ) == json.loads(fresh.dashboard)
        db.session.rollback()
        return same


def respondent(base, token, team_id, pages, saves, submits, rng):
    """Answer eight pages with a little thinking between them, then submit."""
    time.sleep(rng.uniform(0, 3))
    for answers in pages.values():
        levels = {q: {"level": rng.randint(0, 4)} for q in answers}
        saves.append(put(base, token, team_id, levels, submit=False))
        time.sleep(rng.uniform(0.05, 0.4))
    submits.append(put(base, token, team_id, {}, submit=True))


def main(seconds: int = 8, instances: int = 1) -> None:
    """Run the benchmark and print its figures."""
    os.environ.setdefault("ASCENT_SECRET_KEY", "bench-secret")  # a server database needs one
    app = create_app()
    people, exec_token, member_email, report_team, pages, cycle_id, picks = prepare(app)
    ports = [free_port() for _ in range(instances)]
    servers = [serve(port, {}) for port in ports]
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker", "--max-delay", "0.2"],
        env={**os.environ, "ASCENT_SECRET_KEY": "bench-secret"},
        stdout=subprocess.DEVNULL,
    )
    bases = [f"http://{HOST}:{port}" for port in ports]
    base = bases[0]
    try:
        floor, floor50, floor99 = wrk_figures(f"{base}/healthz", seconds, {})
        print(f"{instances} x gunicorn -w 2 and one worker; floor /healthz {floor:.0f} req/s")
        rng = random.Random(7)
        alone = []
        for token, team_id in people[RESPONDENTS : RESPONDENTS + 30]:
            put(base, token, team_id, pages["data"], submit=False)
            alone.append(put(base, token, team_id, {}, submit=True)[0])
        print(
            f"one submit at a time (30): p50 {statistics.median(alone):.0f} ms, "
            f"p95 {pct(alone, 95):.0f} ms"
        )
        time.sleep(3)
        saves, submits = [], []
        threads = [
            threading.Thread(
                target=respondent,
                args=(bases[i % len(bases)], token, team_id, pages, saves, submits, rng),
            )
            for i, (token, team_id) in enumerate(people[:RESPONDENTS])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        last = time.perf_counter()
        errors = sum(status != 200 for _, status in saves + submits)
        save_ms = [ms for ms, _ in saves]
        submit_ms = [ms for ms, _ in submits]
        print(
            f"{RESPONDENTS} respondents open-loop: page save p50 {statistics.median(save_ms):.0f} ms "
            f"p95 {pct(save_ms, 95):.0f} ms ({len(save_ms)}); submit p50 "
            f"{statistics.median(submit_ms):.0f} ms p95 {pct(submit_ms, 95):.0f} ms "
            f"({len(submit_ms)}); errors {errors}"
        )
        while not caught_up(app, cycle_id) and time.perf_counter() - last < 60:
            time.sleep(0.05)
        lag = time.perf_counter() - last
        print(
            f"read model caught up {lag:.2f} s after the last submit; equals a fresh "
            f"computation: {matches_fresh(app, cycle_id)}"
        )
        with app.app_context():
            submitted = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Response)
                .where(Response.cycle_id == cycle_id, Response.status == "submitted")
            )
            print(f"submitted responses in {CYCLE}: {submitted}")
            db.engine.dispose()
        exec_cookie = session_cookie(base, f"exec@{ORG}.example", "bench-password")
        member_cookie = session_cookie(base, member_email, "bench-password")
        compare_path = f"/o/{ORG}/compare?cycle={CYCLE}&" + "&".join(f"team={t}" for t in picks)
        reads = [
            ("dashboard", f"/o/{ORG}/dashboard", {"Cookie": exec_cookie}),
            ("team report", f"/o/{ORG}/teams/{report_team}/report", {"Cookie": member_cookie}),
            (
                "survey page",
                f"/o/{ORG}/survey/{CYCLE}/{report_team}/data",
                {"Cookie": member_cookie},
            ),
            (
                "module page",
                f"/o/{ORG}/learning/data-contracts-first-feeds",
                {"Cookie": member_cookie},
            ),
            (
                "comparison API",
                f"/api/v1/orgs/{ORG}/cycles/{CYCLE}/comparison",
                {"Authorization": f"Bearer {exec_token}"},
            ),
            ("compare page", compare_path, {"Cookie": exec_cookie}),
        ]
        floor, _, _ = wrk_figures(f"{base}/healthz", seconds, {})
        print(f"floor again {floor:.0f} req/s")
        for label, path, headers in reads:
            wrk_figures(base + path, 2, headers)  # warm the per-process caches
            rps, p50, p99 = wrk_figures(base + path, seconds, headers)
            print(
                f"{label:15} {rps:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
                f"1/{floor / rps:.1f} of the floor"
            )
    finally:
        worker.terminate()
        for server in servers:
            server.terminate()
            server.wait()
        worker.wait()


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 8,
        int(sys.argv[2]) if len(sys.argv) > 2 else 1,
    )

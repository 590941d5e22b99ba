"""Time `flask responses import` on large CSV files: wall time and peak memory of the command.

Usage: .venv/bin/python -m bench.import_answers [answers ...]     (default: 100000 1000000)

For each size, an org of teams of 20 people (every person answers the 48 questions of
ai-scaling v1, with a comment on one answer in ten) is built in bulk, the CSV is written
to /tmp, and the command is run twice in a child process: once into an empty cycle, then
the same file again (every answer updated). Then 100 people unknown to the org answer
4,800 questions with --create-missing, and the same file runs again.

DATABASE_URL picks the database (default: a fresh SQLite file in /tmp). A PostgreSQL
URL names a database this script drops and creates again.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.models import Membership, QuestionnaireVersion, Team, TeamMember, User
from app.orgs import operations as org_ops
from app.questionnaires import import_file, model_of

TMP = Path("/tmp")
DEFAULT_URL = f"sqlite:///{TMP / 'ascent-import-bench.db'}"
PER_TEAM = 20
ENV = {"ASCENT_SECRET_KEY": "bench-secret", "ASCENT_QUEUE_FILE": str(TMP / "ascent-bench-q.db")}


def fresh_database(url: str) -> None:
    """Remove the SQLite file, or drop and create the PostgreSQL database, of url."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    base, name = url.replace("+psycopg", "").rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def build_org(slug: str, teams: int, people: int, version: QuestionnaireVersion) -> None:
    """Create an org whose teams have people members, and an open cycle B1, in bulk."""
    org = org_ops.create_org(slug, slug.title())
    org_ops.open_cycle(org, "B1", version)
    db.session.execute(
        sa.insert(Team), [{"org_id": org.id, "name": f"Team {t:04d}"} for t in range(teams)]
    )
    if people:
        _add_people(org, teams, people)
    db.session.info.pop("after_commit", None)  # no worker here
    db.session.commit()


def _add_people(org, teams: int, people: int) -> None:
    """Add people members to each of the org's teams, in bulk."""
    slug = org.slug
    marker = "!bench"  # nobody signs in: no password hash to compute
    db.session.execute(
        sa.insert(User),
        [
            {"email": f"p{i}@{slug}.example", "name": f"Person {i}", "password_hash": marker}
            for i in range(teams * people)
        ],
    )
    ids = dict(
        db.session.execute(
            sa.select(User.email, User.id).where(User.email.like(f"%@{slug}.example"))
        ).all()
    )
    db.session.execute(
        sa.insert(Membership), [{"org_id": org.id, "user_id": uid} for uid in ids.values()]
    )
    team_ids = db.session.scalars(
        sa.select(Team.id).where(Team.org_id == org.id).order_by(Team.name)
    ).all()
    db.session.execute(
        sa.insert(TeamMember),
        [
            {"team_id": tid, "user_id": ids[f"p{t * people + m}@{slug}.example"], "role": "member"}
            for t, tid in enumerate(team_ids)
            for m in range(people)
        ],
    )


def write_answers(path: Path, slug: str, teams: int, people: int, questions: list[str]) -> int:
    """Write every person's answers to every question; return the number of answers."""
    rng = random.Random(7)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["team", "respondent", "question", "level", "comment"])
        for t in range(teams):
            for m in range(people):
                email = f"p{t * people + m}@{slug}.example"
                for question in questions:
                    roll = rng.random()
                    level = "" if roll < 0.05 else "na" if roll < 0.07 else str(rng.randint(0, 4))
                    comment = (
                        "Checked against the runbook, see the wiki page." if roll > 0.9 else ""
                    )
                    writer.writerow([f"Team {t:04d}", email, question, level, comment])
                    count += 1
    return count


def run_import(url: str, slug: str, path: Path, *extra: str) -> tuple[float, float, float, str]:
    """Run the import command in a child process; return wall and CPU seconds, peak MB, output.

    CPU time (user + system) is printed beside wall time: on a shared machine the wall
    time includes waiting for a core.
    """
    env = {**os.environ, **ENV, "DATABASE_URL": url}
    args = [sys.executable, "-m", "flask", "--app", "app", "responses", "import"]
    started = time.perf_counter()
    child = subprocess.Popen(
        [*args, "--org", slug, "--cycle", "B1", *extra, str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"the import failed:\n{output}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, output.strip().splitlines()[-1]


def _figures(seconds: float, cpu: float, peak: float, last: str) -> str:
    """Return one line of figures of an import."""
    return f"{seconds:6.1f} s ({cpu:5.1f} s CPU)  peak {peak:4.0f} MB  {last}"


def main() -> None:
    """Build the orgs, write the files and print the figures of each import."""
    sizes = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    fresh_database(url)
    os.environ.update(ENV, DATABASE_URL=url)
    app = create_app()
    print(f"database: {url.split('://')[0]}, load average {os.getloadavg()[0]:.1f}")
    with app.app_context():
        upgrade()
        version, _ = import_file("questionnaires/ai-scaling-v1.yaml")
        questions = [q.id for q in model_of(version).questions]
        for size in sizes:
            teams = -(-size // (PER_TEAM * len(questions)))
            slug = f"imp{size}"
            build_org(slug, teams, PER_TEAM, version)
            path = TMP / f"ascent-answers-{size}.csv"
            count = write_answers(path, slug, teams, PER_TEAM, questions)
            megabytes = path.stat().st_size / 1e6
            print(f"{count:,} answers ({teams} teams x {PER_TEAM} people, {megabytes:.0f} MB):")
            for label in ("into an empty cycle", "the same file again"):
                print(f"  {label:22} {_figures(*run_import(url, slug, path))}")
        slug = "impnew"
        build_org(slug, 5, 0, version)
        path = TMP / "ascent-answers-new-people.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["team", "respondent", "question", "level", "comment"])
            for i in range(100):
                for question in questions:
                    writer.writerow(
                        [f"Team {i % 5:04d}", f"new{i}@{slug}.example", question, 2, ""]
                    )
        print("100 new people, 4,800 answers, --create-missing:")
        for label in ("creating the people", "the same file again"):
            print(f"  {label:22} {_figures(*run_import(url, slug, path, '--create-missing'))}")


if __name__ == "__main__":
    main()

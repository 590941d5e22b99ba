"""The write path and the cycle read model under real concurrency, and with a real worker.

Two app instances on one database stand for two hosts; threads submit at the same moment.
On PostgreSQL this is where lost updates and unique-key collisions showed; SQLite runs the
same tests (it serializes writers, so there they guard the protocol rather than the race).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from typing import NamedTuple

import psycopg
import pytest
import sqlalchemy as sa

from app import create_app
from app.comparisons import build_documents, rebuild
from app.extensions import db
from app.models import CycleComparison, ReadModelRequest, Response
from tests.conftest import PASSWORD, ROOT, app_config

BASE = "/o/acme/survey/2026-Q4"


def _app(database_url, tmp_path, **extra):
    app = create_app(app_config(database_url, **extra))
    app.instance_path = str(tmp_path)
    return app


@pytest.fixture
def two_apps(database_url, tmp_path):
    """Two app instances on the test database: two hosts. Their connections close after."""
    apps = [_app(database_url, tmp_path / "a"), _app(database_url, tmp_path / "b")]
    yield apps
    for each in apps:
        with each.app_context():
            db.engine.dispose()


class State(NamedTuple):
    pending: int  # requests no rebuild has consumed yet
    version: int


def _state(cycle_id) -> State:
    db.session.expire_all()
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReadModelRequest)
        .where(ReadModelRequest.cycle_id == cycle_id)
    )
    version = db.session.scalar(
        sa.select(CycleComparison.version).where(CycleComparison.cycle_id == cycle_id)
    )
    db.session.rollback()
    return State(pending, version)


class Requests:
    """Count the read-model requests that writes append, on every engine of the process."""

    def __init__(self):
        self.count = 0

    def __enter__(self):
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO read_model_request"):
            self.count += len(parameters) if executemany else 1


def _stored_equals_fresh(cycle) -> None:
    """Assert the stored comparison and dashboard equal a computation from the responses now."""
    db.session.expire_all()
    stored = db.session.get(CycleComparison, cycle.id)
    fresh = build_documents(cycle)
    assert json.loads(stored.document) == json.loads(fresh.document)
    assert json.loads(stored.dashboard) == json.loads(fresh.dashboard)
    assert json.loads(stored.means) == json.loads(fresh.means)


def _eight_teams(world, make_user, make_team, round_number):
    """Create eight teams, each with one member holding a full draft; return their clients' data."""
    people = []
    for n in range(8):
        user = make_user(f"r{round_number}p{n}@acme.test", world["org"])
        team = make_team(world["org"], f"Round {round_number} team {n}", None, [user])
        people.append((user.email, team.id, n % 5))
    return people


def _submit_all_at_once(apps, people):
    """Sign each person in on one of the apps, save a page, then submit all at the same moment."""
    clients = []
    for index, (email, team_id, level) in enumerate(people):
        client = apps[index % len(apps)].test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        client.post(f"{BASE}/{team_id}/")
        page = client.post(
            f"{BASE}/{team_id}/data",
            data={f"answer-data.{q}": str(level) for q in ("contracts", "quality-gates")}
            | {"go": "review"},
        )
        assert page.status_code == 302
        clients.append((client, team_id))
    barrier = threading.Barrier(len(clients))
    statuses = []

    def submit(client, team_id):
        barrier.wait()
        statuses.append(client.post(f"{BASE}/{team_id}/submit").status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_simultaneous_submits_on_two_instances_leave_a_true_comparison(
    two_apps, world, make_user, make_team
):
    cycle = world["cycle"]
    apps = two_apps
    for round_number in range(4):
        people = _eight_teams(world, make_user, make_team, round_number)
        version_before = _state(cycle.id).version
        with Requests() as requests:
            statuses = _submit_all_at_once(apps, people)
        assert statuses == [302] * 8, statuses
        assert requests.count == 8  # each submit asked once; writers shared no row to wait on
        pending, version = _state(cycle.id)
        assert pending == 0 and version > version_before  # every request consumed by a build
        _stored_equals_fresh(cycle)
        submitted = db.session.scalar(
            sa.select(sa.func.count()).select_from(Response).where(Response.status == "submitted")
        )
        assert submitted == 8 * (round_number + 1)


def test_saving_and_submitting_in_one_team_at_once_never_collide(two_apps, world, make_user):
    """Score rows of one team written by several requests at once: an upsert, never a 500."""
    apps = two_apps
    people = []
    for n in range(6):
        user = make_user(f"same{n}@acme.test", world["org"])
        from app.orgs import operations as org_ops

        org_ops.put_in_team(world["team"], user, "member")
        db.session.commit()
        people.append((user.email, world["team"].id, n % 5))
    statuses = _submit_all_at_once(apps, people)
    assert statuses == [302] * 6
    _stored_equals_fresh(world["cycle"])


def test_a_stale_build_never_overwrites_a_newer_one(app, world, make_user, make_team):
    cycle = world["cycle"]
    from tests.conftest import submit_response

    submit_response(cycle, world["team"], world["alice"], {"data.contracts": 2})
    read_version = _state(cycle.id).version
    old = build_documents(cycle)
    submit_response(cycle, world["team"], world["bob"], {"data.contracts": 4})
    pending, version = _state(cycle.id)
    assert pending == 0 and version == read_version + 1
    from app.comparisons import _store_documents

    assert not _store_documents(cycle, read_version, [], old)  # another build stored first
    db.session.commit()
    assert _state(cycle.id).version == version
    assert rebuild(cycle.id) is False  # current already: nothing to do
    _stored_equals_fresh(cycle)


def _worker(database_url, queue, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgresql://"),
        "ASCENT_SECRET_KEY": "test",
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
        **{f"ASCENT_{key}": value for key, value in queue.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker", "--max-delay", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@contextlib.contextmanager
def _lock_holder(database_url: str, cycle_id: int):
    """Hold what a rebuild of the cycle waits for; yield a check that a worker waits on it."""
    if database_url.startswith("postgresql"):
        url = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as holder, psycopg.connect(url) as probe:
            holder.execute("SELECT pg_advisory_lock(%s, %s)", (0x4153, cycle_id))
            query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            yield lambda: probe.execute(query).fetchone()[0] > 0
        return
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # the worker's first write waits on its busy timeout
        started = time.monotonic()
        yield lambda: time.monotonic() - started > 2
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def _wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


REDIS_URL = os.environ.get("ASCENT_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["sqlite", "redis"])
def queued_app(request, database_url, tmp_path, world):
    """The test app on a real queue (a SQLite file, or Redis) shared with worker processes."""
    queue = {"QUEUE": request.param}
    if request.param == "sqlite":
        queue["QUEUE_FILE"] = str(tmp_path / "queue.db")
    else:
        queue["REDIS_URL"] = REDIS_URL
    app = _app(database_url, tmp_path / "web", **queue)
    from app.queue import huey, init_queue

    huey.flush()  # nothing left from an earlier run
    yield app, queue
    with app.app_context():
        db.engine.dispose()
    restore = _app(database_url, tmp_path / "restore")
    init_queue(restore)  # back to immediate for the other tests
    with restore.app_context():
        db.engine.dispose()


def test_a_worker_process_rebuilds_after_a_submit(queued_app, database_url, tmp_path, world):
    app, queue = queued_app
    cycle_id, team_id = world["cycle"].id, world["team"].id
    client = app.test_client()
    client.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    client.post(f"{BASE}/{team_id}/")
    client.post(f"{BASE}/{team_id}/data", data={"answer-data.contracts": "3", "go": "review"})
    assert client.post(f"{BASE}/{team_id}/submit").status_code == 302
    assert _state(cycle_id).pending  # the request left the org-wide work to the worker
    worker = _worker(database_url, queue, tmp_path)
    try:
        assert _wait_until(lambda: _state(cycle_id).pending == 0, 20)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(10)
    _stored_equals_fresh(world["cycle"])
    exec_client = app.test_client()
    exec_client.post("/login", data={"email": "exec@acme.test", "password": PASSWORD})
    page = exec_client.get("/o/acme/dashboard").get_data(as_text=True)
    assert "Claims Triage" in page and "being rebuilt" not in page


def test_a_worker_killed_mid_rebuild_loses_nothing(queued_app, database_url, tmp_path, world):
    app, queue = queued_app
    cycle, team_id = world["cycle"], world["team"].id
    client = app.test_client()
    client.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    client.post(f"{BASE}/{team_id}/")
    client.post(f"{BASE}/{team_id}/data", data={"answer-data.contracts": "4", "go": "review"})
    assert client.post(f"{BASE}/{team_id}/submit").status_code == 302
    assert _state(cycle.id).pending
    # Hold the cycle's lock so the worker's rebuild starts and then waits inside it.
    with _lock_holder(database_url, cycle.id) as waiting:
        worker = _worker(database_url, queue, tmp_path)
        assert _wait_until(waiting, 20)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    assert _state(cycle.id).pending  # killed before it could store anything
    worker = _worker(database_url, queue, tmp_path)
    try:
        assert _wait_until(lambda: _state(cycle.id).pending == 0, 20)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(10)
    _stored_equals_fresh(cycle)
    stored = json.loads(db.session.get(CycleComparison, cycle.id).document)
    assert [t["scores"]["data"] is not None for t in stored["teams"]] == [True]


def test_pages_show_the_last_build_and_its_age_while_a_rebuild_waits(queued_app, world):
    app, _ = queued_app
    team_id = world["team"].id
    member = app.test_client()
    member.post("/login", data={"email": "alice@acme.test", "password": PASSWORD})
    member.post(f"{BASE}/{team_id}/")
    member.post(f"{BASE}/{team_id}/data", data={"answer-data.contracts": "4", "go": "review"})
    assert member.post(f"{BASE}/{team_id}/submit").status_code == 302  # no worker runs
    executive = app.test_client()
    executive.post("/login", data={"email": "exec@acme.test", "password": PASSWORD})
    for path in ("/o/acme/dashboard", "/o/acme/heatmap", "/o/acme/compare"):
        page = executive.get(path).get_data(as_text=True)
        assert "1 change made since" in page, path
        assert "being added" in page, path
    # The command line rebuilds on demand; then the pages say nothing about freshness.
    result = app.test_cli_runner().invoke(args=["readmodels", "rebuild"])
    assert "Rebuilt 1 cycle" in result.output
    page = executive.get("/o/acme/dashboard").get_data(as_text=True)
    assert "being added" not in page
    assert "4.0" in page  # Claims Triage's data foundations, from the one response

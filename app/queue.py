"""The background job queue: Huey, kept in instance/queue.db by default, on Redis when scaled out.

`QUEUE` in the config picks the storage: "sqlite" (the embedded default, a file in the
instance folder), "redis" (chosen by itself when `ASCENT_REDIS_URL` is set, for workers on
other hosts), or "immediate" (tasks run at once in the caller's thread: the tests).

Tasks are enqueued after the commit that asked for them (`after_commit`), so a worker
never sees uncommitted rows, and each runs in a fresh app context with its own session.
"""

from __future__ import annotations

import functools
import logging
import os

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from .extensions import db

log = logging.getLogger(__name__)

huey = Huey("ascent", storage_class=MemoryStorage, results=False, utc=True)
_apps: list[Flask] = []


def init_queue(app: Flask) -> None:
    """Point the queue at the storage the app's config names."""
    mode = app.config.get("QUEUE") or ("redis" if app.config.get("REDIS_URL") else "sqlite")
    app.config["QUEUE"] = mode
    huey._immediate = mode == "immediate"
    if mode == "redis":
        huey.storage_class = RedisStorage
        huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
    elif mode == "sqlite":
        huey.storage_class = SqliteStorage
        path = app.config.get("QUEUE_FILE") or os.path.join(app.instance_path, "queue.db")
        huey.storage_kwargs = {"filename": path}
    else:
        huey.storage_class = MemoryStorage
        huey.storage_kwargs = {}
    huey.storage = huey.create_storage()
    _apps[:] = [app]


def app_task(**options):
    """Declare a Huey task that runs in a fresh app context with its own database session."""

    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            app = current_app._get_current_object() if has_app_context() else _apps[-1]
            with app.app_context():
                return fn(*args, **kwargs)

        return huey.task(name=fn.__name__, **options)(run)

    return decorate


def after_commit(task, *args) -> None:
    """Enqueue task(*args) once the current transaction commits; nothing when it rolls back."""
    pending = db.session.info.setdefault("after_commit", {})
    pending[(task.name, args)] = (task, args)


def enqueue(task, *args) -> bool:
    """Enqueue a task now; log and return False when the queue is unreachable (the sweep retries)."""
    try:
        task(*args)
    except Exception:  # the write is committed; the periodic sweep rebuilds what was missed
        log.exception("Could not enqueue %s%s", task.name, args)
        return False
    return True


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _enqueue_pending(session) -> None:
    pending = session.info.pop("after_commit", None)
    for task, args in (pending or {}).values():
        enqueue(task, *args)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _drop_pending(session) -> None:
    session.info.pop("after_commit", None)


def run_worker(workers: int, max_delay: float) -> None:
    """Run a consumer in this process until interrupted: tasks, periodic sweeps and startup hooks."""
    import app.tasks  # noqa: F401  (registers every task)

    huey.create_consumer(
        workers=workers, worker_type="thread", max_delay=max_delay, periodic=True
    ).run()

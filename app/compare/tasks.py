"""Background tasks that keep the cycle read model current: rebuild on write, sweep for misses."""

from __future__ import annotations

import logging
import time

from flask import current_app
from huey import crontab

from ..queue import app_task, enqueue, huey

log = logging.getLogger(__name__)


@app_task(retries=3, retry_delay=2)
def rebuild_cycle(cycle_id: int) -> bool:
    """Rebuild one cycle's comparison, dashboard and trend point if it is stale.

    A burst of writes is gathered: a cycle rebuilt less than READ_MODEL_MIN_INTERVAL seconds
    ago waits out the rest, so the rebuild then takes in everything written meanwhile and
    the web workers keep the processor while people are submitting.
    """
    from ..comparisons import rebuild, seconds_since_build

    interval = current_app.config["READ_MODEL_MIN_INTERVAL"]
    if interval and current_app.config["QUEUE"] != "immediate":
        since = seconds_since_build(cycle_id)
        if since is not None and since < interval:
            time.sleep(interval - since)
    return rebuild(cycle_id)


@app_task()
def sweep_stale() -> int:
    """Enqueue a rebuild of every stale cycle: what a dead worker or an unreachable queue missed."""
    from ..comparisons import stale_cycles

    stale = stale_cycles()
    for cycle_id in stale:
        enqueue(rebuild_cycle, cycle_id)
    if stale:
        log.info("Sweep: %d stale cycle(s) enqueued", len(stale))
    return len(stale)


@huey.periodic_task(crontab(minute="*"), name="sweep_every_minute")
def sweep_every_minute() -> None:
    """Sweep once a minute on every consumer; a sweep that finds nothing costs one query."""
    sweep_stale()


@huey.on_startup()
def sweep_on_start() -> None:
    """Sweep when a worker starts, so one killed mid-rebuild is caught up at once."""
    enqueue(sweep_stale)

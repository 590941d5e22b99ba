"""Background task of the audit trail: delete entries past each org's retention, daily."""

from __future__ import annotations

import logging

from huey import crontab

from .queue import app_task, huey

log = logging.getLogger(__name__)


@app_task()
def purge_audit() -> int:
    """Delete the audit entries older than their org's retention."""
    from .audit import purge_expired

    removed = purge_expired()
    if removed:
        log.info("Audit retention: %d entries deleted", removed)
    return removed


@huey.periodic_task(crontab(minute="17", hour="3"), name="purge_audit_daily")
def purge_audit_daily() -> None:
    """Once a day, at a quiet hour (UTC); deleting twice is harmless, so any worker may run it."""
    purge_audit()

"""When reminders are due: before a cycle's deadline, and weekly for an overdue module."""

from __future__ import annotations

from datetime import datetime, timedelta


def deadline_reminder_due(now: datetime, deadline: datetime | None, days_before: int) -> bool:
    """Return True inside the window of `days_before` days that ends at the deadline."""
    if deadline is None or days_before <= 0:
        return False
    return deadline - timedelta(days=days_before) <= now < deadline


def week_key(now: datetime) -> str:
    """Return the ISO week of a moment, like 2026-W49: one overdue reminder per week."""
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def response_rate(submitted: int, members: int) -> float | None:
    """Return the share of a team's members who submitted, or None for an empty team."""
    return submitted / members if members else None

"""Rendered pages kept per process: per person (and role), session, URL and a data stamp.

A page passes a stamp that changes whenever what it shows changes (a team's data version,
a response's last save, a learner's progress), so a kept page is never stale. The session's
CSRF token is part of the key because the page's forms carry it. Pages with a message to
flash are always rendered, since showing the message consumes it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .comparisons import caching

LIMIT = 1024
_pages: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


def cached_page(kind: str, stamp: tuple, render: Callable[[], str]) -> str:
    """Return render(), or the HTML it gave for the same person, session, URL and stamp."""
    if request.method != "GET" or not caching() or session.get("_flashes"):
        return render()
    generate_csrf()
    membership = g.get("membership")
    viewer = (
        current_user.get_id(),
        current_user.name,
        membership.role if membership else None,
        g.get("leads_a_team"),
    )
    key = (kind, viewer, session.get("csrf_token"), request.full_path, stamp)
    with _lock:
        html = _pages.get(key)
        if html is not None:
            _pages.move_to_end(key)
            return html
    html = render()
    with _lock:
        _pages[key] = html
        while len(_pages) > LIMIT:
            _pages.popitem(last=False)
    return html

"""Template filters and globals shared by every page."""

import json
from datetime import UTC, datetime

from flask import Flask, g

from .access import is_team_lead
from .domain.vocabulary import (
    CHALLENGE_SHORT,
    CHALLENGE_TITLES,
    EFFORT_MEANINGS,
    LEVEL_MEANINGS,
    LEVEL_NAMES,
    ROLE_TITLES,
    stage_name,
)


def one_decimal(value) -> str:
    """Format a score with one decimal, or an en dash when undefined."""
    return "–" if value is None else f"{value:.1f}"


def percent(value) -> str:
    """Format a 0..1 fraction as a whole percentage, or an en dash when undefined."""
    return "–" if value is None else f"{value * 100:.0f}%"


def audit_value(value) -> str:
    """Return an audit entry's value in words: empty as a dash, lists and maps as JSON."""
    if value is None or value == "":
        return "–"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def register(app: Flask) -> None:
    """Install the filters and globals."""
    app.add_template_filter(one_decimal, "score")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(stage_name, "stage")
    app.add_template_filter(audit_value, "audit_value")
    app.add_template_filter(lambda key: CHALLENGE_TITLES.get(key, key), "challenge_title")
    app.add_template_filter(lambda key: ROLE_TITLES.get(key, key or "–"), "role_title")
    app.add_template_global(is_team_lead, "is_team_lead")
    app.add_template_global(LEVEL_NAMES, "LEVEL_NAMES")
    app.add_template_global(LEVEL_MEANINGS, "LEVEL_MEANINGS")
    app.add_template_global(EFFORT_MEANINGS, "EFFORT_MEANINGS")
    app.add_template_global(CHALLENGE_TITLES, "CHALLENGE_TITLES")
    app.add_template_global(CHALLENGE_SHORT, "CHALLENGE_SHORT")

    @app.context_processor
    def current_org():
        return {"org": g.get("org"), "membership": g.get("membership"), "now": datetime.now(UTC)}

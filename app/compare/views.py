"""Views of the compare page and its CSV, trends and movers, and the sortable heatmap."""

from __future__ import annotations

import csv
import io
import statistics
import threading

from flask import abort, make_response, render_template, request, session
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .. import charts, svg
from ..access import get_org_or_404, sees_org_reports
from ..comparisons import (
    KEYS,
    caching,
    comparison,
    comparison_rows,
    comparison_summary,
    ensure_stored,
    freshness,
)
from ..domain.compare import degradations, movers
from ..domain.inputs import csv_row, parse_id
from ..domain.vocabulary import CHALLENGE_SHORT, CHALLENGE_TITLES
from ..extensions import db
from ..models import Team, TeamMember
from ..privacy import my_team_ids, reveal_own_comparison
from ..reports.queries import chosen_cycle, org_cycles
from . import bp
from .queries import stored_history

TITLES = {**CHALLENGE_TITLES, "overall": "Overall"}
SHORT = {**CHALLENGE_SHORT, "overall": "Overall"}


@bp.before_request
@login_required
def require_login():
    """Require sign-in for every comparison page."""


def _led_team_ids() -> set[int]:
    """Return the teams the signed-in person leads."""
    return set(
        db.session.scalars(
            db.select(TeamMember.team_id).where(
                TeamMember.user_id == current_user.id, TeamMember.role == "lead"
            )
        )
    )


def _scope(org):
    """Return (teams the person may compare by name, whether they see every team)."""
    if sees_org_reports():
        return None, True
    led = _led_team_ids()
    if not led:
        abort(403, "Comparing teams is for executives, admins and team leads.")
    return led, False


def _selection(summary: dict, allowed: set[int] | None) -> tuple[list[int], str, set[int]]:
    """Return the chosen team ids (by ?team= or ?unit=) that the person may see, in name order."""
    teams = summary["teams"]
    if allowed is not None:
        teams = [t for t in teams if t[0] in allowed]
    unit = request.args.get("unit", "")
    ids = {i for i in map(parse_id, request.args.getlist("team")) if i is not None}
    chosen = [t[0] for t in teams if (t[2] == unit if unit else t[0] in ids)]
    if not chosen and allowed is not None:
        chosen = [t[0] for t in teams]  # a lead always sees their own teams
    return chosen, unit, ids


def _team_choices(teams: list, ids: set[int]) -> Markup:
    """Return the team picker's checkboxes, the chosen first, built without a template loop."""
    ordered = [t for t in teams if t[0] in ids] + [t for t in teams if t[0] not in ids]
    return Markup(
        "".join(
            f'<li><label class="form-check-label"><input class="form-check-input me-1" '
            f'type="checkbox" name="team" value="{i}"{" checked" if i in ids else ""}> '
            f'{escape(name)} <span class="text-secondary small">· {escape(unit)}</span></label></li>'
            for i, name, unit in ordered
        )
    )


@bp.route("/compare")
def compare_page(slug):
    """Compare chosen teams (or a business unit) in a cycle against the org's median and quartiles."""
    org = get_org_or_404(slug)
    allowed, everyone = _scope(org)
    cycles = org_cycles(org)
    cycle = chosen_cycle(org, cycles, request.args.get("cycle"))
    if cycle is None:
        return render_template("compare/compare.html", cycle=None, cycles=[])
    generate_csrf()  # the page's forms need the session's token; it is part of the key
    state = freshness(cycle)
    key = (
        current_user.id,
        frozenset(allowed) if allowed is not None else None,
        session.get("csrf_token"),
        state.key,
        tuple((c.id, c.closed_at) for c in cycles),
        request.query_string,
    )
    if caching() and not session.get("_flashes"):
        with _pages_lock:
            html = _pages.get(key)
        if html is not None:
            return html
    summary = comparison_summary(cycle, state.version)
    chosen_ids, unit, ids = _selection(summary, allowed)
    chosen = reveal_own_comparison(org, cycle, comparison_rows(cycle, chosen_ids))
    labels = [CHALLENGE_TITLES[k] for k in KEYS if k != "overall"]
    series = [
        (r["team"], [r["scores"][k] for k in KEYS if k != "overall"])
        for r in chosen[:8]
        if not r.get("suppressed")
    ]
    series.append(("Org median", [summary["median"][k] for k in KEYS if k != "overall"]))
    radar = svg.radar(
        labels, series, f"Radar chart of the chosen teams against the org median, {cycle.name}"
    )
    html = render_template(
        "compare/compare.html",
        cycle=cycle,
        cycles=cycles,
        freshness=state,
        summary=summary,
        chosen=chosen,
        unit=unit,
        units=sorted({t[2] for t in summary["teams"]}) if everyone else [],
        team_choices=_team_choices(summary["teams"], ids) if everyone else "",
        everyone=everyone,
        keys=KEYS,
        titles=TITLES,
        radar=Markup(radar) if chosen else None,
        too_many=len(chosen) > 8,
    )
    with _pages_lock:
        _pages[key] = html
        if len(_pages) > 256:
            _pages.pop(next(iter(_pages)))
    return html


# Rendered compare pages per person, session and comparison version: a new version (any
# submitted response) or a new cycle makes a new key, so nothing stale is ever served.
_pages: dict[tuple, str] = {}
_pages_lock = threading.Lock()


@bp.route("/compare.csv")
def compare_csv(slug):
    """Download the comparison table of the chosen teams as CSV, with the page's numbers."""
    org = get_org_or_404(slug)
    allowed, _ = _scope(org)
    cycle = chosen_cycle(org, org_cycles(org), request.args.get("cycle"))
    if cycle is None:
        abort(404, "There is no cycle to compare yet.")
    summary = comparison_summary(cycle)
    chosen = reveal_own_comparison(
        org, cycle, comparison_rows(cycle, _selection(summary, allowed)[0])
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "cycle",
            "team",
            "business_unit",
            "respondents",
            "low_confidence",
            "challenge",
            "score",
            "percentile",
            "change",
            "org_median",
            "org_q1",
            "org_q3",
        ]
    )
    for row in chosen:
        for key in KEYS:
            quart = summary["quartiles"][key] or [None, None]
            writer.writerow(
                csv_row(
                    [
                        cycle.name,
                        row["team"],
                        row["business_unit"],
                        row["respondents"],
                        row["low_confidence"],
                        key,
                    ]
                    + [
                        _fmt(row["scores"][key]),
                        _fmt(row["percentiles"][key]),
                        _fmt(row["change"][key]),
                    ]
                    + [_fmt(summary["median"][key]), _fmt(quart[0]), _fmt(quart[1])]
                )
            )
    response = make_response(out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ascent-compare-{org.slug}-{cycle.name}.csv"'
    )
    return response


def _fmt(value) -> str:
    return "" if value is None else f"{value:.2f}"


@bp.route("/heatmap")
def heatmap(slug):
    """Show every team by challenge, sortable by any column and filterable by business unit."""
    org = get_org_or_404(slug)
    if not sees_org_reports():
        abort(403, "The heatmap of all teams is for executives and admins.")
    cycles = org_cycles(org)
    cycle = chosen_cycle(org, cycles, request.args.get("cycle"))
    if cycle is None:
        return render_template("compare/heatmap.html", cycle=None, cycles=[])
    state = freshness(cycle)
    document = comparison(cycle)
    unit = request.args.get("unit", "")
    rows = reveal_own_comparison(
        org, cycle, [r for r in document["teams"] if not unit or r["business_unit"] == unit]
    )
    sort = request.args.get("sort", "team")
    descending = request.args.get("dir", "asc" if sort == "team" else "desc") == "desc"
    if sort in KEYS:
        scored = sorted(
            (r for r in rows if r["scores"][sort] is not None),
            key=lambda r: r["scores"][sort],
            reverse=descending,
        )
        rows = scored + [r for r in rows if r["scores"][sort] is None]
    else:
        sort = "team"
        rows = sorted(rows, key=lambda r: r["team"].lower(), reverse=descending)
    return render_template(
        "compare/heatmap.html",
        cycle=cycle,
        cycles=cycles,
        freshness=state,
        rows=rows,
        unit=unit,
        units=sorted({r["business_unit"] for r in document["teams"]}),
        sort=sort,
        descending=descending,
        keys=KEYS,
        short=SHORT,
        titles=TITLES,
    )


@bp.route("/trends")
def trends(slug):
    """Show scores over all cycles per team or business unit, and who improved most between two cycles."""
    org = get_org_or_404(slug)
    allowed, everyone = _scope(org)
    cycles = sorted(org_cycles(org), key=lambda c: c.opened_at)
    if not cycles:
        return render_template("compare/trends.html", cycles=[])
    ensure_stored(cycles)
    history = stored_history(cycles, org.min_respondents, my_team_ids(org))
    teams = db.session.scalars(
        db.select(Team).where(Team.org_id == org.id).order_by(Team.name)
    ).all()
    visible = [t for t in teams if allowed is None or t.id in allowed]
    unit = request.args.get("unit", "") if everyone else ""
    team_id = request.args.get("team", type=int)
    if team_id is not None and team_id not in {t.id for t in visible}:
        abort(404)
    if not unit and team_id is None:
        team_id = visible[0].id if not everyone and visible else None
    members = (
        [t.id for t in teams if (unit and t.business_unit == unit)]
        if unit
        else ([team_id] if team_id else [t.id for t in teams])
    )
    label = unit or (next(t.name for t in teams if t.id == team_id) if team_id else org.name)
    lines = {
        key: [
            _mean(history[c.id][t].get(key) for t in members if t in history[c.id]) for c in cycles
        ]
        for key in KEYS
    }
    chart = charts.svg(
        "lines",
        labels=[c.name for c in cycles],
        series=[{"name": TITLES[k], "values": lines[k], "bold": k == "overall"} for k in KEYS],
        title=f"Line chart: scores per challenge over cycles for {label}",
        chart_id="trend",
    )
    names = {c.name: c for c in cycles}
    first = names.get(request.args.get("from", ""), cycles[0] if len(cycles) < 2 else cycles[-2])
    last = names.get(request.args.get("to", ""), cycles[-1])
    key = request.args.get("key", "overall")
    key = key if key in KEYS else "overall"
    board = movers(history[first.id], history[last.id], key) if everyone else []
    team_names = {t.id: t for t in teams}
    drops = (
        degradations(history[cycles[-2].id], history[cycles[-1].id], KEYS[:-1])
        if everyone and len(cycles) > 1
        else []
    )
    return render_template(
        "compare/trends.html",
        cycles=cycles,
        teams=visible,
        units=sorted({t.business_unit for t in teams}) if everyone else [],
        unit=unit,
        team_id=team_id,
        label=label,
        lines=lines,
        chart=chart,
        first=first,
        last=last,
        key=key,
        improvers=board[:10],
        decliners=list(reversed(board[-10:])) if board else [],
        team_names=team_names,
        drops=drops,
        everyone=everyone,
        keys=KEYS,
        titles=TITLES,
    )


def _mean(values):
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None

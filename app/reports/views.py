"""Views of the team report, the teams overview and the scoring explanation."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import abort, make_response, render_template, request
from flask_login import current_user, login_required

from .. import charts
from ..access import get_org_or_404, get_team_or_404, is_org_admin, require_org_role, team_role
from ..charts import TARGET_COLOUR, TEAM_COLOUR
from ..comparisons import freshness
from ..domain.scoring import summarize_questions
from ..domain.vocabulary import CHALLENGE_TITLES, LEVEL_NAMES
from ..extensions import db
from ..models import Answer, Response, User
from ..pagecache import cached_page
from ..privacy import hides_team, reveal_own_rows
from ..privacy import note as privacy_note
from ..questionnaires import model_of
from ..reminders import response_counts
from ..roadmap.queries import ownership_of, plan_teams
from . import bp, pdf
from .dashboard import load_dashboard
from .example import worked_example
from .queries import chosen_cycle, org_cycles, org_overview
from .summary import executive_summary


@bp.route("/o/<slug>/teams/")
@login_required
def teams(slug):
    """List every team of the org with its overall score in the chosen cycle."""
    org = get_org_or_404(slug)
    cycles = org_cycles(org)
    cycle = _chosen_cycle(org, cycles)
    rows = reveal_own_rows(org, cycle, org_overview(org, cycle)) if cycle else []
    return render_template("reports/teams.html", cycles=cycles, cycle=cycle, rows=rows)


def _chosen_cycle(org, cycles):
    """Return the cycle named in ?cycle=, or the newest one."""
    return chosen_cycle(org, cycles, request.args.get("cycle"))


@bp.route("/o/<slug>/teams/<int:team_id>/report")
@login_required
def team_report(slug, team_id):
    """Show a team's scores per challenge in a cycle, and for its lead the per-question detail."""
    org = get_org_or_404(slug)
    team = get_team_or_404(org, team_id)
    cycles = org_cycles(org)
    cycle = _chosen_cycle(org, cycles)
    if cycle is None:
        return render_template("reports/team.html", team=team, cycles=[], cycle=None)
    is_lead = team_role(team, current_user.id) == "lead"
    if hides_team(org, cycle, team):
        return render_template(
            "reports/team.html", team=team, cycles=cycles, cycle=cycle, hidden=privacy_note(org)
        )
    stamp = (
        cycle.id,
        team.data_version,
        team.name,
        is_lead,
        org.comment_authors,
        tuple((c.id, c.closed_at) for c in cycles),
    )

    def render():
        questionnaire = model_of(cycle.questionnaire)
        rate = response_counts(cycle).get(team.id, (0, 0, 0)) if is_lead or is_org_admin() else None
        plan = plan_teams(cycle, [team])[team.id]
        score, targets, responses = plan.score, plan.targets, plan.responses
        chart = team_radar(team, cycle, questionnaire, score, targets)
        breakdown = (
            _breakdown(cycle, team, questionnaire, responses, org.comment_authors)
            if is_lead
            else None
        )
        return render_template(
            "reports/team.html",
            team=team,
            cycles=cycles,
            cycle=cycle,
            questionnaire=questionnaire,
            score=score,
            targets=targets,
            chart=chart,
            is_lead=is_lead,
            rate=rate,
            breakdown=breakdown,
            ownership=ownership_of([team], questionnaire)[team.id],
            roadmap=plan.roadmap,
        )

    return cached_page("team report", stamp, render)


def team_radar(team, cycle, questionnaire, score, targets, fmt: str = "svg"):
    """Return the radar chart of a team's scores against its targets."""
    data = {
        "labels": [c.title for c in questionnaire.challenges],
        "series": [
            {
                "name": team.name,
                "values": [score.challenges[c.key].score for c in questionnaire.challenges],
                "colour": TEAM_COLOUR,
            },
            {
                "name": "Target",
                "values": [targets[c.key] for c in questionnaire.challenges],
                "colour": TARGET_COLOUR,
                "dashed": True,
            },
        ],
        "title": f"Radar chart of {team.name}'s scores per challenge in {cycle.name} against the target",
        "chart_id": "team-radar",
    }
    return charts.svg("radar", **data) if fmt == "svg" else charts.png("radar", **data)


def _breakdown(cycle, team, questionnaire, responses, named: bool):
    """Return per-question summaries and the comments, with authors only when the org names them."""
    summaries = summarize_questions(questionnaire, responses)
    comments = defaultdict(list)
    rows = db.session.execute(
        sa.select(
            Answer.question_id,
            Answer.comment,
            Answer.level,
            Answer.not_applicable,
            User.name if named else sa.literal(None),
        )
        .join(Response, Response.id == Answer.response_id)
        .join(User, User.id == Response.user_id)
        .where(
            Response.cycle_id == cycle.id,
            Response.team_id == team.id,
            Response.status == "submitted",
            Answer.comment != "",
        )
        .order_by(User.name if named else Answer.comment)
    )
    for question_id, comment, level, not_applicable, name in rows:
        answer = "N/A" if not_applicable else ("don't know" if level is None else str(level))
        comments[question_id].append((name, answer, comment))
    return {"summaries": summaries, "comments": comments}


@bp.route("/scoring")
def scoring():
    """Explain the scoring rule in plain words with a worked example."""
    challenge, rows, result = worked_example()
    return render_template("reports/scoring.html", example=challenge, rows=rows, result=result)


@bp.route("/o/<slug>/dashboard")
@login_required
def dashboard(slug):
    """Show executives the org at a glance: heatmap, distribution, trends, gaps, actions, owners."""
    org = get_org_or_404(slug)
    require_org_role("admin", "executive")
    cycles = org_cycles(org)
    cycle = _chosen_cycle(org, cycles)
    if cycle is None:
        return render_template("reports/dashboard.html", cycle=None, cycles=[])
    state = freshness(cycle)
    stamp = (cycle.id, state.key, tuple((c.id, c.closed_at) for c in cycles))

    def render():
        board = load_dashboard(org, cycle, cycles)
        board.teams = reveal_own_rows(org, cycle, board.teams)
        return render_template(
            "reports/dashboard.html",
            lowest=_lowest(board.teams),
            owner_rows=_most_findings(board),
            cycles=cycles,
            cycle=cycle,
            board=board,
            summary=executive_summary(board),
            charts=dashboard_charts(board),
        )

    return cached_page("dashboard", stamp, render)


DASHBOARD_ROWS = 40  # an org with more teams shows its lowest on the dashboard, all in the heatmap


def _lowest(teams: list) -> list | None:
    """Return the teams lowest overall when the org has too many to list, else None (all)."""
    if len(teams) <= DASHBOARD_ROWS * 3 // 2:
        return None
    scored = [t for t in teams if t.overall is not None]
    return sorted(scored, key=lambda t: (t.overall, t.name))[:DASHBOARD_ROWS]


def _most_findings(board) -> list | None:
    """Return the teams with the most ownership findings when there are too many to list."""
    if len(board.teams) <= DASHBOARD_ROWS * 3 // 2:
        return None
    count = {t.id: len(board.ownership.get(t.id, [])) for t in board.teams}
    found = [t for t in board.teams if count[t.id]]
    return sorted(found, key=lambda t: (-count[t.id], t.name))[:DASHBOARD_ROWS]


def dashboard_charts(board, fmt: str = "svg") -> dict:
    """Return the dashboard's distribution and trend charts."""
    render = charts.svg if fmt == "svg" else charts.png
    distribution = render(
        "bars",
        labels=[f"{i} {name}" for i, name in enumerate(LEVEL_NAMES)],
        values=board.stage_counts,
        colours=list(charts.LEVEL_COLOURS),
        title=f"Bar chart: number of teams at each overall stage in {board.cycle.name}",
        chart_id="distribution",
        ylabel="teams",
    )
    names = [c.name for c in board.trend_cycles]
    series = [{"name": CHALLENGE_TITLES[k], "values": board.trend[k]} for k in CHALLENGE_TITLES]
    series.append({"name": "Overall", "values": board.trend["overall"], "bold": True})
    trend = render(
        "lines",
        labels=names,
        series=series,
        title="Line chart: the org's mean score per challenge and overall, cycle by cycle",
        chart_id="trend",
    )
    return {"distribution": distribution, "trend": trend}


def _team_context(slug, team_id):
    """Return everything a printable team report needs."""
    org = get_org_or_404(slug)
    team = get_team_or_404(org, team_id)
    cycles = org_cycles(org)
    cycle = _chosen_cycle(org, cycles)
    if cycle is None:
        abort(404, "There is no cycle to report on yet.")
    if hides_team(org, cycle, team):
        abort(
            403,
            f"{team.name} has {privacy_note(org)} in {cycle.name}, so its report is shown "
            "only to its own members.",
        )
    questionnaire = model_of(cycle.questionnaire)
    plan = plan_teams(cycle, [team])[team.id]
    ownership = ownership_of([team], questionnaire)[team.id]
    return org, team, cycle, questionnaire, plan, ownership


@bp.route("/o/<slug>/teams/<int:team_id>/print")
@login_required
def team_print(slug, team_id):
    """Show the team report as a print-ready page."""
    org, team, cycle, questionnaire, plan, ownership = _team_context(slug, team_id)
    chart = team_radar(team, cycle, questionnaire, plan.score, plan.targets)
    return render_template(
        "reports/team_print.html",
        team=team,
        cycle=cycle,
        questionnaire=questionnaire,
        plan=plan,
        ownership=ownership,
        chart=chart,
    )


@bp.route("/o/<slug>/teams/<int:team_id>/report.pdf")
@login_required
def team_pdf(slug, team_id):
    """Download the team report as a PDF."""
    org, team, cycle, questionnaire, plan, ownership = _team_context(slug, team_id)
    radar = team_radar(team, cycle, questionnaire, plan.score, plan.targets, fmt="png")
    data = pdf.team_pdf(team, cycle, questionnaire, plan, ownership, radar)
    return _pdf_response(data, f"ascent-{_slugify(team.name)}-{cycle.name}.pdf")


def _org_board(slug):
    org = get_org_or_404(slug)
    require_org_role("admin", "executive")
    cycles = org_cycles(org)
    cycle = _chosen_cycle(org, cycles)
    if cycle is None:
        abort(404, "There is no cycle to report on yet.")
    board = load_dashboard(org, cycle, cycles)
    board.teams = reveal_own_rows(org, cycle, board.teams)
    return org, board


@bp.route("/o/<slug>/print")
@login_required
def org_print(slug):
    """Show the org report as a print-ready page."""
    org, board = _org_board(slug)
    return render_template(
        "reports/org_print.html",
        cycle=board.cycle,
        board=board,
        summary=executive_summary(board),
        charts=dashboard_charts(board),
    )


@bp.route("/o/<slug>/report.pdf")
@login_required
def org_pdf(slug):
    """Download the org report as a PDF."""
    org, board = _org_board(slug)
    images = dashboard_charts(board, fmt="png")
    data = pdf.org_pdf(org, board, images["distribution"], images["trend"])
    return _pdf_response(data, f"ascent-{org.slug}-{board.cycle.name}.pdf")


def _slugify(text: str) -> str:
    return "".join(ch.lower() if ch.isalnum() else "-" for ch in text).strip("-")


def _pdf_response(data: bytes, filename: str):
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""Views of the team report, the teams overview and the scoring explanation."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user, login_required

from ..access import get_cycle_or_404, get_org_or_404, get_team_or_404, team_role
from ..charts import TARGET_COLOUR, TEAM_COLOUR, radar_svg
from ..domain.scoring import score_team, summarize_questions
from ..domain.vocabulary import DEFAULT_TARGET
from ..extensions import db
from ..models import Answer, Response, User
from ..questionnaires import model_of
from ..scores import submitted_responses
from . import bp
from .example import worked_example
from .queries import org_cycles, org_overview


@bp.route("/o/<slug>/teams/")
@login_required
def teams(slug):
    """List every team of the org with its overall score in the chosen cycle."""
    org = get_org_or_404(slug)
    cycles = org_cycles(org)
    cycle = _chosen_cycle(org, cycles)
    rows = org_overview(org, cycle) if cycle else []
    return render_template("reports/teams.html", cycles=cycles, cycle=cycle, rows=rows)


def _chosen_cycle(org, cycles):
    """Return the cycle named in ?cycle=, or the newest one."""
    name = request.args.get("cycle")
    if name:
        return get_cycle_or_404(org, name)
    return cycles[0] if cycles else None


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
    questionnaire = model_of(cycle.questionnaire)
    responses = submitted_responses(cycle, [team.id]).get(team.id, [])
    score = score_team(questionnaire, responses)
    targets = {c.key: DEFAULT_TARGET for c in questionnaire.challenges}
    is_lead = team_role(team, current_user.id) == "lead"
    chart = radar_svg(
        labels=[c.title for c in questionnaire.challenges],
        series=[
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
        title=f"Radar chart of {team.name}'s scores per challenge in {cycle.name} against the target",
        chart_id="team-radar",
    )
    breakdown = _breakdown(cycle, team, questionnaire, responses) if is_lead else None
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
        breakdown=breakdown,
    )


def _breakdown(cycle, team, questionnaire, responses):
    """Return per-question summaries and the comments with their authors (one query)."""
    summaries = summarize_questions(questionnaire, responses)
    comments = defaultdict(list)
    rows = db.session.execute(
        sa.select(
            Answer.question_id, Answer.comment, Answer.level, Answer.not_applicable, User.name
        )
        .join(Response, Response.id == Answer.response_id)
        .join(User, User.id == Response.user_id)
        .where(
            Response.cycle_id == cycle.id,
            Response.team_id == team.id,
            Response.status == "submitted",
            Answer.comment != "",
        )
        .order_by(User.name)
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

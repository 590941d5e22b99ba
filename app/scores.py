"""Load submitted responses in bulk and score teams with the domain rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa

from .domain.questionnaire import Questionnaire
from .domain.scoring import Answer as AnswerValue
from .domain.scoring import Response as ResponseValue
from .domain.scoring import TeamScore, score_team
from .extensions import db
from .models import Answer, Cycle, Response
from .questionnaires import model_of


def _answer_maps(where: list) -> tuple[list, dict[int, dict[str, AnswerValue]]]:
    """Return the submitted responses matching where (id, cycle, team) and their answers (two queries)."""
    where = [Response.status == "submitted", *where]
    responses = db.session.execute(
        sa.select(Response.id, Response.cycle_id, Response.team_id).where(*where)
    ).all()
    answers: dict[int, dict[str, AnswerValue]] = {rid: {} for rid, _, _ in responses}
    rows = db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Answer.level, Answer.not_applicable)
        .join(Response, Response.id == Answer.response_id)
        .where(*where)
    )
    values: dict[tuple, AnswerValue] = {}  # a few hundred distinct answers: make each once
    for response_id, question_id, level, not_applicable in rows:
        if response_id in answers:  # a response submitted between the two queries waits its turn
            key = (question_id, level, not_applicable)
            value = values.get(key)
            if value is None:
                value = values[key] = AnswerValue(question_id, level, not_applicable)
            answers[response_id][question_id] = value
    return responses, answers


def submitted_responses(
    cycle: Cycle, team_ids: Iterable[int] | None = None
) -> dict[int, list[ResponseValue]]:
    """Return each team's submitted responses in the cycle as plain answer maps (two queries)."""
    where = [Response.cycle_id == cycle.id]
    if team_ids is not None:
        where.append(Response.team_id.in_(list(team_ids)))
    responses, answers = _answer_maps(where)
    teams: dict[int, list[ResponseValue]] = defaultdict(list)
    for response_id, _, team_id in responses:
        teams[team_id].append(answers[response_id])
    return teams


def history(cycles: list[Cycle], team_ids: list[int]) -> dict[int, dict[int, TeamScore]]:
    """Score every team in every cycle: {cycle id: {team id: scores}}, in two queries."""
    if not cycles:
        return {}
    responses, answers = _answer_maps([Response.cycle_id.in_([c.id for c in cycles])])
    grouped: dict[tuple[int, int], list[ResponseValue]] = defaultdict(list)
    for response_id, cycle_id, team_id in responses:
        grouped[(cycle_id, team_id)].append(answers[response_id])
    return {
        cycle.id: {
            tid: score_team(model_of(cycle.questionnaire), grouped.get((cycle.id, tid), []))
            for tid in team_ids
        }
        for cycle in cycles
    }


def score_teams(cycle: Cycle, team_ids: Iterable[int]) -> dict[int, TeamScore]:
    """Score every listed team in the cycle; teams without responses get empty scores."""
    team_ids = list(team_ids)
    questionnaire: Questionnaire = model_of(cycle.questionnaire)
    responses = submitted_responses(cycle, team_ids)
    return {tid: score_team(questionnaire, responses.get(tid, [])) for tid in team_ids}

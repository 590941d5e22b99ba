"""Writes of the survey: start, save, carry over and submit a response, idempotently."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from ..comparisons import store_team_scores
from ..dbutil import insert_for, upsert
from ..domain.survey import AnswerInput
from ..extensions import db
from ..models import Answer, Cycle, Response, Team, User, utcnow


class CycleClosed(Exception):
    """The cycle is closed: its responses are frozen."""

    def __init__(self, cycle: Cycle):
        super().__init__(f"The cycle {cycle.name} is closed; its responses can no longer change.")


def ensure_open(cycle: Cycle) -> None:
    """Raise CycleClosed unless the cycle still takes answers."""
    if not cycle.is_open:
        raise CycleClosed(cycle)


def get_or_start_response(cycle: Cycle, team: Team, user: User) -> Response:
    """Return the person's response for team and cycle, creating the draft exactly once."""
    ensure_open(cycle)
    found = find_response(cycle, team, user)
    if found is not None:
        return found
    stmt = (
        insert_for(Response)
        .values(
            cycle_id=cycle.id,
            team_id=team.id,
            user_id=user.id,
            questionnaire_id=cycle.questionnaire_id,
            status="draft",
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["cycle_id", "team_id", "user_id"])
    )
    db.session.execute(stmt)
    return find_response(cycle, team, user)


def find_response(cycle: Cycle, team: Team, user: User) -> Response | None:
    """Return the person's response for team and cycle, if any."""
    return db.session.scalar(
        sa.select(Response).where(
            Response.cycle_id == cycle.id, Response.team_id == team.id, Response.user_id == user.id
        )
    )


def answered_count(response: Response) -> int:
    """Return how many questions the response has an answer to (one count)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Answer).where(Answer.response_id == response.id)
    )


def answers_of(response: Response) -> dict[str, Answer]:
    """Return the stored answers of a response by question id."""
    rows = db.session.scalars(sa.select(Answer).where(Answer.response_id == response.id))
    return {a.question_id: a for a in rows}


def save_answers(
    response: Response, answers: Mapping[str, AnswerInput], rescore: bool = True
) -> bool:
    """Upsert answers as confirmed; a changed submitted response becomes a draft again.

    Returns True when the response went back to draft. Pass rescore=False when the
    response is submitted again in the same transaction (the submit scores the team).
    """
    ensure_open(response.cycle)
    if not answers:
        return False
    stored = {
        qid: (level, not_applicable, comment or "")
        for qid, level, not_applicable, comment in db.session.execute(
            sa.select(
                Answer.question_id, Answer.level, Answer.not_applicable, Answer.comment
            ).where(Answer.response_id == response.id, Answer.question_id.in_(list(answers)))
        )
    }
    changed = any(
        stored.get(qid) != (a.level, a.not_applicable, a.comment) for qid, a in answers.items()
    )
    now = utcnow()
    rows = [
        {
            "response_id": response.id,
            "question_id": a.question_id,
            "level": a.level,
            "not_applicable": a.not_applicable,
            "comment": a.comment,
            "carried_over": False,
            "updated_at": now,
        }
        for a in answers.values()
    ]
    upsert(
        Answer,
        rows,
        conflict=["response_id", "question_id"],
        update=["level", "not_applicable", "comment", "carried_over", "updated_at"],
    )
    reopened = changed and response.status == "submitted"
    response.updated_at = now
    if reopened:
        response.status = "draft"
    db.session.flush()
    if reopened and rescore:
        store_team_scores(response.cycle, [response.team_id])
    return reopened


def previous_response(cycle: Cycle, team: Team, user: User) -> Response | None:
    """Return the person's latest submitted response for the team in an earlier cycle."""
    return db.session.scalar(
        sa.select(Response)
        .join(Cycle, Cycle.id == Response.cycle_id)
        .where(
            Response.team_id == team.id,
            Response.user_id == user.id,
            Response.status == "submitted",
            Cycle.org_id == cycle.org_id,
            Cycle.opened_at < cycle.opened_at,
        )
        .order_by(Cycle.opened_at.desc())
        .limit(1)
    )


def carry_over(response: Response, previous: Response, question_ids: set[str]) -> int:
    """Copy the previous cycle's answers into empty questions, marked as carried over."""
    ensure_open(response.cycle)
    now = utcnow()
    rows = [
        {
            "response_id": response.id,
            "question_id": a.question_id,
            "level": a.level,
            "not_applicable": a.not_applicable,
            "comment": a.comment,
            "carried_over": True,
            "updated_at": now,
        }
        for a in answers_of(previous).values()
        if a.question_id in question_ids
    ]
    before = len(answers_of(response))
    upsert(Answer, rows, conflict=["response_id", "question_id"], update=[])
    response.updated_at = now
    db.session.flush()
    return len(answers_of(response)) - before


def submit(response: Response) -> None:
    """Mark the response submitted; blank questions count as don't know. Idempotent."""
    ensure_open(response.cycle)
    now = utcnow()
    response.status, response.submitted_at, response.updated_at = "submitted", now, now
    db.session.flush()
    store_team_scores(response.cycle, [response.team_id])

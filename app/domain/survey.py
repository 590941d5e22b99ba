"""Reading survey answers: validation of choices and progress through the pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .questionnaire import Questionnaire

UNKNOWN = "unknown"
NOT_APPLICABLE = "na"
MAX_COMMENT = 2000


@dataclass(frozen=True)
class AnswerInput:
    """A validated answer to store: a level, or don't know (None), or not applicable."""

    question_id: str
    level: int | None
    not_applicable: bool
    comment: str


def parse_choice(raw) -> tuple[int | None, bool]:
    """Turn '0'..'4', 0..4, 'unknown' or 'na' into (level, not_applicable); ValueError else."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int) and 0 <= raw <= 4:
        return raw, False
    if isinstance(raw, str):
        value = raw.strip().lower()
        if value in ("0", "1", "2", "3", "4"):
            return int(value), False
        if value in (UNKNOWN, "dont_know", "don't know"):
            return None, False
        if value in (NOT_APPLICABLE, "n/a", "not_applicable"):
            return None, True
    raise ValueError(raw)


def validate_answers(
    questionnaire: Questionnaire, submitted: Mapping[str, tuple[object, str]]
) -> tuple[dict[str, AnswerInput], dict[str, str]]:
    """Split {question id: (choice, comment)} into valid answers and errors by question id."""
    valid, errors = {}, {}
    for question_id, (choice, comment) in submitted.items():
        comment = (comment or "").strip()
        if questionnaire.question(question_id) is None:
            errors[question_id] = (
                f"'{question_id}' is not a question of {questionnaire.key} v{questionnaire.version}."
            )
            continue
        if len(comment) > MAX_COMMENT:
            errors[question_id] = f"Keep the comment under {MAX_COMMENT} characters."
            continue
        if choice in (None, ""):
            if comment:
                errors[question_id] = (
                    "Choose a level, “don't know” or “not applicable” so your comment can be kept."
                )
            continue
        try:
            level, not_applicable = parse_choice(choice)
        except ValueError:
            errors[question_id] = (
                f"{choice!r} is not an answer: choose a level from 0 to 4, "
                "“don't know” or “not applicable”."
            )
            continue
        valid[question_id] = AnswerInput(question_id, level, not_applicable, comment)
    return valid, errors


@dataclass(frozen=True)
class PageProgress:
    """How many questions of one challenge page are answered."""

    challenge: str
    title: str
    answered: int
    total: int

    @property
    def complete(self) -> bool:
        """Return True when every question on the page has an answer."""
        return self.answered >= self.total


def progress(questionnaire: Questionnaire, answered_ids: Iterable[str]) -> list[PageProgress]:
    """Return, per challenge page, how many of its questions have an answer."""
    answered = set(answered_ids)
    return [
        PageProgress(c.key, c.title, sum(q.id in answered for q in c.questions), len(c.questions))
        for c in questionnaire.challenges
    ]

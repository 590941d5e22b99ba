"""The worked example of the scoring page, computed with the real scoring rule."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.questionnaire import Challenge, Question
from ..domain.scoring import Answer, ChallengeScore, respondent_score, score_challenge

EXAMPLE = Challenge(
    key="monitoring",
    title="Model drift and monitoring",
    weight=1,
    description="",
    raci={},
    questions=(
        Question("monitoring.input-drift", "monitoring", "Input drift is detected", 2, (), ()),
        Question("monitoring.quality", "monitoring", "Prediction quality is measured", 1, (), ()),
        Question("monitoring.overrides", "monitoring", "Human overrides are tracked", 1, (), ()),
    ),
)

# Three respondents: Ana answers all, Ben doesn't know one, Chloe marks one not applicable.
RESPONSES = {
    "Ana": {"monitoring.input-drift": 3, "monitoring.quality": 2, "monitoring.overrides": 1},
    "Ben": {"monitoring.input-drift": 2, "monitoring.quality": None, "monitoring.overrides": 2},
    "Chloe": {"monitoring.input-drift": 1, "monitoring.quality": 1, "monitoring.overrides": "na"},
}


@dataclass(frozen=True)
class ExampleRow:
    """One respondent of the example with their answers and score."""

    name: str
    answers: dict
    score: float | None


def _response(answers: dict) -> dict[str, Answer]:
    return {
        qid: Answer(qid, None, True) if value == "na" else Answer(qid, value)
        for qid, value in answers.items()
    }


def worked_example() -> tuple[Challenge, list[ExampleRow], ChallengeScore]:
    """Return the example challenge, each respondent's score, and the team result."""
    responses = {name: _response(a) for name, a in RESPONSES.items()}
    rows = [
        ExampleRow(name, RESPONSES[name], respondent_score(EXAMPLE, r))
        for name, r in responses.items()
    ]
    return EXAMPLE, rows, score_challenge(EXAMPLE, list(responses.values()))

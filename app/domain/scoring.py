"""The scoring rule of the design: respondent, team and overall scores."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .questionnaire import Challenge, Questionnaire
from .vocabulary import DISAGREEMENT_THRESHOLD, LEVELS, stage_name


@dataclass(frozen=True)
class Answer:
    """One answer: a level 0-4, or don't know (level None), or not applicable."""

    question_id: str
    level: int | None = None
    not_applicable: bool = False

    @property
    def kind(self) -> str:
        """Return 'level', 'unknown' or 'na'."""
        if self.not_applicable:
            return "na"
        return "unknown" if self.level is None else "level"


# A response is the mapping of question id to answer; a missing question is "don't know".
Response = Mapping[str, Answer]


@dataclass(frozen=True)
class ChallengeScore:
    """A team's result on one challenge in one cycle."""

    challenge: str
    score: float | None
    disagreement: float | None
    coverage: float | None
    respondents: int
    scored_respondents: int
    answered: int
    unknown: int
    not_applicable: int

    @property
    def stage(self) -> str | None:
        """Return the level name of floor(score)."""
        return stage_name(self.score)

    @property
    def disagrees(self) -> bool:
        """Return True when respondents disagree by a standard deviation of 1.0 or more."""
        return self.disagreement is not None and self.disagreement >= DISAGREEMENT_THRESHOLD


@dataclass(frozen=True)
class TeamScore:
    """A team's scores per challenge (in questionnaire order) and overall."""

    challenges: dict[str, ChallengeScore]
    overall: float | None
    respondents: int

    @property
    def overall_stage(self) -> str | None:
        """Return the level name of floor(overall)."""
        return stage_name(self.overall)


@dataclass(frozen=True)
class QuestionSummary:
    """How a team answered one question: mean level, counts per level, unknown and N/A."""

    question_id: str
    mean: float | None
    counts: tuple[int, ...]
    unknown: int
    not_applicable: int

    @property
    def answered(self) -> int:
        """Return the number of answers with a level."""
        return sum(self.counts)


def respondent_score(challenge: Challenge, response: Response) -> float | None:
    """Return sum(w*l)/sum(w) over the challenge's questions answered with a level."""
    total = weights = 0.0
    for question in challenge.questions:
        answer = response.get(question.id)
        if answer is not None and answer.kind == "level":
            total += question.weight * answer.level
            weights += question.weight
    return total / weights if weights else None


def score_challenge(challenge: Challenge, responses: Sequence[Response]) -> ChallengeScore:
    """Return the team score, disagreement and coverage of one challenge."""
    scores = [s for r in responses if (s := respondent_score(challenge, r)) is not None]
    answered = unknown = not_applicable = 0
    for response in responses:
        for question in challenge.questions:
            answer = response.get(question.id)
            kind = answer.kind if answer is not None else "unknown"
            answered += kind == "level"
            unknown += kind == "unknown"
            not_applicable += kind == "na"
    possible = len(challenge.questions) * len(responses) - not_applicable
    return ChallengeScore(
        challenge=challenge.key,
        score=statistics.fmean(scores) if scores else None,
        disagreement=statistics.pstdev(scores) if scores else None,
        coverage=answered / possible if possible else None,
        respondents=len(responses),
        scored_respondents=len(scores),
        answered=answered,
        unknown=unknown,
        not_applicable=not_applicable,
    )


def overall_score(
    questionnaire: Questionnaire, scores: Mapping[str, ChallengeScore]
) -> float | None:
    """Return the challenge-weighted mean of the challenges that have a score."""
    total = weights = 0.0
    for challenge in questionnaire.challenges:
        score = scores[challenge.key].score
        if score is not None:
            total += challenge.weight * score
            weights += challenge.weight
    return total / weights if weights else None


def score_team(questionnaire: Questionnaire, responses: Sequence[Response]) -> TeamScore:
    """Score a team's submitted responses on every challenge and overall."""
    scores = {c.key: score_challenge(c, responses) for c in questionnaire.challenges}
    return TeamScore(scores, overall_score(questionnaire, scores), len(responses))


def summarize_questions(
    questionnaire: Questionnaire, responses: Sequence[Response]
) -> dict[str, QuestionSummary]:
    """Summarize each question: mean level over those who gave one, and answer counts."""
    summaries = {}
    for question in questionnaire.questions:
        counts = [0] * len(LEVELS)
        unknown = not_applicable = 0
        for response in responses:
            answer = response.get(question.id)
            kind = answer.kind if answer is not None else "unknown"
            if kind == "level":
                counts[answer.level] += 1
            elif kind == "na":
                not_applicable += 1
            else:
                unknown += 1
        answered = sum(counts)
        mean = sum(level * n for level, n in enumerate(counts)) / answered if answered else None
        summaries[question.id] = QuestionSummary(
            question.id, mean, tuple(counts), unknown, not_applicable
        )
    return summaries


def lift_responses(
    questionnaire: Questionnaire, responses: Sequence[Response], lifts: Mapping[str, int]
) -> list[dict[str, Answer]]:
    """Return the responses as if each lifted question had reached at least its new level.

    Answers below the new level rise to it; a question nobody answered with a level is
    taken as answered at the new level by everyone; "not applicable" stays as it was.
    """
    nobody = {
        qid
        for qid in lifts
        if not any((r.get(qid) is not None and r[qid].kind == "level") for r in responses)
    }
    lifted = []
    for response in responses:
        copy = dict(response)
        for qid, level in lifts.items():
            answer = response.get(qid)
            kind = answer.kind if answer is not None else "unknown"
            below = kind == "level" and answer.level < level
            if below or (qid in nobody and kind == "unknown"):
                copy[qid] = Answer(qid, level)
        lifted.append(copy)
    return lifted

"""Upskilling rules: which modules a team gets, a person's progress, quiz grading, the effect."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .curriculum import PASS_MARK, Module, QuizQuestion

NOT_STARTED, IN_PROGRESS, COMPLETED = "not started", "in progress", "completed"


@dataclass(frozen=True)
class Member:
    """A team member as assignment sees them: an id and an optional job role."""

    user_id: int
    job_role: str | None


@dataclass(frozen=True)
class Assignment:
    """One module for one person, and why: the challenge and its gap."""

    user_id: int
    module_key: str
    challenge: str
    level: int
    gap: float


def assign_modules(
    top_challenges: Sequence[tuple[str, float, float]],
    modules: Iterable[Module],
    members: Sequence[Member],
) -> list[Assignment]:
    """Assign modules of each top challenge (key, score, gap) whose levels hold floor(score).

    A module naming roles goes to the members with one of them; one naming none, or whose
    roles nobody in the team has, goes to every member.
    """
    modules = sorted(modules, key=lambda m: m.key)
    result = []
    for challenge, score, gap in top_challenges:
        level = max(0, min(4, math.floor(score or 0.0)))
        for module in modules:
            if module.challenge != challenge or not module.fits_level(level):
                continue
            fitting = [m for m in members if m.job_role in module.roles]
            for member in fitting or members:
                result.append(Assignment(member.user_id, module.key, challenge, level, gap))
    return result


@dataclass(frozen=True)
class Progress:
    """A person's progress on one module version."""

    steps_done: int
    steps_total: int
    has_quiz: bool
    quiz_passed: bool
    best_score: float | None

    @property
    def status(self) -> str:
        """Return not started, in progress or completed."""
        if self.steps_done >= self.steps_total and (self.quiz_passed or not self.has_quiz):
            return COMPLETED
        if self.steps_done or self.best_score is not None:
            return IN_PROGRESS
        return NOT_STARTED

    @property
    def fraction(self) -> float:
        """Return the share done, counting the quiz as one more step when there is one."""
        total = self.steps_total + (1 if self.has_quiz else 0)
        done = self.steps_done + (1 if self.has_quiz and self.quiz_passed else 0)
        return done / total if total else 0.0


def progress_of(module: Module, ticked: Iterable[int], scores: Iterable[float]) -> Progress:
    """Derive progress from the ticked step indexes and the quiz attempt scores."""
    valid = {i for i in ticked if 0 <= i < len(module.steps)}
    scores = list(scores)
    best = max(scores) if scores else None
    return Progress(
        len(valid),
        len(module.steps),
        bool(module.quiz),
        best is not None and best >= PASS_MARK,
        best,
    )


@dataclass(frozen=True)
class Graded:
    """A graded quiz attempt: per-question correctness, the score and whether it passes."""

    correct: tuple[bool, ...]
    chosen: tuple[int | None, ...]
    score: float
    passed: bool


def grade(quiz: Sequence[QuizQuestion], answers: Mapping[int, int | None]) -> Graded:
    """Grade answers (question index to option index); an unanswered question is wrong."""
    chosen = tuple(answers.get(i) for i in range(len(quiz)))
    correct = tuple(c == q.answer for c, q in zip(chosen, quiz, strict=True))
    score = sum(correct) / len(quiz) if quiz else 0.0
    return Graded(correct, chosen, score, score >= PASS_MARK)


@dataclass(frozen=True)
class Effect:
    """Score change between consecutive cycles, for teams that completed modules and not."""

    challenge: str
    trained_change: float | None
    trained_teams: int
    untrained_change: float | None
    untrained_teams: int


def training_effect(
    changes: Sequence[tuple[str, str, float]],
    trained: set[tuple[str, str]],
    challenges: Sequence[str],
) -> list[Effect]:
    """Compare mean score changes per challenge.

    changes: (challenge, team-and-period id, score change) for every team with a score in
    both cycles; trained: the (challenge, team-and-period id) pairs where the team completed
    one of the challenge's modules within that period.
    """
    result = []
    for challenge in challenges:
        with_training = [d for c, key, d in changes if c == challenge and (c, key) in trained]
        without = [d for c, key, d in changes if c == challenge and (c, key) not in trained]
        result.append(
            Effect(
                challenge,
                statistics.fmean(with_training) if with_training else None,
                len(with_training),
                statistics.fmean(without) if without else None,
                len(without),
            )
        )
    return result

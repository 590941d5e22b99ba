"""The roadmap rule: gaps become prioritized actions placed in Now, Next, Later or Backlog."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .questionnaire import Questionnaire
from .scoring import Response, TeamScore, lift_responses, score_team
from .vocabulary import CHALLENGE_TITLES, DEFAULT_TARGET, DEPENDENCY_ORDER, EFFORTS, LEVEL_NAMES

PHASES = ("now", "next", "later")
PHASE_TITLES = {"now": "Now", "next": "Next", "later": "Later", "backlog": "Backlog"}
PHASE_WINDOWS = {
    "now": "0–30 days",
    "next": "30–90 days",
    "later": "90–180 days",
    "backlog": "after 180 days",
}
DEFAULT_CAPACITY = 5
STATUSES = ("open", "planned", "in_progress", "done", "dismissed")
CLOSED_STATUSES = ("done", "dismissed")
MAX_REASON = 500
EARLIEST_DUE, LATEST_DUE = date(2000, 1, 1), date(2100, 12, 31)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# A challenge's foundations: a step should not be built on a foundation that lags behind it.
FOUNDATIONS: dict[str, tuple[str, ...]] = {
    "ownership": (),
    "data": ("ownership",),
    "infrastructure": ("ownership",),
    "monitoring": ("ownership", "data", "infrastructure"),
    "governance": ("ownership", "data"),
    "culture": ("ownership",),
    "cost": ("ownership", "data", "infrastructure"),
    "integration": ("ownership", "infrastructure"),
}


@dataclass(frozen=True)
class ChallengeGap:
    """A challenge's score against its target, and its rank on the roadmap."""

    key: str
    score: float | None
    target: int
    gap: float
    weight: float
    rank: int


@dataclass(frozen=True)
class RoadmapAction:
    """One recommended step, placed in a phase, with the reasons for its place."""

    question_id: str
    challenge: str
    from_level: int
    mean_level: float
    priority: float
    effort: str
    owner: str
    text: str
    unknown: bool
    earliest_phase: str
    phase: str | None
    status: str
    held_by: tuple[str, float] | None
    why: str

    @property
    def key(self) -> tuple[str, int]:
        """Return (question id, from level): what a status is remembered by."""
        return (self.question_id, self.from_level)


@dataclass(frozen=True)
class Roadmap:
    """The ranked challenges and the ordered actions of one team."""

    challenges: tuple[ChallengeGap, ...]
    actions: tuple[RoadmapAction, ...]
    capacity: int

    def phase(self, name: str) -> list[RoadmapAction]:
        """Return the actions placed in a phase, in order."""
        return [a for a in self.actions if a.phase == name]

    @property
    def closed(self) -> list[RoadmapAction]:
        """Return the actions marked done or dismissed, which hold no slot."""
        return [a for a in self.actions if a.status in CLOSED_STATUSES]

    def top_challenges(self, count: int = 3) -> list[str]:
        """Return the first challenges of the ranking that have a gap above zero."""
        return [c.key for c in self.challenges if c.gap > 0][:count]


def challenge_gaps(
    questionnaire: Questionnaire, scores: Mapping[str, float | None], targets: Mapping[str, int]
) -> tuple[ChallengeGap, ...]:
    """Rank the challenges by gap times weight, ties by the dependency order."""
    rows = []
    for challenge in questionnaire.challenges:
        score = scores.get(challenge.key)
        target = targets.get(challenge.key, DEFAULT_TARGET)
        gap = max(0.0, target - (score or 0.0))
        rows.append((challenge.key, score, target, gap, challenge.weight))
    order = sorted(rows, key=lambda r: (-r[3] * r[4], DEPENDENCY_ORDER.index(r[0])))
    return tuple(ChallengeGap(k, s, t, g, w, rank) for rank, (k, s, t, g, w) in enumerate(order, 1))


def earliest_phase(challenge: str, from_level: int, scores: Mapping[str, float | None]):
    """Return the earliest phase of a step and the foundation that holds it back, if any."""
    lags = [
        (from_level - scores[f], f) for f in FOUNDATIONS[challenge] if scores.get(f) is not None
    ]
    if not lags:
        return "now", None
    lag, foundation = max(lags, key=lambda item: (item[0], -DEPENDENCY_ORDER.index(item[1])))
    if lag <= 0:
        return "now", None
    return ("next" if lag <= 1 else "later"), (foundation, scores[foundation])


def plan_roadmap(
    questionnaire: Questionnaire,
    scores: Mapping[str, float | None],
    question_means: Mapping[str, float | None],
    targets: Mapping[str, int],
    capacity: int = DEFAULT_CAPACITY,
    statuses: Mapping[tuple[str, int], str] | None = None,
) -> Roadmap:
    """Turn a team's scores into its ordered roadmap, exactly by the design's rule."""
    statuses = statuses or {}
    gaps = challenge_gaps(questionnaire, scores, targets)
    by_key = {g.key: g for g in gaps}
    candidates = []
    for challenge in questionnaire.challenges:
        info = by_key[challenge.key]
        if info.gap <= 0:
            continue
        for question in challenge.questions:
            mean = question_means.get(question.id)
            unknown = mean is None
            m = 0.0 if unknown else mean
            if m >= info.target:
                continue
            level = min(int(math.floor(m)), 3)
            action = question.action_from(level)
            if action is None:
                continue
            phase, held = earliest_phase(challenge.key, level, scores)
            priority = info.gap * info.weight * (info.target - m)
            candidates.append((priority, action, m, unknown, phase, held, info))
    candidates.sort(
        key=lambda c: (
            -c[0],
            EFFORTS.index(c[1].effort),
            DEPENDENCY_ORDER.index(c[6].key),
            c[1].question_id,
        )
    )
    load = dict.fromkeys(PHASES, 0)
    actions = []
    for priority, action, m, unknown, earliest, held, info in candidates:
        status = statuses.get((action.question_id, action.from_level), "open")
        phase = None
        if status not in CLOSED_STATUSES:
            phase = next(
                (p for p in PHASES[PHASES.index(earliest) :] if load[p] < capacity), "backlog"
            )
            if phase != "backlog":
                load[phase] += 1
        actions.append(
            RoadmapAction(
                question_id=action.question_id,
                challenge=info.key,
                from_level=action.from_level,
                mean_level=m,
                priority=priority,
                effort=action.effort,
                owner=action.owner,
                text=action.text,
                unknown=unknown,
                earliest_phase=earliest,
                phase=phase,
                status=status,
                held_by=held,
                why=_why(info, m, unknown, action.from_level, earliest, held, phase),
            )
        )
    return Roadmap(gaps, tuple(actions), capacity)


def _why(info: ChallengeGap, m: float, unknown: bool, level: int, earliest, held, phase) -> str:
    """Say in words why an action is where it is."""
    title = CHALLENGE_TITLES[info.key]
    score = "no score" if info.score is None else f"{info.score:.1f}"
    weight = f", weight {info.weight:g}" if info.weight != 1 else ""
    where = "nobody answered this question" if unknown else f"the team is at {m:.1f} here"
    parts = [
        f"{title} at {score} against a target of {info.target} (gap {info.gap:.1f}{weight}); {where}."
    ]
    if held:
        foundation, value = held
        parts.append(
            f"Held to {PHASE_TITLES[earliest]}: {CHALLENGE_TITLES[foundation].lower()} at {value:.1f}, "
            f"this step starts at level {level} ({LEVEL_NAMES[level]})."
        )
    if phase and phase != earliest:
        parts.append(f"{PHASE_TITLES[earliest]} is full, so it waits for {PHASE_TITLES[phase]}.")
    return " ".join(parts)


def lifts_for(actions: list[RoadmapAction]) -> dict[str, int]:
    """Return, per question, the level the given actions lift it to."""
    lifts: dict[str, int] = {}
    for action in actions:
        lifts[action.question_id] = max(lifts.get(action.question_id, 0), action.from_level + 1)
    return lifts


def lifts_through(roadmap: Roadmap, phase: str) -> dict[str, int]:
    """Return the lifts of the done actions and of every action placed up to a phase.

    A done action has left the phases but its step is taken: leaving it out would make
    marking an action done lower the projection.
    """
    reached = PHASES[: PHASES.index(phase) + 1]
    taken = [a for a in roadmap.actions if a.phase in reached or a.status == "done"]
    return lifts_for(taken)


def projected_scores(
    questionnaire: Questionnaire, roadmap: Roadmap, responses: list[Response]
) -> dict[str, TeamScore]:
    """Return the team's scores once Now, then Now and Next, then all three phases are done."""
    return {
        phase: score_team(
            questionnaire, lift_responses(questionnaire, responses, lifts_through(roadmap, phase))
        )
        for phase in PHASES
    }


class RoadmapInputError(ValueError):
    """A due date or reason that a roadmap action cannot take, with a message for the person."""


def parse_due_date(text: str) -> date | None:
    """Return the due date typed as YYYY-MM-DD, or None for an empty field."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        due = date.fromisoformat(text)
    except ValueError:
        raise RoadmapInputError(
            f"'{text[:20]}' is not a date; use the form YYYY-MM-DD, for example 2026-12-31."
        ) from None
    if not EARLIEST_DUE <= due <= LATEST_DUE:
        raise RoadmapInputError(
            f"A due date lies between {EARLIEST_DUE.year} and {LATEST_DUE.year}."
        )
    return due


def check_reason(status: str, reason: str) -> str:
    """Return the reason to store with a status: a dismissal needs one, at most 500 characters."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise RoadmapInputError(f"Keep the reason under {MAX_REASON} characters.")
    if status == "dismissed" and not reason:
        raise RoadmapInputError("Say why you dismiss this action, so the next lead knows.")
    return reason if status == "dismissed" else ""


def is_overdue(status: str, due: date | None, today: date) -> bool:
    """Return True for an action still open whose due date has passed."""
    return due is not None and due < today and status not in CLOSED_STATUSES


def action_title(text: str, limit: int = 70) -> str:
    """Return the start of an action's text, cut at a word, to name it in a message."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"

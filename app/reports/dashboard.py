"""The executive dashboard: its figures built by the worker, and the page's view of them.

`dashboard_document` runs in a rebuild (off the request path): every team's roadmap from
its stored scores and question means, the ownership findings, gaps and drops. A request
only reads that document, and the trend point of each cycle, from the read model.
"""

from __future__ import annotations

import statistics
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from ..comparisons import (
    KEYS,
    Freshness,
    StoredTeam,
    cached,
    dashboard_data,
    freshness,
    trend_points,
)
from ..domain.compare import degradations
from ..domain.privacy import is_suppressed
from ..domain.roadmap import Roadmap, plan_roadmap
from ..domain.vocabulary import CHALLENGE_KEYS, LEVEL_NAMES
from ..extensions import db
from ..models import Cycle, Org, Team
from ..questionnaires import model_of
from ..roadmap.queries import ownership_of, statuses_for, targets_in


class TeamRow(NamedTuple):
    """A team as the dashboard lists it: name, unit and scores in the cycle."""

    id: int
    name: str
    business_unit: str
    respondents: int
    overall: float | None
    scores: dict
    suppressed: bool = False


class FindingRow(NamedTuple):
    """An ownership finding as stored: its row (None for a person) and message."""

    challenge: str | None
    message: str


@dataclass
class CommonAction:
    """An action that appears in several teams' roadmaps."""

    question_id: str
    from_level: int
    challenge: str
    text: str
    teams: list[str] = field(default_factory=list)
    hidden: int = 0  # teams below the respondent minimum, counted but not named

    @property
    def count(self) -> int:
        """Return how many teams' roadmaps hold the action."""
        return len(self.teams) + self.hidden


@dataclass
class Dashboard:
    """Everything the executive dashboard shows for one cycle, as the read model stored it."""

    cycle: Cycle
    teams: list[TeamRow]
    stage_counts: list[int]
    unscored: int
    scored_teams: int
    median_overall: float | None
    gap_count: int
    finding_count: int
    gaps: list[tuple[str, float, int, int]]
    common_actions: list[CommonAction]
    drops: list[tuple[TeamRow, str, float]]
    ownership: dict[int, list[FindingRow]]
    trend_cycles: list[Cycle]
    trend: dict[str, list[float | None]]
    freshness: Freshness

    @property
    def built_at(self) -> datetime | None:
        """Return when the figures were built."""
        return self.freshness.built_at


def load_dashboard(org: Org, cycle: Cycle, cycles: list[Cycle]) -> Dashboard:
    """Read the cycle's dashboard from the read model: three small queries, then cached."""
    state = freshness(cycle)
    ordered = sorted(cycles, key=lambda c: c.opened_at)
    points = trend_points(ordered)
    trend = {key: [points.get(c.id, {}).get(key) for c in ordered] for key in KEYS}
    data = cached(
        "dashboard-view",
        cycle.id,
        state.version,
        lambda: _view(dashboard_data(cycle, state.version)),
    )
    return Dashboard(cycle=cycle, trend_cycles=ordered, trend=trend, freshness=state, **data)


def team_rows(cycle: Cycle) -> list[TeamRow]:
    """Return every team's row in the cycle, by business unit and name, from the read model."""
    state = freshness(cycle)
    data = cached(
        "dashboard-view",
        cycle.id,
        state.version,
        lambda: _view(dashboard_data(cycle, state.version)),
    )
    return data["teams"]


def _view(document: dict) -> dict:
    """Turn the stored document into the rows the page and the PDF read."""
    teams = [TeamRow(**row) for row in document["teams"]]
    by_id = {t.id: t for t in teams}
    return {
        "teams": teams,
        "stage_counts": document["stage_counts"],
        "unscored": document["unscored"],
        "scored_teams": document["scored_teams"],
        "median_overall": document["median_overall"],
        "gap_count": document["gap_count"],
        "finding_count": document["finding_count"],
        "gaps": [tuple(g) for g in document["gaps"]],
        "common_actions": [CommonAction(**a) for a in document["common_actions"]],
        "drops": [(by_id[t], key, drop) for t, key, drop in document["drops"] if t in by_id],
        "ownership": {
            int(t): [FindingRow(**f) for f in found] for t, found in document["ownership"].items()
        },
    }


def dashboard_document(
    cycle: Cycle, names, current: dict[int, StoredTeam], previous: dict[int, StoredTeam]
) -> dict:
    """Compute the dashboard's figures from stored scores, targets, statuses and owners."""
    questionnaire = model_of(cycle.questionnaire)
    teams = db.session.scalars(
        sa.select(Team).where(Team.org_id == cycle.org_id).order_by(Team.business_unit, Team.name)
    ).all()
    targets = targets_in(cycle, teams)
    statuses = statuses_for([t.id for t in teams])
    roadmaps = {}
    for team in teams:
        stored = current.get(team.id)
        if stored is None or not stored.respondents:
            continue
        roadmaps[team.id] = _planned(
            cycle.questionnaire_id,
            questionnaire,
            {k: stored.scores.get(k) for k in CHALLENGE_KEYS},
            stored.question_means,
            targets[team.id],
            team.phase_capacity,
            statuses.get(team.id, {}),
        )
    overall = [
        current[t.id].scores.get("overall")
        for t in teams
        if t.id in current and current[t.id].respondents
    ]
    scored = [v for v in overall if v is not None]
    stage_counts = [0] * len(LEVEL_NAMES)
    for value in scored:
        stage_counts[min(int(value), 4)] += 1
    ownership = ownership_of(teams, questionnaire)
    minimum = cycle.org.min_respondents
    hidden = {t for t, row in current.items() if is_suppressed(row.respondents, minimum)}
    hidden |= {t for t, row in previous.items() if is_suppressed(row.respondents, minimum)}
    found = degradations(
        {t: row.scores for t, row in previous.items() if row.respondents and t not in hidden},
        {t: row.scores for t, row in current.items() if row.respondents and t not in hidden},
        CHALLENGE_KEYS,
    )
    return {
        "teams": [_team_row(t, current.get(t.id), minimum) for t in teams],
        "stage_counts": stage_counts,
        "unscored": len(teams) - len(scored),
        "scored_teams": len(scored),
        "median_overall": statistics.median(scored) if scored else None,
        "gap_count": sum(c.gap > 0 for r in roadmaps.values() for c in r.challenges),
        "finding_count": sum(len(o.findings) for o in ownership.values()),
        "gaps": _gaps(roadmaps, current),
        "common_actions": _common_actions(teams, roadmaps, hidden),
        "drops": [[t, key, round(drop, 6)] for t, key, drop in found],
        "ownership": {
            str(t): [{"challenge": f.challenge, "message": f.message} for f in o.findings]
            for t, o in ownership.items()
        },
    }


# Roadmaps by their inputs, kept in the worker's process: after a burst of submits only
# the teams whose scores, targets or statuses changed are planned again.
_roadmaps: dict[tuple, Roadmap] = {}
_roadmaps_lock = threading.Lock()


def _planned(questionnaire_id, questionnaire, scores, means, targets, capacity, statuses):
    """Return plan_roadmap(...) for these inputs, computed once per process."""
    key = (
        questionnaire_id,
        capacity,
        tuple(scores.items()),
        tuple(sorted(means.items())),
        tuple(sorted(targets.items())),
        tuple(sorted(statuses.items())),
    )
    with _roadmaps_lock:
        found = _roadmaps.get(key)
    if found is None:
        found = plan_roadmap(questionnaire, scores, means, targets, capacity, statuses)
        with _roadmaps_lock:
            if len(_roadmaps) > 50_000:
                _roadmaps.clear()
            _roadmaps[key] = found
    return found


def _team_row(team: Team, stored: StoredTeam | None, minimum: int) -> dict:
    """Return a team's dashboard row; below the respondent minimum, without scores."""
    respondents = stored.respondents if stored else 0
    suppressed = is_suppressed(respondents, minimum)
    shown = respondents and not suppressed
    return {
        "id": team.id,
        "name": team.name,
        "business_unit": team.business_unit,
        "respondents": respondents,
        "overall": stored.scores.get("overall") if shown else None,
        "scores": {k: stored.scores.get(k) for k in CHALLENGE_KEYS} if shown else {},
        "suppressed": suppressed,
    }


def _gaps(roadmaps, current) -> list[list]:
    """Return per challenge: mean gap over scored teams, teams below target, teams scored."""
    rows = []
    for key in CHALLENGE_KEYS:
        gaps = [
            next(c.gap for c in roadmap.challenges if c.key == key)
            for team_id, roadmap in roadmaps.items()
            if current[team_id].scores.get(key) is not None
        ]
        rows.append(
            [key, statistics.fmean(gaps) if gaps else 0.0, sum(g > 0 for g in gaps), len(gaps)]
        )
    return sorted(rows, key=lambda r: -r[1])


def _common_actions(teams: list[Team], roadmaps, hidden: set[int], limit: int = 10) -> list[dict]:
    """Return the open actions that appear in the most team roadmaps.

    Teams below the respondent minimum count, but are not named.
    """
    found: dict[tuple[str, int], dict] = {}
    counts: Counter = Counter()
    for team in teams:
        if team.id not in roadmaps:
            continue
        for action in roadmaps[team.id].actions:
            if action.phase is None:
                continue
            key = (action.question_id, action.from_level)
            item = found.setdefault(
                key,
                {
                    "question_id": action.question_id,
                    "from_level": action.from_level,
                    "challenge": action.challenge,
                    "text": action.text,
                    "teams": [],
                    "hidden": 0,
                },
            )
            if team.id in hidden:
                item["hidden"] += 1
            else:
                item["teams"].append(team.name)
            counts[key] += 1
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    return [found[k] for k in ranked[:limit] if counts[k] > 1]

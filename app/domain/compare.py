"""Comparing teams: percentile ranks, median and quartiles, change, movers and degradation."""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .privacy import is_suppressed

LOW_CONFIDENCE_RESPONDENTS = 3
DEGRADATION_DROP = 0.5


def percentile_rank(values: Sequence[float], value: float) -> float:
    """Return 100 * (B + E/2) / N: B values below, E equal (counting itself), N values."""
    below = sum(v < value for v in values)
    equal = sum(v == value for v in values)
    return 100 * (below + equal / 2) / len(values)


def percentile_ranks(values: Sequence[float]) -> dict[float, float]:
    """Return the percentile rank of each distinct value, the same as percentile_rank, in N log N."""
    ordered = sorted(values)
    n = len(ordered)
    return {
        v: 100
        * (
            bisect.bisect_left(ordered, v)
            + (bisect.bisect_right(ordered, v) - bisect.bisect_left(ordered, v)) / 2
        )
        / n
        for v in set(ordered)
    }


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """Return (q1, median, q3) by linear interpolation between closest ranks (inclusive)."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


@dataclass(frozen=True)
class TeamFigures:
    """One team's figures in a cycle: scores per challenge (with 'overall'), respondents, flags."""

    team_id: int
    respondents: int
    scores: Mapping[str, float | None]
    disagreements: Mapping[str, bool]


@dataclass(frozen=True)
class Comparison:
    """Every team's scores, percentile ranks and change, with the org's median and quartiles."""

    keys: tuple[str, ...]
    teams: tuple[dict, ...]
    median: dict[str, float | None]
    quartiles: dict[str, tuple[float, float] | None]
    counts: dict[str, int]


def compare(
    keys: Sequence[str],
    current: Sequence[TeamFigures],
    previous: Mapping[int, TeamFigures] | None = None,
    min_respondents: int = 1,
) -> Comparison:
    """Compare teams in a cycle; change is against the same team's previous cycle.

    A team below min_respondents still counts in the median and quartiles, but its row
    carries no scores, percentile ranks or change (`suppressed` is True).
    """
    previous = previous or {}
    columns = {k: [t.scores.get(k) for t in current if t.scores.get(k) is not None] for k in keys}
    stats = {k: quartiles(v) if v else None for k, v in columns.items()}
    ranks = {k: percentile_ranks(v) for k, v in columns.items()}
    teams = []
    for team in current:
        before = previous.get(team.team_id)
        row = {
            "team_id": team.team_id,
            "respondents": team.respondents,
            "scores": {k: team.scores.get(k) for k in keys},
            "percentiles": {
                k: ranks[k][team.scores[k]] if team.scores.get(k) is not None else None
                for k in keys
            },
            "change": {k: _change(team, before, k) for k in keys},
            "low_confidence": team.respondents < LOW_CONFIDENCE_RESPONDENTS
            or any(team.disagreements.values()),
            "suppressed": False,
        }
        if is_suppressed(team.respondents, min_respondents) or (
            before is not None and is_suppressed(before.respondents, min_respondents)
        ):
            # A change against a hidden cycle would give its score away.
            row["change"] = dict.fromkeys(keys)
        if is_suppressed(team.respondents, min_respondents):
            row.update(
                scores=dict.fromkeys(keys),
                percentiles=dict.fromkeys(keys),
                low_confidence=False,
                suppressed=True,
            )
        teams.append(row)
    return Comparison(
        keys=tuple(keys),
        teams=tuple(teams),
        median={k: s[1] if s else None for k, s in stats.items()},
        quartiles={k: (s[0], s[2]) if s else None for k, s in stats.items()},
        counts={k: len(v) for k, v in columns.items()},
    )


def _change(team: TeamFigures, before: TeamFigures | None, key: str) -> float | None:
    if before is None or team.scores.get(key) is None or before.scores.get(key) is None:
        return None
    return team.scores[key] - before.scores[key]


def movers(
    first: Mapping[int, Mapping[str, float | None]],
    last: Mapping[int, Mapping[str, float | None]],
    key: str,
) -> list[tuple[int, float]]:
    """Rank teams by change of one score between two cycles, biggest improvement first."""
    changes = [
        (team_id, last[team_id][key] - scores[key])
        for team_id, scores in first.items()
        if team_id in last and scores.get(key) is not None and last[team_id].get(key) is not None
    ]
    return sorted(changes, key=lambda item: (-item[1], item[0]))


def degradations(
    previous: Mapping[int, Mapping[str, float | None]],
    current: Mapping[int, Mapping[str, float | None]],
    keys: Sequence[str],
) -> list[tuple[int, str, float]]:
    """Return (team, challenge, drop) where a score fell by 0.5 or more since the last cycle."""
    found = []
    for team_id, scores in current.items():
        before = previous.get(team_id, {})
        for key in keys:
            if scores.get(key) is not None and before.get(key) is not None:
                drop = before[key] - scores[key]
                if drop >= DEGRADATION_DROP - 1e-9:
                    found.append((team_id, key, drop))
    return sorted(found, key=lambda item: (-item[2], item[0], item[1]))

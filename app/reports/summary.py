"""The executive summary that opens the dashboard and the org PDF, written from the dashboard.

It reads only what the dashboard already shows: counts and aggregates, the largest gaps, the
action in most roadmaps and the drops. Teams below the respondent minimum are never named
nor scored here: they count in totals only, as on the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.vocabulary import CHALLENGE_TITLES, LEVEL_NAMES

SHOWN_DROPS = 3


@dataclass(frozen=True)
class SummaryPoint:
    """One line of the summary: a short label and a sentence."""

    label: str
    text: str


def executive_summary(board) -> list[SummaryPoint]:
    """Return the summary's lines: where the org stands, change, gaps, shared action, drops."""
    previous = _previous_cycle(board)
    return [
        _standing(board),
        _change(board, previous),
        _gaps(board),
        _shared_action(board),
        _drops(board, previous),
    ]


def _standing(board) -> SummaryPoint:
    """Return how many teams are scored and the median overall score with its stage."""
    total, scored, cycle = len(board.teams), board.scored_teams, board.cycle.name
    if not scored or board.median_overall is None:
        return SummaryPoint("Where we stand", f"No team of {total} has a score in {cycle} yet.")
    median = board.median_overall
    stage = LEVEL_NAMES[min(int(median), len(LEVEL_NAMES) - 1)]
    hidden = sum(1 for team in board.teams if team.suppressed and team.respondents)
    note = (
        f" {hidden} of them {'has' if hidden == 1 else 'have'} too few respondents to show "
        "their own scores; they count in the org's figures only."
        if hidden
        else ""
    )
    return SummaryPoint(
        "Where we stand",
        f"{scored} of {total} teams scored in {cycle}; the median overall score is "
        f"{median:.1f} ({stage}).{note}",
    )


def _previous_cycle(board):
    """Return the cycle before the board's, in the order cycles opened, or None."""
    ordered = board.trend_cycles
    index = next((i for i, c in enumerate(ordered) if c.id == board.cycle.id), None)
    return ordered[index - 1] if index else None


def _change(board, previous) -> SummaryPoint:
    """Return how the org's mean overall score moved since the previous cycle."""
    if previous is None:
        return SummaryPoint("Since last cycle", "This is the first cycle: nothing to compare yet.")
    index = board.trend_cycles.index(previous)
    before, now = board.trend["overall"][index], board.trend["overall"][index + 1]
    if before is None or now is None:
        return SummaryPoint(
            "Since last cycle", f"No overall score to compare with {previous.name}."
        )
    delta = round(now - before, 1)
    moved = "unchanged" if delta == 0 else ("up" if delta > 0 else "down")
    sign = "±0.0" if delta == 0 else f"{delta:+.1f}"
    return SummaryPoint(
        "Since last cycle",
        f"The mean overall score is {moved}: {before:.1f} in {previous.name}, "
        f"{now:.1f} now ({sign}).",
    )


def _gaps(board) -> SummaryPoint:
    """Return the three challenges furthest below the teams' targets."""
    largest = [g for g in board.gaps if g[1] > 0][:3]
    if not largest:
        return SummaryPoint("Largest gaps", "Every scored team is at or above its targets.")
    parts = [
        f"{CHALLENGE_TITLES[key]} {gap:.1f} ({below} of {total} teams below target)"
        for key, gap, below, total in largest
    ]
    return SummaryPoint("Largest gaps", "; ".join(parts) + ".")


def _shared_action(board) -> SummaryPoint:
    """Return the action that the most roadmaps share, a candidate for one shared effort."""
    if not board.common_actions:
        return SummaryPoint("Most common action", "No action appears in more than one roadmap.")
    action = board.common_actions[0]
    return SummaryPoint(
        "Most common action",
        f"“{action.text}” ({CHALLENGE_TITLES[action.challenge]}) is in "
        f"{action.count} teams' roadmaps.",
    )


def _drops(board, previous) -> SummaryPoint:
    """Return the scores that dropped by 0.5 or more, of teams above the respondent minimum."""
    if not board.drops:
        since = f" since {previous.name}" if previous else ""
        return SummaryPoint("Drops", f"No score dropped by 0.5 or more{since}.")
    shown = [
        f"{team.name}, {CHALLENGE_TITLES[key]} −{drop:.1f}"
        for team, key, drop in board.drops[:SHOWN_DROPS]
    ]
    more = len(board.drops) - len(shown)
    count = len(board.drops)
    return SummaryPoint(
        "Drops",
        f"{count} score{'s' if count != 1 else ''} dropped by 0.5 or more: "
        + "; ".join(shown)
        + (f"; and {more} more." if more else "."),
    )

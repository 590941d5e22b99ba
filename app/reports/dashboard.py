"""The executive dashboard's figures, assembled from plain scores, roadmaps and findings."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..compare.queries import stored_history
from ..comparisons import ensure_stored
from ..domain.compare import degradations
from ..domain.questionnaire import Questionnaire
from ..domain.vocabulary import CHALLENGE_KEYS, LEVEL_NAMES
from ..models import Cycle, Org, Team
from ..questionnaires import model_of
from ..roadmap.queries import Ownership, TeamPlan, ownership_of, plan_teams
from .queries import org_teams


@dataclass
class CommonAction:
    """An action that appears in several teams' roadmaps."""

    question_id: str
    from_level: int
    challenge: str
    text: str
    teams: list[str] = field(default_factory=list)


@dataclass
class Dashboard:
    """Everything the executive dashboard shows for one cycle."""

    cycle: Cycle
    questionnaire: Questionnaire
    teams: list[Team]
    plans: dict[int, TeamPlan]
    ownership: dict[int, Ownership]
    stage_counts: list[int]
    unscored: int
    trend_cycles: list[Cycle]
    trend: dict[str, list[float | None]]
    gaps: list[tuple[str, float, int, int]]
    common_actions: list[CommonAction]
    drops: list[tuple[Team, str, float]]

    @property
    def scored_teams(self) -> int:
        """Return how many teams have an overall score."""
        return sum(p.score.overall is not None for p in self.plans.values())

    @property
    def median_overall(self) -> float | None:
        """Return the median of the teams' overall scores."""
        values = [p.score.overall for p in self.plans.values() if p.score.overall is not None]
        return statistics.median(values) if values else None

    @property
    def gap_count(self) -> int:
        """Return how many team-challenges are below target."""
        return sum(
            c.gap > 0
            for p in self.plans.values()
            for c in p.roadmap.challenges
            if p.score.respondents
        )

    @property
    def finding_count(self) -> int:
        """Return the number of ownership findings over all teams."""
        return sum(len(o.findings) for o in self.ownership.values())


def _mean(values):
    values = [v for v in values if v is not None]
    return statistics.fmean(values) if values else None


def build_dashboard(org: Org, cycle: Cycle, cycles: list[Cycle]) -> Dashboard:
    """Gather the dashboard for a cycle in a fixed number of queries, whatever the team count."""
    questionnaire = model_of(cycle.questionnaire)
    teams = org_teams(org)
    plans = plan_teams(cycle, teams)
    ownership = ownership_of(teams, questionnaire)
    stage_counts = [0] * len(LEVEL_NAMES)
    unscored = 0
    for plan in plans.values():
        if plan.score.overall is None:
            unscored += 1
        else:
            stage_counts[min(int(plan.score.overall), 4)] += 1
    ordered = sorted(cycles, key=lambda c: c.opened_at)
    ensure_stored(ordered)
    stored = stored_history(ordered)  # {cycle: {team: {challenge or 'overall': score}}}
    trend = {
        key: [_mean(scores.get(key) for scores in stored[c.id].values()) for c in ordered]
        for key in (*CHALLENGE_KEYS, "overall")
    }
    position = [c.id for c in ordered].index(cycle.id)
    drops = []
    if position > 0:
        by_id = {t.id: t for t in teams}
        found = degradations(stored[ordered[position - 1].id], stored[cycle.id], CHALLENGE_KEYS)
        drops = [(by_id[t], k, d) for t, k, d in found if t in by_id]
    return Dashboard(
        cycle=cycle,
        questionnaire=questionnaire,
        teams=teams,
        plans=plans,
        ownership=ownership,
        stage_counts=stage_counts,
        unscored=unscored,
        trend_cycles=ordered,
        trend=trend,
        gaps=_gaps(plans),
        common_actions=_common_actions(plans),
        drops=drops,
    )


def _gaps(plans: dict[int, TeamPlan]) -> list[tuple[str, float, int, int]]:
    """Return per challenge: mean gap over scored teams, teams below target, teams scored."""
    rows = []
    for key in CHALLENGE_KEYS:
        gaps = [
            next(c.gap for c in p.roadmap.challenges if c.key == key)
            for p in plans.values()
            if p.score.challenges[key].score is not None
        ]
        rows.append(
            (key, statistics.fmean(gaps) if gaps else 0.0, sum(g > 0 for g in gaps), len(gaps))
        )
    return sorted(rows, key=lambda r: -r[1])


def _common_actions(plans: dict[int, TeamPlan], limit: int = 10) -> list[CommonAction]:
    """Return the open actions that appear in the most team roadmaps."""
    found: dict[tuple[str, int], CommonAction] = {}
    counts: Counter = Counter()
    for plan in plans.values():
        for action in plan.roadmap.actions:
            if action.phase is None:
                continue
            key = (action.question_id, action.from_level)
            item = found.setdefault(
                key,
                CommonAction(action.question_id, action.from_level, action.challenge, action.text),
            )
            item.teams.append(plan.team.name)
            counts[key] += 1
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    return [found[k] for k in ranked[:limit] if counts[k] > 1]

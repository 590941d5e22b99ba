"""Load what a roadmap or ownership matrix needs, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..domain.ownership import Finding, findings, merge_raci
from ..domain.questionnaire import Questionnaire
from ..domain.roadmap import Roadmap, plan_roadmap, projected_scores
from ..domain.scoring import Response, TeamScore, score_team, summarize_questions
from ..domain.vocabulary import CHALLENGE_KEYS, DEFAULT_TARGET, ROLES
from ..extensions import db
from ..models import (
    ActionStatus,
    Cycle,
    Org,
    QuestionnaireVersion,
    RaciCell,
    RoleHolder,
    TargetProfile,
    Team,
    TeamTarget,
)
from ..questionnaires import latest_version, model_of
from ..scores import submitted_responses


@dataclass
class TeamPlan:
    """A team's scores, targets and roadmap in one cycle."""

    team: Team
    score: TeamScore
    targets: dict[str, int]
    roadmap: Roadmap
    responses: list[Response]


def targets_for(teams: Sequence[Team]) -> dict[int, dict[str, int]]:
    """Return each team's target per challenge: its own, else its profile's, else 3."""
    ids = [t.id for t in teams]
    profiles = {
        p.id: p
        for p in db.session.scalars(
            sa.select(TargetProfile).where(
                TargetProfile.id.in_({t.target_profile_id for t in teams if t.target_profile_id})
            )
        )
    }
    result = {}
    for team in teams:
        profile = profiles.get(team.target_profile_id)
        levels = profile.levels if profile else {}
        result[team.id] = {k: int(levels.get(k, DEFAULT_TARGET)) for k in CHALLENGE_KEYS}
    for team_id, challenge, level in db.session.execute(
        sa.select(TeamTarget.team_id, TeamTarget.challenge, TeamTarget.level).where(
            TeamTarget.team_id.in_(ids)
        )
    ):
        result[team_id][challenge] = level
    return result


def targets_in(cycle: Cycle, teams: Sequence[Team]) -> dict[int, dict[str, int]]:
    """Return the targets a cycle's reports use: frozen when it closed, else today's."""
    current = targets_for(teams)
    frozen = cycle.frozen_targets if cycle.closed_at else None
    if not frozen:
        return current
    return {
        team_id: {**levels, **{k: int(v) for k, v in frozen.get(str(team_id), {}).items()}}
        for team_id, levels in current.items()
    }


def statuses_for(team_ids: Sequence[int]) -> dict[int, dict[tuple[str, int], str]]:
    """Return each team's marked actions: (question id, from level) -> status."""
    result: dict[int, dict[tuple[str, int], str]] = defaultdict(dict)
    for team_id, qid, level, status in db.session.execute(
        sa.select(
            ActionStatus.team_id,
            ActionStatus.question_id,
            ActionStatus.from_level,
            ActionStatus.status,
        ).where(ActionStatus.team_id.in_(list(team_ids)))
    ):
        result[team_id][(qid, level)] = status
    return result


def status_details(team: Team) -> dict[tuple[str, int], ActionStatus]:
    """Return the team's marked actions with reasons and dates."""
    rows = db.session.scalars(sa.select(ActionStatus).where(ActionStatus.team_id == team.id))
    return {(r.question_id, r.from_level): r for r in rows}


def plan_teams(cycle: Cycle, teams: Sequence[Team]) -> dict[int, TeamPlan]:
    """Score and plan every team in the cycle (a fixed number of queries for any count)."""
    questionnaire = model_of(cycle.questionnaire)
    responses = submitted_responses(cycle, [t.id for t in teams])
    targets = targets_in(cycle, teams)
    statuses = statuses_for([t.id for t in teams])
    plans = {}
    for team in teams:
        team_responses = responses.get(team.id, [])
        plans[team.id] = plan_team(
            questionnaire, team, team_responses, targets[team.id], statuses.get(team.id, {})
        )
    return plans


def plan_team(questionnaire: Questionnaire, team: Team, responses, targets, statuses) -> TeamPlan:
    """Score one team's responses and plan its roadmap."""
    score = score_team(questionnaire, responses)
    means = {qid: s.mean for qid, s in summarize_questions(questionnaire, responses).items()}
    scores = {k: c.score for k, c in score.challenges.items()}
    roadmap = plan_roadmap(questionnaire, scores, means, targets, team.phase_capacity, statuses)
    return TeamPlan(team, score, targets, roadmap, list(responses))


def projections(questionnaire: Questionnaire, plan: TeamPlan) -> dict[str, TeamScore]:
    """Return the team's scores once Now, then Now and Next, then all three phases are done."""
    return projected_scores(questionnaire, plan.roadmap, plan.responses)


def questionnaire_for(org: Org) -> Questionnaire | None:
    """Return the questionnaire of the org's newest cycle, or the newest imported one."""
    version = db.session.scalar(
        sa.select(QuestionnaireVersion)
        .join(Cycle, Cycle.questionnaire_id == QuestionnaireVersion.id)
        .where(Cycle.org_id == org.id)
        .order_by(Cycle.opened_at.desc())
        .limit(1)
    ) or latest_version("ai-scaling")
    return model_of(version) if version else None


@dataclass
class Ownership:
    """A team's RACI matrix, who fills each role, and what the matrix finds."""

    matrix: dict[str, dict[str, str]]
    holders: dict[str, RoleHolder]
    people: dict[str, str | None]
    findings: list[Finding]

    def findings_for(self, challenge: str) -> list[Finding]:
        """Return the findings about one row."""
        return [f for f in self.findings if f.challenge == challenge]

    @property
    def person_findings(self) -> list[Finding]:
        """Return the findings about a person rather than a row."""
        return [f for f in self.findings if f.challenge is None]


def ownership_of(teams: Sequence[Team], questionnaire: Questionnaire) -> dict[int, Ownership]:
    """Return each team's ownership matrix and findings (two queries for any count)."""
    ids = [t.id for t in teams]
    defaults = {c.key: c.raci for c in questionnaire.challenges}
    overrides: dict[int, dict] = defaultdict(dict)
    for cell in db.session.scalars(sa.select(RaciCell).where(RaciCell.team_id.in_(ids))):
        overrides[cell.team_id][(cell.challenge, cell.role)] = cell.letter
    holders: dict[int, dict[str, RoleHolder]] = defaultdict(dict)
    rows = db.session.scalars(
        sa.select(RoleHolder)
        .where(RoleHolder.team_id.in_(ids))
        .options(sa.orm.joinedload(RoleHolder.user))
    )
    for holder in rows:
        holders[holder.team_id][holder.role] = holder
    result = {}
    for team in teams:
        matrix = merge_raci(defaults, overrides.get(team.id, {}))
        team_holders = holders.get(team.id, {})
        people = {
            role: (team_holders[role].display_name or None) if role in team_holders else None
            for role in ROLES
        }
        result[team.id] = Ownership(matrix, team_holders, people, findings(matrix, people))
    return result


ACTION_FIELDS = (
    "question", "challenge", "from_level", "mean_level", "priority", "effort", "owner",
    "earliest_phase", "phase", "status", "unknown", "why", "text",
)  # fmt: skip


def roadmap_document(team: Team, cycle: Cycle, plan: TeamPlan) -> dict:
    """Return a team's roadmap as plain data: ranked challenges, placed actions, closed ones.

    Without a submitted response there is nothing to plan from: no invented gaps or actions.
    """
    if not plan.score.respondents:
        return {
            "team": team.name,
            "cycle": cycle.name,
            "challenges": [],
            "actions": [],
            "closed": [],
            "note": f"No responses yet in {cycle.name}: there are no scores to plan from.",
        }
    actions = [
        {
            "question": a.question_id,
            "challenge": a.challenge,
            "from_level": a.from_level,
            "mean_level": a.mean_level,
            "priority": a.priority,
            "effort": a.effort,
            "owner": a.owner,
            "earliest_phase": a.earliest_phase,
            "phase": a.phase,
            "status": a.status,
            "unknown": a.unknown,
            "why": a.why,
            "text": a.text,
        }  # fmt: skip
        for a in plan.roadmap.actions
    ]
    challenges = [
        {"key": c.key, "score": c.score, "target": c.target, "gap": c.gap, "rank": c.rank}
        for c in plan.roadmap.challenges
    ]
    return {
        "team": team.name,
        "cycle": cycle.name,
        "challenges": challenges,
        "actions": [a for a in actions if a["phase"] is not None],
        "closed": [a for a in actions if a["phase"] is None],
    }

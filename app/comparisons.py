"""The comparison read model: stored team scores and one comparison document per cycle.

Scores are stored when responses change (submit, re-open, import), and the cycle's
comparison (with the next cycle's, whose change depends on it) is rebuilt at once, so
reading a comparison costs one row whatever the number of teams.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable

import sqlalchemy as sa

from .domain.compare import TeamFigures, compare
from .domain.vocabulary import CHALLENGE_KEYS
from .extensions import db
from .models import ComparisonTeamRow, Cycle, CycleComparison, Team, TeamScoreRow, utcnow
from .scores import score_teams

KEYS = (*CHALLENGE_KEYS, "overall")
_parsed: dict[tuple[str, int], tuple[int, object]] = {}
_lock = threading.Lock()


def refresh_scores(cycle: Cycle, team_ids: Iterable[int] | None = None) -> None:
    """Store the current scores of these teams (all of the org's when None) and rebuild comparisons."""
    if team_ids is None:
        team_ids = db.session.scalars(sa.select(Team.id).where(Team.org_id == cycle.org_id)).all()
    team_ids = list(team_ids)
    scores = score_teams(cycle, team_ids)
    db.session.execute(
        sa.delete(TeamScoreRow).where(
            TeamScoreRow.cycle_id == cycle.id, TeamScoreRow.team_id.in_(team_ids)
        )
    )
    rows = []
    for team_id, score in scores.items():
        for key, cs in score.challenges.items():
            rows.append((team_id, key, cs.score, cs.disagreement, cs.coverage, score.respondents))
        rows.append((team_id, "overall", score.overall, None, None, score.respondents))
    if rows:
        db.session.execute(
            sa.insert(TeamScoreRow),
            [
                {
                    "cycle_id": cycle.id,
                    "team_id": t,
                    "challenge": k,
                    "score": s,
                    "disagreement": d,
                    "coverage": c,
                    "respondents": r,
                }
                for t, k, s, d, c, r in rows
            ],
        )
    rebuild_comparison(cycle)
    following = next_cycle(cycle)
    if following is not None and db.session.get(CycleComparison, following.id) is not None:
        rebuild_comparison(following)


def next_cycle(cycle: Cycle) -> Cycle | None:
    """Return the org's cycle opened right after this one."""
    return db.session.scalar(
        sa.select(Cycle)
        .where(Cycle.org_id == cycle.org_id, Cycle.opened_at > cycle.opened_at)
        .order_by(Cycle.opened_at)
        .limit(1)
    )


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """Return the org's cycle opened right before this one."""
    return db.session.scalar(
        sa.select(Cycle)
        .where(Cycle.org_id == cycle.org_id, Cycle.opened_at < cycle.opened_at)
        .order_by(Cycle.opened_at.desc())
        .limit(1)
    )


def figures(cycle_id: int) -> dict[int, TeamFigures]:
    """Return every stored team's figures in a cycle (one query)."""
    scores: dict[int, dict] = {}
    flags: dict[int, dict] = {}
    respondents: dict[int, int] = {}
    rows = db.session.execute(
        sa.select(
            TeamScoreRow.team_id,
            TeamScoreRow.challenge,
            TeamScoreRow.score,
            TeamScoreRow.disagreement,
            TeamScoreRow.respondents,
        ).where(TeamScoreRow.cycle_id == cycle_id)
    )
    for team_id, key, score, disagreement, count in rows:
        scores.setdefault(team_id, {})[key] = score
        flags.setdefault(team_id, {})[key] = disagreement is not None and disagreement >= 1.0
        respondents[team_id] = count
    return {t: TeamFigures(t, respondents[t], scores[t], flags[t]) for t in scores}


def _rounded(values: dict) -> dict:
    """Round to six decimals: finer than any decision needs, and a third of the bytes."""
    return {k: None if v is None else round(v, 6) for k, v in values.items()}


def rebuild_comparison(cycle: Cycle) -> None:
    """Recompute the cycle's comparison document from the stored scores and keep it."""
    teams = db.session.execute(
        sa.select(Team.id, Team.name, Team.business_unit)
        .where(Team.org_id == cycle.org_id)
        .order_by(Team.name)
    ).all()
    current = figures(cycle.id)
    before = previous_cycle(cycle)
    result = compare(
        KEYS,
        [current[t.id] for t in teams if t.id in current],
        figures(before.id) if before else {},
    )
    names = {t.id: t for t in teams}
    document = {
        "cycle": cycle.name,
        "previous_cycle": before.name if before else None,
        "teams": [
            {
                "team": names[row["team_id"]].name,
                "team_id": row["team_id"],
                "business_unit": names[row["team_id"]].business_unit,
                "respondents": row["respondents"],
                "low_confidence": row["low_confidence"],
                **{k: _rounded(row[k]) for k in ("scores", "percentiles", "change")},
            }
            for row in result.teams
        ],
        "median": _rounded(result.median),
        "quartiles": {
            k: [round(x, 6) for x in v] if v else None for k, v in result.quartiles.items()
        },
        "counts": result.counts,
    }
    text = json.dumps(document, separators=(",", ":"))
    teams_list = sorted(
        ([t["team_id"], t["team"], t["business_unit"]] for t in document["teams"]),
        key=lambda t: t[1].lower(),
    )
    summary = json.dumps(
        {
            **{
                k: document[k] for k in ("cycle", "previous_cycle", "median", "quartiles", "counts")
            },
            "teams": teams_list,
        },
        separators=(",", ":"),
    )
    stored = db.session.get(CycleComparison, cycle.id)
    if stored is None:
        stored = CycleComparison(cycle_id=cycle.id, version=0)
        db.session.add(stored)
    stored.version += 1
    stored.document, stored.summary, stored.updated_at = text, summary, utcnow()
    db.session.execute(sa.delete(ComparisonTeamRow).where(ComparisonTeamRow.cycle_id == cycle.id))
    if document["teams"]:
        db.session.execute(
            sa.insert(ComparisonTeamRow),
            [
                {
                    "cycle_id": cycle.id,
                    "team_id": t["team_id"],
                    "row": json.dumps(t, separators=(",", ":")),
                }
                for t in document["teams"]
            ],
        )
    db.session.flush()


def caching() -> bool:
    """Return False when per-process read caches are switched off (ASCENT_NO_READ_CACHE=1)."""
    return os.environ.get("ASCENT_NO_READ_CACHE") != "1"


def version_of(cycle: Cycle) -> int:
    """Return the version of the cycle's stored comparison, building it when there is none yet."""
    version = db.session.scalar(
        sa.select(CycleComparison.version).where(CycleComparison.cycle_id == cycle.id)
    )
    if version is None:
        refresh_scores(cycle)
        db.session.commit()
        version = db.session.scalar(
            sa.select(CycleComparison.version).where(CycleComparison.cycle_id == cycle.id)
        )
    return version


def _cached(kind: str, cycle: Cycle, load, version: int | None = None):
    """Return load(), kept per process until the cycle's comparison gets a new version."""
    version = version if version is not None else version_of(cycle)
    key = (kind, cycle.id)
    if caching():
        with _lock:
            cached = _parsed.get(key)
        if cached and cached[0] == version:
            return cached[1]
    value = load()
    with _lock:
        _parsed[key] = (version, value)
    return value


def comparison_text(cycle: Cycle, version: int | None = None) -> str:
    """Return the cycle's comparison as JSON text (pass the version when it is known)."""
    query = sa.select(CycleComparison.document).where(CycleComparison.cycle_id == cycle.id)
    return _cached("text", cycle, lambda: db.session.scalar(query), version)


def comparison_summary(cycle: Cycle) -> dict:
    """Return the comparison's median, quartiles, counts and the list of teams (id, name, unit)."""
    query = sa.select(CycleComparison.summary).where(CycleComparison.cycle_id == cycle.id)

    def load():
        text = db.session.scalar(query)
        if not text or text == "{}":  # stored before summaries existed
            rebuild_comparison(cycle)
            db.session.commit()
            text = db.session.scalar(query)
        return json.loads(text)

    return _cached("summary", cycle, load)


def comparison_rows(cycle: Cycle, team_ids: Iterable[int]) -> list[dict]:
    """Return the comparison rows of some teams, in the order given."""
    ids = list(team_ids)
    if not ids:
        return []
    rows = db.session.scalars(
        sa.select(ComparisonTeamRow.row).where(
            ComparisonTeamRow.cycle_id == cycle.id, ComparisonTeamRow.team_id.in_(ids)
        )
    )
    parsed = {row["team_id"]: row for row in map(json.loads, rows)}
    return [parsed[i] for i in ids if i in parsed]


def comparison(cycle: Cycle) -> dict:
    """Return the cycle's whole comparison as a dict, parsed once per version in each process."""
    return _cached("document", cycle, lambda: json.loads(comparison_text(cycle)))


def ensure_stored(cycles: Iterable[Cycle]) -> None:
    """Build the stored scores of cycles that have none yet (data from before the read model)."""
    cycles = list(cycles)
    present = set(
        db.session.scalars(
            sa.select(CycleComparison.cycle_id).where(
                CycleComparison.cycle_id.in_([c.id for c in cycles])
            )
        )
    )
    missing = [c for c in cycles if c.id not in present]
    for cycle in sorted(missing, key=lambda c: c.opened_at):
        refresh_scores(cycle)
    if missing:
        db.session.commit()

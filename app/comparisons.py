"""The cycle read model: stored team scores, and per cycle the documents pages read.

A write (submit, re-open, save, import) stores that team's own scores and appends a
request for the cycle (and the next one, whose changes depend on it). Writers share no row,
so they never wait for each other. The worker rebuilds the org-wide documents off the
request path: the comparison, the dashboard's figures and the cycle's point on the trend.
A rebuild is serialized per cycle (an advisory lock on PostgreSQL; SQLite has one writer),
reads the pending requests before the scores, stores its documents only if the version is
still the one it read (a compare-and-set, bumped in SQL), and deletes exactly the requests
it saw: a burst of writes gives a few rebuilds, and a killed one loses nothing.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .dbutil import insert_for, upsert
from .domain.compare import TeamFigures, compare
from .domain.privacy import suppression_note
from .domain.scoring import score_team, summarize_questions
from .domain.vocabulary import CHALLENGE_KEYS
from .extensions import db
from .models import (
    ComparisonTeamRow,
    Cycle,
    CycleComparison,
    ReadModelRequest,
    Team,
    TeamScoreRow,
    utcnow,
)
from .questionnaires import model_of
from .queue import after_commit
from .scores import submitted_responses

KEYS = (*CHALLENGE_KEYS, "overall")
_parsed: dict[tuple[str, int], tuple[int, object]] = {}
_lock = threading.Lock()


def store_team_scores(cycle: Cycle, team_ids: Iterable[int] | None = None) -> None:
    """Store these teams' scores and question means (all of the org's when None); mark the cycle stale.

    An upsert on (cycle, team, challenge), so two requests storing the same team never
    collide; the org-wide read model is left to the worker (`request_rebuild`).
    """
    if team_ids is None:
        team_ids = db.session.scalars(sa.select(Team.id).where(Team.org_id == cycle.org_id)).all()
    team_ids = sorted(set(team_ids))
    if not team_ids:
        return
    _store_rows(cycle, team_ids)
    touch_teams(team_ids)
    following = next_cycle(cycle)
    request_rebuild([cycle.id] + ([following.id] if following is not None else []))


def _store_rows(cycle: Cycle, team_ids: list[int]) -> None:
    """Upsert the teams' score rows from their submitted responses.

    The teams' rows are locked first (PostgreSQL; SQLite has one writer), so two requests of
    one team score in turn and the later one reads what the earlier committed: neither
    can store scores that miss the other's submit.
    """
    db.session.execute(
        sa.select(Team.id)
        .where(Team.id.in_(team_ids))
        .order_by(Team.id)
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE: foreign-key checks pass
    ).all()
    questionnaire = model_of(cycle.questionnaire)
    responses = submitted_responses(cycle, team_ids)
    rows = []
    for team_id in team_ids:
        team_responses = responses.get(team_id, [])
        score = score_team(questionnaire, team_responses)
        means = {q: s.mean for q, s in summarize_questions(questionnaire, team_responses).items()}
        for challenge in questionnaire.challenges:
            cs = score.challenges[challenge.key]
            question_means = {q.id: means.get(q.id) for q in challenge.questions}
            rows.append(
                _score_row(cycle, team_id, challenge.key, cs.score, cs.disagreement, cs.coverage)
                | {"respondents": score.respondents, "question_means": _json(question_means)}
            )
        rows.append(
            _score_row(cycle, team_id, "overall", score.overall, None, None)
            | {"respondents": score.respondents, "question_means": None}
        )
    upsert(
        TeamScoreRow,
        rows,
        conflict=["cycle_id", "team_id", "challenge"],
        update=["score", "disagreement", "coverage", "respondents", "question_means"],
    )


def _score_row(cycle, team_id, key, score, disagreement, coverage) -> dict:
    return {
        "cycle_id": cycle.id,
        "team_id": team_id,
        "challenge": key,
        "score": score,
        "disagreement": disagreement,
        "coverage": coverage,
    }


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def touch_teams(team_ids: Iterable[int]) -> None:
    """Bump the teams' data version in SQL: their cached pages are rendered again."""
    ids = sorted(set(team_ids))
    if ids:
        db.session.execute(
            sa.update(Team)
            .where(Team.id.in_(ids))
            .values(data_version=Team.data_version + 1)
            .execution_options(synchronize_session=False)
        )


def request_rebuild(cycle_ids: Iterable[int]) -> None:
    """Ask for the cycles' read models to be rebuilt, and enqueue that once this transaction commits."""
    from .compare.tasks import rebuild_cycle

    for cycle_id in _mark(cycle_ids):
        after_commit(rebuild_cycle, cycle_id)


def _mark(cycle_ids: Iterable[int]) -> list[int]:
    """Append a request per cycle: an insert, so concurrent writers never wait on each other."""
    ids = sorted(set(cycle_ids))
    if ids:
        now = utcnow()
        db.session.execute(
            sa.insert(ReadModelRequest), [{"cycle_id": i, "requested_at": now} for i in ids]
        )
    return ids


def request_org_rebuild(org_id: int) -> None:
    """Mark every cycle of an org stale: a team was added, or a profile many teams use changed."""
    touch_teams(db.session.scalars(sa.select(Team.id).where(Team.org_id == org_id)).all())
    request_rebuild(db.session.scalars(sa.select(Cycle.id).where(Cycle.org_id == org_id)).all())


def request_team_rebuild(team_id: int) -> None:
    """Mark stale the cycles where a team has answers: its targets, statuses or owners changed."""
    touch_teams([team_id])
    request_rebuild(
        db.session.scalars(
            sa.select(TeamScoreRow.cycle_id)
            .where(TeamScoreRow.team_id == team_id, TeamScoreRow.challenge == "overall")
            .where(TeamScoreRow.respondents > 0)
        ).all()
    )


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


def _rounded(values: dict) -> dict:
    """Round to six decimals: finer than any decision needs, and a third of the bytes."""
    return {k: None if v is None else round(v, 6) for k, v in values.items()}


LOCK_NAMESPACE = 0x4153  # the first argument of pg_advisory_xact_lock: Ascent's cycle rebuilds


def rebuild(cycle_id: int) -> bool:
    """Rebuild a stale cycle's read model; return True when this call stored a new version.

    Safe to run twice or at once on several hosts: the rebuild waits for the cycle's lock,
    does nothing when no request is pending, and stores only if no other build stored first.
    """
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or not _prepare(cycle):
        db.session.rollback()
        return False
    for _ in range(3):  # another build stored first: build again from what is still pending
        outcome = _rebuild_once(cycle)
        if outcome is not None:
            return outcome
    return False


def _rebuild_once(cycle: Cycle) -> bool | None:
    """Build and store once; None when another build stored in between."""
    cycle_id = cycle.id
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_NAMESPACE, cycle_id)))
    version = db.session.scalar(
        sa.select(CycleComparison.version).where(CycleComparison.cycle_id == cycle_id)
    )
    requests = db.session.scalars(
        sa.select(ReadModelRequest.id).where(ReadModelRequest.cycle_id == cycle_id)
    ).all()  # read before the scores: every request seen here has its writes visible below
    if not requests and version > 0:
        db.session.rollback()
        return False
    built_documents = build_documents(cycle)
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.commit()  # end the read; the compare-and-set below keeps the newest build
    if not _store_documents(cycle, version, requests, built_documents):
        return None
    db.session.commit()
    return True


def _prepare(cycle: Cycle) -> bool:
    """Make sure the cycle has a read-model row and, before its first build, every team's scores."""
    version = db.session.scalar(
        sa.select(CycleComparison.version).where(CycleComparison.cycle_id == cycle.id)
    )
    if version is None:
        db.session.execute(
            insert_for(CycleComparison)
            .values(cycle_id=cycle.id, version=0, updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=["cycle_id"])
        )
    if not version:
        team_ids = db.session.scalars(sa.select(Team.id).where(Team.org_id == cycle.org_id)).all()
        if team_ids:
            _store_rows(cycle, sorted(team_ids))
    db.session.commit()
    return True


@dataclass
class Documents:
    """What one rebuild of a cycle stores."""

    document: str
    summary: str
    dashboard: str
    means: str
    rows: list[dict]


def build_documents(cycle: Cycle) -> Documents:
    """Compute a cycle's comparison, dashboard figures and trend point from the stored scores."""
    from .reports.dashboard import dashboard_document

    teams = db.session.execute(
        sa.select(Team.id, Team.name, Team.business_unit)
        .where(Team.org_id == cycle.org_id)
        .order_by(Team.name)
    ).all()
    current = stored_scores(cycle.id)
    before = previous_cycle(cycle)
    previous = stored_scores(before.id) if before else {}
    document = comparison_document(cycle, before, teams, current, previous)
    teams_list = sorted(
        ([t["team_id"], t["team"], t["business_unit"]] for t in document["teams"]),
        key=lambda t: t[1].lower(),
    )
    summary = {
        **{k: document[k] for k in ("cycle", "previous_cycle", "median", "quartiles", "counts")},
        "teams": teams_list,
    }
    means = {
        key: _mean([row.scores.get(key) for row in current.values() if row.respondents])
        for key in KEYS
    }
    return Documents(
        document=_json(document),
        summary=_json(summary),
        dashboard=_json(dashboard_document(cycle, teams, current, previous)),
        means=_json(_rounded(means)),
        rows=[
            {"cycle_id": cycle.id, "team_id": t["team_id"], "row": _json(t)}
            for t in document["teams"]
        ],
    )


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _store_documents(cycle: Cycle, version: int, requests: list[int], built: Documents) -> bool:
    """Store the documents if the version is still the one read; consume the requests seen.

    When another build stored first (the version moved), everything here is rolled back:
    that build read later, so it is at least as new.
    """
    for chunk in range(0, len(requests), 1000):
        db.session.execute(
            sa.delete(ReadModelRequest).where(
                ReadModelRequest.id.in_(requests[chunk : chunk + 1000])
            )
        )
    db.session.execute(sa.delete(ComparisonTeamRow).where(ComparisonTeamRow.cycle_id == cycle.id))
    if built.rows:
        db.session.execute(sa.insert(ComparisonTeamRow), built.rows)
    result = db.session.execute(
        sa.update(CycleComparison)
        .where(CycleComparison.cycle_id == cycle.id, CycleComparison.version == version)
        .values(
            document=built.document,
            summary=built.summary,
            dashboard=built.dashboard,
            means=built.means,
            version=CycleComparison.__table__.c.version + 1,
            updated_at=utcnow(),
        )
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    return True


@dataclass(frozen=True)
class StoredTeam:
    """A team's stored figures in a cycle: scores, disagreement flags and question means."""

    respondents: int
    scores: dict[str, float | None]
    flags: dict[str, bool]
    question_means: dict[str, float | None]

    def figures(self, team_id: int) -> TeamFigures:
        """Return the figures the comparison rule takes."""
        return TeamFigures(team_id, self.respondents, self.scores, self.flags)


def stored_scores(cycle_id: int) -> dict[int, StoredTeam]:
    """Return every stored team's figures in a cycle (one query)."""
    teams: dict[int, StoredTeam] = {}
    rows = db.session.execute(
        sa.select(
            TeamScoreRow.team_id,
            TeamScoreRow.challenge,
            TeamScoreRow.score,
            TeamScoreRow.disagreement,
            TeamScoreRow.respondents,
            TeamScoreRow.question_means,
        ).where(TeamScoreRow.cycle_id == cycle_id)
    )
    for team_id, key, score, disagreement, count, means in rows:
        team = teams.get(team_id)
        if team is None:
            team = teams[team_id] = StoredTeam(count, {}, {}, {})
        team.scores[key] = score
        team.flags[key] = disagreement is not None and disagreement >= 1.0
        if means:
            team.question_means.update(json.loads(means))
    return teams


def figures(cycle_id: int) -> dict[int, TeamFigures]:
    """Return every stored team's figures in a cycle (one query)."""
    return {t: row.figures(t) for t, row in stored_scores(cycle_id).items()}


def comparison_document(cycle, before, teams, current, previous) -> dict:
    """Return the cycle's comparison as plain data: each team's row, median, quartiles, counts."""
    result = compare(
        KEYS,
        [current[t.id].figures(t.id) for t in teams if t.id in current],
        {t: row.figures(t) for t, row in previous.items()},
        min_respondents=cycle.org.min_respondents,
    )
    names = {t.id: t for t in teams}
    return {
        "cycle": cycle.name,
        "previous_cycle": before.name if before else None,
        "teams": [
            {
                "team": names[row["team_id"]].name,
                "team_id": row["team_id"],
                "business_unit": names[row["team_id"]].business_unit,
                "respondents": row["respondents"],
                "low_confidence": row["low_confidence"],
                "suppressed": row["suppressed"],
                "suppressed_reason": (
                    suppression_note(cycle.org.min_respondents) if row["suppressed"] else None
                ),
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


def rebuild_stale(org_id: int | None = None) -> int:
    """Rebuild every stale cycle (of one org, or all) here and now; return how many were built."""
    built = 0
    for cycle_id in stale_cycles(org_id):
        built += rebuild(cycle_id)
    return built


def stale_cycles(org_id: int | None = None) -> list[int]:
    """Return the ids of the cycles whose read model waits for a rebuild, oldest first."""
    requested = sa.select(ReadModelRequest.cycle_id)
    never = sa.select(CycleComparison.cycle_id).where(CycleComparison.version == 0)
    query = sa.select(Cycle.id).where(sa.or_(Cycle.id.in_(requested), Cycle.id.in_(never)))
    if org_id is not None:
        query = query.where(Cycle.org_id == org_id)
    return db.session.scalars(query.order_by(Cycle.opened_at)).all()


def _in_opened_order(cycle_ids: list[int]) -> list[int]:
    if not cycle_ids:
        return []
    return db.session.scalars(
        sa.select(Cycle.id).where(Cycle.id.in_(cycle_ids)).order_by(Cycle.opened_at)
    ).all()


@dataclass(frozen=True)
class Freshness:
    """How current a cycle's read model is: built when, and whether a rebuild is pending."""

    version: int
    built_at: datetime | None
    pending: bool
    requested_at: datetime | None
    waiting: int = 0

    @property
    def key(self) -> tuple[int, bool]:
        """Return what a cached page built from this read model depends on."""
        return (self.version, self.pending)


def _freshness_query():
    """Return the read model's state query, built once: each page asks it with a cycle id."""
    requests = ReadModelRequest.cycle_id == sa.bindparam("cycle_id")
    return sa.select(
        CycleComparison.version,
        CycleComparison.updated_at,
        sa.select(sa.func.count(ReadModelRequest.id)).where(requests).scalar_subquery(),
        sa.select(sa.func.min(ReadModelRequest.requested_at)).where(requests).scalar_subquery(),
    ).where(CycleComparison.cycle_id == sa.bindparam("cycle_id"))


_FRESHNESS = _freshness_query()


def freshness(cycle: Cycle) -> Freshness:
    """Return the version, build time and pending requests of a cycle's read model (one query)."""
    params = {"cycle_id": cycle.id}
    row = db.session.execute(_FRESHNESS, params).one_or_none()
    if row is None or not row[0]:
        ensure_stored([cycle])
        row = db.session.execute(_FRESHNESS, params).one()
    version, built_at, waiting, requested_at = row
    return Freshness(version, built_at, waiting > 0, requested_at, waiting)


def seconds_since_build(cycle_id: int) -> float | None:
    """Return how many seconds ago the cycle's read model was last stored, None if never."""
    built_at = db.session.scalar(
        sa.select(CycleComparison.updated_at).where(
            CycleComparison.cycle_id == cycle_id, CycleComparison.version > 0
        )
    )
    db.session.rollback()
    return None if built_at is None else (utcnow() - built_at).total_seconds()


def caching() -> bool:
    """Return False when per-process read caches are switched off (ASCENT_NO_READ_CACHE=1)."""
    return os.environ.get("ASCENT_NO_READ_CACHE") != "1"


def version_of(cycle: Cycle) -> int:
    """Return the version of the cycle's stored read model, building it when it never was."""
    version = db.session.scalar(
        sa.select(CycleComparison.version).where(CycleComparison.cycle_id == cycle.id)
    )
    if not version:
        ensure_stored([cycle])
        version = db.session.scalar(
            sa.select(CycleComparison.version).where(CycleComparison.cycle_id == cycle.id)
        )
    return version


def cached(kind: str, key, version, load):
    """Return load(), kept per process until the version given changes."""
    if caching():
        with _lock:
            hit = _parsed.get((kind, key))
        if hit and hit[0] == version:
            return hit[1]
    value = load()
    with _lock:
        _parsed[(kind, key)] = (version, value)
    return value


def _cached(kind: str, cycle: Cycle, load, version: int | None = None):
    """Return load(), kept per process until the cycle's read model gets a new version."""
    version = version if version is not None else version_of(cycle)
    return cached(kind, cycle.id, version, load)


def comparison_text(cycle: Cycle, version: int | None = None) -> str:
    """Return the cycle's comparison as JSON text (pass the version when it is known)."""
    query = sa.select(CycleComparison.document).where(CycleComparison.cycle_id == cycle.id)
    return _cached("text", cycle, lambda: db.session.scalar(query), version)


def comparison_summary(cycle: Cycle, version: int | None = None) -> dict:
    """Return the comparison's median, quartiles, counts and the list of teams (id, name, unit)."""
    query = sa.select(CycleComparison.summary).where(CycleComparison.cycle_id == cycle.id)
    return _cached("summary", cycle, lambda: json.loads(db.session.scalar(query)), version)


def dashboard_data(cycle: Cycle, version: int | None = None) -> dict:
    """Return the cycle's stored dashboard figures, parsed once per version in each process."""
    query = sa.select(CycleComparison.dashboard).where(CycleComparison.cycle_id == cycle.id)
    return _cached("dashboard", cycle, lambda: json.loads(db.session.scalar(query)), version)


def trend_points(cycles: list[Cycle]) -> dict[int, dict[str, float | None]]:
    """Return each cycle's mean score per challenge and overall from the read model (one query)."""
    ensure_stored(cycles)
    rows = db.session.execute(
        sa.select(CycleComparison.cycle_id, CycleComparison.means).where(
            CycleComparison.cycle_id.in_([c.id for c in cycles])
        )
    )
    return {cycle_id: json.loads(means) for cycle_id, means in rows}


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
    """Build here the read models of cycles that were never built (data from before the worker).

    Only a first build happens on a request; every later one is the worker's.
    """
    cycles = list(cycles)
    if not cycles:
        return
    built = set(
        db.session.scalars(
            sa.select(CycleComparison.cycle_id).where(
                CycleComparison.cycle_id.in_([c.id for c in cycles]), CycleComparison.version > 0
            )
        )
    )
    for cycle in sorted((c for c in cycles if c.id not in built), key=lambda c: c.opened_at):
        rebuild(cycle.id)

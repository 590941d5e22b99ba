"""Importing submitted responses from a CSV file, in batches, all or nothing.

The file is read once, as it goes (the domain's `RowCheck`), and written in batches of
BATCH answers with executemany upserts, inside the caller's transaction. At the first bad
row, writing stops and the rest of the file is only checked; RowsRejected then names every
problem and the caller rolls back, so a bad row anywhere changes nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

import sqlalchemy as sa

from . import audit
from .comparisons import store_team_scores
from .dbutil import driver_value, upsert, upsert_many
from .domain.inputs import NotUtf8, utf8_lines
from .domain.response_import import FieldLimits, ImportRow, RowCheck, RowsRejected
from .extensions import db
from .models import Answer, Cycle, Membership, Response, Team, TeamMember, User, utcnow
from .orgs import operations as org_ops
from .questionnaires import model_of

BATCH = 5000  # answers per executemany: bounded memory, far from any bound-variable limit
SCORE_BATCH = 100  # teams scored at a time: their answers are loaded to score them

LIMITS = FieldLimits(
    team=Team.__table__.c.name.type.length,
    respondent=User.__table__.c.email.type.length,
    question=Answer.__table__.c.question_id.type.length,
)
ANSWER_COLUMNS = [
    "response_id",
    "question_id",
    "level",
    "not_applicable",
    "comment",
    "carried_over",
    "updated_at",
]


def import_responses(cycle: Cycle, path: str, create_missing: bool) -> dict[str, int]:
    """Store the CSV's answers as submitted responses; raise RowsRejected naming bad rows.

    The caller commits, or rolls back on RowsRejected (batches may have been written).
    """
    if not cycle.is_open:
        raise RowsRejected([f"{path}: the cycle {cycle.name} is closed; its responses are frozen"])
    check = RowCheck(model_of(cycle.questionnaire), path, LIMITS)
    importer = _Importer(cycle, check, create_missing)
    with _collector_paused():
        try:
            with open(path, "rb") as stream:
                for batch in _batches(check.rows(utf8_lines(stream, path))):
                    importer.take(batch)
        except NotUtf8 as exc:
            raise RowsRejected([str(exc)]) from None
        rejection = check.rejection()
        if rejection is not None:
            raise rejection
        team_ids = sorted(importer.team_ids)
        for start in range(0, len(team_ids), SCORE_BATCH):
            store_team_scores(cycle, team_ids[start : start + SCORE_BATCH])
    return {"answers": check.answers, "responses": len(check.respondents), **importer.created}


@contextmanager
def _collector_paused():
    """Pause Python's cycle collector for the block, and restore it after.

    A million short-lived rows make it scan every object of the app again and again (a
    quarter of an import's time, measured); reference counting still frees the rows.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _batches(rows: Iterable[ImportRow]) -> Iterator[list[ImportRow]]:
    """Yield the rows in lists of at most BATCH."""
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        yield batch


class _Importer:
    """Writes the batches of one file: resolves teams and people, then upserts responses and answers."""

    def __init__(self, cycle: Cycle, check: RowCheck, create_missing: bool):
        self.cycle, self.org, self.check = cycle, cycle.org, check
        self.create_missing = create_missing
        self.created = {"teams_created": 0, "people_created": 0}
        self.teams = dict(
            db.session.execute(
                sa.select(Team.name, Team.id).where(Team.org_id == self.org.id)
            ).all()
        )
        self.users: dict[str, int] = {}
        self.in_org = set(
            db.session.scalars(
                sa.select(Membership.user_id).where(Membership.org_id == self.org.id)
            )
        )
        self.members = set(
            db.session.execute(
                sa.select(TeamMember.team_id, TeamMember.user_id)
                .join(Team, Team.id == TeamMember.team_id)
                .where(Team.org_id == self.org.id)
            ).all()
        )
        self.checked: set[tuple[str, str]] = set()
        self.response_of: dict[tuple[str, str], int] = {}
        self.team_ids: set[int] = set()

    def take(self, batch: list[ImportRow]) -> None:
        """Check a batch's teams and people, and write it while the file has no problem."""
        new = [
            pair
            for pair in dict.fromkeys((r.team, r.respondent) for r in batch)
            if pair not in self.checked
        ]
        self.checked.update(new)
        self.users.update(_user_ids({email for _, email in new} - self.users.keys()))
        for pair in new:
            self._check_pair(*pair)
        if self.check.problems:  # nothing more is written: the caller rolls back
            return
        if self.create_missing:
            for pair in new:
                self._create_missing(*pair)
        if new:
            self._store_responses(new)
        now = driver_value(Answer, "updated_at", utcnow())
        response_of = self.response_of
        upsert_many(
            Answer,
            ANSWER_COLUMNS,
            [
                (
                    response_of[(r.team, r.respondent)],
                    r.question_id,
                    r.level,
                    r.not_applicable,
                    r.comment,
                    False,
                    now,
                )
                for r in batch
            ],
            conflict=["response_id", "question_id"],
            update=["level", "not_applicable", "comment", "carried_over", "updated_at"],
        )

    def _check_pair(self, team_name: str, email: str) -> None:
        """Note a problem, at the pair's first line, when its team or person cannot be used."""
        team_id, user_id, slug = self.teams.get(team_name), self.users.get(email), self.org.slug
        errors = []
        if self.create_missing:
            if user_id is not None and user_id not in self.in_org:
                # An account of another org is never joined silently, nor shown.
                errors.append(
                    f"{email} has an account outside {slug}; it is not added by an import"
                )
        else:
            if team_id is None:
                errors.append(f"no team called {team_name!r} in {slug}")
            if user_id is None or user_id not in self.in_org:
                errors.append(f"{email} is not a person of {slug}")
            elif team_id is not None and (team_id, user_id) not in self.members:
                errors.append(f"{email} is not in team {team_name!r}")
        if errors:
            self.check.add_problem(self.check.respondents[(team_name, email)], "; ".join(errors))

    def _create_missing(self, team_name: str, email: str) -> None:
        """Create the pair's team or person when missing, and put the person in the team.

        People are created without a usable password: they join by invitation or single sign-on.
        """
        if team_name not in self.teams:
            self.teams[team_name] = org_ops.create_team(self.org, team_name, "").id
            self.created["teams_created"] += 1
        if email not in self.users:
            name = email.split("@")[0].replace(".", " ").title()
            user = org_ops.create_user_without_password(email, name)
            org_ops.set_org_role(self.org, user, "member")
            self.users[email] = user.id
            self.in_org.add(user.id)
            self.created["people_created"] += 1
        key = (self.teams[team_name], self.users[email])
        if key not in self.members:
            team, user = db.session.get(Team, key[0]), db.session.get(User, key[1])
            org_ops.put_in_team(team, user, "member")
            self.members.add(key)

    def _store_responses(self, pairs: list[tuple[str, str]]) -> None:
        """Upsert a submitted response per (team, respondent) and note their ids."""
        now = utcnow()
        keys = {(self.teams[team], self.users[email]): (team, email) for team, email in pairs}
        upsert(
            Response,
            [
                {
                    "cycle_id": self.cycle.id,
                    "team_id": team_id,
                    "user_id": user_id,
                    "questionnaire_id": self.cycle.questionnaire_id,
                    "status": "submitted",
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
                for team_id, user_id in keys
            ],
            conflict=["cycle_id", "team_id", "user_id"],
            update=["status", "updated_at", "submitted_at"],
        )
        user_ids = sorted({user_id for _, user_id in keys})
        for start in range(0, len(user_ids), 1000):
            rows = db.session.execute(
                sa.select(Response.team_id, Response.user_id, Response.id).where(
                    Response.cycle_id == self.cycle.id,
                    Response.user_id.in_(user_ids[start : start + 1000]),
                )
            )
            for team_id, user_id, response_id in rows:
                if (team_id, user_id) in keys:
                    self.response_of[keys[(team_id, user_id)]] = response_id
        self.team_ids.update(team_id for team_id, _ in keys)


def _user_ids(emails: set[str]) -> dict[str, int]:
    """Return the ids of the accounts with these emails, asked for a thousand at a time."""
    found, ordered = {}, sorted(emails)
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        query = sa.select(User.email, User.id).where(User.email.in_(chunk))
        found.update(db.session.execute(query).all())
    return found


def record_import(cycle: Cycle, file_name: str, counts: dict[str, int]) -> None:
    """Add the import of a file into a cycle to the audit trail."""
    audit.record(
        cycle.org_id,
        "cycle.import",
        f"Imported {counts['answers']} answers from {file_name} into {cycle.name}",
        target=("cycle", cycle.name),
        after={"file": file_name, **counts},
    )

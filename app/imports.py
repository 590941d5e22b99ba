"""Importing submitted responses from a CSV file, all or nothing, in batches.

The file is read twice and never held in memory: the first pass validates every row (the
domain's `check_rows`), then teams and people are resolved, and only then the second pass
writes the answers in batches of BATCH rows with executemany upserts, inside the caller's
transaction. A bad row anywhere means nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import sqlalchemy as sa

from .comparisons import store_team_scores
from .dbutil import upsert_many
from .domain.inputs import NotUtf8, utf8_lines
from .domain.questionnaire import Questionnaire
from .domain.response_import import (
    CheckedFile,
    FieldLimits,
    ImportRow,
    RowsRejected,
    check_rows,
    valid_rows,
)
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


def import_responses(cycle: Cycle, path: str, create_missing: bool) -> dict[str, int]:
    """Store the CSV's answers as submitted responses; raise RowsRejected naming bad rows."""
    if not cycle.is_open:
        raise RowsRejected([f"{path}: the cycle {cycle.name} is closed; its responses are frozen"])
    questionnaire = model_of(cycle.questionnaire)
    with open(path, "rb") as stream:
        checked = _check(stream, questionnaire, path)
    teams, users, created, problems = _resolve(cycle, checked, create_missing)
    if checked.problems or problems:
        raise RowsRejected.naming(path, checked.problems + problems, checked.more_problems)
    created = _create_missing(cycle, checked, teams, users) if create_missing else created
    response_of = _store_responses(cycle, checked, teams, users)
    with open(path, "rb") as stream:
        for batch in _batches(valid_rows(utf8_lines(stream, path), questionnaire, path, LIMITS)):
            _store_answers(batch, response_of)
    team_ids = sorted({teams[team].id for team, _ in checked.respondents})
    for start in range(0, len(team_ids), SCORE_BATCH):
        store_team_scores(cycle, team_ids[start : start + SCORE_BATCH])
    return {"answers": checked.answers, "responses": len(checked.respondents), **created}


def _check(stream, questionnaire: Questionnaire, path: str) -> CheckedFile:
    """Run the first pass; an encoding other than UTF-8 rejects the file with its name."""
    try:
        return check_rows(utf8_lines(stream, path), questionnaire, path, LIMITS)
    except NotUtf8 as exc:
        raise RowsRejected([str(exc)]) from None


def _batches(rows: Iterable[ImportRow]) -> Iterator[list[ImportRow]]:
    """Yield the rows in lists of at most BATCH."""
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        yield batch


def _resolve(cycle: Cycle, checked: CheckedFile, create_missing: bool):
    """Find the teams and people the file names; return them and what cannot be imported.

    Each problem is named once, at the first line of its (team, respondent). With
    create_missing, unknown teams and people are to be created; an account of another org
    is still refused, without saying whose it is.
    """
    org = cycle.org
    team_names = {team for team, _ in checked.respondents}
    emails = {email for _, email in checked.respondents}
    teams = {
        t.name: t
        for t in db.session.scalars(sa.select(Team).where(Team.org_id == org.id))
        if t.name in team_names
    }
    users = _users_by_email(emails)
    in_org = set(
        db.session.scalars(sa.select(Membership.user_id).where(Membership.org_id == org.id))
    )
    members = _memberships(org.id)
    problems: list[tuple[int, str]] = []
    created = {"teams_created": 0, "people_created": 0}
    for (team_name, email), line in checked.respondents.items():
        team, user = teams.get(team_name), users.get(email)
        errors = []
        if create_missing:
            if user is not None and user.id not in in_org:
                # An account of another org is never joined silently, nor shown.
                errors.append(
                    f"{email} has an account outside {org.slug}; it is not added by an import"
                )
        else:
            if team is None:
                errors.append(f"no team called {team_name!r} in {org.slug}")
            if user is None or user.id not in in_org:
                errors.append(f"{email} is not a person of {org.slug}")
            elif team is not None and (team.id, user.id) not in members:
                errors.append(f"{email} is not in team {team_name!r}")
        if errors:
            problems.append((line, "; ".join(errors)))
    return teams, users, created, problems


def _users_by_email(emails: set[str]) -> dict[str, User]:
    """Return the accounts with these emails, asked for a thousand at a time."""
    found, ordered = {}, sorted(emails)
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        found.update(
            (u.email, u) for u in db.session.scalars(sa.select(User).where(User.email.in_(chunk)))
        )
    return found


def _memberships(org_id: int) -> set[tuple[int, int]]:
    """Return the (team id, person id) pairs of the org's teams."""
    return set(
        db.session.execute(
            sa.select(TeamMember.team_id, TeamMember.user_id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.org_id == org_id)
        ).all()
    )


def _create_missing(cycle: Cycle, checked: CheckedFile, teams: dict, users: dict) -> dict:
    """Create the teams and people the file names that do not exist, and put people in teams.

    People are created without a usable password: they join by invitation or single sign-on.
    """
    org = cycle.org
    created = {"teams_created": 0, "people_created": 0}
    members = _memberships(org.id)
    for team_name, email in checked.respondents:
        team, user = teams.get(team_name), users.get(email)
        if team is None:
            team = teams[team_name] = org_ops.create_team(org, team_name, "")
            created["teams_created"] += 1
        if user is None:
            name = email.split("@")[0].replace(".", " ").title()
            user = users[email] = org_ops.create_user_without_password(email, name)
            org_ops.set_org_role(org, user, "member")
            created["people_created"] += 1
        if (team.id, user.id) not in members:
            org_ops.put_in_team(team, user, "member")
            members.add((team.id, user.id))
    return created


def _store_responses(cycle: Cycle, checked: CheckedFile, teams: dict, users: dict) -> dict:
    """Upsert a submitted response per (team, respondent); return their ids by those names."""
    now = utcnow()
    upsert_many(
        Response,
        [
            {
                "cycle_id": cycle.id,
                "team_id": teams[team].id,
                "user_id": users[email].id,
                "questionnaire_id": cycle.questionnaire_id,
                "status": "submitted",
                "created_at": now,
                "updated_at": now,
                "submitted_at": now,
            }
            for team, email in checked.respondents
        ],
        conflict=["cycle_id", "team_id", "user_id"],
        update=["status", "updated_at", "submitted_at"],
    )
    rows = db.session.execute(
        sa.select(Response.team_id, Response.user_id, Response.id).where(
            Response.cycle_id == cycle.id
        )
    )
    ids = {(team_id, user_id): rid for team_id, user_id, rid in rows}
    return {
        (team, email): ids[(teams[team].id, users[email].id)] for team, email in checked.respondents
    }


def _store_answers(batch: list[ImportRow], response_of: dict[tuple[str, str], int]) -> None:
    """Upsert one batch of answers with one executemany."""
    now = utcnow()
    upsert_many(
        Answer,
        [
            {
                "response_id": response_of[(r.team, r.respondent)],
                "question_id": r.question_id,
                "level": r.level,
                "not_applicable": r.not_applicable,
                "comment": r.comment,
                "carried_over": False,
                "updated_at": now,
            }
            for r in batch
        ],
        conflict=["response_id", "question_id"],
        update=["level", "not_applicable", "comment", "carried_over", "updated_at"],
    )

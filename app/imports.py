"""Importing submitted responses from a CSV file, all or nothing."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from . import audit
from .comparisons import store_team_scores
from .dbutil import upsert
from .domain.response_import import ImportRow, RowsRejected, parse_rows
from .extensions import db
from .models import Answer, Cycle, Membership, Response, Team, TeamMember, User, utcnow
from .orgs import operations as org_ops
from .questionnaires import model_of


def import_responses(cycle: Cycle, text: str, file: str, create_missing: bool) -> dict[str, int]:
    """Store the CSV's answers as submitted responses; raise RowsRejected naming bad rows."""
    if not cycle.is_open:
        raise RowsRejected([f"{file}: the cycle {cycle.name} is closed; its responses are frozen"])
    rows, problems = parse_rows(text, model_of(cycle.questionnaire), file)
    teams, users, created, unresolved = _resolve(cycle, rows, create_missing, file)
    problems = sorted(problems + unresolved, key=lambda p: int(p[len(file) + 1 :].split(":")[0]))
    if problems:
        raise RowsRejected(problems)
    by_response: dict[tuple[int, int], list[ImportRow]] = defaultdict(list)
    for row in rows:
        by_response[(teams[row.team].id, users[row.respondent].id)].append(row)
    now = utcnow()
    for (team_id, user_id), answers in by_response.items():
        upsert(
            Response,
            [
                {
                    "cycle_id": cycle.id,
                    "team_id": team_id,
                    "user_id": user_id,
                    "questionnaire_id": cycle.questionnaire_id,
                    "status": "submitted",
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
            ],
            conflict=["cycle_id", "team_id", "user_id"],
            update=["status", "updated_at", "submitted_at"],
        )
        response_id = db.session.scalar(
            sa.select(Response.id).where(
                Response.cycle_id == cycle.id,
                Response.team_id == team_id,
                Response.user_id == user_id,
            )
        )
        upsert(
            Answer,
            [
                {
                    "response_id": response_id,
                    "question_id": r.question_id,
                    "level": r.level,
                    "not_applicable": r.not_applicable,
                    "comment": r.comment,
                    "carried_over": False,
                    "updated_at": now,
                }
                for r in answers
            ],
            conflict=["response_id", "question_id"],
            update=["level", "not_applicable", "comment", "carried_over", "updated_at"],
        )
    store_team_scores(cycle, {team_id for team_id, _ in by_response})
    return {"answers": len(rows), "responses": len(by_response), **created}


def _resolve(cycle: Cycle, rows: list[ImportRow], create_missing: bool, file: str):
    """Find (or with create_missing, create) the teams and people the rows name."""
    org = cycle.org
    team_names = {r.team for r in rows}
    emails = {r.respondent for r in rows}
    teams = {
        t.name: t
        for t in db.session.scalars(
            sa.select(Team).where(Team.org_id == org.id, Team.name.in_(team_names))
        )
    }
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    members = set(
        db.session.execute(
            sa.select(TeamMember.team_id, TeamMember.user_id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.org_id == org.id)
        ).all()
    )
    in_org = set(
        db.session.scalars(sa.select(Membership.user_id).where(Membership.org_id == org.id))
    )
    problems, created = [], {"teams_created": 0, "people_created": 0}
    for row in rows:
        team, user = teams.get(row.team), users.get(row.respondent)
        if not create_missing:
            if team is None:
                problems.append(f"{file}:{row.line}: no team called {row.team!r} in {org.slug}")
            if user is None or user.id not in in_org:
                problems.append(
                    f"{file}:{row.line}: {row.respondent} is not a person of {org.slug}"
                )
            elif team is not None and (team.id, user.id) not in members:
                problems.append(f"{file}:{row.line}: {row.respondent} is not in team {row.team!r}")
            continue
        if team is None:
            team = teams[row.team] = org_ops.create_team(org, row.team, "")
            created["teams_created"] += 1
        if user is None:
            name = row.respondent.split("@")[0].replace(".", " ").title()
            user = users[row.respondent] = org_ops.create_user(row.respondent, name, None)[0]
            created["people_created"] += 1
            in_org.add(user.id)
            org_ops.set_org_role(org, user, "member")
        elif user.id not in in_org:
            # An account of another org is never joined silently, nor shown.
            problems.append(
                f"{file}:{row.line}: {row.respondent} has an account outside {org.slug}; "
                "it is not added by an import"
            )
            continue
        if user.id not in in_org:
            org_ops.set_org_role(org, user, "member")
            in_org.add(user.id)
        if (team.id, user.id) not in members:
            org_ops.put_in_team(team, user, "member")
            members.add((team.id, user.id))
    return teams, users, created, problems


def record_import(cycle: Cycle, file_name: str, counts: dict[str, int]) -> None:
    """Add the import of a file into a cycle to the audit trail."""
    audit.record(
        cycle.org_id,
        "cycle.import",
        f"Imported {counts['answers']} answers from {file_name} into {cycle.name}",
        target=("cycle", cycle.name),
        after={"file": file_name, **counts},
    )

"""Reading a roster CSV: people, their teams, roles and job roles, every bad row named by line.

Columns: email,name,team,business_unit,team_role,job_role,org_role. An empty cell keeps what
is there; a person may take several rows, one per team.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass

from .inputs import control_characters
from .vocabulary import ROLES

COLUMNS = ("email", "name", "team", "business_unit", "team_role", "job_role", "org_role")
TEAM_ROLES = ("lead", "member")
ORG_ROLES = ("admin", "executive", "member")
LIMITS = {"email": 254, "name": 200, "team": 200, "business_unit": 200}
MAX_ROWS = 20_000
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class RosterRow:
    """One valid row of a roster; empty strings mean "keep what is there"."""

    line: int
    email: str
    name: str
    team: str
    business_unit: str
    team_role: str
    job_role: str
    org_role: str


class RosterRejected(Exception):
    """A roster with bad rows: nothing was changed; `problems` names each by file and line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_roster(lines: Iterable[str], file: str) -> list[RosterRow]:
    """Return the roster's rows, or raise RosterRejected naming every bad row."""
    reader = csv.reader(lines)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterRejected(
            [f"{file}:1: the header lacks {', '.join(missing)}; expected {','.join(COLUMNS)}"]
        )
    index = {c: header.index(c) for c in COLUMNS}
    rows, problems, seen = [], [], {}
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(f"{file}:{number}: a roster holds at most {MAX_ROWS} rows")
            break
        values = {c: (cells[i].strip() if i < len(cells) else "") for c, i in index.items()}
        found = _problems(values)
        key = (values["email"].lower(), values["team"])
        if key in seen and not found:
            found.append(f"repeats line {seen[key]} ({values['email']}, team {values['team']!r})")
        seen.setdefault(key, number)
        if found:
            problems.extend(f"{file}:{number}: {p}" for p in found)
            if len(problems) >= MAX_PROBLEMS:
                problems.append(f"{file}: more problems follow; fix these first")
                break
            continue
        rows.append(RosterRow(number, **{**values, "email": values["email"].lower()}))
    if problems:
        raise RosterRejected(problems)
    return rows


def _problems(values: dict[str, str]) -> list[str]:
    """Return what is wrong with one row's values, in words."""
    found = []
    for column, text in values.items():
        if control_characters(text):
            found.append(f"{column} holds a control character")
        if column in LIMITS and len(text) > LIMITS[column]:
            found.append(f"{column} is longer than {LIMITS[column]} characters")
    email = values["email"]
    if not email or "@" not in email or email.startswith("@") or " " in email:
        found.append(f"email {email[:60]!r} is not an email address")
    if values["team_role"] and values["team_role"] not in TEAM_ROLES:
        found.append(f"team_role {values['team_role'][:40]!r} is not lead or member")
    if values["job_role"] and values["job_role"] not in ROLES:
        found.append(f"job_role {values['job_role'][:40]!r} is not one of {', '.join(ROLES)}")
    if values["org_role"] and values["org_role"] not in ORG_ROLES:
        found.append(f"org_role {values['org_role'][:40]!r} is not admin, executive or member")
    if not values["team"] and any(values[c] for c in ("team_role", "job_role", "business_unit")):
        found.append("team_role, job_role and business_unit need a team")
    return found

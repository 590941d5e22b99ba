"""The ownership matrix: RACI per challenge and role, named people, and its findings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from .vocabulary import CHALLENGE_KEYS, ROLE_TITLES, ROLES

MAX_ACCOUNTABLE_ROWS = 3


@dataclass(frozen=True)
class Finding:
    """Something the matrix says on its own: a row or person that needs attention."""

    kind: str
    message: str
    challenge: str | None = None
    role: str | None = None
    person: str | None = None


def merge_raci(
    defaults: Mapping[str, Mapping[str, str]], overrides: Mapping[tuple[str, str], str]
) -> dict[str, dict[str, str]]:
    """Return the matrix: the questionnaire's default letters with the team's changes on top."""
    matrix = {}
    for challenge in CHALLENGE_KEYS:
        row = {role: defaults.get(challenge, {}).get(role, "") for role in ROLES}
        for role in ROLES:
            if (challenge, role) in overrides:
                row[role] = overrides[(challenge, role)]
        matrix[challenge] = row
    return matrix


def findings(
    matrix: Mapping[str, Mapping[str, str]], people: Mapping[str, str | None]
) -> list[Finding]:
    """Return the matrix's findings: no or several Accountable, nobody named, overload."""
    result = []
    accountable_rows: dict[str, list[str]] = defaultdict(list)
    for challenge in CHALLENGE_KEYS:
        row = matrix.get(challenge, {})
        accountable = [role for role in ROLES if row.get(role) == "A"]
        if not accountable:
            result.append(Finding("no_accountable", "No Accountable role.", challenge))
        elif len(accountable) > 1:
            names = ", ".join(ROLE_TITLES[r] for r in accountable)
            result.append(
                Finding(
                    "several_accountable",
                    f"{len(accountable)} Accountable roles ({names}); keep one.",
                    challenge,
                )
            )
        for role in accountable:
            person = people.get(role)
            if not person:
                result.append(
                    Finding(
                        "nobody_named",
                        f"Nobody named for {ROLE_TITLES[role]}, the Accountable role.",
                        challenge,
                        role,
                    )
                )
            else:
                accountable_rows[person].append(challenge)
    for person, rows in sorted(accountable_rows.items()):
        if len(rows) > MAX_ACCOUNTABLE_ROWS:
            result.append(
                Finding(
                    "overloaded",
                    f"{person} is accountable for {len(rows)} challenges; more than {MAX_ACCOUNTABLE_ROWS} rarely works.",
                    person=person,
                )
            )
    return result

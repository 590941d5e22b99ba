"""Writes of the roadmap feature: targets, profiles, capacity, action statuses, ownership."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from .. import audit
from ..comparisons import request_org_rebuild, request_team_rebuild
from ..dbutil import upsert
from ..domain.inputs import parse_index
from ..domain.questionnaire import Questionnaire
from ..domain.roadmap import (
    STATUSES,
    RoadmapInputError,
    action_title,
    check_reason,
    parse_due_date,
)
from ..domain.vocabulary import CHALLENGE_KEYS, RACI_LETTERS, ROLES
from ..extensions import db
from ..models import (
    ActionStatus,
    RaciCell,
    RoleHolder,
    TargetProfile,
    Team,
    TeamMember,
    TeamTarget,
    User,
    utcnow,
)

MAX_CAPACITY = 20


class PlanError(Exception):
    """A change to a plan that cannot be made, with a message for the person."""

    def __init__(self, message: str, key: tuple[str, int] | None = None):
        super().__init__(message)
        self.key = key  # the roadmap action it is about, when there is one


def _level(value) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise PlanError(f"{value!r} is not a level; use a whole number from 0 to 4.") from None
    if not 0 <= level <= 4:
        raise PlanError(f"{level} is not a level; use a whole number from 0 to 4.")
    return level


def set_targets(team: Team, levels: Mapping[str, object]) -> None:
    """Store the team's own target level for each given challenge."""
    rows = []
    for challenge, value in levels.items():
        if challenge not in CHALLENGE_KEYS:
            raise PlanError(f"'{challenge}' is not a challenge.")
        rows.append({"team_id": team.id, "challenge": challenge, "level": _level(value)})
    before = {
        c: level
        for c, level in db.session.execute(
            sa.select(TeamTarget.challenge, TeamTarget.level).where(TeamTarget.team_id == team.id)
        )
    }
    upsert(TeamTarget, rows, conflict=["team_id", "challenge"], update=["level"])
    after = {r["challenge"]: r["level"] for r in rows}
    if any(before.get(c) != level for c, level in after.items()):
        audit.record(
            team.org_id,
            "target.levels",
            f"Changed the targets of {team.name}",
            target=("team", team.id),
            before={c: before.get(c) for c in after},
            after=after,
        )
    request_team_rebuild(team.id)


def set_capacity(team: Team, capacity) -> None:
    """Set how many actions each roadmap phase holds."""
    try:
        value = int(capacity)
    except (TypeError, ValueError):
        raise PlanError("The number of actions per phase must be a whole number.") from None
    if not 1 <= value <= MAX_CAPACITY:
        raise PlanError(f"The number of actions per phase must be between 1 and {MAX_CAPACITY}.")
    if team.phase_capacity != value:
        audit.record(
            team.org_id,
            "target.capacity",
            f"Set {team.name}'s actions per phase to {value}",
            target=("team", team.id),
            before={"capacity": team.phase_capacity},
            after={"capacity": value},
        )
    team.phase_capacity = value
    db.session.flush()
    request_team_rebuild(team.id)


def save_profile(
    org_id: int, name: str, levels: Mapping[str, object], description: str = "", profile=None
):
    """Create or change a target profile; every challenge gets a level."""
    name = name.strip()
    if not name:
        raise PlanError("A target profile needs a name.")
    if len(name) > 120 or len(description.strip()) > 300:
        raise PlanError(
            "A profile name has at most 120 characters and its description at most 300."
        )
    clash = db.session.scalar(
        sa.select(TargetProfile.id).where(
            TargetProfile.org_id == org_id, TargetProfile.name == name
        )
    )
    if clash and (profile is None or clash != profile.id):
        raise PlanError(f"A profile called {name} exists already.")
    values = {k: _level(levels.get(k, 3)) for k in CHALLENGE_KEYS}
    before = None
    if profile is None:
        profile = TargetProfile(org_id=org_id, name=name)
        db.session.add(profile)
    else:
        before = {"name": profile.name, "levels": dict(profile.levels or {})}
    profile.name, profile.description, profile.levels = name, description.strip(), values
    db.session.flush()
    audit.record(
        org_id,
        "target.profile",
        f"{'Changed' if before else 'Created'} the target profile {name}",
        target=("profile", profile.id),
        before=before,
        after={"name": name, "levels": values},
    )
    request_org_rebuild(org_id)
    return profile


def apply_profile(team: Team, profile: TargetProfile | None) -> None:
    """Give the team a profile; its own targets start again from the profile's levels."""
    audit.record(
        team.org_id,
        "target.profile_applied",
        f"{team.name} follows {profile.name if profile else 'no profile'}",
        target=("team", team.id),
        before={"profile": team.target_profile_id},
        after={"profile": profile.id if profile else None},
    )
    team.target_profile_id = profile.id if profile else None
    db.session.execute(sa.delete(TeamTarget).where(TeamTarget.team_id == team.id))
    db.session.flush()
    request_team_rebuild(team.id)


@dataclass(frozen=True)
class ActionChange:
    """A change a lead asks for on one roadmap action, as typed (due None keeps the date)."""

    question_id: str
    from_level: object
    status: str
    reason: str = ""
    due: str | None = None


def _checked(questionnaire: Questionnaire, change: ActionChange) -> dict:
    """Return the row to store for a change, or raise a PlanError that names the action."""
    question = questionnaire.question(change.question_id)
    if question is None:
        raise PlanError(f"'{change.question_id[:120]}' is not a question of this questionnaire.")
    level = parse_index(str(change.from_level if change.from_level is not None else ""))
    if level is None:
        raise PlanError("The step of the action is missing.")
    action = question.action_from(level)
    if action is None:
        raise PlanError(f"There is no action from level {level} for this question.")
    key = (question.id, level)
    if change.status not in STATUSES:
        raise PlanError(
            f"'{change.status[:40]}' is not a status; use one of {', '.join(STATUSES)}.", key
        )
    try:
        row = {
            "question_id": question.id,
            "from_level": level,
            "status": change.status,
            "reason": check_reason(change.status, change.reason),
        }
        if change.due is not None:
            row["due_on"] = parse_due_date(change.due)
    except RoadmapInputError as exc:
        raise PlanError(f"“{action_title(action.text)}”: {exc}", key) from None
    return row


def apply_changes(
    team: Team, questionnaire: Questionnaire, changes: Sequence[ActionChange], user: User
) -> list[dict]:
    """Store the status, reason and due date of several actions, all or none of them.

    Every change is checked before any is written, so a refused one leaves the plan as it was.
    Returns the rows stored.
    """
    rows = [_checked(questionnaire, change) for change in changes]
    before = {
        (r.question_id, r.from_level): r
        for r in db.session.scalars(sa.select(ActionStatus).where(ActionStatus.team_id == team.id))
    }
    for row in rows:
        _audit_action(team, questionnaire, row, before.get((row["question_id"], row["from_level"])))
        values = {**row, "team_id": team.id, "updated_at": utcnow(), "updated_by_id": user.id}
        update = ["status", "reason", "updated_at", "updated_by_id"]
        upsert(
            ActionStatus,
            [values],
            conflict=["team_id", "question_id", "from_level"],
            update=update + (["due_on"] if "due_on" in row else []),
        )
    if rows:
        request_team_rebuild(team.id)
    return rows


def _audit_action(team: Team, questionnaire: Questionnaire, row: dict, stored) -> None:
    """Record a change of an action's status, reason or due date in the audit trail."""
    was = {
        "status": stored.status if stored else "open",
        "reason": stored.reason if stored else "",
        "due_on": stored.due_on if stored else None,
    }
    now = {k: row.get(k, was[k]) for k in was}
    if now == was:
        return
    question = questionnaire.question(row["question_id"])
    audit.record(
        team.org_id,
        "roadmap.status",
        f"{team.name}: {question.text[:200]} (from level {row['from_level']}) is {now['status']}",
        target=("team", team.id),
        before={"question": row["question_id"], "from_level": row["from_level"], **was},
        after={"question": row["question_id"], "from_level": row["from_level"], **now},
    )


def mark_action(
    team: Team,
    questionnaire: Questionnaire,
    question_id: str,
    from_level,
    status: str,
    reason: str,
    user: User,
    due: str | None = None,
) -> None:
    """Remember a status for a roadmap action (question and step); dismissing needs a reason."""
    change = ActionChange(question_id, from_level, status, reason, due)
    apply_changes(team, questionnaire, [change], user)


def save_ownership(
    team: Team,
    defaults: Mapping[str, Mapping[str, str]],
    cells: Mapping[tuple[str, str], str],
    holders: Mapping[str, tuple[int | None, str]],
) -> None:
    """Store the changed RACI cells and who fills each role (a member or a free-text name)."""
    members = set(
        db.session.scalars(sa.select(TeamMember.user_id).where(TeamMember.team_id == team.id))
    )
    rows = []
    for (challenge, role), letter in cells.items():
        if challenge not in CHALLENGE_KEYS or role not in ROLES:
            raise PlanError(f"'{challenge}'/'{role}' is not a cell of the matrix.")
        if letter not in RACI_LETTERS and letter != "":
            raise PlanError(f"'{letter}' is not R, A, C or I.")
        rows.append({"team_id": team.id, "challenge": challenge, "role": role, "letter": letter})
    default_rows = [
        r for r in rows if defaults.get(r["challenge"], {}).get(r["role"], "") == r["letter"]
    ]
    changed = [r for r in rows if r not in default_rows]
    stored = {
        (c.challenge, c.role): c.letter
        for c in db.session.scalars(sa.select(RaciCell).where(RaciCell.team_id == team.id))
    }
    old_holders = {
        h.role: h.user.name if h.user else h.name
        for h in db.session.scalars(sa.select(RoleHolder).where(RoleHolder.team_id == team.id))
    }
    for r in default_rows:
        db.session.execute(
            sa.delete(RaciCell).where(
                RaciCell.team_id == team.id,
                RaciCell.challenge == r["challenge"],
                RaciCell.role == r["role"],
            )
        )
    upsert(RaciCell, changed, conflict=["team_id", "challenge", "role"], update=["letter"])
    for role, (user_id, name) in holders.items():
        if role not in ROLES:
            raise PlanError(f"'{role}' is not a role.")
        if user_id is not None and user_id not in members:
            raise PlanError(
                "Only a member of the team can be chosen; name anyone else in the text field."
            )
        name = "" if user_id is not None else (name or "").strip()[:200]
        if user_id is None and not name:
            db.session.execute(
                sa.delete(RoleHolder).where(RoleHolder.team_id == team.id, RoleHolder.role == role)
            )
            continue
        upsert(
            RoleHolder,
            [{"team_id": team.id, "role": role, "user_id": user_id, "name": name}],
            conflict=["team_id", "role"],
            update=["user_id", "name"],
        )
    _audit_ownership(team, defaults, cells, stored, holders, old_holders)
    request_team_rebuild(team.id)


def _audit_ownership(team, defaults, cells, stored, holders, old_holders) -> None:
    """Record the cells and role holders that a save of the matrix changed."""
    before, after = {}, {}
    for (challenge, role), letter in cells.items():
        was = stored.get((challenge, role), defaults.get(challenge, {}).get(role, ""))
        if was != letter:
            before[f"{challenge}/{role}"], after[f"{challenge}/{role}"] = was, letter
    names = dict(
        db.session.execute(
            sa.select(User.id, User.name).where(
                User.id.in_([u for u, _ in holders.values() if u is not None])
            )
        ).all()
    )
    for role, (user_id, name) in holders.items():
        now = names.get(user_id) if user_id is not None else ((name or "").strip()[:200] or None)
        if old_holders.get(role) != now:
            before[f"holder/{role}"], after[f"holder/{role}"] = old_holders.get(role), now
    if after:
        audit.record(
            team.org_id,
            "ownership.matrix",
            f"Changed {len(after)} entr{'y' if len(after) == 1 else 'ies'} of {team.name}'s ownership matrix",
            target=("team", team.id),
            before=before,
            after=after,
        )

"""Writes and reads of an org's privacy: its settings, a person's data export and erasure."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from .. import audit
from ..comparisons import request_org_rebuild, touch_teams
from ..domain.privacy import parse_min_respondents
from ..extensions import db
from ..models import (
    ActionStatus,
    Answer,
    ApiToken,
    Assignment,
    AuditEntry,
    Cycle,
    Membership,
    ModuleProgress,
    ModuleVersion,
    Org,
    QuizAttempt,
    Response,
    RoleHolder,
    StepCheck,
    Team,
    TeamMember,
    User,
    UserSession,
)
from .operations import AdminError

MAX_RETENTION_DAYS = 3650
ERASED_NAME = "Erased person"


def update_settings(
    org: Org,
    *,
    min_respondents: object | None = None,
    comment_authors: bool | None = None,
    audit_retention_days: object | None = None,
    reminder_days: object | None = None,
) -> list[str]:
    """Change the org's privacy settings; return what changed, in words."""
    before = _settings(org)
    if min_respondents is not None:
        try:
            org.min_respondents = parse_min_respondents(min_respondents)
        except ValueError as exc:
            raise AdminError(str(exc)) from None
    if comment_authors is not None:
        org.comment_authors = bool(comment_authors)
    if audit_retention_days is not None:
        text = str(audit_retention_days).strip()
        if not (text.isascii() and text.isdigit()) or int(text) > MAX_RETENTION_DAYS:
            raise AdminError(
                f"Audit retention is a number of days from 0 (keep everything) to {MAX_RETENTION_DAYS}."
            )
        org.audit_retention_days = int(text)
    if reminder_days is not None:
        text = str(reminder_days).strip()
        if not (text.isascii() and text.isdigit()) or int(text) > 30:
            raise AdminError("Reminders go out from 0 (none) to 30 days before a deadline.")
        org.reminder_days = int(text)
    after = _settings(org)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        db.session.flush()
        audit.record(
            org,
            "settings.privacy",
            "Changed " + ", ".join(k.replace("_", " ") for k in changed),
            target=("org", org.slug),
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
        if "min_respondents" in changed:
            request_org_rebuild(org.id)  # every stored comparison hides teams anew
    return changed


def _settings(org: Org) -> dict:
    return {
        "min_respondents": org.min_respondents,
        "comment_authors": org.comment_authors,
        "audit_retention_days": org.audit_retention_days,
        "reminder_days": org.reminder_days,
    }


def person_data(user: User) -> dict:
    """Return everything Ascent holds about a person, as plain data."""
    memberships = db.session.execute(
        sa.select(Org.slug, Org.name, Membership.role)
        .join(Org, Org.id == Membership.org_id)
        .where(Membership.user_id == user.id)
    ).all()
    teams = db.session.execute(
        sa.select(Org.slug, Team.name, TeamMember.role, TeamMember.job_role)
        .join(Team, Team.id == TeamMember.team_id)
        .join(Org, Org.id == Team.org_id)
        .where(TeamMember.user_id == user.id)
    ).all()
    responses = []
    for response, cycle_name, team_name in db.session.execute(
        sa.select(Response, Cycle.name, Team.name)
        .join(Cycle, Cycle.id == Response.cycle_id)
        .join(Team, Team.id == Response.team_id)
        .where(Response.user_id == user.id)
        .order_by(Response.created_at)
    ):
        answers = db.session.scalars(
            sa.select(Answer).where(Answer.response_id == response.id).order_by(Answer.question_id)
        )
        responses.append(
            {
                "cycle": cycle_name,
                "team": team_name,
                "status": response.status,
                "submitted_at": _iso(response.submitted_at),
                "answers": [
                    {
                        "question": a.question_id,
                        "level": a.level,
                        "not_applicable": a.not_applicable,
                        "comment": a.comment,
                    }
                    for a in answers
                ],
            }
        )
    return {
        "person": {"email": user.email, "name": user.name, "created_at": _iso(user.created_at)},
        "organisations": [{"slug": s, "name": n, "role": r} for s, n, r in memberships],
        "teams": [{"org": o, "team": t, "role": r, "job_role": j} for o, t, r, j in teams],
        "responses": responses,
        "assignments": [
            {
                "module": a.module_key,
                "reason": a.reason,
                "assigned_at": _iso(a.assigned_at),
                "due_at": _iso(a.due_at),
                "removed_at": _iso(a.removed_at),
            }
            for a in db.session.scalars(sa.select(Assignment).where(Assignment.user_id == user.id))
        ],
        "modules": [
            {"module": key, "started_at": _iso(p.started_at), "completed_at": _iso(p.completed_at)}
            for p, key in db.session.execute(
                sa.select(ModuleProgress, ModuleVersion.key)
                .join(ModuleVersion, ModuleVersion.id == ModuleProgress.module_version_id)
                .where(ModuleProgress.user_id == user.id)
            )
        ],
        "checklist_steps": [
            {
                "module": key,
                "step": c.step,
                "evidence": c.evidence,
                "checked_at": _iso(c.checked_at),
            }
            for c, key in db.session.execute(
                sa.select(StepCheck, ModuleVersion.key)
                .join(ModuleVersion, ModuleVersion.id == StepCheck.module_version_id)
                .where(StepCheck.user_id == user.id)
            )
        ],
        "quiz_attempts": [
            {"module": key, "score": q.score, "passed": q.passed, "at": _iso(q.created_at)}
            for q, key in db.session.execute(
                sa.select(QuizAttempt, ModuleVersion.key)
                .join(ModuleVersion, ModuleVersion.id == QuizAttempt.module_version_id)
                .where(QuizAttempt.user_id == user.id)
            )
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _iso(t.created_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id))
        ],
        "sign_ins": [
            {"at": _iso(s.created_at), "ended_at": _iso(s.revoked_at)}
            for s in db.session.scalars(
                sa.select(UserSession).where(UserSession.user_id == user.id)
            )
        ],
        "changes_made": [
            audit.as_dict(e)
            for e in db.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.at)
            )
        ],
    }


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def erase_person(org: Org, user: User) -> None:
    """Erase a person: name, email, comments, sign-in and learning records go; answers stay.

    Their submitted answers remain as an anonymous respondent, so past team scores stay
    true. The audit trail keeps that an erasure happened, never what was erased.
    """
    from ..auth import sessions
    from ..models import utcnow

    others = db.session.scalar(
        sa.select(sa.func.count()).where(Membership.user_id == user.id, Membership.org_id != org.id)
    )
    if others:
        raise AdminError(
            "This person also belongs to another organisation; only a person of this "
            "organisation alone can be erased here. Remove them from this organisation's "
            "teams instead."
        )
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.org_id == org.id, Membership.user_id == user.id)
    )
    if membership is not None and membership.role == "admin":
        admins = db.session.scalar(
            sa.select(sa.func.count()).where(
                Membership.org_id == org.id, Membership.role == "admin"
            )
        )
        if admins <= 1:
            raise AdminError("An organisation needs at least one admin; name another one first.")
    old_name, old_email = user.name, user.email
    team_ids = set(
        db.session.scalars(sa.select(Response.team_id).where(Response.user_id == user.id))
    ) | set(db.session.scalars(sa.select(TeamMember.team_id).where(TeamMember.user_id == user.id)))
    response_ids = sa.select(Response.id).where(Response.user_id == user.id)
    db.session.execute(
        sa.update(Answer).where(Answer.response_id.in_(response_ids)).values(comment="")
    )
    db.session.execute(
        sa.delete(Response).where(Response.user_id == user.id, Response.status == "draft")
    )
    for model in (StepCheck, QuizAttempt, ModuleProgress, Assignment, ApiToken, TeamMember):
        db.session.execute(sa.delete(model).where(model.user_id == user.id))
    db.session.execute(
        sa.update(RoleHolder).where(RoleHolder.user_id == user.id).values(user_id=None, name="")
    )
    db.session.execute(
        sa.update(ActionStatus)
        .where(ActionStatus.updated_by_id == user.id)
        .values(updated_by_id=None)
    )
    sessions.revoke(user.id)
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
    if membership is not None:
        db.session.delete(membership)
    user.name = f"{ERASED_NAME} #{user.id}"
    user.email = f"erased-{user.id}-{secrets.token_hex(4)}@erased.invalid"
    user.password_hash = "!erased"
    user.must_change_password = False
    _forget_in_audit(user.id, old_name, old_email)
    audit.record(
        org,
        "privacy.erased",
        f"Erased person #{user.id}",
        target=("person", user.id),
        after={"erased_at": utcnow()},
    )
    db.session.flush()
    touch_teams(team_ids)


def _forget_in_audit(user_id: int, name: str, email: str) -> None:
    """Replace an erased person's name and email in earlier entries (what happened stays)."""
    label = f"{ERASED_NAME} #{user_id}"
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.actor_id == user_id).values(actor=label)
    )
    for entry in db.session.scalars(
        sa.select(AuditEntry).where(
            sa.or_(
                sa.and_(AuditEntry.object_type == "person", AuditEntry.object_id == str(user_id)),
                AuditEntry.summary.contains(name, autoescape=True),
            )
        )
    ):
        entry.summary = entry.summary.replace(name, label).replace(email, "")
        entry.before = _scrub(entry.before, name, email, label)
        entry.after = _scrub(entry.after, name, email, label)


def _scrub(value: dict | None, name: str, email: str, label: str) -> dict | None:
    if not value:
        return value
    return {
        k: (v.replace(name, label).replace(email, "") if isinstance(v, str) else v)
        for k, v in value.items()
    }

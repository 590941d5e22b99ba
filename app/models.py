"""The database tables of Ascent."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db

ORG_ROLES = ("admin", "executive", "member")
UNUSABLE_PASSWORD = "!"  # the start of a password_hash that no password matches
TEAM_ROLES = ("lead", "member")


def utcnow() -> datetime:
    """Return the current time in UTC, without tzinfo, as stored."""
    return datetime.now(UTC).replace(tzinfo=None)


class Org(db.Model):
    """An organisation, with its privacy and retention settings."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Outside a team, its scores show only from this many respondents (1 turns it off).
    min_respondents: Mapped[int] = mapped_column(default=3, server_default="3")
    # Whether a team lead sees who wrote each comment (anonymous by default).
    comment_authors: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Audit entries older than this many days are deleted by the worker (0 keeps them all).
    audit_retention_days: Mapped[int] = mapped_column(default=730, server_default="730")
    # People who have not submitted are reminded this many days before a cycle's deadline.
    reminder_days: Mapped[int] = mapped_column(default=3, server_default="3")

    teams: Mapped[list[Team]] = relationship(back_populates="org", order_by="Team.name")


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A deactivated person cannot sign in or use tokens; their answers still count.
    deactivated_at: Mapped[datetime | None]
    # Weekly email about overdue modules; a person may turn it off.
    module_reminders: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    @property
    def active(self) -> bool:
        """Return False once the person is deactivated."""
        return self.deactivated_at is None

    def set_password(self, password: str) -> None:
        """Store a salted hash of password."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def set_unusable_password(self) -> None:
        """Store a marker no hash method produces: no password signs this person in."""
        self.password_hash = UNUSABLE_PASSWORD + secrets.token_urlsafe(24)

    @property
    def has_usable_password(self) -> bool:
        """Return False for a person created without a password (invited or single sign-on)."""
        return not self.password_hash.startswith(UNUSABLE_PASSWORD)

    def check_password(self, password: str) -> bool:
        """Return True when password matches the stored hash (never for an unusable one)."""
        return self.has_usable_password and check_password_hash(self.password_hash, password)

    session_token = None  # the signed-in session this object was loaded for (not a column)

    def get_id(self) -> str:
        """Return what the session and remember cookies keep: the person and their session."""
        return f"{self.id}:{self.session_token or ''}"  # no token: a cookie that loads nobody


class UserSession(db.Model):
    """A signed-in session (browser cookie or remember cookie): revoked, it stops working."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class Membership(db.Model):
    """A person's role in an org: admin, executive or member."""

    __table_args__ = (
        sa.UniqueConstraint("org_id", "user_id"),
        sa.CheckConstraint("role IN ('admin', 'executive', 'member')", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("org.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="member")

    org: Mapped[Org] = relationship()
    user: Mapped[User] = relationship(back_populates="memberships")


class Team(db.Model):
    __table_args__ = (sa.UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("org.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    business_unit: Mapped[str] = mapped_column(sa.String(200), default="")
    target_profile_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("target_profile.id", ondelete="SET NULL")
    )
    phase_capacity: Mapped[int] = mapped_column(default=5, server_default="5")
    # Bumped in SQL by every write that changes what the team's pages show (responses,
    # targets, statuses, owners, members): rendered pages are kept per version.
    data_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    org: Mapped[Org] = relationship(back_populates="teams")
    target_profile: Mapped[TargetProfile | None] = relationship()
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )


class TeamMember(db.Model):
    """A person in a team, as lead or member, with an optional job role."""

    __table_args__ = (
        sa.UniqueConstraint("team_id", "user_id"),
        sa.CheckConstraint("role IN ('lead', 'member')", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="member")
    job_role: Mapped[str | None] = mapped_column(sa.String(40))

    team: Mapped[Team] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class QuestionnaireVersion(db.Model):
    """One imported version of a questionnaire file, kept forever."""

    __table_args__ = (sa.UniqueConstraint("key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(60))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    source: Mapped[str] = mapped_column(sa.Text, deferred=True)  # read only to parse, once
    checksum: Mapped[str] = mapped_column(sa.String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def label(self) -> str:
        """Return 'key v<version>'."""
        return f"{self.key} v{self.version}"


class Cycle(db.Model):
    """An assessment cycle of an org, on one questionnaire version."""

    __table_args__ = (sa.UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("org.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(60))
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire_version.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    # When answers are due (optional); reminders go out in the days before it.
    deadline: Mapped[datetime | None]
    # Each team's targets as they were when the cycle closed: {team id: {challenge: level}}.
    frozen_targets: Mapped[dict | None] = mapped_column(sa.JSON)

    org: Mapped[Org] = relationship()
    questionnaire: Mapped[QuestionnaireVersion] = relationship()

    @property
    def is_open(self) -> bool:
        """Return True while responses may still change."""
        return self.closed_at is None


class Response(db.Model):
    """One person's answers for one team in one cycle: a draft until submitted."""

    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "team_id", "user_id"),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire_version.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    cycle: Mapped[Cycle] = relationship()
    team: Mapped[Team] = relationship()
    user: Mapped[User] = relationship()


class Answer(db.Model):
    """One answer of a response: a level, don't know (no level) or not applicable."""

    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id"),
        sa.CheckConstraint("level IS NULL OR (level >= 0 AND level <= 4)", name="level_range"),
        sa.CheckConstraint("NOT (not_applicable AND level IS NOT NULL)", name="na_has_no_level"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(sa.String(120))
    level: Mapped[int | None]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    carried_over: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TargetProfile(db.Model):
    """A named set of target levels per challenge that teams can start from."""

    __table_args__ = (sa.UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("org.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    levels: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class TeamTarget(db.Model):
    """A team's own target level for one challenge."""

    __table_args__ = (
        sa.UniqueConstraint("team_id", "challenge"),
        sa.CheckConstraint("level >= 0 AND level <= 4", name="level_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    challenge: Mapped[str] = mapped_column(sa.String(40))
    level: Mapped[int]


class ActionStatus(db.Model):
    """What a lead marked on a roadmap action, remembered by question and step."""

    __table_args__ = (
        sa.UniqueConstraint("team_id", "question_id", "from_level"),
        sa.CheckConstraint(
            "status IN ('open', 'planned', 'in_progress', 'done', 'dismissed')", name="status"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(sa.String(120))
    from_level: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))


class RoleHolder(db.Model):
    """Who fills one of the seven roles for a team: a member, or a named outsider."""

    __table_args__ = (sa.UniqueConstraint("team_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(200), default="")

    user: Mapped[User | None] = relationship()

    @property
    def display_name(self) -> str:
        """Return the person's name, whether a member or someone outside Ascent."""
        return self.user.name if self.user is not None else self.name


class RaciCell(db.Model):
    """A team's change to one cell of the RACI matrix ('' clears the default letter)."""

    __table_args__ = (
        sa.UniqueConstraint("team_id", "challenge", "role"),
        sa.CheckConstraint("letter IN ('', 'R', 'A', 'C', 'I')", name="letter"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    challenge: Mapped[str] = mapped_column(sa.String(40))
    role: Mapped[str] = mapped_column(sa.String(40))
    letter: Mapped[str] = mapped_column(sa.String(1), default="")


class ModuleVersion(db.Model):
    """One version of a workshop module file, kept so progress stays on what it was made on."""

    __table_args__ = (sa.UniqueConstraint("key", "version"), sa.UniqueConstraint("key", "checksum"))
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), index=True)
    version: Mapped[int]
    checksum: Mapped[str] = mapped_column(sa.String(64))
    path: Mapped[str] = mapped_column(sa.String(300))
    challenge: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(300))
    source: Mapped[str] = mapped_column(sa.Text, deferred=True)  # read only to parse, once
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assignment(db.Model):
    """A module assigned to a person of a team, by the rule or by the lead."""

    __table_args__ = (sa.UniqueConstraint("team_id", "user_id", "module_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_key: Mapped[str] = mapped_column(sa.String(120))
    challenge: Mapped[str] = mapped_column(sa.String(40))
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    source: Mapped[str] = mapped_column(sa.String(10), default="auto")
    cycle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cycle.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    assigned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    removed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    team: Mapped[Team] = relationship()


class ModuleProgress(db.Model):
    """When a person started and completed a module version (derived, kept for reporting)."""

    __table_args__ = (sa.UniqueConstraint("user_id", "module_version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("module_version.id", ondelete="CASCADE")
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    module_version: Mapped[ModuleVersion] = relationship()


class StepCheck(db.Model):
    """A ticked checklist step, with optional evidence (a link or a note)."""

    __table_args__ = (sa.UniqueConstraint("user_id", "module_version_id", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("module_version.id", ondelete="CASCADE")
    )
    step: Mapped[int]
    checked: Mapped[bool] = mapped_column(default=True)
    evidence: Mapped[str] = mapped_column(sa.String(1000), default="")
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizAttempt(db.Model):
    """One attempt at a module's quiz; every retake is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("module_version.id", ondelete="CASCADE")
    )
    answers: Mapped[list] = mapped_column(sa.JSON, default=list)
    score: Mapped[float]
    passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamScoreRow(db.Model):
    """A team's stored score on one challenge (or 'overall') in a cycle, kept current on write."""

    __tablename__ = "team_score"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "team_id", "challenge"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    challenge: Mapped[str] = mapped_column(sa.String(40))
    score: Mapped[float | None]
    disagreement: Mapped[float | None]
    coverage: Mapped[float | None]
    respondents: Mapped[int] = mapped_column(default=0)
    question_means: Mapped[str | None] = mapped_column(sa.Text)  # JSON {question id: mean}


class CycleComparison(db.Model):
    """A cycle's org-wide read model: comparison, dashboard and trend point, built by the worker.

    Writers append a ReadModelRequest; a rebuild consumes the requests it saw and stores
    its documents only if `version` is still the one it read (bumped in SQL).
    """

    cycle_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(default=0)
    document: Mapped[str] = mapped_column(sa.Text, default="{}")
    summary: Mapped[str] = mapped_column(sa.Text, default="{}", server_default="{}")
    dashboard: Mapped[str] = mapped_column(sa.Text, default="{}", server_default="{}")
    means: Mapped[str] = mapped_column(sa.Text, default="{}", server_default="{}")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReadModelRequest(db.Model):
    """A change the cycle's read model does not show yet: appended by a write, consumed by a rebuild."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(db.Model):
    """A personal access token: only its hash is stored; it acts with its owner's rights."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class ComparisonTeamRow(db.Model):
    """One team's row of a cycle's comparison, as JSON, so a page can read just the teams it shows."""

    __tablename__ = "comparison_team"
    cycle_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        sa.ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    row: Mapped[str] = mapped_column(sa.Text)


class AuditEntry(db.Model):
    """One change to an org's data: who, when, what, on which object, before and after.

    Entries are only ever added; nothing in the app edits them, and only the retention
    sweep deletes them.
    """

    __table_args__ = (sa.Index("ix_audit_entry_org_at", "org_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(200))  # a name, or "command line"
    kind: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[str] = mapped_column(sa.String(120), default="")
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)


class OneTimeLink(db.Model):
    """A link sent by email that works once: an invitation to an org, or a password reset."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # "invite" or "reset"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("org.id", ondelete="CASCADE"))
    role: Mapped[str | None] = mapped_column(sa.String(20))  # the org role an invitation gives
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class ReminderSent(db.Model):
    """A reminder that went out: claimed before sending, so each goes once per event."""

    __table_args__ = (sa.UniqueConstraint("kind", "user_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(80))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrgSso(db.Model):
    """An org's OpenID Connect provider: people of its email domains sign in through it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("org.id", ondelete="CASCADE"), unique=True)
    issuer: Mapped[str] = mapped_column(sa.String(500))
    client_id: Mapped[str] = mapped_column(sa.String(200))
    client_secret: Mapped[str] = mapped_column(sa.String(500))  # never shown back in full
    domains: Mapped[str] = mapped_column(sa.String(5100))  # comma-separated, lowercase
    # False: the org's people sign in only through the provider, never with a password.
    password_allowed: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    org: Mapped[Org] = relationship()

    @property
    def domain_list(self) -> list[str]:
        """Return the allowed email domains."""
        return [d for d in self.domains.split(",") if d]

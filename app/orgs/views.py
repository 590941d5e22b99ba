"""Views of an org's home page and its administration."""

from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from .. import audit, mail
from ..access import get_cycle_or_404, get_org_or_404, get_team_or_404, require_org_role
from ..auth import links
from ..auth.forms import EmptyForm, require_form
from ..dbutil import get_by_id
from ..domain.inputs import search_text
from ..domain.vocabulary import CHALLENGE_KEYS
from ..extensions import db
from ..models import (
    Cycle,
    Membership,
    OneTimeLink,
    QuestionnaireVersion,
    Response,
    TargetProfile,
    Team,
    TeamMember,
    User,
)
from ..privacy import reveal_own_rows
from ..reminders import response_counts
from ..reports.queries import latest_cycle, org_overview, org_teams
from ..roadmap.operations import PlanError, save_profile
from ..survey.queries import my_surveys, open_cycle_progress
from ..training.operations import run_assignments
from . import bp, operations
from .forms import CycleForm, PersonForm, RoleForm, TeamForm, TeamMemberForm


@bp.before_request
@login_required
def load_org():
    """Require sign-in for every org page."""


@bp.route("/")
def home(slug):
    """Show the person's surveys, their teams and, for executives, every team's standing."""
    org = get_org_or_404(slug)
    cycle = latest_cycle(org)
    overview = reveal_own_rows(org, cycle, org_overview(org, cycle)) if cycle else []
    surveys = my_surveys(org, current_user)
    return render_template(
        "orgs/home.html",
        surveys=surveys,
        cycle=cycle,
        overview=overview,
        cycle_progress=[] if surveys else open_cycle_progress(org),
    )


@bp.route("/admin/people", methods=["GET", "POST"])
def admin_people(slug):
    """List the org's people (or those a search finds) and invite a new one by email."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    try:
        search = search_text(request.args.get("q"))
    except ValueError as exc:
        abort(400, str(exc))
    form = PersonForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        member = operations.member_by_email(org, email)
        try:
            if member is not None:
                # The form adds people; a role changes in the list, never behind the admin's back.
                raise operations.AdminError(
                    f"{email} is in {org.name} already, as {member.name}; "
                    "change their role in the list instead."
                )
            operations.invite_person(org, email, form.name.data, form.role.data, current_user.name)
        except operations.AdminError as exc:
            # Refused: the form keeps what was typed, the reason stands beside the email.
            form.email.errors = [*form.email.errors, str(exc)]
            status = 409
        else:
            db.session.commit()
            # The same words whether or not the address has an account elsewhere.
            flash(
                f"An invitation is on its way to {email}. It works once, for seven days; "
                "the person appears here once they accept.",
                "success",
            )
            return redirect(url_for("orgs.admin_people", slug=slug))
    elif form.is_submitted():
        status = 422
    return (
        render_template(
            "orgs/people.html",
            form=form,
            people=_people(org, search),
            total=_people_count(org),
            search=search,
            teams_of=_teams_by_person(org),
            role_form=RoleForm(),
            invitations=links.pending_invitations(org),
        ),
        status,
    )


def _people(org, search: str) -> list:
    """Return (person, org role) of the org in name order, those whose name or email hold search."""
    query = (
        sa.select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org.id)
        .order_by(User.name)
    )
    if search:
        query = query.where(
            sa.or_(
                User.name.icontains(search, autoescape=True),
                User.email.icontains(search, autoescape=True),
            )
        )
    return db.session.execute(query).all()


def _people_count(org) -> int:
    """Return how many people the org has."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Membership).where(Membership.org_id == org.id)
    )


@bp.route("/admin/invitations/<int:link_id>", methods=["POST"])
def admin_invitation(slug, link_id):
    """Resend or cancel a pending invitation of the org."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    link = db.session.get(OneTimeLink, link_id)
    if link is None or link.org_id != org.id or link.kind != "invite":
        abort(404)
    require_form()
    user = db.session.get(User, link.user_id)
    if link.used_at or link.cancelled_at:
        flash("That invitation was already used or cancelled.", "warning")
    elif request.form.get("action") == "cancel":
        operations.cancel_invitation(org, link, user)
        db.session.commit()
        flash(f"The invitation to {user.email} is cancelled.", "success")
    else:
        links.send_invitation(org, user, link.role or "member", current_user.name)
        db.session.commit()
        flash(
            f"A new invitation is on its way to {user.email}; the old link stops working.",
            "success",
        )
    return redirect(url_for("orgs.admin_people", slug=slug))


@bp.route("/admin/people/<int:user_id>/invite", methods=["POST"])
def admin_invite_existing(slug, user_id):
    """Send an invitation to a person of the org who has no password yet (an import made them)."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    membership = _membership_or_404(org, user_id)
    require_form()
    if membership.user.has_usable_password:
        flash(f"{membership.user.name} has a password already.", "info")
    else:
        links.send_invitation(org, membership.user, membership.role, current_user.name)
        db.session.commit()
        flash(f"An invitation is on its way to {membership.user.email}.", "success")
    return redirect(url_for("orgs.admin_people", slug=slug))


@bp.route("/admin/people/<int:user_id>/active", methods=["POST"])
def admin_set_active(slug, user_id):
    """Deactivate or reactivate a person of the org."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    membership = _membership_or_404(org, user_id)
    require_form()
    active = request.form.get("active") == "1"
    try:
        operations.set_active(org, membership.user, active)
    except operations.AdminError as exc:
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(
            f"{membership.user.name} is {'active again' if active else 'deactivated: they cannot sign in, and their answers still count'}.",
            "success",
        )
    return redirect(url_for("orgs.admin_people", slug=slug))


@bp.route("/admin/outbox")
def admin_outbox(slug):
    """Read the email kept in the outbox when no mail server is configured."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    return render_template(
        "orgs/outbox.html",
        messages=mail.outbox(org.slug),
        configured=bool(current_app.config.get("MAIL_SERVER")),
    )


def _teams_by_person(org) -> dict[int, list[tuple[str, str]]]:
    rows = db.session.execute(
        sa.select(TeamMember.user_id, Team.name, TeamMember.role)
        .join(Team, Team.id == TeamMember.team_id)
        .where(Team.org_id == org.id)
        .order_by(Team.name)
    )
    result: dict[int, list[tuple[str, str]]] = {}
    for user_id, team_name, role in rows:
        result.setdefault(user_id, []).append((team_name, role))
    return result


def _membership_or_404(org, user_id: int) -> Membership:
    """Return a person's membership of the org, or answer 404."""
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.org_id == org.id, Membership.user_id == user_id)
    )
    if membership is None:
        abort(404, "No such person here.")
    return membership


@bp.route("/admin/people/<int:user_id>/role", methods=["POST"])
def admin_set_role(slug, user_id):
    """Change a person's role in the org."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    form = RoleForm()
    membership = _membership_or_404(org, user_id)
    if form.validate_on_submit():
        try:
            operations.set_org_role(org, membership.user, form.role.data)
        except operations.AdminError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"{membership.user.name} is now {form.role.data}.", "success")
    return redirect(url_for("orgs.admin_people", slug=slug))


@bp.route("/admin/people/<int:user_id>/signout", methods=["POST"])
def admin_sign_out_everywhere(slug, user_id):
    """End every session of a person of the org: browsers and remember cookies alike."""
    from ..auth import sessions

    org = get_org_or_404(slug)
    require_org_role("admin")
    membership = _membership_or_404(org, user_id)
    if EmptyForm().validate_on_submit():
        ended = sessions.revoke(membership.user_id)
        audit.record(
            org,
            "person.signed_out",
            f"Signed {membership.user.name} out everywhere ({ended} session(s))",
            target=("person", membership.user_id),
        )
        db.session.commit()
        flash(f"{membership.user.name} is signed out everywhere ({ended} session(s)).", "success")
    return redirect(url_for("orgs.admin_people", slug=slug))


@bp.route("/admin/teams", methods=["GET", "POST"])
def admin_teams(slug):
    """List teams by business unit and create a new team."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = operations.create_team(org, form.name.data, form.business_unit.data)
        except operations.AdminError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"Created {team.name}. Now add its lead and members.", "success")
            return redirect(url_for("orgs.admin_team", slug=slug, team_id=team.id))
    counts = dict(
        db.session.execute(
            sa.select(TeamMember.team_id, sa.func.count())
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.org_id == org.id)
            .group_by(TeamMember.team_id)
        ).all()
    )
    teams = db.session.scalars(
        sa.select(Team).where(Team.org_id == org.id).order_by(Team.business_unit, Team.name)
    ).all()
    return render_template("orgs/teams.html", form=form, teams=teams, counts=counts)


@bp.route("/admin/teams/<int:team_id>", methods=["GET", "POST"])
def admin_team(slug, team_id):
    """Show a team's people and put someone in it as lead or member."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    team = get_team_or_404(org, team_id)
    form = TeamMemberForm()
    people = db.session.execute(
        sa.select(User.id, User.name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org.id)
        .order_by(User.name)
    ).all()
    form.user_id.choices = [SelectChoice(p.id, f"{p.name} ({p.email})") for p in people]
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        try:
            operations.put_in_team(team, user, form.role.data)
        except operations.AdminError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"{user.name} is a {form.role.data} of {team.name}.", "success")
            return redirect(url_for("orgs.admin_team", slug=slug, team_id=team.id))
    members = db.session.execute(
        sa.select(TeamMember, User)
        .join(User, User.id == TeamMember.user_id)
        .where(TeamMember.team_id == team.id)
        .order_by(TeamMember.role, User.name)
    ).all()
    return render_template(
        "orgs/team.html", team=team, form=form, members=members, remove_form=EmptyForm()
    )


@bp.route("/admin/teams/<int:team_id>/remove/<int:user_id>", methods=["POST"])
def admin_remove_member(slug, team_id, user_id):
    """Take a person out of a team."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    team = get_team_or_404(org, team_id)
    if EmptyForm().validate_on_submit():
        operations.remove_from_team(team, user_id)
        db.session.commit()
        flash("Removed from the team. Their past responses stay in the history.", "success")
    return redirect(url_for("orgs.admin_team", slug=slug, team_id=team.id))


@bp.route("/admin/cycles", methods=["GET", "POST"])
def admin_cycles(slug):
    """List the org's cycles with response counts, and open a new one."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    form = CycleForm()
    versions = db.session.scalars(
        sa.select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.key, QuestionnaireVersion.version.desc()
        )
    ).all()
    form.questionnaire_id.choices = [SelectChoice(v.id, f"{v.title} ({v.label})") for v in versions]
    if form.validate_on_submit():
        try:
            cycle = operations.open_cycle(
                org,
                form.name.data.strip(),
                db.session.get(QuestionnaireVersion, form.questionnaire_id.data),
                form.deadline.data,
            )
        except operations.AdminError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"Opened {cycle.name}. Team members can now fill out the survey.", "success")
            return redirect(url_for("orgs.admin_cycles", slug=slug))
    cycles = db.session.scalars(
        sa.select(Cycle).where(Cycle.org_id == org.id).order_by(Cycle.opened_at.desc())
    ).all()
    counts = {
        (cycle_id, status): n
        for cycle_id, status, n in db.session.execute(
            sa.select(Response.cycle_id, Response.status, sa.func.count())
            .join(Cycle, Cycle.id == Response.cycle_id)
            .where(Cycle.org_id == org.id)
            .group_by(Response.cycle_id, Response.status)
        )
    }
    current = next((c for c in cycles if c.is_open), None)
    rates = _team_rates(org, current) if current else []
    return render_template(
        "orgs/cycles.html",
        form=form,
        cycles=cycles,
        counts=counts,
        close_form=EmptyForm(),
        current=current,
        rates=rates,
    )


def _team_rates(org, cycle) -> list[tuple[Team, int, int, int]]:
    """Return (team, active members, submitted, drafts) for every team of the org."""
    counts = response_counts(cycle)
    return [(t, *counts.get(t.id, (0, 0, 0))) for t in org_teams(org)]


@bp.route("/admin/cycles/<cycle_name>/deadline", methods=["POST"])
def admin_cycle_deadline(slug, cycle_name):
    """Set or clear an open cycle's deadline."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    cycle = get_cycle_or_404(org, cycle_name)
    require_form()
    text = request.form.get("deadline", "").strip()
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        flash("A deadline is a date like 2026-12-15.", "danger")
        return redirect(url_for("orgs.admin_cycles", slug=slug))
    try:
        operations.set_deadline(cycle, day)
    except operations.AdminError as exc:
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(
            f"{cycle.name} is due {day:%d %b %Y}." if day else f"{cycle.name} has no deadline.",
            "success",
        )
    return redirect(url_for("orgs.admin_cycles", slug=slug))


@bp.route("/admin/cycles/<cycle_name>/close", methods=["GET", "POST"])
def admin_close_cycle(slug, cycle_name):
    """Ask for confirmation, saying what closing does; then close the cycle and assign modules."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    cycle = get_cycle_or_404(org, cycle_name)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if operations.close_cycle(cycle):
            added = run_assignments(cycle, org_teams(org))
            db.session.commit()
            flash(
                f"Closed {cycle.name}. Its responses are frozen; drafts never count. "
                f"{len(added)} workshop modules were assigned from its scores. "
                "You can reopen it from this page if you closed it by mistake.",
                "success",
            )
        else:
            flash(f"{cycle.name} was closed already.", "info")
        return redirect(url_for("orgs.admin_cycles", slug=slug))
    if not cycle.is_open:
        return redirect(url_for("orgs.admin_cycles", slug=slug))
    return render_template(
        "orgs/cycle_close.html", cycle=cycle, counts=cycle_counts(cycle), form=form
    )


@bp.route("/admin/cycles/<cycle_name>/reopen", methods=["GET", "POST"])
def admin_reopen_cycle(slug, cycle_name):
    """Ask for confirmation, then open a closed cycle again for answers."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    cycle = get_cycle_or_404(org, cycle_name)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            reopened = operations.reopen_cycle(cycle)
        except operations.AdminError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            if reopened:
                flash(f"Reopened {cycle.name}: people can change and submit answers.", "success")
        return redirect(url_for("orgs.admin_cycles", slug=slug))
    if cycle.is_open:
        return redirect(url_for("orgs.admin_cycles", slug=slug))
    return render_template(
        "orgs/cycle_reopen.html", cycle=cycle, counts=cycle_counts(cycle), form=form
    )


def cycle_counts(cycle: Cycle) -> dict:
    """Return the cycle's submitted responses, drafts and the people who hold a draft."""
    rows = dict(
        db.session.execute(
            sa.select(Response.status, sa.func.count())
            .where(Response.cycle_id == cycle.id)
            .group_by(Response.status)
        ).all()
    )
    return {"submitted": rows.get("submitted", 0), "drafts": rows.get("draft", 0)}


@bp.route("/admin/profiles", methods=["GET", "POST"])
@bp.route("/admin/profiles/<int:profile_id>", methods=["GET", "POST"])
def admin_profiles(slug, profile_id=None):
    """List target profiles, create one, or change one."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    profile = None
    if profile_id is not None:
        profile = get_by_id(TargetProfile, profile_id)
        if profile is None or profile.org_id != org.id:
            abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        levels = {
            k: request.form[f"level-{k}"] for k in CHALLENGE_KEYS if f"level-{k}" in request.form
        }
        try:
            saved = save_profile(
                org.id,
                request.form.get("name", ""),
                levels,
                request.form.get("description", ""),
                profile,
            )
        except PlanError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(f"Saved the profile {saved.name}.", "success")
            return redirect(url_for("orgs.admin_profiles", slug=slug))
    profiles = db.session.scalars(
        sa.select(TargetProfile).where(TargetProfile.org_id == org.id).order_by(TargetProfile.name)
    ).all()
    usage = dict(
        db.session.execute(
            sa.select(Team.target_profile_id, sa.func.count())
            .where(Team.org_id == org.id, Team.target_profile_id.is_not(None))
            .group_by(Team.target_profile_id)
        ).all()
    )
    return render_template(
        "orgs/profiles.html", profiles=profiles, profile=profile, usage=usage, form=form
    )

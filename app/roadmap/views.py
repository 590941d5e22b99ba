"""Views of a team's targets, roadmap and ownership matrix."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import get_org_or_404, get_team_or_404, is_org_admin, is_team_lead
from ..auth.forms import EmptyForm
from ..domain.inputs import parse_id
from ..domain.roadmap import PHASE_TITLES, PHASE_WINDOWS, STATUSES
from ..domain.vocabulary import CHALLENGE_KEYS, ROLES
from ..extensions import db
from ..models import TargetProfile, TeamMember, User
from ..privacy import hides_team
from ..privacy import note as privacy_note
from ..questionnaires import model_of
from ..reports.queries import chosen_cycle, org_cycles
from . import bp, operations
from .queries import (
    ownership_of,
    plan_teams,
    projections,
    questionnaire_for,
    status_details,
    targets_for,
)

STATUS_LABELS = {
    "open": "Open",
    "planned": "Planned",
    "in_progress": "In progress",
    "done": "Done",
    "dismissed": "Dismissed",
}


@bp.before_request
@login_required
def require_login():
    """Require sign-in for every page of a team's plan."""


def _team(slug: str, team_id: int):
    org = get_org_or_404(slug)
    return org, get_team_or_404(org, team_id)


def _may_plan(team) -> bool:
    """Return True for the team's lead and the org's admins."""
    return is_team_lead(team) or is_org_admin()


@bp.route("/roadmap")
def roadmap(slug, team_id):
    """Show the team's roadmap: Now, Next, Later and Backlog, with projected scores."""
    org, team = _team(slug, team_id)
    cycles = org_cycles(org)
    cycle = chosen_cycle(org, cycles, request.args.get("cycle"))
    if cycle is None:
        return render_template("roadmap/roadmap.html", team=team, cycle=None, cycles=[])
    if hides_team(org, cycle, team):  # a roadmap shows the levels the scores come from
        return render_template(
            "reports/team.html", team=team, cycles=cycles, cycle=cycle, hidden=privacy_note(org)
        )
    questionnaire = model_of(cycle.questionnaire)
    plan = plan_teams(cycle, [team])[team.id]
    ownership = ownership_of([team], questionnaire)[team.id]
    return render_template(
        "roadmap/roadmap.html",
        team=team,
        cycle=cycle,
        cycles=cycles,
        questionnaire=questionnaire,
        plan=plan,
        projected=projections(questionnaire, plan) if plan.score.respondents else {},
        people=ownership.people,
        details=status_details(team),
        may_plan=_may_plan(team),
        form=EmptyForm(),
        phases=("now", "next", "later", "backlog"),
        PHASE_TITLES=PHASE_TITLES,
        PHASE_WINDOWS=PHASE_WINDOWS,
        STATUSES=STATUSES,
        STATUS_LABELS=STATUS_LABELS,
    )


@bp.route("/roadmap/actions", methods=["POST"])
def mark_action(slug, team_id):
    """Mark a roadmap action planned, in progress, done, dismissed or open again."""
    org, team = _team(slug, team_id)
    if not _may_plan(team):
        abort(403, "Only the team's lead or an org admin can mark actions.")
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired or was not sent from this site. Reload and try again.")
    questionnaire = questionnaire_for(org)
    form = request.form
    try:
        operations.mark_action(
            team,
            questionnaire,
            form.get("question_id", ""),
            form.get("from_level"),
            form.get("status", ""),
            form.get("reason", ""),
            current_user,
        )
    except operations.PlanError as exc:
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(
            f"Marked {STATUS_LABELS.get(form.get('status'), '')}: {form.get('question_id')}.",
            "success",
        )
    target = url_for("roadmap.roadmap", slug=slug, team_id=team.id, cycle=form.get("cycle") or None)
    return redirect(f"{target}#action-{form.get('question_id', '')}-{form.get('from_level', '')}")


@bp.route("/targets", methods=["GET", "POST"])
def targets(slug, team_id):
    """Show and set the team's target per challenge, its profile and roadmap capacity."""
    org, team = _team(slug, team_id)
    may_plan = _may_plan(team)
    profiles = db.session.scalars(
        db.select(TargetProfile).where(TargetProfile.org_id == org.id).order_by(TargetProfile.name)
    ).all()
    form = EmptyForm()
    if request.method == "POST":
        if not may_plan:
            abort(403, "Only the team's lead or an org admin can set targets.")
        if not form.validate_on_submit():
            abort(400, "The form expired or was not sent from this site. Reload and try again.")
        try:
            if "profile" in request.form:
                if not is_org_admin():
                    abort(403, "Only an org admin gives a team a target profile.")
                profile_id = request.form.get("profile") or None
                profile = next((p for p in profiles if str(p.id) == profile_id), None)
                if profile_id and profile is None:
                    raise operations.PlanError("That profile does not exist.")
                operations.apply_profile(team, profile)
                message = f"{team.name} now starts from {profile.name if profile else 'the default of 3'}."
            else:
                operations.set_targets(team, _posted_levels("target"))
                if "capacity" in request.form:
                    operations.set_capacity(team, request.form["capacity"])
                message = "Targets saved. The roadmap follows them."
        except operations.PlanError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("roadmap.targets", slug=slug, team_id=team.id))
    return render_template(
        "roadmap/targets.html",
        team=team,
        targets=targets_for([team])[team.id],
        profiles=profiles,
        may_plan=may_plan,
        form=form,
    )


def _posted_levels(prefix: str) -> dict[str, str]:
    """Return the levels posted as <prefix>-<challenge>, for the challenges in the form."""
    return {
        k: request.form[f"{prefix}-{k}"] for k in CHALLENGE_KEYS if f"{prefix}-{k}" in request.form
    }


@bp.route("/ownership", methods=["GET", "POST"])
def ownership(slug, team_id):
    """Show the team's RACI matrix and its findings; the lead names people and edits letters."""
    org, team = _team(slug, team_id)
    questionnaire = questionnaire_for(org)
    if questionnaire is None:
        abort(404, "No questionnaire is imported yet, so there is no default matrix.")
    may_plan = _may_plan(team)
    form = EmptyForm()
    if request.method == "POST":
        if not may_plan:
            abort(403, "Only the team's lead or an org admin can change the matrix.")
        if not form.validate_on_submit():
            abort(400, "The form expired or was not sent from this site. Reload and try again.")
        cells = {
            (c, r): request.form.get(f"cell-{c}-{r}", "")
            for c in CHALLENGE_KEYS
            for r in ROLES
            if f"cell-{c}-{r}" in request.form
        }
        holders = {}
        for role in ROLES:
            raw = request.form.get(f"holder-{role}", "")
            user_id = parse_id(raw)
            holders[role] = (user_id, request.form.get(f"name-{role}", ""))
        try:
            operations.save_ownership(
                team, {c.key: c.raci for c in questionnaire.challenges}, cells, holders
            )
        except operations.PlanError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("Ownership matrix saved.", "success")
            return redirect(url_for("roadmap.ownership", slug=slug, team_id=team.id))
    members = db.session.execute(
        db.select(User.id, User.name)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id)
        .order_by(User.name)
    ).all()
    return render_template(
        "roadmap/ownership.html",
        team=team,
        questionnaire=questionnaire,
        ownership=ownership_of([team], questionnaire)[team.id],
        members=members,
        may_plan=may_plan,
        form=form,
    )

"""Views of a team's targets, roadmap and ownership matrix."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import get_org_or_404, get_team_or_404, is_org_admin, is_team_lead
from ..auth.forms import EmptyForm, require_form
from ..domain.inputs import parse_id, parse_index
from ..domain.roadmap import (
    MAX_REASON,
    PHASE_TITLES,
    PHASE_WINDOWS,
    STATUSES,
    action_title,
    is_overdue,
)
from ..domain.vocabulary import CHALLENGE_KEYS, ROLES
from ..extensions import db
from ..models import TargetProfile, TeamMember, User
from ..privacy import hides_team
from ..privacy import note as privacy_note
from ..questionnaires import model_of
from ..reports.queries import chosen_cycle, latest_cycle, org_cycles
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


@bp.route("/roadmap", methods=["GET", "POST"])
def roadmap(slug, team_id):
    """Show the team's roadmap: Now, Next, Later and Backlog, with projected scores.

    The lead's table posts here, so a refused save shows the same page, at the same address.
    """
    org, team = _team(slug, team_id)
    if request.method == "POST":
        return _save_plan(org, team)
    return _render_roadmap(org, team, request.args.get("cycle"))


def _render_roadmap(org, team, cycle_name: str | None, posted=None, error_key=None):
    """Render the roadmap page; after a refused change, with the values the lead sent."""
    cycles = org_cycles(org)
    cycle = chosen_cycle(org, cycles, cycle_name)
    if cycle is None:
        return render_template("roadmap/roadmap.html", team=team, cycle=None, cycles=[])
    if hides_team(org, cycle, team):  # a roadmap shows the levels the scores come from
        return render_template(
            "reports/team.html", team=team, cycles=cycles, cycle=cycle, hidden=privacy_note(org)
        )
    questionnaire = model_of(cycle.questionnaire)
    plan = plan_teams(cycle, [team])[team.id]
    ownership = ownership_of([team], questionnaire)[team.id]
    details = status_details(team)
    today = datetime.now(UTC).date()
    overdue = {
        a.key
        for a in plan.roadmap.actions
        if a.key in details and is_overdue(a.status, details[a.key].due_on, today)
    }
    return render_template(
        "roadmap/roadmap.html",
        team=team,
        cycle=cycle,
        cycles=cycles,
        questionnaire=questionnaire,
        plan=plan,
        projected=projections(questionnaire, plan) if plan.score.respondents else {},
        people=ownership.people,
        details=details,
        rows=_row_values(plan.roadmap.actions, details, posted),
        posted=posted,
        error_key=error_key,
        overdue=overdue,
        today=today,
        may_plan=_may_plan(team),
        form=EmptyForm(),
        phases=("now", "next", "later", "backlog"),
        PHASE_TITLES=PHASE_TITLES,
        PHASE_WINDOWS=PHASE_WINDOWS,
        STATUSES=STATUSES,
        STATUS_LABELS=STATUS_LABELS,
        MAX_REASON=MAX_REASON,
    )


def row_key(question_id: str, from_level: int) -> str:
    """Return the name an action's fields carry in the roadmap form."""
    return f"{question_id}-{from_level}"


def _row_values(actions, details, posted) -> dict[str, dict[str, str]]:
    """Return each action's status, due date and reason as the form shows them."""
    rows = {}
    for a in actions:
        key = row_key(a.question_id, a.from_level)
        stored = details.get(a.key)
        rows[key] = {
            "status": a.status,
            "due": stored.due_on.isoformat() if stored and stored.due_on else "",
            "reason": stored.reason if stored else "",
        }
        if posted is not None and key in posted.getlist("row"):
            rows[key] = {
                name: posted.get(f"{name}-{key}", value) for name, value in rows[key].items()
            }
    return rows


@bp.route("/roadmap/actions", methods=["POST"])
def mark_action(slug, team_id):
    """Save one action's status (as the roadmap's cards posted), or the whole table."""
    org, team = _team(slug, team_id)
    return _save_plan(org, team)


def _save_plan(org, team):
    """Save the roadmap table: each action's status, reason and due date, or a bulk change."""
    if not _may_plan(team):
        abort(403, "Only the team's lead or an org admin can mark actions.")
    require_form()
    questionnaire = questionnaire_for(org)
    form = request.form
    try:
        changes = _posted_changes(form, status_details(team))
        rows = operations.apply_changes(team, questionnaire, changes, current_user)
    except operations.PlanError as exc:
        db.session.rollback()
        flash(f"Nothing was saved. {exc}", "danger")
        key = row_key(*exc.key) if exc.key else None
        return _render_roadmap(org, team, form.get("cycle"), form, key), 400
    db.session.commit()
    flash(_saved_message(questionnaire, rows), "success" if rows else "info")
    # Back to the top of the page, where the message is.
    return redirect(
        url_for("roadmap.roadmap", slug=org.slug, team_id=team.id, cycle=form.get("cycle") or None)
    )


MAX_ROWS = 500


def _posted_changes(form, details) -> list[operations.ActionChange]:
    """Return the changes a posted roadmap form asks for: edited rows, then the bulk change."""
    if "question_id" in form:  # one action, as the roadmap's cards used to post
        return [
            operations.ActionChange(
                form.get("question_id", ""),
                form.get("from_level"),
                form.get("status", ""),
                form.get("reason", ""),
                form.get("due"),
            )
        ]
    keys = form.getlist("row")
    if len(keys) > MAX_ROWS:
        raise operations.PlanError(f"A roadmap form holds at most {MAX_ROWS} actions.")
    bulk = form.get("apply") == "selected"
    selected = set(form.getlist("selected"))
    if bulk and not selected & set(keys):
        raise operations.PlanError("Tick the actions to change first, then apply.")
    if bulk and not (form.get("bulk_status") or form.get("bulk_due", "").strip()):
        raise operations.PlanError("Choose a status or a due date for the ticked actions.")
    changes = []
    for key in keys:
        question_id, _, level = key.rpartition("-")
        status = form.get(f"status-{key}", "")
        reason = form.get(f"reason-{key}", "")
        due = form.get(f"due-{key}", "")
        if bulk and key in selected:
            if form.get("bulk_status"):
                status, reason = form["bulk_status"], form.get("bulk_reason", "")
            if form.get("bulk_due", "").strip():
                due = form["bulk_due"]
        change = operations.ActionChange(question_id, level, status, reason, due)
        if _differs(change, details):
            changes.append(change)
    return changes


def _differs(change: operations.ActionChange, details) -> bool:
    """Return True when a posted row asks for something other than what is stored."""
    level = parse_index(str(change.from_level))
    stored = details.get((change.question_id, level))
    status = stored.status if stored else "open"
    due = stored.due_on.isoformat() if stored and stored.due_on else ""
    reason = stored.reason if stored else ""
    if change.status != status or (change.due or "").strip() != due:
        return True
    return change.status == "dismissed" and change.reason.strip() != reason


def _saved_message(questionnaire, rows: list[dict]) -> str:
    """Say what was saved, naming the actions by their text rather than their keys."""
    if not rows:
        return "Nothing changed: every action already had that status and due date."
    if len(rows) > 3:
        counts = Counter(STATUS_LABELS[r["status"]] for r in rows)
        listed = ", ".join(f"{n} {label}" for label, n in counts.items())
        return f"Saved {len(rows)} actions: {listed}."
    parts = []
    for row in rows:
        action = questionnaire.question(row["question_id"]).action_from(row["from_level"])
        due = row.get("due_on")
        when = f", due {due.isoformat()}" if due else ""
        parts.append(f"{STATUS_LABELS[row['status']]}{when}: “{action_title(action.text)}”")
    return "Saved. " + "; ".join(parts) + "."


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
    cycle = latest_cycle(org)
    hidden = cycle is not None and hides_team(org, cycle, team)
    plan = plan_teams(cycle, [team])[team.id] if cycle and not hidden else None
    return render_template(
        "roadmap/targets.html",
        scores_hidden=privacy_note(org) if hidden else None,
        team=team,
        score_cycle=cycle,
        score=plan.score if plan and plan.score.respondents else None,
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

"""Views of upskilling: my learning, the library, a module, team and org training."""

from __future__ import annotations

import random
from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import charts
from ..access import (
    get_org_or_404,
    get_team_or_404,
    is_org_admin,
    is_team_lead,
    require_org_role,
    sees_org_reports,
)
from ..auth.forms import EmptyForm, require_form
from ..curricula import latest_versions, module_of, render_body, table_of_contents
from ..dbutil import get_by_id
from ..domain.inputs import parse_id, parse_index
from ..domain.training import COMPLETED
from ..domain.vocabulary import ROLES
from ..extensions import db
from ..models import (
    Assignment,
    ModuleProgress,
    ModuleVersion,
    QuizAttempt,
    StepCheck,
    Team,
    TeamMember,
    User,
)
from ..pagecache import cached_page
from ..reports.queries import org_cycles, org_teams
from . import bp, operations
from .queries import (
    assignments_for,
    effect_of_training,
    fresh,
    org_members,
    progress_for,
    weekly_completions,
)


@bp.before_request
@login_required
def require_login():
    """Require sign-in for every training page."""


@bp.route("/learning/")
def mine(slug):
    """List the modules assigned to me, why, and how far I am."""
    org = get_org_or_404(slug)
    team_ids = db.session.scalars(sa.select(Team.id).where(Team.org_id == org.id)).all()
    items = assignments_for(
        [Assignment.user_id == current_user.id, Assignment.team_id.in_(team_ids)]
    )
    open_items = [i for i in items if i.standing.progress.status != COMPLETED]
    done = [i for i in items if i.standing.progress.status == COMPLETED]
    open_items.sort(
        key=lambda i: (i.assignment.due_at is None, i.assignment.due_at or datetime.max)
    )
    return render_template("training/mine.html", open_items=open_items, done=done)


@bp.route("/learning/library")
def library(slug):
    """List every workshop module by challenge."""
    get_org_or_404(slug)
    latest = latest_versions()
    modules = sorted(
        (module_of(v) for v in latest.values()), key=lambda m: (m.challenge, m.levels, m.key)
    )
    standing = progress_for([current_user.id], latest)
    return render_template("training/library.html", modules=modules, standing=standing)


def _version_for(key: str) -> tuple[ModuleVersion, ModuleVersion]:
    """Return (the version the person works on, the newest version) of a module, or 404."""
    latest = latest_versions().get(key)
    if latest is None:
        abort(404)
    current = progress_for([current_user.id], {key: latest}).get((current_user.id, key))
    return (current.version if current else latest), latest


@bp.route("/learning/<key>")
def module(slug, key):
    """Show a module with its checklist, evidence fields and quiz."""
    get_org_or_404(slug)
    # The stamp covers the library and the person's progress, which decide the version shown.
    return cached_page(
        "module", (key, _training_stamp(current_user.id)), lambda: _render_module(key)
    )


def _render_module(key: str) -> str:
    """Render a module page for the signed-in person, on the version they work on."""
    version, latest = _version_for(key)
    body = module_of(version)
    standing = progress_for([current_user.id], {key: latest}).get((current_user.id, key)) or fresh(
        version
    )
    steps = {
        s.step: s
        for s in db.session.scalars(
            sa.select(StepCheck).where(
                StepCheck.user_id == current_user.id, StepCheck.module_version_id == version.id
            )
        )
    }
    attempts = db.session.scalars(
        sa.select(QuizAttempt)
        .where(QuizAttempt.user_id == current_user.id, QuizAttempt.module_version_id == version.id)
        .order_by(QuizAttempt.created_at.desc(), QuizAttempt.id.desc())
    ).all()
    shown = None
    attempt_id = parse_id(request.args.get("attempt"))
    if attempt_id is not None:
        shown = next((a for a in attempts if a.id == attempt_id), None)
    all_latest = latest_versions()
    prerequisites = [
        (k, module_of(all_latest[k]).title if k in all_latest else k) for k in body.prerequisites
    ]
    mine = progress_for([current_user.id], all_latest)
    # A new order of the options for each attempt, the same on every view until the next one.
    shuffle = random.Random(f"{current_user.id}:{version.id}:{len(attempts)}")
    html = render_body(body)
    return render_template(
        "training/module.html",
        orders=[shuffle.sample(range(len(q.options)), len(q.options)) for q in body.quiz],
        passed_any=any(a.passed for a in attempts),
        version=version,
        latest=latest,
        module=body,
        html=html,
        contents=[
            ("objectives", "What you will be able to do"),
            *table_of_contents(html[:1]),
            ("checklist", "Checklist"),
            *table_of_contents(html[1:]),
            *([("quiz", "Quiz")] if body.quiz else []),
        ],
        standing=standing,
        steps=steps,
        attempts=attempts,
        shown=shown,
        prerequisites=prerequisites,
        prerequisite_status={
            k: (
                mine[(current_user.id, k)].progress.status
                if (current_user.id, k) in mine
                else "not started"
            )
            for k, _ in prerequisites
        },
        form=EmptyForm(),
    )


def _training_stamp(user_id: int) -> tuple:
    """Return what changes whenever the person's training changes (one query)."""

    def one(*columns, where):
        return [sa.select(c).where(*where).scalar_subquery() for c in columns]

    completed = sa.func.count(ModuleProgress.completed_at)
    return tuple(
        db.session.execute(
            sa.select(
                *one(
                    sa.func.count(StepCheck.id),
                    sa.func.max(StepCheck.checked_at),
                    where=[StepCheck.user_id == user_id],
                ),
                *one(sa.func.max(QuizAttempt.id), where=[QuizAttempt.user_id == user_id]),
                *one(
                    sa.func.count(ModuleProgress.id),
                    completed,
                    sa.func.max(ModuleProgress.completed_at),
                    where=[ModuleProgress.user_id == user_id],
                ),
                *one(
                    sa.func.count(Assignment.id),
                    sa.func.count(Assignment.removed_at),
                    sa.func.max(Assignment.assigned_at),
                    sa.func.max(Assignment.due_at),
                    where=[Assignment.user_id == user_id],
                ),
                *one(sa.func.max(ModuleVersion.id), where=[]),
            )
        ).one()
    )


def _posted_version(key: str) -> ModuleVersion:
    version = get_by_id(ModuleVersion, request.form.get("version_id", type=int))
    if version is None or version.key != key:
        abort(400, "The module version of this form is unknown. Reload the page.")
    return version


@bp.route("/learning/<key>/steps", methods=["POST"])
def save_steps(slug, key):
    """Save which checklist steps are ticked, with evidence; answers JSON to the page's script."""
    get_org_or_404(slug)
    version = _posted_version(key)
    ticked = {i for i in map(parse_index, request.form.getlist("step")) if i is not None}
    evidence = {
        int(name.split("-", 1)[1]): value
        for name, value in request.form.items()
        if name.startswith("evidence-") and parse_index(name.split("-", 1)[1]) is not None
    }
    try:
        status = operations.save_steps(current_user, version, ticked, evidence)
    except operations.TrainingError as exc:
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"error": {"code": "bad_step", "message": str(exc), "details": {}}}), 400
        flash(str(exc), "danger")
        return redirect(url_for("training.module", slug=slug, key=key))
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        module = module_of(version)
        return jsonify({"status": status, "ticked": len(ticked), "steps": len(module.steps)})
    flash(
        "Progress saved." + (" Module completed, well done." if status == COMPLETED else ""),
        "success",
    )
    return redirect(url_for("training.module", slug=slug, key=key) + "#checklist")


@bp.route("/learning/<key>/quiz", methods=["POST"])
def take_quiz(slug, key):
    """Grade a quiz attempt and show per-question feedback; every attempt is kept."""
    get_org_or_404(slug)
    version = _posted_version(key)
    module = module_of(version)
    answers = {}
    for index in range(len(module.quiz)):
        raw = request.form.get(f"q{index}", "")
        answers[index] = parse_index(raw)
    try:
        graded, status = operations.record_attempt(current_user, version, answers)
    except operations.TrainingError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("training.module", slug=slug, key=key))
    db.session.commit()
    attempt_id = db.session.scalar(
        sa.select(sa.func.max(QuizAttempt.id)).where(
            QuizAttempt.user_id == current_user.id, QuizAttempt.module_version_id == version.id
        )
    )
    score = f"{graded.score * 100:.0f}%"
    if graded.passed:
        flash(
            f"Quiz passed with {score}." + (" Module completed." if status == COMPLETED else ""),
            "success",
        )
    else:
        flash(
            f"{score}: not yet the 80% needed. Look again at the questions marked wrong "
            "and retake the quiz.",
            "warning",
        )
    return redirect(url_for("training.module", slug=slug, key=key, attempt=attempt_id) + "#quiz")


@bp.route("/learning/<key>/restart", methods=["POST"])
def restart(slug, key):
    """Start the newest version of a module; progress on the older one stays as it was."""
    get_org_or_404(slug)
    latest = latest_versions().get(key)
    if latest is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        operations.refresh_progress(current_user, latest)
        db.session.commit()
        flash(
            f"You are now on version {latest.version}. Your earlier progress stays with the version it was made on.",
            "info",
        )
    return redirect(url_for("training.module", slug=slug, key=key))


def _may_assign(team) -> bool:
    return is_team_lead(team) or is_org_admin()


@bp.route("/teams/<int:team_id>/training", methods=["GET", "POST"])
def team_training(slug, team_id):
    """Show a team's training: by person and module, overdue items, completions over time."""
    org = get_org_or_404(slug)
    team = get_team_or_404(org, team_id)
    if not (_may_assign(team) or sees_org_reports()):
        abort(403, "The team's lead, org admins and executives see the team's training.")
    latest = latest_versions()
    if request.method == "POST":
        if not _may_assign(team):
            abort(403, "Only the team's lead or an org admin assigns modules.")
        require_form()
        _assign_from_form(team)
        return redirect(url_for("training.team_training", slug=slug, team_id=team.id))
    items = assignments_for([Assignment.team_id == team.id], latest)
    members = db.session.execute(
        sa.select(User.id, User.name, TeamMember.job_role)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id)
        .order_by(User.name)
    ).all()
    weeks = weekly_completions([m.id for m in members])
    evidence = _evidence(items)
    return render_template(
        "training/team.html",
        team=team,
        items=items,
        members=members,
        modules=sorted((module_of(v) for v in latest.values()), key=lambda m: (m.challenge, m.key)),
        weeks=weeks,
        chart=_weekly_chart(weeks, f"Bar chart: modules completed per week by {team.name}"),
        evidence=evidence,
        may_assign=_may_assign(team),
        form=EmptyForm(),
        ROLES=ROLES,
    )


def _save_job_roles(team) -> None:
    """Store each member's job role from the team page's form (it decides their modules)."""
    from ..orgs.operations import AdminError, set_job_role

    members = db.session.scalars(sa.select(TeamMember).where(TeamMember.team_id == team.id)).all()
    try:
        changed = 0
        for member in members:
            field = f"job_role-{member.user_id}"
            if field in request.form:
                before = member.job_role
                set_job_role(member, request.form.get(field, ""))
                changed += member.job_role != before
    except AdminError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return
    db.session.commit()
    flash(
        f"Job roles saved ({changed} changed). New assignments follow them."
        if changed
        else "No job role changed.",
        "success",
    )


def _assign_from_form(team) -> None:
    action = request.form.get("action")
    if action == "job_roles":
        _save_job_roles(team)
        return
    try:
        if action == "unassign":
            operations.unassign(team, request.form.get("assignment_id", type=int) or 0)
            message = "Unassigned. The automatic rule will not assign it again; you still can."
        else:
            who = request.form.get("who", "")
            members = db.session.scalars(
                sa.select(TeamMember.user_id).where(TeamMember.team_id == team.id)
            ).all()
            user_ids = members if who == "team" else ([parse_id(who)] if parse_id(who) else [])
            due_raw = request.form.get("due", "").strip()
            try:
                due = datetime.strptime(due_raw, "%Y-%m-%d") if due_raw else None
            except ValueError:
                raise operations.TrainingError("Give the due date as YYYY-MM-DD.") from None
            count = operations.assign_by_hand(
                team, user_ids, request.form.get("module", ""), due, current_user
            )
            message = f"Assigned to {count} {'person' if count == 1 else 'people'}."
    except operations.TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(message, "success")


def _evidence(items) -> dict[tuple[int, int], list[tuple[str, str]]]:
    """Return evidence notes per (person, module version): (step text, note)."""
    versions = {i.standing.version.id: i.standing for i in items}
    users = {i.assignment.user_id for i in items}
    result: dict[tuple[int, int], list[tuple[str, str]]] = {}
    if not versions:
        return result
    rows = db.session.execute(
        sa.select(
            StepCheck.user_id, StepCheck.module_version_id, StepCheck.step, StepCheck.evidence
        ).where(
            StepCheck.user_id.in_(users),
            StepCheck.module_version_id.in_(list(versions)),
            StepCheck.evidence != "",
        )
    )
    for user_id, version_id, step, note in rows:
        steps = versions[version_id].module.steps
        text = steps[step] if step < len(steps) else f"step {step + 1}"
        result.setdefault((user_id, version_id), []).append((text, note))
    return result


def _weekly_chart(weeks, title: str) -> str:
    labels = [w[2:7] if i % 8 == 0 else "" for i, (w, _) in enumerate(weeks)]
    return charts.svg(
        "bars",
        labels=labels,
        values=[n for _, n in weeks],
        title=title,
        chart_id="weekly",
        ylabel="modules completed",
    )


@bp.route("/training")
def org_training(slug):
    """Show executives the org's training: completion by module and team, overdue, effect."""
    org = get_org_or_404(slug)
    require_org_role("admin", "executive")
    teams = org_teams(org)
    latest = latest_versions()
    items = assignments_for([Assignment.team_id.in_([t.id for t in teams])], latest)
    by_module: dict[str, list] = {}
    by_team: dict[int, list] = {}
    for item in items:
        by_module.setdefault(item.assignment.module_key, []).append(item)
        by_team.setdefault(item.assignment.team_id, []).append(item)
    weeks = weekly_completions(org_members([t.id for t in teams]))
    return render_template(
        "training/org.html",
        teams=teams,
        items=items,
        by_module=by_module,
        by_team=by_team,
        titles={k: module_of(v).title for k, v in latest.items()},
        overdue=[i for i in items if i.overdue],
        weeks=weeks,
        chart=_weekly_chart(weeks, f"Bar chart: modules completed per week across {org.name}"),
        effect=effect_of_training(org_cycles(org), teams),
    )

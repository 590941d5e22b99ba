"""Endpoints of the JSON API v1. Every route checks the token owner's rights; another org is 404."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint as FlaskBlueprint
from flask import current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .. import audit
from ..access import (
    get_cycle_or_404,
    get_org_or_404,
    get_team_or_404,
    is_org_admin,
    sees_org_reports,
    team_role,
)
from ..comparisons import comparison, comparison_text, ensure_stored
from ..domain.survey import validate_answers
from ..errors import http_error_response
from ..extensions import csrf, db, limiter
from ..models import (
    Assignment,
    Cycle,
    CycleComparison,
    Membership,
    Org,
    Team,
    TeamMember,
    TeamScoreRow,
)
from ..orgs import operations as org_ops
from ..privacy import hides_team, reveal_own_comparison
from ..privacy import note as privacy_note
from ..questionnaires import questionnaire_of
from ..reports.queries import chosen_cycle, org_cycles
from ..roadmap import operations as plan_ops
from ..roadmap.queries import (
    ownership_of,
    plan_teams,
    questionnaire_for,
    roadmap_document,
    targets_for,
)
from ..survey import operations as survey_ops
from ..training.queries import assignments_for
from . import bp, schemas
from .auth import user_from_request
from .errors import ApiError, RequestParser, api_error_response
from .openapi import spec

csrf.exempt(bp)
bp.ARGUMENTS_PARSER = RequestParser()
bp.errorhandler(ApiError)(api_error_response)
bp.errorhandler(HTTPException)(http_error_response)

# Views answer with jsonify: the answer schemas describe the answers in the document (the
# schemathesis tests hold the answers to them) without paying for a marshmallow dump.
# What any operation may answer besides its success; each is an Error document.
ERRORS = {
    400: "Malformed request: a control character, or a query parameter that does not fit",
    401: "Missing, unknown or revoked token",
    403: "Your role does not allow this, or the account must first choose its own password",
    404: "No such object in your orgs",
    405: "Method not allowed on this path",
    429: "Too many requests with a wrong token from this address: wait a minute",
}
WRITE_ERRORS = {422: "Invalid input: details name each field that is wrong"}


def query(schema):
    """Load the query string with schema before the view; a query that does not fit is a 400."""
    return bp.arguments(schema, location="query", error_status_code=400)


def errors(extra: dict[int, str] | None = None):
    """Declare the error answers of an operation: the common ones and extra."""

    def decorate(view):
        for status, description in {**ERRORS, **(extra or {})}.items():
            view = bp.alt_response(status, schema=schemas.Error, description=description)(view)
        return view

    return decorate


limiter.limit(
    "60 per minute",
    deduct_when=lambda response: response.status_code == 401,
    error_message="Too many requests with a wrong token from this address; wait a minute.",
)(bp)

PUBLIC = {"api.openapi_json", "api.docs"}


@bp.before_request
def authenticate():
    """Take the caller from the bearer token only: a session cookie never authorizes the API."""
    if request.endpoint in PUBLIC:
        return None
    user = user_from_request()
    if user is None:
        raise ApiError(
            401,
            "unauthorized",
            "Send a valid personal access token: Authorization: Bearer <token>.",
        )
    if user.must_change_password:
        raise ApiError(
            403,
            "password_change_required",
            "This account still has a one-time password: sign in and choose your own first.",
        )
    g._login_user = user
    return None


def _paginated(items: list, args: dict) -> dict:
    page, per_page = args["page"], args["per_page"]
    start = (page - 1) * per_page
    return {
        "items": items[start : start + per_page],
        "page": page,
        "per_page": per_page,
        "total": len(items),
    }


def _iso(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


def openapi_json():
    """Return the OpenAPI 3 document of this API."""
    return jsonify(spec())


def docs():
    """Render the human-readable API reference from the OpenAPI document."""
    return render_template("api/docs.html", spec=spec())


# The document and its reference page are served beside the API, not described in it.
FlaskBlueprint.add_url_rule(bp, "/openapi.json", view_func=openapi_json)
FlaskBlueprint.add_url_rule(bp, "/docs", view_func=docs)


def _my_orgs() -> list[dict]:
    """Return the caller's orgs with their role, by slug."""
    rows = db.session.execute(
        db.select(Org, Membership.role)
        .join(Membership, Membership.org_id == Org.id)
        .where(Membership.user_id == g._login_user.id)
        .order_by(Org.slug)
    ).all()
    return [{"slug": o.slug, "name": o.name, "role": role} for o, role in rows]


@bp.get("/me")
@bp.response(200, schemas.Me)
@errors()
def me():
    """Return the token's owner and their orgs."""
    user = g._login_user
    return jsonify({"id": user.id, "email": user.email, "name": user.name, "orgs": _my_orgs()})


@bp.get("/orgs")
@query(schemas.PageQuery)
@bp.response(200, schemas.OrgPage)
@errors()
def orgs(args):
    """List the orgs the caller belongs to."""
    return jsonify(_paginated(_my_orgs(), args))


@bp.get("/orgs/<slug>")
@bp.response(200, schemas.Org)
@errors()
def org(slug):
    """Return one org with the caller's role."""
    found = get_org_or_404(slug)
    return jsonify({"slug": found.slug, "name": found.name, "role": g.membership.role})


def _team_json(team: Team, counts: dict) -> dict:
    return {
        "id": team.id,
        "name": team.name,
        "business_unit": team.business_unit,
        "members": counts.get(team.id, 0),
    }


@bp.get("/orgs/<slug>/teams")
@query(schemas.PageQuery)
@bp.response(200, schemas.TeamPage)
@errors()
def teams(args, slug):
    """List the org's teams."""
    found = get_org_or_404(slug)
    rows = db.session.scalars(
        db.select(Team).where(Team.org_id == found.id).order_by(Team.name)
    ).all()
    counts = dict(
        db.session.execute(
            db.select(TeamMember.team_id, db.func.count())
            .join(Team)
            .where(Team.org_id == found.id)
            .group_by(TeamMember.team_id)
        ).all()
    )
    return jsonify(_paginated([_team_json(t, counts) for t in rows], args))


def _cycle_json(cycle: Cycle) -> dict:
    return {
        "name": cycle.name,
        "questionnaire": cycle.questionnaire.label,
        "status": "open" if cycle.is_open else "closed",
        "opened_at": _iso(cycle.opened_at),
        "closed_at": _iso(cycle.closed_at),
    }


@bp.get("/orgs/<slug>/cycles")
@query(schemas.PageQuery)
@bp.response(200, schemas.CyclePage)
@errors()
def cycles(args, slug):
    """List the org's cycles, newest first."""
    found = get_org_or_404(slug)
    return jsonify(_paginated([_cycle_json(c) for c in org_cycles(found)], args))


@bp.get("/orgs/<slug>/teams/<int:team_id>/scores")
@query(schemas.CycleQuery)
@bp.response(200, schemas.TeamScores)
@errors()
def team_scores(args, slug, team_id):
    """Return a team's scores per challenge and overall in every cycle (or ?cycle=NAME)."""
    found = get_org_or_404(slug)
    team = get_team_or_404(found, team_id)
    chosen = org_cycles(found)
    if args.get("cycle"):
        chosen = [get_cycle_or_404(found, args["cycle"])]
    ensure_stored(chosen)
    rows = db.session.scalars(
        db.select(TeamScoreRow).where(
            TeamScoreRow.team_id == team.id, TeamScoreRow.cycle_id.in_([c.id for c in chosen])
        )
    ).all()
    by_cycle: dict[int, dict] = {}
    for row in rows:
        entry = by_cycle.setdefault(row.cycle_id, {"respondents": row.respondents, "scores": {}})
        entry["scores"][row.challenge] = {
            "score": row.score,
            "disagreement": row.disagreement,
            "coverage": row.coverage,
        }
    result = []
    for c in chosen:
        entry = by_cycle.get(c.id, {})
        respondents = entry.get("respondents", 0)
        hidden = hides_team(found, c, team, respondents)
        scores = entry.get("scores", {})
        if hidden:
            scores = {k: dict.fromkeys(v, None) for k, v in scores.items()}
        result.append(
            {
                "cycle": c.name,
                "respondents": respondents,
                "scores": scores,
                "suppressed": hidden,
                "suppressed_reason": privacy_note(found) if hidden else None,
            }
        )
    return jsonify({"team": team.name, "team_id": team.id, "cycles": result})


@bp.get("/orgs/<slug>/cycles/<cycle_name>/comparison")
@bp.response(200, schemas.Comparison)
@errors()
def cycle_comparison(slug, cycle_name):
    """Return the comparison of the org's teams in a cycle (leads: their own teams only)."""
    # The hot path of BI polling: org, membership, cycle and stored version in one query.
    row = db.session.execute(
        sa.select(Org, Membership, Cycle, CycleComparison.version)
        .join(
            Membership, sa.and_(Membership.org_id == Org.id, Membership.user_id == g._login_user.id)
        )
        .join(Cycle, sa.and_(Cycle.org_id == Org.id, Cycle.name == cycle_name))
        .outerjoin(CycleComparison, CycleComparison.cycle_id == Cycle.id)
        .where(Org.slug == slug)
    ).first()
    if row is None:
        raise ApiError(404, "not_found", "No such org or cycle among yours.")
    g.org, g.membership = row[0], row[1]
    cycle, version = row[2], row[3]
    if sees_org_reports():
        return current_app.response_class(
            comparison_text(cycle, version), mimetype="application/json"
        )
    led = set(
        db.session.scalars(
            db.select(TeamMember.team_id).where(
                TeamMember.user_id == g._login_user.id, TeamMember.role == "lead"
            )
        )
    )
    if not led:
        raise ApiError(403, "forbidden", "The comparison is for executives, admins and team leads.")
    document = dict(comparison(cycle))
    document["teams"] = reveal_own_comparison(
        g.org, cycle, [t for t in document["teams"] if t["team_id"] in led]
    )
    return jsonify(document)


@bp.get("/orgs/<slug>/teams/<int:team_id>/roadmap")
@query(schemas.CycleQuery)
@bp.response(200, schemas.Roadmap)
@errors()
def roadmap(args, slug, team_id):
    """Return the team's roadmap in a cycle (?cycle=NAME, default the latest with responses)."""
    found = get_org_or_404(slug)
    team = get_team_or_404(found, team_id)
    cycles_ = org_cycles(found)
    if not cycles_:
        raise ApiError(404, "not_found", "The org has no cycle yet.")
    cycle = (
        get_cycle_or_404(found, args["cycle"])
        if args.get("cycle")
        else chosen_cycle(found, cycles_, None)  # the latest cycle with responses
    )
    if hides_team(found, cycle, team):
        return jsonify(
            {
                "team": team.name,
                "cycle": cycle.name,
                "suppressed": True,
                "suppressed_reason": privacy_note(found),
                "challenges": [],
                "actions": [],
                "closed": [],
                "note": "The roadmap follows from the team's scores, which are shown outside "
                "the team only from the org's minimum number of respondents.",
            }
        )
    return jsonify(roadmap_document(team, cycle, plan_teams(cycle, [team])[team.id]))


@bp.get("/orgs/<slug>/teams/<int:team_id>/ownership")
@bp.response(200, schemas.Ownership)
@errors()
def ownership(slug, team_id):
    """Return the team's RACI matrix with named people and its findings."""
    found = get_org_or_404(slug)
    team = get_team_or_404(found, team_id)
    questionnaire = questionnaire_for(found)
    if questionnaire is None:
        raise ApiError(404, "not_found", "No questionnaire is imported yet.")
    owners = ownership_of([team], questionnaire)[team.id]
    matrix = [
        {"challenge": c, "role": r, "raci": letter, "person": owners.people.get(r)}
        for c, row in owners.matrix.items()
        for r, letter in row.items()
    ]
    findings = [
        {
            "kind": f.kind,
            "challenge": f.challenge,
            "role": f.role,
            "person": f.person,
            "message": f.message,
        }
        for f in owners.findings
    ]
    return jsonify({"team": team.name, "matrix": matrix, "findings": findings})


@bp.get("/orgs/<slug>/assignments")
@query(schemas.AssignmentQuery)
@bp.response(200, schemas.AssignmentPage)
@errors()
def assignments(args, slug):
    """List module assignments with progress: all for executives and admins, the team for leads, one's own otherwise."""
    found = get_org_or_404(slug)
    team_ids = db.session.scalars(db.select(Team.id).where(Team.org_id == found.id)).all()
    where = [Assignment.team_id.in_(team_ids)]
    if args.get("team_id"):
        where.append(Assignment.team_id == get_team_or_404(found, args["team_id"]).id)
    if not sees_org_reports():
        led = db.session.scalars(
            db.select(TeamMember.team_id).where(
                TeamMember.user_id == g._login_user.id, TeamMember.role == "lead"
            )
        ).all()
        where.append(db.or_(Assignment.team_id.in_(led), Assignment.user_id == g._login_user.id))
    items = assignments_for(where)
    rows = [
        {
            "team": i.assignment.team.name,
            "person": i.assignment.user.email,
            "module": i.assignment.module_key,
            "challenge": i.assignment.challenge,
            "status": i.standing.progress.status,
            "progress": round(i.standing.progress.fraction, 4),
            "assigned_at": _iso(i.assignment.assigned_at),
            "due_at": _iso(i.assignment.due_at),
            "completed_at": _iso(i.standing.completed_at),
            "quiz_score": i.standing.progress.best_score,
        }
        for i in sorted(
            items,
            key=lambda i: (
                i.assignment.team.name,
                i.assignment.user.email,
                i.assignment.module_key,
            ),
        )
    ]
    return jsonify(_paginated(rows, args))


@bp.post("/orgs/<slug>/people")
@bp.arguments(schemas.PersonInput)
@bp.response(200, schemas.InvitationResult)
@errors(WRITE_ERRORS)
def add_person(body, slug):
    """Invite a person to the org by email (admins): a single-use link to choose a password and join."""
    found = get_org_or_404(slug)
    if not is_org_admin():
        raise ApiError(403, "forbidden", "Adding people is for the org's admins.")
    try:
        result = org_ops.invite_person(
            found, body["email"], body["name"], body["role"], g._login_user.name
        )
    except org_ops.AdminError as exc:
        raise ApiError(422, "invalid_person", str(exc)) from None
    db.session.commit()
    return jsonify({"email": body["email"].strip().lower(), "result": result})


@bp.get("/orgs/<slug>/audit")
@query(schemas.AuditQuery)
@bp.response(200, schemas.AuditPage)
@errors()
def audit_trail(args, slug):
    """Read the org's audit trail, newest first (admins only; nothing here changes it)."""
    found = get_org_or_404(slug)
    if not is_org_admin():
        raise ApiError(403, "forbidden", "The audit trail is for the org's admins.")
    since = args.get("since")
    query_ = audit.entries_query(
        found,
        kind=args.get("kind", ""),
        since=datetime.combine(since, datetime.min.time()) if since else None,
    )
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query_.subquery()))
    entries = db.session.scalars(query_.limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify(
        {
            "items": [audit.as_dict(e) for e in entries],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )


@bp.put("/orgs/<slug>/cycles/<cycle_name>/teams/<int:team_id>/response")
@bp.arguments(schemas.ResponseInput)
@bp.response(200, schemas.ResponseResult)
@errors({**WRITE_ERRORS, 409: "The cycle is closed"})
def put_response(body, slug, cycle_name, team_id):
    """Save the caller's answers for a team in a cycle, as a draft or submitted."""
    found = get_org_or_404(slug)
    cycle = get_cycle_or_404(found, cycle_name)
    team = get_team_or_404(found, team_id)
    if team_role(team, g._login_user.id) is None:
        raise ApiError(404, "not_found", "You are not a member of this team.")
    submit = body["submit"]
    submitted = {
        qid: (str(a["level"]) if isinstance(a["level"], int) else a["level"], a["comment"])
        for qid, a in body["answers"].items()
    }
    questionnaire = questionnaire_of(cycle)
    valid, errors = validate_answers(questionnaire, submitted)
    if errors:
        raise ApiError(
            422, "invalid_answers", "Some answers are not valid; nothing was saved.", errors
        )
    try:
        response = survey_ops.get_or_start_response(cycle, team, g._login_user)
        survey_ops.save_answers(response, valid, rescore=not submit)
        if submit:
            survey_ops.submit(response)
    except survey_ops.CycleClosed as exc:
        db.session.rollback()
        raise ApiError(409, "cycle_closed", str(exc)) from None
    status, answered = response.status, survey_ops.answered_count(response)
    db.session.commit()
    return jsonify({"status": status, "answered": answered, "total": len(questionnaire.questions)})


def _require_planner(team: Team) -> None:
    if not (team_role(team, g._login_user.id) == "lead" or is_org_admin()):
        raise ApiError(403, "forbidden", "Only the team's lead or an org admin can change this.")


@bp.put("/orgs/<slug>/teams/<int:team_id>/targets")
@bp.arguments(schemas.TargetsInput)
@bp.response(200, schemas.TargetsResult)
@errors(WRITE_ERRORS)
def put_targets(body, slug, team_id):
    """Set the team's target level per challenge (leads and admins)."""
    found = get_org_or_404(slug)
    team = get_team_or_404(found, team_id)
    _require_planner(team)
    plan_ops.set_targets(team, body["targets"])
    db.session.commit()
    return jsonify({"team": team.name, "targets": targets_for([team])[team.id]})


@bp.put("/orgs/<slug>/teams/<int:team_id>/roadmap/actions")
@bp.arguments(schemas.ActionInput)
@bp.response(200, schemas.ActionResult)
@errors(WRITE_ERRORS)
def put_action(body, slug, team_id):
    """Mark a roadmap action planned, in progress, done, dismissed (with a reason) or open."""
    found = get_org_or_404(slug)
    team = get_team_or_404(found, team_id)
    _require_planner(team)
    from_level = body["from_level"]
    try:
        plan_ops.mark_action(
            team,
            questionnaire_for(found),
            body["question"],
            from_level,
            body["status"],
            body["reason"],
            g._login_user,
        )
    except plan_ops.PlanError as exc:
        db.session.rollback()
        raise ApiError(422, "invalid", str(exc)) from None
    db.session.commit()
    return jsonify(
        {"question": body["question"], "from_level": from_level, "status": body["status"]}
    )

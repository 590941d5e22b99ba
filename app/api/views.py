"""Endpoints of the JSON API v1. Every route checks the token owner's rights; another org is 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

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
from ..domain.vocabulary import CHALLENGE_KEYS
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
from . import bp
from .auth import user_from_request
from .openapi import spec

csrf.exempt(bp)
MAX_PER_PAGE = 200


class ApiError(Exception):
    """An error answered as {"error": {"code", "message", "details"}} with a 4xx status."""

    def __init__(self, status: int, code: str, message: str, details=None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return jsonify(
        {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
    ), exc.status


bp.errorhandler(HTTPException)(http_error_response)


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


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(
            400, "bad_request", "Send a JSON object with Content-Type: application/json."
        )
    return body


def _page() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 50))
    except ValueError:
        raise ApiError(400, "bad_request", "page and per_page must be whole numbers.") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ApiError(
            400, "bad_request", f"page starts at 1; per_page is between 1 and {MAX_PER_PAGE}."
        )
    return page, per_page


def _paginated(items: list) -> dict:
    page, per_page = _page()
    start = (page - 1) * per_page
    return {
        "items": items[start : start + per_page],
        "page": page,
        "per_page": per_page,
        "total": len(items),
    }


def _iso(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


@bp.get("/openapi.json")
def openapi_json():
    """Return the OpenAPI 3 document of this API."""
    return jsonify(spec())


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
def me():
    """Return the token's owner and their orgs."""
    user = g._login_user
    return jsonify({"id": user.id, "email": user.email, "name": user.name, "orgs": _my_orgs()})


@bp.get("/orgs")
def orgs():
    """List the orgs the caller belongs to."""
    return jsonify(_paginated(_my_orgs()))


@bp.get("/orgs/<slug>")
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
def teams(slug):
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
    return jsonify(_paginated([_team_json(t, counts) for t in rows]))


def _cycle_json(cycle: Cycle) -> dict:
    return {
        "name": cycle.name,
        "questionnaire": cycle.questionnaire.label,
        "status": "open" if cycle.is_open else "closed",
        "opened_at": _iso(cycle.opened_at),
        "closed_at": _iso(cycle.closed_at),
    }


@bp.get("/orgs/<slug>/cycles")
def cycles(slug):
    """List the org's cycles, newest first."""
    found = get_org_or_404(slug)
    return jsonify(_paginated([_cycle_json(c) for c in org_cycles(found)]))


@bp.get("/orgs/<slug>/teams/<int:team_id>/scores")
def team_scores(slug, team_id):
    """Return a team's scores per challenge and overall in every cycle (or ?cycle=NAME)."""
    found = get_org_or_404(slug)
    team = get_team_or_404(found, team_id)
    chosen = org_cycles(found)
    if request.args.get("cycle"):
        chosen = [get_cycle_or_404(found, request.args["cycle"])]
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
def roadmap(slug, team_id):
    """Return the team's roadmap in a cycle (?cycle=NAME, default the latest with responses)."""
    found = get_org_or_404(slug)
    team = get_team_or_404(found, team_id)
    cycles_ = org_cycles(found)
    if not cycles_:
        raise ApiError(404, "not_found", "The org has no cycle yet.")
    cycle = (
        get_cycle_or_404(found, request.args["cycle"])
        if request.args.get("cycle")
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
def assignments(slug):
    """List module assignments with progress: all for executives and admins, the team for leads, one's own otherwise."""
    found = get_org_or_404(slug)
    team_ids = db.session.scalars(db.select(Team.id).where(Team.org_id == found.id)).all()
    where = [Assignment.team_id.in_(team_ids)]
    if request.args.get("team_id"):
        try:
            team = get_team_or_404(found, int(request.args["team_id"]))
        except ValueError:
            raise ApiError(400, "bad_request", "team_id must be a whole number.") from None
        where.append(Assignment.team_id == team.id)
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
    return jsonify(_paginated(rows))


@bp.put("/orgs/<slug>/cycles/<cycle_name>/teams/<int:team_id>/response")
def put_response(slug, cycle_name, team_id):
    """Save the caller's answers for a team in a cycle, as a draft or submitted."""
    found = get_org_or_404(slug)
    cycle = get_cycle_or_404(found, cycle_name)
    team = get_team_or_404(found, team_id)
    if team_role(team, g._login_user.id) is None:
        raise ApiError(404, "not_found", "You are not a member of this team.")
    body = _json_body()
    raw = body.get("answers", {})
    submit = body.get("submit", False)
    if not isinstance(raw, dict) or not isinstance(submit, bool):
        raise ApiError(
            422,
            "invalid",
            "answers must map question ids to {level, comment}; submit is true or false.",
        )
    submitted = {}
    for qid, answer in raw.items():
        if not isinstance(answer, dict) or not isinstance(answer.get("comment", ""), str):
            raise ApiError(
                422,
                "invalid",
                f"The answer to {qid} must be an object with level and an optional comment.",
                {qid: "not an object"},
            )
        level = answer.get("level")
        submitted[qid] = (
            str(level) if isinstance(level, int) and not isinstance(level, bool) else level,
            answer.get("comment", ""),
        )
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
def put_targets(slug, team_id):
    """Set the team's target level per challenge (leads and admins)."""
    found = get_org_or_404(slug)
    team = get_team_or_404(found, team_id)
    _require_planner(team)
    targets = _json_body().get("targets")
    if not isinstance(targets, dict) or not targets:
        raise ApiError(422, "invalid", "targets must map challenge keys to levels 0-4.")
    bad = {k: "not a challenge" for k in targets if k not in CHALLENGE_KEYS}
    bad |= {
        k: "must be a whole number from 0 to 4"
        for k, v in targets.items()
        if k in CHALLENGE_KEYS
        and (isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 4)
    }
    if bad:
        raise ApiError(422, "invalid", "Some targets are not valid; nothing was saved.", bad)
    plan_ops.set_targets(team, targets)
    db.session.commit()
    return jsonify({"team": team.name, "targets": targets_for([team])[team.id]})


@bp.put("/orgs/<slug>/teams/<int:team_id>/roadmap/actions")
def put_action(slug, team_id):
    """Mark a roadmap action planned, in progress, done, dismissed (with a reason) or open."""
    found = get_org_or_404(slug)
    team = get_team_or_404(found, team_id)
    _require_planner(team)
    body = _json_body()
    from_level = body.get("from_level")
    if isinstance(from_level, bool) or not isinstance(from_level, int):
        raise ApiError(422, "invalid", "from_level must be a whole number.")
    if (
        not isinstance(body.get("question"), str)
        or not isinstance(body.get("status"), str)
        or not isinstance(body.get("reason", ""), str)
    ):
        raise ApiError(422, "invalid", "question and status are text; reason is optional text.")
    try:
        plan_ops.mark_action(
            team,
            questionnaire_for(found),
            body["question"],
            from_level,
            body["status"],
            body.get("reason", ""),
            g._login_user,
        )
    except plan_ops.PlanError as exc:
        db.session.rollback()
        raise ApiError(422, "invalid", str(exc)) from None
    db.session.commit()
    return jsonify(
        {"question": body["question"], "from_level": from_level, "status": body["status"]}
    )


@bp.get("/docs")
def docs():
    """Render the human-readable API reference from the OpenAPI document."""
    return render_template("api/docs.html", spec=spec())

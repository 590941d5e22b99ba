"""Views of the survey: start, fill a challenge page, review and submit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..access import get_cycle_or_404, get_org_or_404, get_team_or_404, team_role
from ..auth.forms import EmptyForm, require_form
from ..domain.survey import progress, validate_answers
from ..extensions import db
from ..pagecache import cached_page
from ..questionnaires import questionnaire_of
from . import bp, operations
from .queries import my_surveys, open_cycle_progress


@bp.before_request
@login_required
def require_login():
    """Require sign-in for every survey page."""


def _load(slug: str, cycle_name: str, team_id: int):
    """Return cycle, team and questionnaire when the person belongs to the team."""
    org = get_org_or_404(slug)
    cycle = get_cycle_or_404(org, cycle_name)
    team = get_team_or_404(org, team_id)
    if team_role(team, current_user.id) is None:
        abort(404)
    return cycle, team, questionnaire_of(cycle)


def _form_values(answers) -> dict[str, str]:
    """Return the form value of each stored answer: '0'..'4', 'unknown' or 'na'."""
    return {
        qid: "na" if a.not_applicable else ("unknown" if a.level is None else str(a.level))
        for qid, a in answers.items()
    }


def _url(endpoint: str, cycle, team, **kwargs) -> str:
    return url_for(endpoint, slug=cycle.org.slug, cycle_name=cycle.name, team_id=team.id, **kwargs)


@bp.route("/")
def mine(slug):
    """List the person's surveys in the org's open cycles."""
    org = get_org_or_404(slug)
    surveys = my_surveys(org, current_user)
    return render_template(
        "survey/mine.html",
        surveys=surveys,
        cycle_progress=[] if surveys else open_cycle_progress(org),
    )


@bp.route("/<cycle_name>/<int:team_id>/", methods=["GET", "POST"])
def start(slug, cycle_name, team_id):
    """Introduce the survey and start a draft, optionally from last cycle's answers."""
    cycle, team, questionnaire = _load(slug, cycle_name, team_id)
    response = operations.find_response(cycle, team, current_user)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            response = operations.get_or_start_response(cycle, team, current_user)
            previous = operations.previous_response(cycle, team, current_user)
            carried = 0
            if previous is not None and request.form.get("from_previous") == "yes":
                ids = {q.id for q in questionnaire.questions}
                carried = operations.carry_over(response, previous, ids)
        except operations.CycleClosed as exc:
            flash(str(exc), "danger")
            return redirect(url_for("survey.mine", slug=slug))
        db.session.commit()
        if carried:
            flash(
                f"{carried} answers were carried over from {previous.cycle.name}. Each is marked "
                "until you confirm or change it.",
                "info",
            )
        return redirect(_url("survey.page", cycle, team, challenge=questionnaire.challenges[0].key))
    if response is not None:
        return redirect(_resume_url(cycle, team, questionnaire, response))
    previous = operations.previous_response(cycle, team, current_user)
    return render_template(
        "survey/start.html",
        cycle=cycle,
        team=team,
        questionnaire=questionnaire,
        form=form,
        previous=previous,
    )


def _resume_url(cycle, team, questionnaire, response) -> str:
    """Return where a person picks their response up: a draft's first page with work left."""
    if response.status == "draft" and cycle.is_open:
        stored = operations.answers_of(response)
        unconfirmed = {qid for qid, a in stored.items() if a.carried_over}
        pages = progress(questionnaire, set(stored) - unconfirmed)
        first = next((p.challenge for p in pages if not p.complete), None)
        if first:
            return _url("survey.page", cycle, team, challenge=first)
    return _url("survey.review", cycle, team)


@bp.route("/<cycle_name>/<int:team_id>/<challenge>", methods=["GET", "POST"])
def page(slug, cycle_name, team_id, challenge):
    """Show one challenge's questions; save them as a draft and move on."""
    cycle, team, questionnaire = _load(slug, cycle_name, team_id)
    keys = [c.key for c in questionnaire.challenges]
    if challenge not in keys:
        abort(404)
    response = operations.find_response(cycle, team, current_user)
    if response is None:
        return redirect(_url("survey.start", cycle, team))
    current = questionnaire.challenge(challenge)
    errors: dict[str, str] = {}
    posted: dict[str, tuple[str, str]] = {}
    status = 200
    if request.method == "POST":
        require_form()
        posted = _read_page(current)
        valid, errors = validate_answers(questionnaire, posted)
        try:
            reopened = operations.save_answers(response, valid)
        except operations.CycleClosed as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            errors = errors or {"": str(exc)}
            status = 409
        else:
            db.session.commit()
            if reopened:
                flash(
                    "Your changes are saved. Your response is a draft again: submit it on the "
                    "review page so the changes count.",
                    "warning",
                )
            if not errors:
                return redirect(
                    _next_url(cycle, team, keys, challenge, request.form.get("go", "next"))
                )
            status = 422
    stamp = (
        response.id,
        response.status,
        response.updated_at,
        cycle.closed_at,
        cycle.org.comment_authors,
        cycle.org.min_respondents,
    )

    def render():
        stored = operations.answers_of(response)
        values = _form_values(stored)
        comments = {qid: a.comment for qid, a in stored.items()}
        for qid, (choice, comment) in posted.items():
            values[qid], comments[qid] = choice or values.get(qid, ""), comment
        index = keys.index(challenge)
        return render_template(
            "survey/page.html",
            cycle=cycle,
            team=team,
            response=response,
            challenge=current,
            index=index,
            pages=progress(questionnaire, stored.keys()),
            values=values,
            comments=comments,
            carried={qid for qid, a in stored.items() if a.carried_over},
            errors=errors,
            form=EmptyForm(),
            answered=len(stored),
            total=len(questionnaire.questions),
            previous_key=keys[index - 1] if index > 0 else None,
            next_key=keys[index + 1] if index + 1 < len(keys) else None,
        )

    return cached_page("survey page", stamp, render), status


def _read_page(challenge) -> dict[str, tuple[str, str]]:
    """Return {question id: (choice, comment)} for the posted answers of a page."""
    posted = {}
    for name, value in request.form.items():
        if name.startswith("answer-"):
            qid = name[len("answer-") :]
            posted[qid] = (value, request.form.get(f"comment-{qid}", ""))
    for question in challenge.questions:
        comment = request.form.get(f"comment-{question.id}", "")
        if question.id not in posted and comment.strip():
            posted[question.id] = ("", comment)
    return posted


def _next_url(cycle, team, keys: list[str], challenge: str, go: str) -> str:
    """Return where a saved page leads: previous, next, another page, the review or itself."""
    index = keys.index(challenge)
    if go == "prev" and index > 0:
        return _url("survey.page", cycle, team, challenge=keys[index - 1])
    if go == "next" and index + 1 < len(keys):
        return _url("survey.page", cycle, team, challenge=keys[index + 1])
    if go in keys:
        return _url("survey.page", cycle, team, challenge=go)
    if go == "stay":
        return _url("survey.page", cycle, team, challenge=challenge) + "#saved"
    return _url("survey.review", cycle, team)


@bp.route("/<cycle_name>/<int:team_id>/review")
def review(slug, cycle_name, team_id):
    """List what is still unanswered or carried over, and offer to submit."""
    cycle, team, questionnaire = _load(slug, cycle_name, team_id)
    response = operations.find_response(cycle, team, current_user)
    if response is None:
        return redirect(_url("survey.start", cycle, team))
    stored = operations.answers_of(response)
    unanswered = {
        c.key: [q for q in c.questions if q.id not in stored] for c in questionnaire.challenges
    }
    carried = {
        c.key: [q for q in c.questions if q.id in stored and stored[q.id].carried_over]
        for c in questionnaire.challenges
    }
    return render_template(
        "survey/review.html",
        cycle=cycle,
        team=team,
        response=response,
        questionnaire=questionnaire,
        pages=progress(questionnaire, stored.keys()),
        unanswered=unanswered,
        carried=carried,
        answered=len(stored),
        total=len(questionnaire.questions),
        form=EmptyForm(),
    )


@bp.route("/<cycle_name>/<int:team_id>/submit", methods=["POST"])
def submit(slug, cycle_name, team_id):
    """Submit the response; blank questions count as don't know."""
    cycle, team, _ = _load(slug, cycle_name, team_id)
    response = operations.find_response(cycle, team, current_user)
    if response is None:
        return redirect(_url("survey.start", cycle, team))
    if EmptyForm().validate_on_submit():
        try:
            operations.submit(response)
        except operations.CycleClosed as exc:
            flash(str(exc), "danger")
            return redirect(_url("survey.review", cycle, team))
        db.session.commit()
        flash(
            f"Thank you. Your answers for {team.name} count in {cycle.name}. You can change and "
            "resubmit them until the cycle closes.",
            "success",
        )
    return redirect(_url("survey.review", cycle, team))

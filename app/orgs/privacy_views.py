"""Admin pages of privacy: settings, the audit trail, and a person's data export and erasure."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..access import get_org_or_404, require_org_role
from ..auth.forms import EmptyForm
from ..domain.inputs import control_characters
from ..extensions import db
from ..models import User
from . import bp, privacy
from .operations import AdminError
from .views import _membership_or_404

PAGE_SIZE = 50


@bp.route("/admin/settings", methods=["GET", "POST"])
def admin_settings(slug):
    """Show and change the org's privacy settings."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    form = EmptyForm()
    errors = []
    if form.validate_on_submit():
        try:
            changed = privacy.update_settings(
                org,
                min_respondents=request.form.get("min_respondents", ""),
                comment_authors=request.form.get("comment_authors") == "named",
                audit_retention_days=request.form.get("audit_retention_days", ""),
                reminder_days=request.form.get("reminder_days"),
            )
        except AdminError as exc:
            db.session.rollback()
            errors.append(str(exc))
        else:
            db.session.commit()
            flash("Settings saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("orgs.admin_settings", slug=slug))
    status = 422 if errors else 200
    return render_template("orgs/settings.html", form=form, errors=errors), status


def _filters() -> dict:
    """Return the audit filters of the query string; a bad date is a 400."""
    person = request.args.get("person", "").strip()[:200]
    kind = request.args.get("kind", "")
    if kind and kind not in audit.KINDS:
        abort(400, f"'{kind[:40]}' is not a kind of entry.")
    if control_characters(person):
        abort(400, "The person filter holds characters that are not allowed.")
    found = {"person": person, "kind": kind}
    for name in ("since", "until"):
        text = request.args.get(name, "")
        try:
            found[name] = (
                datetime.combine(date.fromisoformat(text), datetime.min.time()) if text else None
            )
        except ValueError:
            abort(400, f"'{name}' is a date like 2026-12-01.")
    return found


@bp.route("/admin/audit")
def admin_audit(slug):
    """Read the org's audit trail, newest first, filtered by person, kind and dates."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    filters = _filters()
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and int(page) > 0 else 1
    query = audit.entries_query(org, **filters)
    entries = db.session.scalars(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return render_template(
        "orgs/audit.html",
        entries=entries[:PAGE_SIZE],
        more=len(entries) > PAGE_SIZE,
        page=page,
        filters=filters,
        kinds=audit.KINDS,
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.route("/admin/audit.<fmt>")
def admin_audit_download(slug, fmt):
    """Download the filtered audit trail as CSV or JSON."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    if fmt not in ("csv", "json"):
        abort(404)
    entries = db.session.scalars(audit.entries_query(org, **_filters())).all()
    if fmt == "csv":
        response = make_response(audit.to_csv(entries))
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        response = make_response(json.dumps([audit.as_dict(e) for e in entries], indent=1))
        response.headers["Content-Type"] = "application/json"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ascent-audit-{org.slug}.{fmt}"'
    )
    return response


def data_download(user: User):
    """Return the person's data as a JSON download, and record that it was taken."""
    data = privacy.person_data(user)
    audit.record_for_person(user, "privacy.export", f"Exported the data of person #{user.id}")
    db.session.commit()
    response = make_response(json.dumps(data, indent=1, ensure_ascii=False))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="ascent-person-{user.id}.json"'
    return response


@bp.route("/admin/people/<int:user_id>/data.json")
def admin_person_data(slug, user_id):
    """Download everything held about a person of the org."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    membership = _membership_or_404(org, user_id)
    return data_download(membership.user)


@bp.route("/admin/people/<int:user_id>/erase", methods=["GET", "POST"])
def admin_erase_person(slug, user_id):
    """Confirm, then erase a person: their answers stay as an anonymous respondent."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    membership = _membership_or_404(org, user_id)
    user = membership.user
    form = EmptyForm()
    if user.id == current_user.id:
        abort(403, "You cannot erase yourself; ask another admin.")
    if form.validate_on_submit():
        if request.form.get("confirm", "").strip().lower() != user.email:
            flash("Type the person's email to confirm the erasure.", "danger")
        else:
            try:
                privacy.erase_person(org, user)
            except AdminError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(f"Erased person #{user.id}. Their answers stay, anonymous.", "success")
                return redirect(url_for("orgs.admin_people", slug=slug))
    return render_template("orgs/erase.html", form=form, person=user)

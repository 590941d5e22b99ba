"""Admin pages of the roster: upload a CSV, preview what it changes, apply it; download it."""

from __future__ import annotations

import io
import os
import re
import secrets
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .. import audit
from ..access import get_org_or_404, require_org_role
from ..auth.forms import EmptyForm, require_form
from ..domain.inputs import NotUtf8, utf8_lines
from ..domain.roster import COLUMNS, RosterRejected, parse_roster
from ..domain.vocabulary import ROLES
from ..extensions import db
from ..roster import export_csv, import_roster
from . import bp

MAX_BYTES = 2 * 1024 * 1024
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,60}$")


def _upload_dir() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _run(org, data: bytes, name: str, invite: bool, apply: bool):
    """Parse and import the roster; roll back unless applying. Return (result, problems)."""
    try:
        rows = parse_roster(utf8_lines(io.BytesIO(data), name), name)
        result = import_roster(org, rows, name, current_user.name, invite=invite and apply)
    except (RosterRejected, NotUtf8) as exc:
        db.session.rollback()
        return None, exc.problems if isinstance(exc, RosterRejected) else [str(exc)], 0
    if not apply:
        db.session.rollback()
    return result, [], len(rows)


@bp.route("/admin/roster", methods=["GET", "POST"])
def admin_roster(slug):
    """Upload a roster and preview it; apply a previewed one."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    form = EmptyForm()
    if request.method == "GET":
        return render_template("orgs/roster.html", form=form, columns=COLUMNS, roles=ROLES)
    require_form()
    invite = request.form.get("invite") == "on"
    if request.form.get("action") == "apply":
        return _apply(org, request.form.get("token", ""), invite)
    upload = request.files.get("roster")
    if upload is None or not upload.filename:
        flash("Choose a CSV file to upload.", "danger")
        return render_template("orgs/roster.html", form=form, columns=COLUMNS, roles=ROLES), 400
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        flash("A roster file is at most 2 MB.", "danger")
        return render_template("orgs/roster.html", form=form, columns=COLUMNS, roles=ROLES), 413
    name = Path(upload.filename).name[:120]
    result, problems, count = _run(org, data, name, invite, apply=False)
    token = None
    if not problems:
        token = secrets.token_urlsafe(24)
        _upload_dir().mkdir(parents=True, exist_ok=True)
        (_upload_dir() / f"roster-{org.id}-{token}.csv").write_bytes(data)
        (_upload_dir() / f"roster-{org.id}-{token}.name").write_text(name)
    status = 422 if problems else 200
    return render_template(
        "orgs/roster.html",
        form=form,
        columns=COLUMNS,
        roles=ROLES,
        preview=result,
        problems=problems,
        rows=count,
        file=name,
        token=token,
        invite=invite,
    ), status


def _apply(org, token: str, invite: bool):
    """Import a previewed roster kept under its token, then forget the file."""
    if not TOKEN.match(token):
        abort(400, "That preview is not known; upload the file again.")
    path = _upload_dir() / f"roster-{org.id}-{token}.csv"
    if not path.exists():
        flash("That preview expired; upload the file again.", "danger")
        return redirect(url_for("orgs.admin_roster", slug=org.slug))
    name_path = path.with_suffix(".name")
    name = name_path.read_text() if name_path.exists() else "roster.csv"
    result, problems, count = _run(org, path.read_bytes(), name, invite, apply=True)
    if problems:
        flash("Nothing was changed: " + "; ".join(problems[:5]), "danger")
        return redirect(url_for("orgs.admin_roster", slug=org.slug))
    if result.changed:
        audit.record(
            org,
            "person.roster_import",
            f"Imported the roster {name}: {result.summary()}",
            target=("org", org.slug),
            after={"file": name, "rows": count, "summary": result.summary()},
        )
    db.session.commit()
    for leftover in (path, name_path):
        if leftover.exists():
            os.remove(leftover)
    flash(f"Imported {name}: {result.summary()}.", "success")
    return redirect(url_for("orgs.admin_people", slug=org.slug))


@bp.route("/admin/roster.csv")
def admin_roster_csv(slug):
    """Download the org's roster with the import's columns."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    response = make_response(export_csv(org))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="ascent-roster-{org.slug}.csv"'
    return response

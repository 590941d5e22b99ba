"""Admin page of single sign-on: the org's OpenID Connect provider and who signs in through it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from .. import sso
from ..access import get_org_or_404, require_org_role
from ..auth.forms import EmptyForm
from ..auth.links import external_url
from ..domain.sso import SsoSettingsError, secret_hint
from ..extensions import db
from . import bp


@bp.route("/admin/sso", methods=["GET", "POST"])
def admin_sso(slug):
    """Show and change the org's single sign-on provider, or turn it off."""
    org = get_org_or_404(slug)
    require_org_role("admin")
    form = EmptyForm()
    errors = []
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "remove":
                changed = ["off"] if sso.remove_settings(org) else []
            else:
                changed = sso.update_settings(
                    org,
                    issuer=request.form.get("issuer", ""),
                    client_id=request.form.get("client_id", ""),
                    client_secret=request.form.get("client_secret", ""),
                    domains=request.form.get("domains", ""),
                    password_allowed=request.form.get("password_allowed") == "on",
                )
        except SsoSettingsError as exc:
            db.session.rollback()
            errors.append(str(exc))
        else:
            db.session.commit()
            flash("Single sign-on saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("orgs.admin_sso", slug=slug))
    row = sso.settings_of(org.id)
    return render_template(
        "orgs/sso.html",
        form=form,
        errors=errors,
        sso=row,
        secret=secret_hint(row.client_secret) if row else None,
        redirect_uri=external_url("auth.sso_callback"),
    ), (422 if errors else 200)

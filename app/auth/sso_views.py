"""Views of single sign-on: find the org by email, go to its provider, and come back."""

from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError
from sqlalchemy.exc import IntegrityError

from .. import audit
from .. import sso as sso_settings
from ..extensions import db, limiter
from ..models import Org
from . import bp, sessions
from . import sso as flow
from .forms import SsoStartForm
from .links import external_url

PENDING = "sso_org"  # the org whose provider the browser was sent to
HINT = "sso_login_hint"


def _settings_or_404(slug: str):
    """Return the SSO settings of the org with this slug, 404 when it has none."""
    org = db.session.scalar(db.select(Org).where(Org.slug == slug[:60]))
    row = sso_settings.settings_of(org.id) if org else None
    if row is None:
        abort(404, "This organisation does not sign in through single sign-on.")
    return row


@bp.route("/sso", methods=["GET", "POST"])
def sso_start():
    """Ask for the person's work email (or their org's short name) to find their provider."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.index"))
    form = SsoStartForm()
    if form.validate_on_submit():
        given = form.email.data.strip().lower()
        if "@" in given:
            row = sso_settings.org_for_email(given)
            slug = row.org.slug if row else None
        else:
            row = db.session.scalar(db.select(Org).where(Org.slug == given))
            slug = given if row and sso_settings.settings_of(row.id) else None
        if slug:
            session[HINT] = given if "@" in given else ""
            return redirect(url_for("auth.sso_continue", slug=slug), 303)
        form.email.errors.append(
            "No organisation signs in people of that email domain (or with that short name) "
            "through single sign-on. Sign in with your password instead, or ask your admin."
        )
    status = 422 if form.errors else 200
    return render_template("auth/sso.html", form=form), status


@bp.route("/sso/<slug>")
def sso_continue(slug):
    """Name the org whose provider the person is about to sign in with."""
    row = _settings_or_404(slug)
    return render_template("auth/sso_continue.html", org=row.org)


@bp.route("/sso/<slug>/start")
def sso_redirect(slug):
    """Send the browser to the org's provider (authorization code flow with PKCE)."""
    row = _settings_or_404(slug)
    client = flow.client_for(row)
    try:
        flow.check_discovery(row, client)
    except requests.RequestException:
        abort(502, f"{row.org.name}'s sign-in provider did not answer. Try again in a minute.")
    except (ValueError, flow.SsoRefused) as exc:
        abort(
            502,
            str(exc)
            if isinstance(exc, flow.SsoRefused)
            else "The provider's discovery document is not valid.",
        )
    session[PENDING] = row.org_id
    hint = session.pop(HINT, "")
    extra = {"login_hint": hint} if hint else {}
    return client.authorize_redirect(external_url("auth.sso_callback"), **extra)


def _failed(response) -> bool:
    return response.status_code >= 400


@bp.route("/sso/callback")
@limiter.limit("30 per 15 minutes", deduct_when=_failed)
def sso_callback():
    """Check the provider's answer and sign the person in (creating them on their first visit)."""
    org_id = session.pop(PENDING, None)
    row = sso_settings.settings_of(org_id) if isinstance(org_id, int) else None
    if row is None:
        abort(
            400, "This sign-in was already used or has expired. Start again from the sign-in page."
        )
    client = flow.client_for(row)
    try:
        token = client.authorize_access_token(
            claims_options={"iss": {"essential": True, "values": [row.issuer]}}
        )
    except MismatchingStateError:
        abort(
            400,
            "This answer from the provider does not belong to the sign-in you started. Start again.",
        )
    except OAuthError as exc:
        abort(
            400,
            f"The provider did not sign you in ({(exc.description or exc.error or 'refused')[:200]}).",
        )
    except (AuthlibBaseError, JoseError, ValueError, KeyError):
        abort(400, "The provider's answer could not be verified, so nobody was signed in.")
    except requests.RequestException:
        abort(502, f"{row.org.name}'s sign-in provider did not answer. Try again in a minute.")
    if not token.get("userinfo"):
        abort(400, "The provider sent no ID token, so nobody was signed in.")
    claims = dict(token["userinfo"])
    try:
        claims = flow.claims_of(client, token)
        user = flow.person_for(row, claims)
    except requests.RequestException:
        abort(502, f"{row.org.name}'s sign-in provider did not answer. Try again in a minute.")
    except flow.SsoRefused as exc:
        _record_refusal(row, claims, str(exc))
        abort(403, str(exc))
    try:
        sessions.sign_in(user)
        audit.record_for_person(
            user, "signin.succeeded", f"{user.name} signed in by single sign-on", actor=user
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        abort(409, "You were signed in from another window at the same moment. Start again.")
    return redirect(url_for("orgs.home", slug=row.org.slug))


def _record_refusal(row, claims: dict, reason: str) -> None:
    """Keep a refused single sign-on in the org's audit trail."""
    db.session.rollback()
    email = str(claims.get("email") or "no email")[:120]
    audit.record(
        row.org_id,
        "signin.failed",
        f"Single sign-on refused for {email}: {reason}"[:500],
        actor_label=f"someone at {request.remote_addr or 'unknown address'}"[:200],
    )
    db.session.commit()

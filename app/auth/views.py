"""Views of sign in, sign out and password change."""

import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from .. import sso as sso_settings
from ..access import user_orgs
from ..domain.passwords import password_problem
from ..extensions import db, limiter, login_manager
from ..models import User
from . import bp, sessions
from .forms import ChangePasswordForm, EmptyForm, LoginForm, require_form


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the signed-in person when their session is live (revoked sessions sign out)."""
    return sessions.load(session_id)


@bp.before_app_request
def require_own_password():
    """Let a person on a one-time password do nothing but choose their own."""
    if not (current_user.is_authenticated and current_user.must_change_password):
        return None
    if request.endpoint in OPEN_ON_ONE_TIME_PASSWORD or request.path.startswith("/api/"):
        return None
    if request.method == "GET":
        flash("Choose your own password first: the one-time password only opens this page.", "info")
    return redirect(url_for("auth.change_password"))


# What a person on a one-time password may still reach (the API refuses them by itself).
OPEN_ON_ONE_TIME_PASSWORD = {
    "auth.change_password",
    "auth.logout",
    "auth.login",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.accept_invitation",
    "static",
    "bootstrap.static",
    "healthz",
}


def _safe_next(target: str | None) -> str | None:
    """Accept a next URL only when it stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/")
def index():
    """Send a signed-in person to their org, anyone else to sign in."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    orgs = user_orgs(current_user.id)
    if len(orgs) == 1:
        return redirect(url_for("orgs.home", slug=orgs[0][0].slug))
    return render_template("auth/choose_org.html", orgs=orgs)


def _account_key() -> str:
    """Return the throttling key of the account a sign-in attempt names."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    return response.status_code == 401


THROTTLED = (
    "Too many failed sign-ins for this account or from this address. "
    "Wait a few minutes and try again, or ask an admin to reset your password."
)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per 15 minutes", methods=["POST"], deduct_when=_failed, error_message=THROTTLED)
@limiter.limit(
    "8 per 15 minutes",
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message=THROTTLED,
)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            sa.select(User).where(User.email == form.email.data.strip().lower())
        )
        if _sso_only(form.email.data):
            return _refuse_password(form)
        if user is None or not user.has_usable_password:
            _spend_a_hash_check(form.password.data)  # the same work as for a real account
        if user is None or not user.active or not user.check_password(form.password.data):
            _record_failed_sign_in(user, form.email.data)
            flash("That email and password do not match an account.", "danger")
            return render_template("auth/login.html", form=form), 401
        if sso_settings.password_refused(user.id):
            return _refuse_password(form)
        sessions.sign_in(user, remember=form.remember.data)
        audit.record_for_person(user, "signin.succeeded", f"{user.name} signed in", actor=user)
        db.session.commit()
        if user.must_change_password:
            flash("Please choose your own password now.", "info")
            return redirect(url_for("auth.change_password"))
        return redirect(_safe_next(request.args.get("next")) or url_for("auth.index"))
    return render_template("auth/login.html", form=form)


def _sso_only(email: str) -> bool:
    """Return True when the email's domain belongs to an org that allows no password sign-in."""
    row = sso_settings.org_for_email(email)
    return row is not None and not row.password_allowed


def _refuse_password(form: LoginForm):
    """Answer a password sign-in of a person whose org signs in only through its provider."""
    form.password.errors.append(
        "Your organisation signs in through its own provider, not with a password here: "
        "use “Sign in with your organisation”."
    )
    return render_template("auth/login.html", form=form, sso_only=True), 403


def _record_failed_sign_in(user: User | None, email: str) -> None:
    """Keep a failed sign-in in the audit trail of the person's orgs (or of no org)."""
    address = request.remote_addr or "unknown address"
    label = f"someone at {address}"[:200]
    if user is None:
        shown = email.strip().lower()[:120]
        audit.record(
            None, "signin.failed", f"Failed sign-in for unknown {shown}", actor_label=label
        )
    else:
        audit.record_for_person(
            user, "signin.failed", f"Failed sign-in as {user.email}", actor_label=label
        )
    db.session.commit()


def _spend_a_hash_check(password: str) -> None:
    """Check a password against a throwaway hash, as long as checking a real one takes."""
    global _THROWAWAY
    if _THROWAWAY is None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        _THROWAWAY = generate_password_hash(secrets.token_hex(16), method=method)
    check_password_hash(_THROWAWAY, password)


_THROWAWAY: str | None = None


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out."""
    if EmptyForm().validate_on_submit():
        sessions.sign_out(current_user)
        db.session.commit()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the signed-in person's password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problem = password_problem(form.new.data, current_user.email, current_user.name)
        if not current_user.check_password(form.current.data):
            form.current.errors.append("This is not your current password.")
        elif problem or form.new.data == form.current.data:
            form.new.errors.append(problem or "Choose a password you have not used here.")
        else:
            current_user.set_password(form.new.data)
            current_user.must_change_password = False
            ended = sessions.revoke(current_user.id, keep=sessions.current_row(current_user))
            audit.record_for_person(
                current_user, "person.password", f"{current_user.name} changed their password"
            )
            db.session.commit()
            flash(
                "Your password is changed"
                + (f"; {ended} other session(s) were signed out." if ended else "."),
                "success",
            )
            return redirect(url_for("auth.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Create and revoke personal access tokens for the API."""
    from ..api.auth import create_token, revoke_token
    from ..models import ApiToken

    form = EmptyForm()
    new_token = None
    if form.validate_on_submit():
        if request.form.get("action") == "revoke":
            token_id = request.form.get("token_id", type=int) or 0
            if revoke_token(current_user, token_id):
                audit.record_for_person(
                    current_user, "token.revoked", f"{current_user.name} revoked token {token_id}"
                )
                db.session.commit()
                flash("Token revoked: it no longer works.", "success")
            return redirect(url_for("auth.tokens"))
        row, new_token = create_token(current_user, request.form.get("name", ""))
        audit.record_for_person(
            current_user,
            "token.created",
            f"{current_user.name} created the API token {row.name} ({row.prefix}…)",
        )
        db.session.commit()
    rows = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("auth/tokens.html", form=form, tokens=rows, new_token=new_token)


@bp.route("/account/data.json")
@login_required
def my_data():
    """Download everything Ascent holds about the signed-in person."""
    from ..orgs.privacy_views import data_download

    return data_download(current_user)


@bp.route("/account/reminders", methods=["POST"])
@login_required
def reminder_settings():
    """Turn the weekly email about overdue modules on or off."""
    require_form()
    wanted = request.form.get("module_reminders") == "on"
    if wanted != current_user.module_reminders:
        current_user.module_reminders = wanted
        audit.record_for_person(
            current_user,
            "person.reminders",
            f"{current_user.name} turned weekly module reminders {'on' if wanted else 'off'}",
        )
        db.session.commit()
    flash(
        "Weekly reminders of overdue modules are "
        + ("on." if wanted else "off: you will not get them."),
        "success",
    )
    return redirect(url_for("auth.change_password") + "#reminders")

"""Views of sign in, sign out and password change."""

import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.security import check_password_hash, generate_password_hash

from ..access import user_orgs
from ..domain.passwords import password_problem
from ..extensions import db, limiter, login_manager
from ..models import User
from . import bp, sessions
from .forms import ChangePasswordForm, EmptyForm, LoginForm


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
        if user is None or not user.has_usable_password:
            _spend_a_hash_check(form.password.data)  # the same work as for a real account
        if user is None or not user.check_password(form.password.data):
            flash("That email and password do not match an account.", "danger")
            return render_template("auth/login.html", form=form), 401
        sessions.sign_in(user, remember=form.remember.data)
        db.session.commit()
        if user.must_change_password:
            flash("Please choose your own password now.", "info")
            return redirect(url_for("auth.change_password"))
        return redirect(_safe_next(request.args.get("next")) or url_for("auth.index"))
    return render_template("auth/login.html", form=form)


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
            if revoke_token(current_user, request.form.get("token_id", type=int) or 0):
                db.session.commit()
                flash("Token revoked: it no longer works.", "success")
            return redirect(url_for("auth.tokens"))
        _, new_token = create_token(current_user, request.form.get("name", ""))
        db.session.commit()
    rows = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("auth/tokens.html", form=form, tokens=rows, new_token=new_token)

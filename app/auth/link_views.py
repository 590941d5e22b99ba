"""Pages of one-time links: forgot password, reset it, and accept an invitation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..domain.passwords import password_problem
from ..extensions import db, limiter
from ..models import Membership, Org, User
from . import bp, links, sessions
from .forms import EmptyForm, ForgotForm, NewPasswordForm

SENT = (
    "If an account uses that address, a link to choose a new password is on its way. It "
    "works once, for one hour."
)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=lambda: _email_key())
@limiter.limit("20 per 15 minutes", methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the email has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            sa.select(User).where(User.email == form.email.data.strip().lower())
        )
        if user is not None and user.active:  # a deactivated person gets nothing
            links.send_reset(user)
            db.session.commit()
        flash(SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


def _email_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password from a reset link; every other session of the person ends."""
    link = links.find("reset", token)
    if link is None:
        return render_template("auth/link_expired.html", kind="reset"), 404
    user = db.session.get(User, link.user_id)
    form = NewPasswordForm()
    if form.validate_on_submit() and _password_chosen(form, user):
        links.use(link)
        sessions.revoke(user.id)
        audit.record_for_person(
            user, "person.password_reset", f"{user.name} reset their password", actor=user
        )
        sessions.sign_in(user)
        db.session.commit()
        flash("Your password is set, and every other session is signed out.", "success")
        return redirect(url_for("auth.index"))
    return render_template("auth/reset.html", form=form, person=user), (422 if form.errors else 200)


def _password_chosen(form: NewPasswordForm, user: User) -> bool:
    """Set the form's new password when the policy accepts it; else say why on the form."""
    problem = password_problem(form.new.data, user.email, user.name)
    if problem:
        form.new.errors.append(problem)
        return False
    user.set_password(form.new.data)
    user.must_change_password = False
    return True


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    """Join an org from an invitation: choose a password, or accept with an existing account."""
    link = links.find("invite", token)
    if link is None:
        return render_template("auth/link_expired.html", kind="invite"), 404
    user = db.session.get(User, link.user_id)
    org = db.session.get(Org, link.org_id)
    if user.has_usable_password:
        return _accept_with_account(link, user, org)
    form = NewPasswordForm()
    if form.validate_on_submit() and _password_chosen(form, user):
        _join(link, user, org)
        sessions.sign_in(user)
        db.session.commit()
        flash(f"Welcome to {org.name}.", "success")
        return redirect(url_for("orgs.home", slug=org.slug))
    return render_template("auth/invitation.html", form=form, person=user, org=org, link=link), (
        422 if form.errors else 200
    )


def _accept_with_account(link, user: User, org: Org):
    """An existing account accepts while signed in as itself."""
    form = EmptyForm()
    signed_in_as_them = current_user.is_authenticated and current_user.id == user.id
    if signed_in_as_them and form.validate_on_submit():
        _join(link, user, org)
        db.session.commit()
        flash(f"You joined {org.name}.", "success")
        return redirect(url_for("orgs.home", slug=org.slug))
    return render_template(
        "auth/invitation.html",
        form=form,
        person=user,
        org=org,
        link=link,
        existing=True,
        signed_in_as_them=signed_in_as_them,
    )


def _join(link, user: User, org: Org) -> None:
    """Give the person the invitation's role in the org and use the link up."""
    from ..orgs.operations import set_org_role

    present = db.session.scalar(
        sa.select(Membership.id).where(Membership.org_id == org.id, Membership.user_id == user.id)
    )
    if not present:
        set_org_role(org, user, link.role or "member")
    links.use(link)
    audit.record(
        org, "person.joined", f"{user.name} accepted the invitation", target=("person", user.id)
    )

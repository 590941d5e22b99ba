"""Sign in, sign out, change or reset a password, and accept an invitation."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import link_views, sso_views, views  # noqa: E402, F401

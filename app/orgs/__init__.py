"""An org's home page and its administration: people, teams, roles and cycles."""

from flask import Blueprint

bp = Blueprint("orgs", __name__, url_prefix="/o/<slug>")

from . import privacy_views, roster_views, sso_views, views  # noqa: E402, F401

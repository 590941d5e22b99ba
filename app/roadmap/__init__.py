"""A team's targets, prioritized roadmap and ownership matrix."""

from flask import Blueprint

bp = Blueprint("roadmap", __name__, url_prefix="/o/<slug>/teams/<int:team_id>")

from . import views  # noqa: E402, F401

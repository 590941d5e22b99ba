"""Upskilling: workshop modules, assignment, progress and its effect over time."""

from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/o/<slug>")

from . import views  # noqa: E402, F401

"""Compare teams in a cycle, follow trends over cycles, and the org heatmap."""

from flask import Blueprint

bp = Blueprint("compare", __name__, url_prefix="/o/<slug>")

from . import views  # noqa: E402, F401

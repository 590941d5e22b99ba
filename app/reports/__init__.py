"""Team reports, the org's teams at a glance, and how scores are computed."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import views  # noqa: E402, F401

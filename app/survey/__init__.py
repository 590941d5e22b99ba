"""The maturity survey: one page per challenge, drafts, review and submit."""

from flask import Blueprint

bp = Blueprint("survey", __name__, url_prefix="/o/<slug>/survey")

from . import views  # noqa: E402, F401

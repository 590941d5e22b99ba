"""JSON API v1: personal access tokens, reads for BI tools, and a few writes."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import views  # noqa: E402, F401

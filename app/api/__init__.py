"""JSON API v1: personal access tokens, reads for BI tools, and a few writes."""

from flask import Flask
from flask_smorest import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import views  # noqa: E402, F401


def register(app: Flask) -> None:
    """Mount the API and generate its OpenAPI document from the routes' schemas."""
    from .openapi import register as register_document

    register_document(app, bp)

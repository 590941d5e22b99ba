"""Error pages and JSON errors, chosen by what the client accepts."""

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db


def wants_json() -> bool:
    """Return True for API paths and clients that prefer JSON to HTML."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, code: str, message: str, details=None):
    """Return an error as JSON {"error": {...}} or as an HTML page."""
    if wants_json():
        body = {"error": {"code": code, "message": message, "details": details or {}}}
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def http_error_response(exc: HTTPException):
    """Answer an HTTP error in the client's format, keeping its Allow header on a 405."""
    code = (exc.name or "error").lower().replace(" ", "_")
    body, status = error_response(exc.code or 500, code, exc.description or exc.name)
    allow = [value for name, value in exc.get_headers() if name == "Allow"]
    return body, status, {"Allow": allow[0]} if allow else {}


def register(app: Flask) -> None:
    """Install the handlers for HTTP errors and unexpected exceptions."""

    app.errorhandler(HTTPException)(http_error_response)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        db.session.rollback()
        if app.testing:
            raise exc
        app.logger.exception("unhandled error")
        error = InternalServerError()
        return error_response(500, "internal_server_error", error.description)

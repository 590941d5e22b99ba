"""API errors: every refusal is {"error": {"code", "message", "details"}} with a 4xx status."""

from __future__ import annotations

import json

from flask import jsonify
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

MAX_LISTED = 5
NOT_JSON = "Send a JSON object with Content-Type: application/json."


class ApiError(Exception):
    """An error answered as {"error": {"code", "message", "details"}} with a 4xx status."""

    def __init__(self, status: int, code: str, message: str, details=None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


def api_error_response(exc: ApiError):
    """Answer an ApiError as JSON with its status."""
    body = {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
    return jsonify(body), exc.status


def field_messages(messages, path: str = "") -> dict[str, str]:
    """Flatten marshmallow's nested messages to {"answers.q1.level": "message"}."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {path or "body": " ".join(messages)}
    if isinstance(messages, dict):
        flat: dict[str, str] = {}
        for key, value in messages.items():
            # A Dict field reports a bad key under "key" and a bad value under "value".
            name = str(key) if len(str(key)) <= 60 else str(key)[:60] + "…"
            step = path if key in ("value", "key", "_schema") else f"{path}.{name}".lstrip(".")
            flat |= field_messages(value, step)
        return flat
    return {path or "body": str(messages)}


class RequestParser(FlaskParser):
    """Load request bodies and queries for the schemas; refuse bad ones as API errors.

    A body that is not a JSON object is a 400; a query that does not fit is a 400 (as a
    malformed URL); a JSON object that does not fit its schema is a 422.
    """

    def load_json(self, req, schema):
        """Return the body as a dict, or refuse anything that is not a JSON object."""
        if not is_json_request(req):
            raise ApiError(400, "bad_request", NOT_JSON)
        try:
            body = core.parse_json(req.get_data(cache=True))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise ApiError(400, "bad_request", f"The body is not valid JSON. {NOT_JSON}") from None
        if not isinstance(body, dict):
            raise ApiError(400, "bad_request", NOT_JSON)
        return body

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        """Refuse the request, naming each field that is wrong and why."""
        ((location, messages),) = error.messages.items()
        details = field_messages(messages)
        listed = "; ".join(
            f"{field}: {message}" for field, message in list(details.items())[:MAX_LISTED]
        )
        if len(details) > MAX_LISTED:
            listed += f"; and {len(details) - MAX_LISTED} more in details"
        if location == "json":
            raise ApiError(422, "invalid", f"Nothing was saved. {listed}", details)
        raise ApiError(400, "bad_request", f"The query does not fit: {listed}", details)

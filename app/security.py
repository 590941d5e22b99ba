"""What every request and response goes through: refuse control characters, send security headers."""

from __future__ import annotations

import re

from flask import Flask, request
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from .domain.inputs import control_characters

# No inline script anywhere: scripts come from the site's own files. Styles allow inline
# attributes because server-rendered charts (SVG) and Bootstrap utilities carry them.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# No request needs JSON nested deeper; walking deeper would risk the stack.
MAX_JSON_DEPTH = 64
# Assets that may be cached: everything else a signed-in person sees is personal.
_PUBLIC_PREFIXES = ("/static/", "/bootstrap/", "/healthz")


def register(app: Flask) -> None:
    """Refuse requests carrying control characters; add security headers to every response."""
    app.before_request(refuse_control_characters)
    app.after_request(add_security_headers)


def refuse_control_characters():
    """Answer 400 when the URL, a query or form value or a JSON string holds a control character.

    In JSON a lone surrogate counts as one too.
    """
    where = _first_control_character()
    if where:
        raise BadRequest(
            f"The {where} contains a control character (such as NUL); remove it and try again."
        )


def _first_control_character() -> str | None:
    if control_characters(request.path):
        return "address"
    for name, values in request.args.lists():
        if control_characters(name) or any(control_characters(v) for v in values):
            return f"query parameter {name!r}"
    if request.method in ("POST", "PUT", "PATCH"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, values in request.form.lists():
                if control_characters(name) or any(control_characters(v) for v in values):
                    return f"field {name!r}"
        elif request.is_json and _json_has_control(_json_body()):
            return "JSON body"
    return None


def _json_body():
    """Return the parsed JSON body, None when it does not parse; refuse one nested too deep."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise BadRequest("The JSON body is nested too deeply.") from None


def _json_has_control(value, depth: int = 0) -> bool:
    if depth > MAX_JSON_DEPTH:
        raise BadRequest("The JSON body is nested too deeply.")
    if isinstance(value, str):
        # JSON may escape a lone surrogate ("\ud800"): not text, and no database can store it.
        return control_characters(value) or bool(_SURROGATE.search(value))
    if isinstance(value, dict):
        return any(
            _json_has_control(k) or _json_has_control(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_json_has_control(v, depth + 1) for v in value)
    return False


def add_security_headers(response):
    """Forbid framing and sniffing, limit referrers, set the CSP; personal pages are not stored."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not request.path.startswith(_PUBLIC_PREFIXES) and (
        current_user.is_authenticated or request.path.startswith("/api/")
    ):
        headers["Cache-Control"] = "no-store"
    return response

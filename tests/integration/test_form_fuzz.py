"""Malformed values in every form of the site: each answer is a page or a 4xx, never a 5xx.

Routes come from app.url_map (every non-API route that takes POST), and the fields to spoil
from the forms on each route's own page when it has one, so a new form is fuzzed without
touching this file.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import submit_response

ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.I)
HUGE = "x" * 100_000
BAD_VALUES = ["", "²", "١٢", "-1", "1e3", "99999999999999999999", "\x00", "a\r\nb", "\u202e", HUGE]
COMMON_FIELDS = ["name", "email", "role", "status", "reason", "level", "question_id", "from_level"]


def _url(rule, values: dict) -> str | None:
    url = rule.rule
    for name in rule.arguments:
        if name not in values:
            return None
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(values[name]), url)
    return url


@pytest.mark.parametrize("email", ["admin@acme.test", "lead@acme.test"])
def test_every_form_refuses_malformed_values_without_a_server_error(
    app, client, world, login, email
):
    submit_response(world["cycle"], world["team"], world["alice"], {"data.contracts": 2})
    login(email)
    values = {
        "slug": "acme",
        "team_id": world["team"].id,
        "cycle_name": "2026-Q4",
        "user_id": world["bob"].id,
        "challenge": "data",
        "key": "data-contracts-first-feeds",
        "profile_id": 1,
        "link_id": 1,
        "token": "x" * 30,
    }
    routes = [
        r
        for r in app.url_map.iter_rules()
        if "POST" in r.methods
        and not r.rule.startswith("/api/")
        and r.endpoint not in ("auth.logout", "auth.login", "auth.forgot_password")
        and not r.endpoint.endswith(("erase_person", "set_active"))
    ]
    assert len(routes) > 15
    sent = 0
    for rule in routes:
        url = _url(rule, values)
        assert url is not None, f"no value for a part of {rule.rule}"
        fields = list(COMMON_FIELDS)
        if "GET" in rule.methods:
            page = client.get(url)
            assert page.status_code < 500, url
            fields += FIELD.findall(page.get_data(as_text=True))
        for field in dict.fromkeys(fields):
            if field == "csrf_token":
                continue
            for bad in BAD_VALUES:
                response = client.post(url, data={field: bad})
                sent += 1
                assert response.status_code < 500, (url, field, bad[:20])
        for bad_part in ("²", "99999999999", "%00"):
            spoiled = re.sub(r"/\d+(?=/|$)", f"/{bad_part}", url, count=1)
            if spoiled != url:
                assert client.post(spoiled, data={}).status_code < 500, spoiled
    assert sent > 500

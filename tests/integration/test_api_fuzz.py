"""Malformed input on every API route: each answer is a 2xx or a JSON error with a 4xx, never a 5xx.

Routes come from app.url_map and the fields to spoil from the OpenAPI document, so a new
route or a new field is fuzzed without touching this file.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from app.api.auth import create_token
from app.api.openapi import spec
from app.extensions import db

ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")
HUGE = "x" * 200_000
# Values a field should refuse or survive: wrong types, control characters, digits that
# str.isdigit() takes ("²"), numbers out of range, huge text.
BAD_VALUES = [
    None,
    True,
    -1,
    1.5,
    10**30,
    "",
    "²",
    "١٢",
    "\x00",
    "a\r\nb",
    "\u202e\U0001f600",
    HUGE,
    [],
    [1, "x"],
    {},
    {"level": "\x00"},
]
BAD_PATH_VALUES = ["²", "\x00", "%", "0", "-1", "99999999999", "1e3", "..", " ", "x" * 5000]
BAD_QUERY_VALUES = ["²", "١", "-1", "0", "1.5", "1e3", "", "\x00", "true", HUGE, "9" * 40]
# Whole bodies: (content type, raw bytes).
BAD_BODIES = [
    ("application/json", b"{"),
    ("application/json", b""),
    ("application/json", b"null"),
    ("application/json", b"[]"),
    ("application/json", b"1"),
    ("application/json", b'"text"'),
    ("application/json", b"\xff\xfe{\x00"),
    ("application/json", b'{"answers": {"data.contracts": {"level": 1, "comment": "\\ud800"}}}'),
    ("application/json", b'{"question": "\\udfff", "from_level": 1, "status": "planned"}'),
    ("application/json", b"[" * 100_000),
    ("application/json", b'{"a":' * 500 + b"1" + b"}" * 500),
    ("application/json; charset=latin-1", '{"targets": {"data": 1}, "é": 1}'.encode("latin-1")),
    ("text/plain", b'{"targets": {"data": 3}}'),
    ("application/x-www-form-urlencoded", b"targets=1&answers=2"),
    (
        "multipart/form-data; boundary=x",
        b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--",
    ),
    ("application/xml", b"<targets/>"),
]
# A valid body per request schema, so each field can be spoiled on its own.
VALID = {
    "ResponseInput": {"answers": {"data.contracts": {"level": 2, "comment": "ok"}}},
    "TargetsInput": {"targets": {"data": 3}},
    "ActionInput": {"question": "data.contracts", "from_level": 1, "status": "planned"},
    "PersonInput": {"email": "fuzz@acme-insurance.com", "name": "Fuzz", "role": "member"},
}


@pytest.fixture
def fuzz(world, client):
    """Send requests as the team's lead and check every answer."""
    _, token = create_token(world["lead"], "fuzz")
    db.session.commit()
    real = {"slug": "acme", "team_id": str(world["team"].id), "cycle_name": "2026-Q4"}
    seen: list[tuple[str, str, int]] = []

    def send(method: str, url: str, **kwargs):
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        response = client.open(url, method=method, headers=headers, **kwargs)
        seen.append((method, url[:120], response.status_code))
        where = f"{method} {url[:200]} {str(kwargs)[:200]}"
        assert response.status_code < 500, where
        if response.status_code >= 400:
            assert response.mimetype == "application/json", where
            error = response.get_json()["error"]
            assert error["code"] and error["message"], where
            if response.status_code == 405:
                assert response.headers.get("Allow"), where
        return response

    return {"send": send, "real": real, "seen": seen}


def api_rules(app) -> list:
    """Return the API's URL rules, from the app's URL map."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    assert len(rules) >= 15
    return rules


def url_for_rule(rule, values: dict) -> str:
    """Fill a rule's arguments with values (percent-encoded) or a real one."""
    return ARGUMENT.sub(lambda m: quote(values[m.group(1)], safe=""), rule.rule)


def operation_of(rule, method: str) -> dict:
    """Return the rule's operation in the OpenAPI document, or {} when it is not described."""
    path = ARGUMENT.sub(r"{\1}", rule.rule).removeprefix("/api/v1")
    return spec()["paths"].get(path, {}).get(method.lower(), {})


def body_schema(operation: dict) -> tuple[str | None, dict]:
    """Return the name and the properties of the operation's request body schema."""
    ref = (
        operation.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema", {})
        .get("$ref")
    )
    if ref is None:
        return None, {}
    name = ref.rsplit("/", 1)[-1]
    return name, spec()["components"]["schemas"][name].get("properties", {})


def test_every_route_and_method_answers_bad_paths_in_json_4xx(app, fuzz):
    for rule in api_rules(app):
        for method in METHODS:
            fuzz["send"](method, url_for_rule(rule, fuzz["real"]))
        for name in rule.arguments:
            for bad in BAD_PATH_VALUES:
                fuzz["send"]("GET", url_for_rule(rule, {**fuzz["real"], name: bad}))
                if "PUT" in rule.methods:
                    fuzz["send"]("PUT", url_for_rule(rule, {**fuzz["real"], name: bad}), json={})


def test_every_query_parameter_refuses_bad_values_in_json_4xx(app, fuzz):
    for rule in api_rules(app):
        url = url_for_rule(rule, fuzz["real"])
        operation = operation_of(rule, "GET")
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        for name in [*names, "unknown\x00", "²"]:
            for bad in BAD_QUERY_VALUES:
                fuzz["send"]("GET", url, query_string={name: bad})
    refused = fuzz["send"]("GET", "/api/v1/orgs", query_string={"per_page": "²"})
    assert refused.status_code == 400 and "per_page" in refused.get_json()["error"]["message"]


def test_every_body_field_refuses_bad_values_in_json_4xx(app, fuzz):
    spoiled = 0
    for rule in api_rules(app):
        for method in sorted(rule.methods & {"PUT", "POST", "PATCH"}):
            url = url_for_rule(rule, fuzz["real"])
            name, properties = body_schema(operation_of(rule, method))
            base = VALID.get(name, {})
            for field in [*properties, "unexpected"]:
                for bad in BAD_VALUES:
                    fuzz["send"](method, url, json={**base, field: bad})
                    spoiled += 1
                fuzz["send"](method, url, json={k: v for k, v in base.items() if k != field})
            for content_type, raw in BAD_BODIES:
                fuzz["send"](method, url, data=raw, headers={"Content-Type": content_type})
            fuzz["send"](method, url)  # no body at all
    assert spoiled > 0


def test_fuzzing_reaches_the_views_not_only_the_refusals(app, fuzz):
    """The valid bodies succeed: the bad ones are refused for what they carry."""
    for rule in api_rules(app):
        for method in sorted(rule.methods & {"PUT"}):
            name, _ = body_schema(operation_of(rule, method))
            fuzz["send"](method, url_for_rule(rule, fuzz["real"]), json=VALID[name])
    assert [status for *_, status in fuzz["seen"]] == [200, 200, 200]


def test_bad_nested_answers_name_the_question(api_fuzz_answer):
    """A wrongly typed answer is a 422 naming the field by its path."""
    error = api_fuzz_answer.get_json()["error"]
    assert api_fuzz_answer.status_code == 422
    assert set(error["details"]) == {"answers.data.contracts.level", "answers.data.lineage.comment"}
    assert "answers.data.contracts.level" in error["message"]


@pytest.fixture
def api_fuzz_answer(world, client):
    """Send answers with a level of the wrong type and a comment too long."""
    _, token = create_token(world["alice"], "t")
    db.session.commit()
    body = {
        "answers": {
            "data.contracts": {"level": [2]},
            "data.lineage": {"level": 1, "comment": "x" * 2001},
        }
    }
    return client.put(
        f"/api/v1/orgs/acme/cycles/2026-Q4/teams/{world['team'].id}/response",
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )

"""The OpenAPI 3 document of API v1, kept next to the views it describes."""

from __future__ import annotations

from functools import cache

from ..domain.roadmap import STATUSES
from ..domain.vocabulary import CHALLENGE_KEYS, EFFORTS, ROLES

KEYS = [*CHALLENGE_KEYS, "overall"]
NUMBER_OR_NULL = {"type": "number", "nullable": True}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


SUPPRESSED = {
    "suppressed": {
        "type": "boolean",
        "description": "True when the team has fewer respondents than the org's minimum: "
        "its scores are null for anyone outside the team.",
    },
    "suppressed_reason": {
        "type": "string",
        "nullable": True,
        "example": "fewer than 3 respondents",
    },
}


def _obj(properties: dict, required: list[str] | None = None, extra: bool = True) -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
    }
    if not extra:
        schema["additionalProperties"] = False
    return schema


def _page_of(item: str) -> dict:
    return _obj(
        {
            "items": {"type": "array", "items": _ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
            "total": {"type": "integer", "minimum": 0},
        }
    )


def _by_key(value: dict, keys=KEYS) -> dict:
    return {
        "type": "object",
        "properties": dict.fromkeys(keys, value),
        "additionalProperties": False,
    }


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"description": "Malformed request", **_json(_ref("Error"))},
    "401": {"description": "Missing, unknown or revoked token", **_json(_ref("Error"))},
    "403": {"description": "Your role does not allow this", **_json(_ref("Error"))},
    "404": {"description": "No such object in your orgs", **_json(_ref("Error"))},
    "405": {"description": "Method not allowed", **_json(_ref("Error"))},
}
SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The org's slug",
}
TEAM = {
    "name": "team_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
CYCLE = {
    "name": "cycle_name",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "For example 2026-Q4",
}
CYCLE_QUERY = {"name": "cycle", "in": "query", "required": False, "schema": {"type": "string"}}
PAGING = [
    {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
    {
        "name": "per_page",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
    },
]


def _op(
    summary: str,
    schema: dict,
    parameters: list,
    body: dict | None = None,
    extra: tuple[str, ...] = (),
) -> dict:
    responses = {"200": {"description": "OK", **_json(schema)}, **ERRORS}
    for status in extra:
        responses[status] = {
            "description": {"409": "The cycle is closed", "422": "Invalid input"}[status],
            **_json(_ref("Error")),
        }
    operation = {"summary": summary, "parameters": parameters, "responses": responses}
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(body)}
    return operation


@cache
def spec() -> dict:
    """Return the OpenAPI document."""
    schemas = {
        "Error": _obj(
            {
                "error": _obj(
                    {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "details": {"type": "object"},
                    }
                )
            }
        ),
        "Me": _obj(
            {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "name": {"type": "string"},
                "orgs": {"type": "array", "items": _ref("Org")},
            }
        ),
        "Org": _obj(
            {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "role": {"type": "string", "enum": ["admin", "executive", "member"]},
            }
        ),
        "Team": _obj(
            {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "business_unit": {"type": "string"},
                "members": {"type": "integer"},
            }
        ),
        "Cycle": _obj(
            {
                "name": {"type": "string"},
                "questionnaire": {"type": "string"},
                "status": {"type": "string", "enum": ["open", "closed"]},
                "opened_at": {"type": "string", "format": "date-time"},
                "closed_at": {"type": "string", "format": "date-time", "nullable": True},
            }
        ),
        "ScoreEntry": _obj(
            {"score": NUMBER_OR_NULL, "disagreement": NUMBER_OR_NULL, "coverage": NUMBER_OR_NULL}
        ),
        "TeamScores": _obj(
            {
                "team": {"type": "string"},
                "team_id": {"type": "integer"},
                "cycles": {
                    "type": "array",
                    "items": _obj(
                        {
                            "cycle": {"type": "string"},
                            "respondents": {"type": "integer"},
                            "scores": _by_key(_ref("ScoreEntry")),
                            **SUPPRESSED,
                        }
                    ),
                },
            }
        ),
        "ComparisonTeam": _obj(
            {
                "team": {"type": "string"},
                "team_id": {"type": "integer"},
                "business_unit": {"type": "string"},
                "respondents": {"type": "integer", "minimum": 0},
                "low_confidence": {"type": "boolean"},
                **SUPPRESSED,
                "scores": _by_key(NUMBER_OR_NULL),
                "percentiles": _by_key(
                    {"type": "number", "minimum": 0, "maximum": 100, "nullable": True}
                ),
                "change": _by_key(NUMBER_OR_NULL),
            }
        ),
        "Comparison": _obj(
            {
                "cycle": {"type": "string"},
                "previous_cycle": {"type": "string", "nullable": True},
                "teams": {"type": "array", "items": _ref("ComparisonTeam")},
                "median": _by_key(NUMBER_OR_NULL),
                "quartiles": _by_key(
                    {
                        "type": "array",
                        "items": {"type": "number"},
                        "minItems": 2,
                        "maxItems": 2,
                        "nullable": True,
                    }
                ),
                "counts": _by_key({"type": "integer", "minimum": 0}),
            }
        ),
        "Action": _obj(
            {
                "question": {"type": "string"},
                "challenge": {"type": "string", "enum": list(CHALLENGE_KEYS)},
                "from_level": {"type": "integer", "minimum": 0, "maximum": 3},
                "mean_level": {"type": "number"},
                "priority": {"type": "number"},
                "effort": {"type": "string", "enum": list(EFFORTS)},
                "owner": {"type": "string", "enum": list(ROLES)},
                "earliest_phase": {"type": "string", "enum": ["now", "next", "later"]},
                "phase": {
                    "type": "string",
                    "enum": ["now", "next", "later", "backlog"],
                    "nullable": True,
                },
                "status": {"type": "string", "enum": list(STATUSES)},
                "unknown": {"type": "boolean"},
                "why": {"type": "string"},
                "text": {"type": "string"},
            }
        ),
        "Roadmap": _obj(
            {
                "team": {"type": "string"},
                "cycle": {"type": "string"},
                "challenges": {
                    "type": "array",
                    "items": _obj(
                        {
                            "key": {"type": "string"},
                            "score": NUMBER_OR_NULL,
                            "target": {"type": "integer"},
                            "gap": {"type": "number"},
                            "rank": {"type": "integer"},
                        }
                    ),
                },
                "actions": {"type": "array", "items": _ref("Action")},
                "closed": {"type": "array", "items": _ref("Action")},
                "note": {
                    "type": "string",
                    "description": "Present when the team has no responses in the cycle, or its "
                    "scores are hidden.",
                },
                **SUPPRESSED,
            },
            required=["team", "cycle", "challenges", "actions", "closed"],
        ),
        "Ownership": _obj(
            {
                "team": {"type": "string"},
                "matrix": {
                    "type": "array",
                    "items": _obj(
                        {
                            "challenge": {"type": "string"},
                            "role": {"type": "string", "enum": list(ROLES)},
                            "raci": {"type": "string", "enum": ["", "R", "A", "C", "I"]},
                            "person": {"type": "string", "nullable": True},
                        }
                    ),
                },
                "findings": {
                    "type": "array",
                    "items": _obj(
                        {
                            "kind": {"type": "string"},
                            "challenge": {"type": "string", "nullable": True},
                            "role": {"type": "string", "nullable": True},
                            "person": {"type": "string", "nullable": True},
                            "message": {"type": "string"},
                        }
                    ),
                },
            }
        ),
        "Assignment": _obj(
            {
                "team": {"type": "string"},
                "person": {"type": "string"},
                "module": {"type": "string"},
                "challenge": {"type": "string"},
                "status": {"type": "string", "enum": ["not started", "in progress", "completed"]},
                "progress": {"type": "number", "minimum": 0, "maximum": 1},
                "assigned_at": {"type": "string", "format": "date-time"},
                "due_at": {"type": "string", "format": "date-time", "nullable": True},
                "completed_at": {"type": "string", "format": "date-time", "nullable": True},
                "quiz_score": NUMBER_OR_NULL,
            }
        ),
        "ResponseInput": _obj(
            {
                "answers": {
                    "type": "object",
                    "description": "Question id to answer",
                    "additionalProperties": _obj(
                        {
                            "level": {
                                "oneOf": [
                                    {"type": "integer", "minimum": 0, "maximum": 4},
                                    {"type": "string", "enum": ["unknown", "na"]},
                                ]
                            },
                            "comment": {"type": "string", "maxLength": 2000},
                        },
                        required=["level"],
                    ),
                },
                "submit": {
                    "type": "boolean",
                    "description": "true submits the response; false keeps a draft",
                },
            },
            required=["answers"],
        ),
        "ResponseResult": _obj(
            {
                "status": {"type": "string", "enum": ["draft", "submitted"]},
                "answered": {"type": "integer"},
                "total": {"type": "integer"},
            }
        ),
        "TargetsInput": _obj(
            {
                "targets": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 4},
                }
            }
        ),
        "TargetsResult": _obj(
            {
                "team": {"type": "string"},
                "targets": _by_key({"type": "integer", "minimum": 0, "maximum": 4}, CHALLENGE_KEYS),
            }
        ),
        "ActionInput": _obj(
            {
                "question": {"type": "string"},
                "from_level": {"type": "integer", "minimum": 0, "maximum": 3},
                "status": {"type": "string", "enum": list(STATUSES)},
                "reason": {"type": "string"},
            },
            required=["question", "from_level", "status"],
        ),
        "ActionResult": _obj(
            {
                "question": {"type": "string"},
                "from_level": {"type": "integer"},
                "status": {"type": "string"},
            }
        ),
    }
    paths = {
        "/me": {"get": _op("The token's owner and their orgs", _ref("Me"), [])},
        "/orgs": {"get": _op("Your orgs", _page_of("Org"), PAGING)},
        "/orgs/{slug}": {"get": _op("One org", _ref("Org"), [SLUG])},
        "/orgs/{slug}/teams": {"get": _op("The org's teams", _page_of("Team"), [SLUG, *PAGING])},
        "/orgs/{slug}/cycles": {
            "get": _op("The org's cycles, newest first", _page_of("Cycle"), [SLUG, *PAGING])
        },
        "/orgs/{slug}/teams/{team_id}/scores": {
            "get": _op("A team's scores per cycle", _ref("TeamScores"), [SLUG, TEAM, CYCLE_QUERY])
        },
        "/orgs/{slug}/cycles/{cycle_name}/comparison": {
            "get": _op(
                "Compare the org's teams in a cycle (percentile ranks included)",
                _ref("Comparison"),
                [SLUG, CYCLE],
            )
        },
        "/orgs/{slug}/teams/{team_id}/roadmap": {
            "get": _op("A team's roadmap in a cycle", _ref("Roadmap"), [SLUG, TEAM, CYCLE_QUERY])
        },
        "/orgs/{slug}/teams/{team_id}/ownership": {
            "get": _op("A team's ownership matrix and findings", _ref("Ownership"), [SLUG, TEAM])
        },
        "/orgs/{slug}/assignments": {
            "get": _op(
                "Module assignments and progress",
                _page_of("Assignment"),
                [
                    SLUG,
                    {
                        "name": "team_id",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1},
                    },
                    *PAGING,
                ],
            )
        },
        "/orgs/{slug}/cycles/{cycle_name}/teams/{team_id}/response": {
            "put": _op(
                "Save your answers for a team, as a draft or submitted",
                _ref("ResponseResult"),
                [SLUG, CYCLE, TEAM],
                _ref("ResponseInput"),
                ("409", "422"),
            )
        },
        "/orgs/{slug}/teams/{team_id}/targets": {
            "put": _op(
                "Set a team's targets (lead or admin)",
                _ref("TargetsResult"),
                [SLUG, TEAM],
                _ref("TargetsInput"),
                ("422",),
            )
        },
        "/orgs/{slug}/teams/{team_id}/roadmap/actions": {
            "put": _op(
                "Mark a roadmap action (lead or admin)",
                _ref("ActionResult"),
                [SLUG, TEAM],
                _ref("ActionInput"),
                ("422",),
            )
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Ascent API",
            "version": "1.0.0",
            "description": "Read teams' scores, comparisons, roadmaps, ownership and training; submit responses, set targets and mark actions. Authenticate with a personal access token: `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "paths": paths,
    }

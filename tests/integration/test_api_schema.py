"""A schema-driven run (schemathesis) against the OpenAPI document: no 5xx, no response off the schema."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api.auth import create_token
from app.comparisons import store_team_scores
from app.extensions import db
from tests.conftest import submit_response

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_api_conforms_to_its_document(app, world):
    submit_response(
        world["cycle"],
        world["team"],
        world["alice"],
        {"data.contracts": 2, "governance.review-gates": 1},
    )
    store_team_scores(world["cycle"])
    _, token = create_token(world["lead"], "schemathesis")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    real = {"slug": "acme", "team_id": world["team"].id, "cycle_name": "2026-Q4"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 15

    for operation in operations:
        # Valid data, then invalid data (wrong types, missing fields, out-of-range values).
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=10,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def run(case):
                case.call_and_validate(headers=headers, checks=CHECKS)
                # The same case on real objects, so generated data also meets an existing team
                # and cycle.
                for name in case.path_parameters or {}:
                    if name in real:
                        case.path_parameters[name] = real[name]
                case.call_and_validate(headers=headers, checks=CHECKS)

            run()


def test_the_document_declares_every_answer_it_can_give(client):
    """No catch-all: each operation lists its statuses, and each error is the Error document."""
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            statuses = set(operation["responses"])
            assert "default" not in statuses, path
            assert {"200", "400", "401", "403", "404", "405", "429"} <= statuses, path
            if method == "put":
                assert "422" in statuses, path
            for status in statuses - {"200"}:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (path, status)

"""Run schemathesis over the whole API document on a fresh PostgreSQL database with the demo org.

Every operation is fuzzed with valid (positive) and invalid (negative) data, as each of four
roles, once with generated path parameters and once on the demo org's real team and cycle.
Prints the cases sent, the 5xx answers, and the violations of the document (status code,
content type, answer schema), then, for information, the valid-looking requests the server
refused and the invalid ones it accepted.

Then runs the schemathesis command line (st run --checks all: examples, coverage, fuzzing and
stateful phases, unsupported methods included) as the lead against the same app served on
loopback, and prints its summary.

Usage: .venv/bin/python -m bench.schemathesis_pg [examples per operation, mode and role]
Needs PostgreSQL at ASCENT_TEST_POSTGRES (default postgresql://root@127.0.0.1:5432/test).
"""

from __future__ import annotations

import collections
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg
import schemathesis
import sqlalchemy as sa
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from app import create_app
from app.api.auth import create_token
from app.demo import create_demo
from app.extensions import db
from app.models import Team, User

ADMIN_URL = os.environ.get("ASCENT_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test")
ROLES = ("admin@demo.ascent", "exec@demo.ascent", "lead@demo.ascent", "member@demo.ascent")
VIOLATIONS = [status_code_conformance, content_type_conformance, response_schema_conformance]
INFORMATION = [positive_data_acceptance, negative_data_rejection]


def main(examples: int = 40) -> None:
    """Create a database, load the demo org, fuzz every operation, print the counts, drop it."""
    name = f"ascent_fuzz_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        run(url.replace("postgresql://", "postgresql+psycopg://", 1), examples)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(database_url: str, examples: int) -> None:
    """Fuzz the API of an app on database_url and print what came back."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "bench",
                "QUEUE": "immediate",
                # A 5xx must come back as an answer to count, not as an exception.
                "TESTING": False,
                # The limiter throttles wrong tokens; every request here carries a good one.
                "RATELIMIT_ENABLED": False,
            }
        )
        app.instance_path = folder
        with app.app_context():
            upgrade()
            create_demo()
            db.session.commit()
            tokens = {}
            for email in ROLES:
                user = db.session.scalar(sa.select(User).where(User.email == email))
                tokens[email] = create_token(user, "schemathesis")[1]
            team_id = db.session.scalar(sa.select(Team.id).where(Team.name == "Fraud Detection"))
            db.session.commit()
        real = {"slug": "demo", "team_id": team_id, "cycle_name": "2026-Q4"}
        started = time.perf_counter()
        counts = fuzz(app, tokens, real, examples)
        report(counts, time.perf_counter() - started)
        command_line(app, tokens["lead@demo.ascent"], min(examples, 30))


def command_line(app, token: str, examples: int) -> None:
    """Serve the app on loopback and run `st run --checks all` on its document; print the end."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.port}/api/v1"
    st = Path(sys.executable).with_name("st")
    try:
        result = subprocess.run(
            [
                str(st),
                "run",
                f"{base}/openapi.json",
                "--url",
                base,
                "-H",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--max-examples",
                str(examples),
                "--no-color",
            ],
            capture_output=True,
            text=True,
            cwd=tempfile.gettempdir(),  # st keeps a cache folder where it runs
        )
    finally:
        server.shutdown()
    print(f"st run --checks all as the lead (exit {result.returncode}):")
    for line in result.stdout.splitlines():
        if line.startswith("___") or line.strip().startswith(("- ST", "[4", "[5", "`{")):
            print("  " + line.strip()[:240])
    summary = result.stdout[result.stdout.rfind("Failures:") :] or result.stdout[-1500:]
    print(summary.strip() or result.stderr[-1500:])


def fuzz(app, tokens: dict[str, str], real: dict, examples: int) -> dict:
    """Send generated cases to every operation; count answers and failures by kind."""
    counts: dict = {
        "cases": 0,
        "5xx": 0,
        "violations": collections.Counter(),
        "information": collections.Counter(),
        "statuses": collections.Counter(),
        "examples": {},
    }
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for email, token in tokens.items():
                headers = {"Authorization": f"Bearer {token}"}
                one_operation(operation, mode, headers, real, examples, counts, email)
    counts["operations"] = len(operations)
    return counts


def one_operation(operation, mode, headers, real, examples, counts, who) -> None:
    """Run one operation in one generation mode as one person."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def send(case):
        check(case, headers, counts, who)
        for name in case.path_parameters or {}:
            if name in real:
                case.path_parameters[name] = real[name]
        check(case, headers, counts, who)

    send()


def check(case, headers, counts, who) -> None:
    """Send one case; count its status, a 5xx, and each failed check."""
    response = case.call(headers=headers)
    counts["cases"] += 1
    counts["statuses"][response.status_code] += 1
    if response.status_code >= 500:
        counts["5xx"] += 1
    for kind, checks in (("violations", VIOLATIONS), ("information", INFORMATION)):
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = f"{type(failure).__name__} on {case.operation.label}"
                counts[kind][key] += 1
                counts["examples"].setdefault(
                    key,
                    f"{who}: {case.as_curl_command()} -> {response.status_code} "
                    f"{response.text[:300]}",
                )
        except AssertionError as failure:
            key = f"{type(failure).__name__} on {case.operation.label}"
            counts[kind][key] += 1
            counts["examples"].setdefault(key, f"{who}: {case.as_curl_command()}")
    try:
        case.validate_response(response, checks=[not_a_server_error], headers=headers)
    except (FailureGroup, AssertionError):
        counts["examples"].setdefault(f"5xx on {case.operation.label}", case.as_curl_command())


def report(counts: dict, seconds: float) -> None:
    """Print the counts, then an example of each kind of failure."""
    violations = sum(counts["violations"].values())
    print(
        f"operations {counts['operations']}, cases {counts['cases']} in {seconds:.0f} s, "
        f"5xx {counts['5xx']}, schema violations {violations}"
    )
    print("statuses:", dict(sorted(counts["statuses"].items())))
    for title, kind in (("violations", "violations"), ("information", "information")):
        if counts[kind]:
            print(f"{title}:")
            for key, number in counts[kind].most_common():
                print(f"  {number:5d}  {key}")
                print(f"         e.g. {counts['examples'][key][-700:]}")
    for key, example in counts["examples"].items():
        if key.startswith("5xx"):
            print(f"{key}: {example[:300]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)

"""Shared fixtures: an app per test on SQLite and on PostgreSQL, factories and a login helper."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.comparisons import store_team_scores
from app.curricula import sync_library
from app.extensions import db
from app.models import Answer, Cycle, Org, Response, Team, TeamMember, User, utcnow
from app.orgs import operations as org_ops
from app.questionnaires import import_file, model_of

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE = ROOT / "questionnaires" / "ai-scaling-v1.yaml"
PASSWORD = "correct horse battery"
BACKENDS = [b for b in os.environ.get("ASCENT_TEST_DATABASES", "sqlite,postgresql").split(",") if b]
PG_ADMIN_URL = os.environ.get("ASCENT_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test")


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """Create a fresh database for the session, migrated with Alembic, on one backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'ascent-test.db'}"
        _migrate(url)
        yield url
        return
    name = f"ascent_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is required for the tests and is not reachable at {PG_ADMIN_URL}: {exc}"
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = _sqlalchemy_url(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    _migrate(url)
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate(url: str) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "SECRET_KEY": "test",
            "QUEUE": "immediate",
        }
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()


def app_config(database_url: str, **extra) -> dict:
    """Return the configuration of a test app on database_url."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        # A cheap hash keeps tests fast; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Background tasks run in the thread that commits: a test sees rebuilt read models.
        "QUEUE": "immediate",
        **extra,
    }


@pytest.fixture
def app(database_url, tmp_path):
    """Return an app on the session's database, emptied after the test."""
    app = create_app(app_config(database_url))
    app.instance_path = str(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()
    forget_process_caches()


def forget_process_caches() -> None:
    """Empty the per-process caches: the next test reuses ids in an emptied database."""
    from app import comparisons, pagecache, questionnaires
    from app.extensions import limiter
    from app.reports import dashboard

    limiter.reset()  # attempts counted in one test must not throttle the next
    for cache in (
        comparisons._parsed,
        pagecache._pages,
        questionnaires._by_id,
        dashboard._roadmaps,
    ):
        cache.clear()


@pytest.fixture
def elsewhere(database_url, tmp_path):
    """Return clients of a second app instance on the same database: another browser.

    Its requests get their own app context (the test's own context is shared by the
    `client` fixture's requests, and with it Flask-Login's cached user).
    """
    other = create_app(app_config(database_url))
    other.instance_path = str(tmp_path)
    yield other.test_client
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    """Return a test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def questionnaire_version(app):
    """Import the shipped questionnaire and return its stored version."""
    version, _ = import_file(QUESTIONNAIRE)
    db.session.commit()
    return version


@pytest.fixture
def make_org(app):
    """Return a factory of orgs."""

    def make(slug: str = "acme", name: str = "Acme", min_respondents: int = 1) -> Org:
        # Most tests read one or two respondents' scores as an executive, so the minimum
        # is off here; tests/integration/test_privacy.py covers the shipped default of 3.
        org = org_ops.create_org(slug, name)
        org.min_respondents = min_respondents
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(app):
    """Return a factory of people, optionally with a role in an org."""

    def make(
        email: str, org: Org | None = None, role: str = "member", name: str | None = None
    ) -> User:
        user, _ = org_ops.create_user(email, name or email.split("@")[0].title(), PASSWORD)
        if org is not None:
            org_ops.set_org_role(org, user, role)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_team(app):
    """Return a factory of teams with a lead and members."""

    def make(
        org: Org, name: str, lead: User | None = None, members=(), unit: str = "Unit A"
    ) -> Team:
        team = org_ops.create_team(org, name, unit)
        if lead is not None:
            org_ops.put_in_team(team, lead, "lead")
        for member in members:
            org_ops.put_in_team(team, member, "member")
        db.session.commit()
        return team

    return make


@pytest.fixture
def make_cycle(app, questionnaire_version):
    """Return a factory of cycles on the shipped questionnaire."""

    def make(org: Org, name: str = "2026-Q4") -> Cycle:
        cycle = org_ops.open_cycle(org, name, questionnaire_version)
        db.session.commit()
        return cycle

    return make


@pytest.fixture
def login(client):
    """Return a helper that signs a person in through the login form."""

    def do(email: str, password: str = PASSWORD, test_client=None):
        response = (test_client or client).post(
            "/login", data={"email": email, "password": password}, follow_redirects=False
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do


@pytest.fixture
def world(make_org, make_user, make_team, make_cycle):
    """Return a small org: an admin, an executive, a team with a lead and two members, a cycle."""
    org = make_org("acme", "Acme Insurance")
    admin = make_user("admin@acme.test", org, "admin", "Ada Admin")
    executive = make_user("exec@acme.test", org, "executive", "Eli Exec")
    lead = make_user("lead@acme.test", org, "member", "Lee Lead")
    alice = make_user("alice@acme.test", org, "member", "Alice")
    bob = make_user("bob@acme.test", org, "member", "Bob")
    team = make_team(org, "Claims Triage", lead, [alice, bob], "Insurance")
    cycle = make_cycle(org, "2026-Q4")
    return {
        "org": org,
        "admin": admin,
        "executive": executive,
        "lead": lead,
        "alice": alice,
        "bob": bob,
        "team": team,
        "cycle": cycle,
    }


def query_counter(engine):
    """Return a list that collects every SQL statement run on engine until removed."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    return statements, lambda: sa.event.remove(engine, "before_cursor_execute", count)


KEY = "data-contracts-first-feeds"
LOW_DATA = {
    "data.contracts": 1,
    "data.quality-gates": 1,
    "data.stewardship": 1,
    "data.lineage": 1,
    "data.access": 1,
    "data.training-serving": 1,
}


@pytest.fixture
def trained(world):
    """A scored and closed cycle where data foundations lags; the library imported."""
    sync_library(ROOT / "curricula")
    db.session.execute(
        sa.update(TeamMember)
        .where(TeamMember.user_id == world["alice"].id)
        .values(job_role="data_engineering")
    )
    answers = {q.id: 3 for q in model_of(world["cycle"].questionnaire).questions} | LOW_DATA
    submit_response(world["cycle"], world["team"], world["alice"], answers)
    db.session.commit()
    return world


def submit_response(cycle, team, user, levels: dict, status="submitted", comment=""):
    """Store a response directly: levels maps question id to 0-4, None (don't know) or 'na'."""
    response = Response(
        cycle_id=cycle.id,
        team_id=team.id,
        user_id=user.id,
        questionnaire_id=cycle.questionnaire_id,
        status=status,
        submitted_at=utcnow() if status == "submitted" else None,
    )
    db.session.add(response)
    db.session.flush()
    for qid, level in levels.items():
        db.session.add(
            Answer(
                response_id=response.id,
                question_id=qid,
                level=None if level in (None, "na") else level,
                not_applicable=level == "na",
                comment=comment,
            )
        )
    store_team_scores(cycle, [team.id])  # what the survey's write path does
    db.session.commit()
    return response

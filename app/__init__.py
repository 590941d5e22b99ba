"""Ascent: score AI teams on the eight challenges of scaling AI, and close the gaps."""

import os
import secrets
from pathlib import Path

from flask import Flask

from . import config
from .extensions import bootstrap, csrf, db, limiter, login_manager, migrate, oauth

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app: defaults, instance config, ASCENT_* environment, then extensions."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = _bounded_int_converter()
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = config.database_url(app.instance_path)
    app.config["QUESTIONNAIRE_DIR"] = str(PROJECT_ROOT / "questionnaires")
    app.config["CURRICULA_DIR"] = str(PROJECT_ROOT / "curricula")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("ASCENT")
    else:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"] and not app.config["SQLALCHEMY_DATABASE_URI"].startswith(
        "sqlite"
    ):
        raise RuntimeError(
            "Set ASCENT_SECRET_KEY (the same long random value on every host) before running "
            "Ascent on a server database: a key made per host breaks sign-ins and forms "
            "between hosts. For example: export ASCENT_SECRET_KEY=$(python3 -c "
            "'import secrets; print(secrets.token_hex(32))')"
        )
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or _instance_secret(app.instance_path)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A server may drop idle connections; a file database has none to drop.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(app.instance_path, "matplotlib"))

    register_extensions(app)
    register_queue(app)
    register_blueprints(app)
    register_errors(app)
    register_security(app)
    register_template_helpers(app)
    register_commands(app)
    register_health(app)
    return app


def _instance_secret(instance_path: str) -> str:
    """Return a secret key kept in the instance folder, creating it on first start."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, login, CSRF, Bootstrap and OpenID Connect to the app."""
    from .db_events import configure_sqlite

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    oauth.init_app(app)
    from .mail import init_mail

    init_mail(app)
    with app.app_context():
        configure_sqlite(db.engine)


def register_queue(app: Flask) -> None:
    """Point the background job queue at the configured storage and load its tasks."""
    from . import tasks  # noqa: F401
    from .queue import init_queue

    init_queue(app)


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per feature."""
    from .api import register as register_api
    from .auth import bp as auth_bp
    from .compare import bp as compare_bp
    from .orgs import bp as orgs_bp
    from .reports import bp as reports_bp
    from .roadmap import bp as roadmap_bp
    from .survey import bp as survey_bp
    from .training import bp as training_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(orgs_bp)
    app.register_blueprint(survey_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(roadmap_bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(compare_bp)
    register_api(app)


def register_errors(app: Flask) -> None:
    """Answer errors as HTML or JSON, rolling back on a server error."""
    from .errors import register

    register(app)


def register_security(app: Flask) -> None:
    """Refuse control characters in any input; send security headers on every response."""
    from .security import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Add filters and globals the templates share."""
    from .templating import register

    register(app)


def register_health(app: Flask) -> None:
    """Answer /healthz with a constant: a liveness probe, and the floor the benchmarks compare to."""

    @app.get("/healthz")
    def healthz():
        return "ok\n", 200, {"Content-Type": "text/plain"}


def register_commands(app: Flask) -> None:
    """Add the flask command groups."""
    from .cli import register

    register(app)


def _bounded_int_converter():
    """Return an int URL converter that only matches ids a 32-bit column can hold."""
    from werkzeug.routing import IntegerConverter

    from .dbutil import MAX_ID

    class IdConverter(IntegerConverter):
        def __init__(self, map, *args, **kwargs):
            kwargs.setdefault("max", MAX_ID)
            super().__init__(map, *args, **kwargs)

    return IdConverter

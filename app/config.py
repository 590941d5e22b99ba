"""Default configuration; instance/config.py and ASCENT_* environment variables override it."""

import os
from datetime import timedelta

DEFAULTS = {
    "SECRET_KEY": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {},  # pool_pre_ping is added for server databases
    "BOOTSTRAP_SERVE_LOCAL": True,
    "BOOTSTRAP_BOOTSWATCH_THEME": None,
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),  # weeks, not Flask-Login's year
    "QUESTIONNAIRE_DIR": None,
    "CURRICULA_DIR": None,
    # The job queue: "sqlite" (instance/queue.db), "redis" (when REDIS_URL is set) or
    # "immediate" (tasks run in the caller's thread: tests). None picks by REDIS_URL.
    "QUEUE": None,
    "QUEUE_FILE": None,
    "REDIS_URL": None,
    # The least time between two rebuilds of one cycle's read model, in seconds: a burst of
    # submits is gathered into one rebuild. Pages catch up within about this plus a rebuild.
    "READ_MODEL_MIN_INTERVAL": 0.75,
    # Email through SMTP (ASCENT_MAIL_SERVER and so on). Without a server, messages are kept
    # in instance/outbox/ and admins read them under Admin, Outbox.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Ascent <ascent@localhost>",
    # The site's address for links in email sent outside a request (roster import, worker).
    "BASE_URL": None,
}


def database_url(instance_path: str) -> str:
    """Return DATABASE_URL, or SQLite in the instance folder, for psycopg 3 when PostgreSQL."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{os.path.join(instance_path, 'ascent.db')}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url

"""Every background task, imported so that a worker knows them all."""

from . import audit_tasks, mail, reminders  # noqa: F401
from .compare import tasks as compare_tasks  # noqa: F401

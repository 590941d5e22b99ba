"""Every background task, imported so that a worker knows them all."""

from .compare import tasks as compare_tasks  # noqa: F401

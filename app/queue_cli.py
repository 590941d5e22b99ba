"""Commands for the background worker and the read models it keeps current."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from .extensions import db
from .models import Cycle, CycleComparison, Org


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads in this process.")
@click.option(
    "--max-delay",
    default=0.5,
    show_default=True,
    help="Longest wait between polls of an idle SQLite queue, in seconds.",
)
def worker_command(workers, max_delay):
    """Run a background worker: read-model rebuilds and periodic sweeps, until interrupted."""
    from .queue import run_worker

    mode = current_app.config["QUEUE"]
    if mode == "immediate":
        raise click.ClickException(
            "QUEUE is 'immediate': tasks run in the caller; no worker needed."
        )
    where = current_app.config["REDIS_URL"] if mode == "redis" else "instance/queue.db"
    click.echo(f"Ascent worker: {workers} thread(s) on the {mode} queue ({where})")
    run_worker(workers, max_delay)


readmodels_cli = AppGroup("readmodels", help="Inspect and rebuild the org-wide read models.")


@readmodels_cli.command("rebuild")
@click.option("--org", "org_slug", default=None, help="Only this org's cycles.")
@click.option("--all", "everything", is_flag=True, help="Rebuild even the cycles that are current.")
def readmodels_rebuild(org_slug, everything):
    """Rebuild stale read models here and now, without a worker."""
    from .comparisons import rebuild_stale, request_rebuild

    org_id = None
    if org_slug:
        org_id = db.session.scalar(sa.select(Org.id).where(Org.slug == org_slug))
        if org_id is None:
            raise click.ClickException(f"No org with the slug {org_slug}.")
    if everything:
        query = sa.select(Cycle.id)
        if org_id is not None:
            query = query.where(Cycle.org_id == org_id)
        request_rebuild(db.session.scalars(query).all())
        db.session.info.pop("after_commit", None)  # built below, not by a worker
        db.session.commit()
    click.echo(f"Rebuilt {rebuild_stale(org_id)} cycle read model(s).")


@readmodels_cli.command("status")
def readmodels_status():
    """List each cycle's read model: version, when built, and how many changes are pending."""
    from .models import ReadModelRequest

    pending = dict(
        db.session.execute(
            sa.select(ReadModelRequest.cycle_id, sa.func.count()).group_by(
                ReadModelRequest.cycle_id
            )
        ).all()
    )
    rows = db.session.execute(
        sa.select(
            Org.slug, Cycle.id, Cycle.name, CycleComparison.version, CycleComparison.updated_at
        )
        .join(Cycle, Cycle.org_id == Org.id)
        .outerjoin(CycleComparison, CycleComparison.cycle_id == Cycle.id)
        .order_by(Org.slug, Cycle.opened_at)
    )
    for slug, cycle_id, cycle, version, built_at in rows:
        if not version:
            state = "never built"
        elif pending.get(cycle_id):
            state = f"stale ({pending[cycle_id]} change(s) pending)"
        else:
            state = "current"
        when = built_at.strftime("%Y-%m-%d %H:%M:%S") if built_at and version else "-"
        click.echo(f"{slug:20} {cycle:12} v{version or 0:<6} built {when} UTC  {state}")

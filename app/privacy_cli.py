"""Commands of privacy: org settings, the audit trail export, a person's data and erasure."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from . import audit
from .cli import fail, org_by_slug, org_cli
from .extensions import db
from .models import User
from .orgs import privacy
from .orgs.operations import AdminError

audit_cli = AppGroup("audit", help="Export the audit trail.")
person_cli = AppGroup("person", help="Export or erase a person's data.")


@org_cli.command("settings")
@click.argument("slug")
@click.option("--min-respondents", type=str, default=None, help="1 turns the rule off.")
@click.option("--comment-authors", type=click.Choice(["named", "anonymous"]), default=None)
@click.option("--audit-retention-days", type=str, default=None, help="0 keeps every entry.")
@click.option("--reminder-days", type=str, default=None, help="Days before a deadline; 0: none.")
def org_settings(slug, min_respondents, comment_authors, audit_retention_days, reminder_days):
    """Show an org's privacy settings, or change them."""
    org = org_by_slug(slug)
    try:
        changed = privacy.update_settings(
            org,
            min_respondents=min_respondents,
            comment_authors=None if comment_authors is None else comment_authors == "named",
            audit_retention_days=audit_retention_days,
            reminder_days=reminder_days,
        )
    except AdminError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(
        f"{org.slug}: min respondents {org.min_respondents}; comments "
        f"{'named' if org.comment_authors else 'anonymous'}; audit kept "
        f"{org.audit_retention_days or 'forever'}{' days' if org.audit_retention_days else ''}; "
        f"reminders {org.reminder_days} days before a deadline"
        + (f" (changed: {', '.join(changed)})" if changed else "")
    )


@audit_cli.command("export")
@click.option("--org", "org_slug", required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
def audit_export(org_slug, fmt):
    """Print the org's audit trail, newest first, as CSV or JSON."""
    org = org_by_slug(org_slug)
    entries = db.session.scalars(audit.entries_query(org)).all()
    if fmt == "csv":
        click.echo(audit.to_csv(entries), nl=False)
    else:
        click.echo(json.dumps([audit.as_dict(e) for e in entries], indent=1))


@audit_cli.command("purge")
def audit_purge():
    """Delete the entries older than each org's retention (the worker does this daily)."""
    click.echo(f"Deleted {audit.purge_expired()} expired audit entries.")


def _person(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        fail(f"No person with the email {email}.")
    return user


@person_cli.command("export")
@click.argument("email")
def person_export(email):
    """Print everything held about a person as JSON."""
    user = _person(email)
    data = privacy.person_data(user)
    audit.record_for_person(user, "privacy.export", f"Exported the data of person #{user.id}")
    db.session.commit()
    click.echo(json.dumps(data, indent=1, ensure_ascii=False))


@person_cli.command("erase")
@click.argument("email")
@click.option("--org", "org_slug", required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def person_erase(email, org_slug, yes):
    """Erase a person of an org; their submitted answers stay, anonymous."""
    org = org_by_slug(org_slug)
    user = _person(email)
    if not yes:
        click.confirm(f"Erase {user.name} <{user.email}> for good?", abort=True)
    try:
        privacy.erase_person(org, user)
    except AdminError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"Erased person #{user.id}.")

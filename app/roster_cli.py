"""Commands of the roster: import people, teams and roles from CSV, and export them."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from . import audit
from .cli import fail, org_by_slug
from .domain.inputs import NotUtf8, utf8_lines
from .domain.roster import COLUMNS, RosterRejected, parse_roster
from .extensions import db
from .roster import export_csv, export_rows, import_roster

people_cli = AppGroup("people", help="Import and export an org's roster.")


@people_cli.command("import")
@click.option("--org", "org_slug", required=True)
@click.option("--dry-run", is_flag=True, help="Say what would change, and change nothing.")
@click.option(
    "--invite", is_flag=True, help="Email an invitation to each person without a password."
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def people_import(org_slug, dry_run, invite, file):
    """Import a roster CSV (email,name,team,business_unit,team_role,job_role,org_role)."""
    org = org_by_slug(org_slug)
    name = Path(file).name
    try:
        with open(file, "rb") as stream:
            rows = parse_roster(utf8_lines(stream, name), name)
        result = import_roster(org, rows, name, "The command line", invite=invite and not dry_run)
    except (RosterRejected, NotUtf8) as exc:
        db.session.rollback()
        problems = exc.problems if isinstance(exc, RosterRejected) else [str(exc)]
        fail("Nothing was changed:\n" + "\n".join(problems))
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run of {name}: would make {result.summary()}.")
        for change in result.changes[:200]:
            click.echo(f"  {change}")
        return
    if result.changed:
        audit.record(
            org,
            "person.roster_import",
            f"Imported the roster {name}: {result.summary()}",
            target=("org", org.slug),
            after={"file": name, "rows": len(rows), "summary": result.summary()},
        )
    db.session.commit()
    click.echo(f"Imported {name}: {result.summary()}.")


@people_cli.command("export")
@click.option("--org", "org_slug", required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
def people_export(org_slug, fmt):
    """Print the org's roster with the import's columns."""
    org = org_by_slug(org_slug)
    if fmt == "csv":
        click.echo(export_csv(org), nl=False)
    else:
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in export_rows(org)]
        click.echo(json.dumps(rows, indent=1, ensure_ascii=False))

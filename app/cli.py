"""Flask commands: questionnaires, orgs, people, cycles, response import, score export, demo."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from . import audit, questionnaires
from .comparisons import rebuild_stale
from .domain.inputs import csv_row
from .domain.passwords import password_problem
from .domain.privacy import is_suppressed
from .domain.response_import import RowsRejected
from .domain.vocabulary import CHALLENGE_KEYS
from .domain.yamlsource import SourceError
from .extensions import db
from .models import ORG_ROLES, Cycle, Org, Team
from .orgs import operations as org_ops
from .questionnaires import model_of
from .roadmap import operations as plan_ops
from .scores import score_teams

questionnaire_cli = AppGroup("questionnaire", help="Validate and import questionnaire files.")
org_cli = AppGroup("org", help="Create organisations and change their settings.")
user_cli = AppGroup("user", help="Create people.")
cycle_cli = AppGroup("cycle", help="Open and close assessment cycles.")
responses_cli = AppGroup("responses", help="Import responses collected elsewhere.")
scores_cli = AppGroup("scores", help="Export scores.")


def fail(message: str) -> None:
    """Print message to standard error and exit non-zero."""
    click.echo(message, err=True)
    sys.exit(1)


def org_by_slug(slug: str) -> Org:
    """Return the org or exit with a message."""
    org = db.session.scalar(sa.select(Org).where(Org.slug == slug))
    if org is None:
        fail(f"No org with the slug '{slug}'.")
    return org


def cycle_by_name(org: Org, name: str) -> Cycle:
    """Return the org's cycle or exit with a message."""
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.org_id == org.id, Cycle.name == name))
    if cycle is None:
        fail(f"No cycle '{name}' in {org.slug}.")
    return cycle


@questionnaire_cli.command("validate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def questionnaire_validate(path):
    """Check a questionnaire file and name every problem by line and field."""
    try:
        model, _ = questionnaires.read_file(path)
    except SourceError as exc:
        fail(str(exc))
    count = len(model.questions)
    click.echo(
        f"{path}: valid, {model.key} v{model.version}, {len(model.challenges)} challenges, {count} questions"
    )


@questionnaire_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def questionnaire_import(path):
    """Import a questionnaire version; importing the same file again changes nothing."""
    try:
        row, created = questionnaires.import_file(path)
    except (SourceError, questionnaires.QuestionnaireConflict) as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"{'Imported' if created else 'Already imported'} {row.label}")


@org_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True)
def org_create(slug, name):
    """Create an organisation."""
    try:
        org = org_ops.create_org(slug, name)
    except org_ops.AdminError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"Created org {org.slug} ({org.name})")


@user_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", default=None, help="Without it, a one-time password is printed.")
@click.option("--org", "org_slug", default=None)
@click.option("--role", type=click.Choice(ORG_ROLES), default=None)
@click.option("--invite", is_flag=True, help="Email an invitation to join --org instead.")
def user_create(email, name, password, org_slug, role, invite):
    """Create a person, optionally with a role in an org (or invite them to it by email)."""
    if role and not org_slug:
        fail("--role needs --org.")
    if invite:
        if not org_slug or password:
            fail("--invite needs --org, and no --password: the person chooses their own.")
        org = org_by_slug(org_slug)
        try:
            result = org_ops.invite_person(org, email, name, role or "member", "The command line")
        except org_ops.AdminError as exc:
            fail(str(exc))
        db.session.commit()
        click.echo(
            f"{email.strip().lower()} is in {org.slug} already; role saved."
            if result == "member"
            else f"Invitation sent to {email.strip().lower()} (valid seven days)."
        )
        return
    org = org_by_slug(org_slug) if org_slug else None
    problem = password_problem(password, email, name) if password is not None else None
    if problem:
        fail(f"--password is refused: {problem}")
    try:
        user, one_time = org_ops.create_user(email, name, password)
        if org:
            org_ops.set_org_role(org, user, role or "member")
    except org_ops.AdminError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"Created {user.email}" + (f" as {role or 'member'} of {org.slug}" if org else ""))
    if one_time:
        click.echo(f"One-time password: {one_time}")


@cycle_cli.command("open")
@click.option("--org", "org_slug", required=True)
@click.argument("name")
@click.option(
    "--questionnaire", "key", required=True, help="Key; the latest imported version is used."
)
@click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), default=None)
def cycle_open(org_slug, name, key, deadline):
    """Open a cycle on the latest imported version of a questionnaire."""
    org = org_by_slug(org_slug)
    version = questionnaires.latest_version(key)
    if version is None:
        fail(
            f"No questionnaire '{key}' is imported. Run: flask --app app questionnaire import PATH"
        )
    try:
        cycle = org_ops.open_cycle(org, name, version, deadline.date() if deadline else None)
    except org_ops.AdminError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"Opened {cycle.name} in {org.slug} on {version.label}")


@cycle_cli.command("deadline")
@click.option("--org", "org_slug", required=True)
@click.argument("name")
@click.argument("day")
def cycle_deadline(org_slug, name, day):
    """Set an open cycle's deadline (YYYY-MM-DD, the end of that day UTC), or 'none'."""
    from datetime import date

    cycle = cycle_by_name(org_by_slug(org_slug), name)
    try:
        chosen = None if day.lower() == "none" else date.fromisoformat(day)
    except ValueError:
        fail(f"'{day}' is not a date like 2026-12-15, or 'none'.")
    try:
        org_ops.set_deadline(cycle, chosen)
    except org_ops.AdminError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"{cycle.name}: " + (f"due {chosen:%d %b %Y}" if chosen else "no deadline"))


@cycle_cli.command("close")
@click.option("--org", "org_slug", required=True)
@click.argument("name")
def cycle_close(org_slug, name):
    """Close a cycle, freezing its responses."""
    cycle = cycle_by_name(org_by_slug(org_slug), name)
    closed = org_ops.close_cycle(cycle)
    db.session.commit()
    click.echo(f"Closed {cycle.name}" if closed else f"{cycle.name} was closed already")
    if closed:
        from .reports.queries import org_teams
        from .training.operations import run_assignments

        added = run_assignments(cycle, org_teams(cycle.org))
        db.session.commit()
        click.echo(f"Assigned {len(added)} workshop modules from its scores.")


@responses_cli.command("import")
@click.option("--org", "org_slug", required=True)
@click.option("--cycle", "cycle_name", required=True)
@click.option("--create-missing", is_flag=True, help="Create unknown teams and people.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def responses_import(org_slug, cycle_name, create_missing, file):
    """Import submitted responses from CSV (team,respondent,question,level,comment); all or nothing."""
    from .imports import import_responses, record_import

    cycle = cycle_by_name(org_by_slug(org_slug), cycle_name)
    try:
        counts = import_responses(cycle, file, create_missing)
    except RowsRejected as exc:
        db.session.rollback()
        fail("Nothing was imported:\n" + "\n".join(exc.problems))
    record_import(cycle, Path(file).name, counts)
    db.session.commit()
    rebuild_stale(cycle.org_id)  # a script that imports and then reads sees the new numbers
    click.echo(
        f"Imported {counts['answers']} answers in {counts['responses']} responses"
        f" ({counts['teams_created']} teams and {counts['people_created']} people created)"
    )


def _number(value: float | None) -> str:
    """Return an unrounded number with at least six decimals, or '' when undefined."""
    if value is None:
        return ""
    text = repr(float(value))
    if "e" in text or "inf" in text or "nan" in text:
        text = f"{value:.17f}"
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(6, '0')}"


@scores_cli.command("export")
@click.option("--org", "org_slug", required=True)
@click.option("--cycle", "cycle_name", required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option(
    "--include-small-teams",
    is_flag=True,
    help="Also print the scores of teams below the org's minimum of respondents.",
)
def scores_export(org_slug, cycle_name, fmt, include_small_teams):
    """Print each team's score per challenge and overall, unrounded.

    Teams below the org's minimum of respondents get empty scores, as in every other
    export, unless --include-small-teams is given.
    """
    org = org_by_slug(org_slug)
    cycle = cycle_by_name(org, cycle_name)
    teams = db.session.scalars(
        sa.select(Team).where(Team.org_id == org.id).order_by(Team.name)
    ).all()
    scores = score_teams(cycle, [t.id for t in teams])
    rows = []
    for team in teams:
        score = scores[team.id]
        if not include_small_teams and is_suppressed(score.respondents, org.min_respondents):
            for key in [*score.challenges, "overall"]:
                rows.append([team.name, key, None, None, None, score.respondents])
            continue
        for key, cs in score.challenges.items():
            rows.append([team.name, key, cs.score, cs.disagreement, cs.coverage, score.respondents])
        rows.append([team.name, "overall", score.overall, None, None, score.respondents])
    columns = ["team", "challenge", "score", "disagreement", "coverage", "respondents"]
    if fmt == "json":
        click.echo(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], indent=1))
        return
    _write_csv(
        columns,
        [[t, k, _number(sc), _number(d), _number(c), r] for t, k, sc, d, c, r in rows],
    )


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has an org already.")
def demo_command(if_empty):
    """Create the demo org: 12 teams, about 60 people, four quarterly cycles."""
    from .demo import DEMO_PASSWORD, create_demo

    has_demo = db.session.scalar(sa.select(Org.id).where(Org.slug == "demo"))
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Org)):
        click.echo("The database has data already; keeping it.")
        if not has_demo:
            return
    elif has_demo:
        fail("The demo org exists already.")
    else:
        click.echo(create_demo())
        db.session.commit()
        rebuild_stale()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, role in (
        ("admin@demo.ascent", "org admin"),
        ("exec@demo.ascent", "executive"),
        ("lead@demo.ascent", "lead of Fraud Detection"),
        ("member@demo.ascent", "member of Fraud Detection"),
    ):
        click.echo(f"  {email:22} {role}")


targets_cli = AppGroup("targets", help="Set teams' target levels.")
roadmap_cli = AppGroup("roadmap", help="Export a team's roadmap.")
ownership_cli = AppGroup("ownership", help="Export a team's ownership matrix.")
report_cli = AppGroup("report", help="Write PDF reports.")


def team_by_name(org: Org, name: str) -> Team:
    """Return the org's team of that name or exit with a message."""
    team = db.session.scalar(sa.select(Team).where(Team.org_id == org.id, Team.name == name))
    if team is None:
        fail(f"No team called '{name}' in {org.slug}.")
    return team


@targets_cli.command("set")
@click.option("--org", "org_slug", required=True)
@click.option("--team", "team_name", required=True)
@click.option("--challenge", type=click.Choice(CHALLENGE_KEYS), default=None)
@click.option("--all", "all_challenges", is_flag=True, help="Set every challenge.")
@click.argument("level", type=click.IntRange(0, 4))
def targets_set(org_slug, team_name, challenge, all_challenges, level):
    """Set a team's target level for one challenge or all of them."""
    if bool(challenge) == all_challenges:
        fail("Give exactly one of --challenge KEY or --all.")
    team = team_by_name(org_by_slug(org_slug), team_name)
    keys = CHALLENGE_KEYS if all_challenges else (challenge,)
    plan_ops.set_targets(team, dict.fromkeys(keys, level))
    db.session.commit()
    click.echo(f"{team.name}: target {level} for {', '.join(keys)}")


@roadmap_cli.command("export")
@click.option("--org", "org_slug", required=True)
@click.option("--cycle", "cycle_name", required=True)
@click.option("--team", "team_name", required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
def roadmap_export(org_slug, cycle_name, team_name, fmt):
    """Print a team's roadmap in order, as JSON or CSV; done and dismissed actions apart."""
    from .roadmap.queries import ACTION_FIELDS, plan_teams, roadmap_document

    org = org_by_slug(org_slug)
    cycle = cycle_by_name(org, cycle_name)
    team = team_by_name(org, team_name)
    document = roadmap_document(team, cycle, plan_teams(cycle, [team])[team.id])
    if fmt == "csv":
        _write_csv(
            list(ACTION_FIELDS), [[a[f] for f in ACTION_FIELDS] for a in document["actions"]]
        )
        return
    click.echo(json.dumps(document, indent=1))


@ownership_cli.command("export")
@click.option("--org", "org_slug", required=True)
@click.option("--team", "team_name", required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
def ownership_export(org_slug, team_name, fmt):
    """Print a team's RACI matrix (challenge, role, letter, person) and its findings."""
    from .roadmap.queries import ownership_of, questionnaire_for

    org = org_by_slug(org_slug)
    team = team_by_name(org, team_name)
    questionnaire = questionnaire_for(org)
    if questionnaire is None:
        fail("No questionnaire is imported yet.")
    owners = ownership_of([team], questionnaire)[team.id]
    rows = [
        [challenge, role, letter, owners.people.get(role) or ""]
        for challenge, row in owners.matrix.items()
        for role, letter in row.items()
    ]
    found = [
        {
            "kind": f.kind,
            "challenge": f.challenge,
            "role": f.role,
            "person": f.person,
            "message": f.message,
        }
        for f in owners.findings
    ]
    if fmt == "json":
        matrix = [dict(zip(("challenge", "role", "raci", "person"), r, strict=True)) for r in rows]
        click.echo(json.dumps({"team": team.name, "matrix": matrix, "findings": found}, indent=1))
        return
    _write_csv(["challenge", "role", "raci", "person"], rows)
    for finding in found:
        click.echo(
            f"# finding: {finding['message']}"
            + (f" ({finding['challenge']})" if finding["challenge"] else "")
        )


@report_cli.command("pdf")
@click.option("--org", "org_slug", required=True)
@click.option("--cycle", "cycle_name", required=True)
@click.option(
    "--team", "team_name", default=None, help="A team's report; without it, the org report."
)
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True))
def report_pdf(org_slug, cycle_name, team_name, output):
    """Write the team or org report as a PDF file."""
    from .reports import pdf
    from .reports.dashboard import load_dashboard
    from .reports.queries import org_cycles
    from .reports.views import dashboard_charts, team_radar
    from .roadmap.queries import ownership_of, plan_teams

    org = org_by_slug(org_slug)
    cycle = cycle_by_name(org, cycle_name)
    if team_name:
        team = team_by_name(org, team_name)
        questionnaire = model_of(cycle.questionnaire)
        plan = plan_teams(cycle, [team])[team.id]
        radar = team_radar(team, cycle, questionnaire, plan.score, plan.targets, fmt="png")
        owners = ownership_of([team], questionnaire)[team.id]
        data = pdf.team_pdf(team, cycle, questionnaire, plan, owners, radar)
    else:
        board = load_dashboard(org, cycle, org_cycles(org))
        images = dashboard_charts(board, fmt="png")
        data = pdf.org_pdf(org, board, images["distribution"], images["trend"])
    Path(output).write_bytes(data)
    click.echo(f"Wrote {output} ({len(data) // 1024} KB)")


def _write_csv(header: list[str], rows: list[list]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(csv_row(row) for row in rows)  # no cell starts a spreadsheet formula
    click.echo(out.getvalue(), nl=False)


curricula_cli = AppGroup("curricula", help="Validate and import workshop modules.")
assignments_cli = AppGroup("assignments", help="Assign modules and export assignments.")


@curricula_cli.command("validate")
@click.argument("path", required=False, type=click.Path(exists=True))
def curricula_validate(path):
    """Check module files (default: curricula/) and name every problem by file, field and line."""
    from .curricula import read_library

    path = path or current_app.config["CURRICULA_DIR"]
    try:
        modules = read_library(path)
    except SourceError as exc:
        fail(str(exc))
    click.echo(f"{path}: valid, {len(modules)} modules")


@curricula_cli.command("import")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
def curricula_import(path):
    """Store a new version of every changed module; progress stays on the version it was made on."""
    from .curricula import sync_library

    try:
        counts = sync_library(path or current_app.config["CURRICULA_DIR"])
    except SourceError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(
        f"Modules: {counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged"
    )


@assignments_cli.command("run")
@click.option("--org", "org_slug", required=True)
@click.option("--cycle", "cycle_name", required=True)
def assignments_run(org_slug, cycle_name):
    """Assign each team the modules of its top three roadmap challenges; print what is new."""
    from .reports.queries import org_teams
    from .training.operations import run_assignments

    org = org_by_slug(org_slug)
    cycle = cycle_by_name(org, cycle_name)
    added = run_assignments(cycle, org_teams(org))
    db.session.commit()
    for team, user, key, reason in added:
        click.echo(f"{team.name}\t{user.email}\t{key}\t{reason}")
    click.echo(f"Assigned {len(added)} new module{'s' if len(added) != 1 else ''}.")


@assignments_cli.command("export")
@click.option("--org", "org_slug", required=True)
@click.option("--team", "team_name", default=None)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
def assignments_export(org_slug, team_name, fmt):
    """Print assignments: team, person, module, challenge, status, dates and best quiz score."""
    from .models import Assignment
    from .training.queries import assignments_for

    org = org_by_slug(org_slug)
    teams = (
        [team_by_name(org, team_name)]
        if team_name
        else db.session.scalars(sa.select(Team).where(Team.org_id == org.id)).all()
    )
    items = assignments_for([Assignment.team_id.in_([t.id for t in teams])])
    columns = [
        "team",
        "person",
        "module",
        "challenge",
        "status",
        "assigned_at",
        "due_at",
        "completed_at",
        "quiz_score",
    ]
    rows = [
        [
            i.assignment.team.name,
            i.assignment.user.email,
            i.assignment.module_key,
            i.assignment.challenge,
            i.standing.progress.status,
            i.assignment.assigned_at.isoformat(timespec="seconds"),
            i.assignment.due_at.isoformat(timespec="seconds") if i.assignment.due_at else None,
            i.standing.completed_at.isoformat(timespec="seconds")
            if i.standing.completed_at
            else None,
            i.standing.progress.best_score,
        ]
        for i in sorted(
            items,
            key=lambda i: (
                i.assignment.team.name,
                i.assignment.user.email,
                i.assignment.module_key,
            ),
        )
    ]
    if fmt == "json":
        click.echo(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], indent=1))
    else:
        _write_csv(columns, [["" if v is None else v for v in r] for r in rows])


token_cli = AppGroup("token", help="Create API tokens.")


@token_cli.command("create")
@click.option("--user", "email", required=True)
@click.option("--name", default="command line")
def token_create(email, name):
    """Create a personal access token for a person and print it (only its hash is kept)."""
    from .api.auth import create_token
    from .models import User

    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        fail(f"No person with the email {email}.")
    row, token = create_token(user, name)
    audit.record_for_person(
        user, "token.created", f"Created the API token {row.name} ({row.prefix}…) for {user.name}"
    )
    db.session.commit()
    click.echo(token)


def register(app: Flask) -> None:
    """Add the command groups to the app."""
    groups = (questionnaire_cli, org_cli, user_cli, cycle_cli, responses_cli, scores_cli)
    for group in groups + (
        targets_cli,
        roadmap_cli,
        ownership_cli,
        report_cli,
        curricula_cli,
        assignments_cli,
        token_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
    from . import sso_cli  # noqa: F401  (adds `org sso`)
    from .privacy_cli import audit_cli, person_cli
    from .roster_cli import people_cli

    app.cli.add_command(audit_cli)
    app.cli.add_command(person_cli)
    app.cli.add_command(people_cli)
    from .queue_cli import readmodels_cli, worker_command

    app.cli.add_command(worker_command)
    app.cli.add_command(readmodels_cli)

"""The `org sso` command: set an org's OpenID Connect provider from the command line."""

from __future__ import annotations

import click

from . import sso
from .cli import fail, org_by_slug, org_cli
from .domain.sso import SsoSettingsError, secret_hint
from .extensions import db


@org_cli.command("sso")
@click.argument("slug")
@click.option("--issuer", default=None, help="The provider's issuer URL (https).")
@click.option("--client-id", default=None)
@click.option(
    "--client-secret",
    default=None,
    envvar="ASCENT_SSO_CLIENT_SECRET",
    help="Or set ASCENT_SSO_CLIENT_SECRET, which keeps it out of the process list.",
)
@click.option("--domains", default=None, help="Allowed email domains: a.example,b.example")
@click.option(
    "--required/--password-allowed",
    default=None,
    help="--required: the org's people sign in only through the provider.",
)
@click.option("--off", is_flag=True, help="Turn single sign-on off for the org.")
def org_sso(slug, issuer, client_id, client_secret, domains, required, off):
    """Show an org's single sign-on, or set its provider; settings left out are kept."""
    org = org_by_slug(slug)
    if off:
        removed = sso.remove_settings(org)
        db.session.commit()
        click.echo(f"{org.slug}: single sign-on {'turned off' if removed else 'was off'}.")
        return
    row = sso.settings_of(org.id)
    wanted = (issuer, client_id, client_secret, domains, required)
    if any(value is not None for value in wanted):
        if row is None and None in (issuer, client_id, client_secret, domains):
            fail("Give --issuer, --client-id, --client-secret and --domains to turn it on.")
        try:
            changed = sso.update_settings(
                org,
                issuer=issuer if issuer is not None else row.issuer,
                client_id=client_id if client_id is not None else row.client_id,
                client_secret=client_secret,
                domains=domains if domains is not None else row.domains,
                password_allowed=(not required)
                if required is not None
                else (row.password_allowed if row else True),
            )
        except SsoSettingsError as exc:
            fail(str(exc))
        db.session.commit()
        row = sso.settings_of(org.id)
        click.echo(f"changed: {', '.join(changed) if changed else 'nothing'}")
    if row is None:
        click.echo(f"{org.slug}: single sign-on is off.")
        return
    click.echo(
        f"{org.slug}: issuer {row.issuer}; client id {row.client_id}; client secret "
        f"{secret_hint(row.client_secret)}; domains {', '.join(row.domain_list)}; password "
        f"sign-in {'allowed' if row.password_allowed else 'refused (SSO required)'}"
    )

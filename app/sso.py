"""Writes and reads of an org's single sign-on settings (its OpenID Connect provider).

Writes raise SsoSettingsError with a message for the admin; they flush, the caller commits.
"""

from __future__ import annotations

import sqlalchemy as sa

from . import audit
from .domain import sso as rules
from .domain.sso import SsoSettingsError
from .extensions import db
from .models import Membership, OrgSso, utcnow


def settings_of(org_id: int) -> OrgSso | None:
    """Return the org's SSO settings, or None when it has none."""
    return db.session.scalar(sa.select(OrgSso).where(OrgSso.org_id == org_id))


def _plain(row: OrgSso | None) -> dict:
    """Return what the audit trail may show of the settings (never the secret)."""
    if row is None:
        return {}
    return {
        "issuer": row.issuer,
        "client_id": row.client_id,
        "domains": row.domains,
        "password_allowed": row.password_allowed,
    }


def update_settings(
    org,
    *,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    domains: str,
    password_allowed: bool,
) -> list[str]:
    """Store the org's provider; an empty secret keeps the stored one. Return what changed."""
    row = settings_of(org.id)
    values = {
        "issuer": rules.parse_issuer(issuer),
        "client_id": rules.parse_client_id(client_id),
        "domains": ",".join(rules.parse_domains(domains)),
        "password_allowed": bool(password_allowed),
    }
    if client_secret or row is None:
        values["client_secret"] = rules.parse_secret(client_secret or "")
    _refuse_claimed_domains(org.id, values["domains"].split(","))
    before = _plain(row)
    old_secret = row.client_secret if row else None
    if row is None:
        row = OrgSso(org_id=org.id, **values)
        db.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    changed = [k for k, v in _plain(row).items() if before.get(k) != v]
    if row.client_secret != old_secret:
        changed.append("client_secret")
    if changed:
        row.updated_at = utcnow()
        db.session.flush()
        after = _plain(row) | ({"client_secret": "changed"} if "client_secret" in changed else {})
        audit.record(
            org,
            "settings.sso",
            "Single sign-on: changed " + ", ".join(k.replace("_", " ") for k in changed),
            target=("org", org.slug),
            before={k: before[k] for k in changed if k in before} or None,
            after={k: after[k] for k in changed},
        )
    return changed


def _refuse_claimed_domains(org_id: int, domains: list[str]) -> None:
    """Refuse a domain another org signs in with: an email must lead to one org."""
    for other in db.session.scalars(sa.select(OrgSso).where(OrgSso.org_id != org_id)):
        taken = set(domains) & set(other.domain_list)
        if taken:
            raise SsoSettingsError(
                f"Another organisation signs in people of {sorted(taken)[0]} already; "
                "an email domain can belong to one organisation only."
            )


def remove_settings(org) -> bool:
    """Turn single sign-on off for the org; return False when it was off."""
    row = settings_of(org.id)
    if row is None:
        return False
    before = _plain(row)
    db.session.delete(row)
    db.session.flush()
    audit.record(
        org, "settings.sso", "Single sign-on turned off", target=("org", org.slug), before=before
    )
    return True


def org_for_email(email: str) -> OrgSso | None:
    """Return the SSO settings whose allowed domains hold the email's domain, or None."""
    domain = rules.email_domain(email)
    if not domain:
        return None
    for row in db.session.scalars(sa.select(OrgSso)):
        if domain in row.domain_list:
            return row
    return None


def password_refused(user_id: int) -> OrgSso | None:
    """Return the SSO settings of an org of the person's that refuses password sign-in."""
    return db.session.scalar(
        sa.select(OrgSso)
        .join(Membership, Membership.org_id == OrgSso.org_id)
        .where(Membership.user_id == user_id, OrgSso.password_allowed.is_(False))
        .limit(1)
    )

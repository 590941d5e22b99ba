"""Single sign-on with OpenID Connect: an Authlib client per org, and who a callback signs in.

Each org's client is registered with Authlib's Flask integration from its stored settings,
under a name that changes when the settings do, so every host picks up a change at once.
Authlib does the protocol: discovery, the authorization code flow with PKCE (S256), state
and nonce kept in the session, and the ID token's signature checked against the provider's
keys. This module decides who that token may sign in.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from .. import audit
from ..domain.sso import email_domain
from ..extensions import db, oauth
from ..models import Membership, OneTimeLink, Org, OrgSso, User, utcnow
from . import links

SCOPES = "openid email profile"
TIMEOUT = 10  # seconds for each request to the provider


class SsoRefused(Exception):
    """The provider vouched for someone this org does not let in; the message says why."""


def client_for(row: OrgSso):
    """Return the org's Authlib client, registered on first use of these settings."""
    fingerprint = hashlib.sha256(
        "\n".join([row.issuer, row.client_id, row.client_secret]).encode()
    ).hexdigest()[:16]
    name = f"org{row.org_id}-{fingerprint}"
    client = oauth.create_client(name)
    if client is None:
        client = oauth.register(
            name,
            client_id=row.client_id,
            client_secret=row.client_secret,
            server_metadata_url=row.issuer + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": SCOPES,
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT,
            },
        )
    return client


def check_discovery(row: OrgSso, client) -> None:
    """Refuse a discovery document that names another issuer than the one configured."""
    metadata = client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != row.issuer:
        raise SsoRefused(
            "The provider's discovery document names another issuer than the one configured; "
            "an admin must correct the issuer URL."
        )


def claims_of(client, token: dict) -> dict:
    """Return the ID token's claims, completed from the userinfo endpoint when it lacks email.

    Providers may keep the email out of the ID token and serve it at the userinfo endpoint
    (the access token's scopes): then the userinfo answer must be about the same subject.
    """
    claims = dict(token["userinfo"])
    if "email" in claims:
        return claims
    extra = dict(client.userinfo(token=token))
    if extra.get("sub") != claims.get("sub"):
        raise SsoRefused("The provider's userinfo is about someone else; nobody was signed in.")
    return extra | claims


def verified_email(claims: dict, row: OrgSso) -> str:
    """Return the ID token's email when it is verified and in one of the org's domains."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or len(email) > 254:
        raise SsoRefused("Your provider did not send your email address, so you cannot sign in.")
    if claims.get("email_verified") is not True:
        raise SsoRefused(
            "Your provider says your email address is not verified; verify it there first."
        )
    if email_domain(email) not in row.domain_list:
        raise SsoRefused(
            f"{email} is not in an email domain {row.org.name} signs in through its provider."
        )
    return email


def person_for(row: OrgSso, claims: dict) -> User:
    """Return the person to sign in: existing (active, in the org or invited) or created now."""
    email = verified_email(claims, row)
    org = row.org
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        return _join_just_in_time(org, email, _name(claims, email))
    if not user.active:
        raise SsoRefused("Your account is deactivated; ask an admin of your organisation.")
    if _is_member(org, user):
        return user
    invitation = _open_invitation(org, user)
    if invitation is None:
        raise SsoRefused(f"Your account is not in {org.name}. Ask one of its admins to invite you.")
    _accept(invitation, org, user)
    return user


def _name(claims: dict, email: str) -> str:
    """Return the person's name from the token, else the email's local part."""
    name = " ".join(str(claims.get("name") or "").split())[:200]
    return name or email.split("@")[0]


def _is_member(org: Org, user: User) -> bool:
    return bool(
        db.session.scalar(
            sa.select(Membership.id).where(
                Membership.org_id == org.id, Membership.user_id == user.id
            )
        )
    )


def _open_invitation(org: Org, user: User) -> OneTimeLink | None:
    return db.session.scalar(
        sa.select(OneTimeLink).where(
            OneTimeLink.kind == "invite",
            OneTimeLink.org_id == org.id,
            OneTimeLink.user_id == user.id,
            OneTimeLink.used_at.is_(None),
            OneTimeLink.cancelled_at.is_(None),
            OneTimeLink.expires_at > utcnow(),
        )
    )


def _accept(invitation: OneTimeLink, org: Org, user: User) -> None:
    """Join the org with the invitation's role and use the invitation up."""
    role = invitation.role or "member"
    db.session.add(Membership(org_id=org.id, user_id=user.id, role=role))
    links.use(invitation)
    audit.record(
        org,
        "person.joined",
        f"{user.name} accepted the invitation by single sign-on",
        target=("person", user.id),
        after={"email": user.email, "role": role},
        actor=user,
    )


def _join_just_in_time(org: Org, email: str, name: str) -> User:
    """Create the person, without a password, as a member of the org."""
    user = User(email=email, name=name)
    user.set_unusable_password()
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(org_id=org.id, user_id=user.id, role="member"))
    db.session.flush()
    audit.record(
        org,
        "person.added",
        f"{name} joined as member at their first single sign-on",
        target=("person", user.id),
        after={"email": email, "role": "member", "by": "single sign-on"},
        actor=user,
    )
    return user

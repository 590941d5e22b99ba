"""Rules of single sign-on settings: issuer URLs, client ids and allowed email domains.

Pure functions: the admin page, the command line and the sign-in callback call them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .inputs import control_characters

MAX_ISSUER = 500
MAX_CLIENT_ID = 200
MAX_SECRET = 500
MAX_DOMAINS = 20
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class SsoSettingsError(ValueError):
    """A setting that cannot be stored; the message says what to change."""


def parse_issuer(text: str) -> str:
    """Return the issuer URL without a trailing slash: https, or http on loopback only."""
    url = (text or "").strip().rstrip("/")
    if not url:
        raise SsoSettingsError(
            "Give the provider's issuer URL, for example https://login.example.com."
        )
    if len(url) > MAX_ISSUER or control_characters(url) or any(c.isspace() for c in url):
        raise SsoSettingsError(f"The issuer URL has at most {MAX_ISSUER} characters and no spaces.")
    parts = urlsplit(url)
    if parts.query or parts.fragment or not parts.hostname:
        raise SsoSettingsError("The issuer is a URL like https://login.example.com, with no query.")
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        raise SsoSettingsError("The issuer URL must use https (http only on this machine).")
    return url


def parse_client_id(text: str) -> str:
    """Return the client id, trimmed; refuse an empty or over-long one."""
    value = (text or "").strip()
    if not value or len(value) > MAX_CLIENT_ID or control_characters(value):
        raise SsoSettingsError(
            f"The client id is the one the provider gave you: 1 to {MAX_CLIENT_ID} characters."
        )
    return value


def parse_secret(text: str) -> str:
    """Return the client secret as given; refuse an empty or over-long one."""
    value = (text or "").strip()
    if not value or len(value) > MAX_SECRET or control_characters(value):
        raise SsoSettingsError(
            f"The client secret is the one the provider gave you: 1 to {MAX_SECRET} characters."
        )
    return value


def parse_domains(text: str) -> list[str]:
    """Return the allowed email domains of a comma- or space-separated list, lowercased, unique."""
    found: list[str] = []
    for item in re.split(r"[,\s]+", (text or "").strip().lower()):
        domain = item.strip().removeprefix("@")
        if not domain:
            continue
        if not is_domain(domain):
            raise SsoSettingsError(f"'{domain[:60]}' is not an email domain like example.com.")
        if domain not in found:
            found.append(domain)
    if not found:
        raise SsoSettingsError("Name at least one email domain, like example.com.")
    if len(found) > MAX_DOMAINS:
        raise SsoSettingsError(f"Name at most {MAX_DOMAINS} email domains.")
    return found


def is_domain(text: str) -> bool:
    """Return True for a DNS name of at least two labels (ASCII, punycode for others)."""
    labels = text.split(".")
    return len(text) <= 253 and len(labels) >= 2 and all(_LABEL.match(x) for x in labels)


def email_domain(email: str) -> str:
    """Return the lowercased domain of an email address, or '' when it has none."""
    local, at, domain = (email or "").strip().lower().rpartition("@")
    return domain if at and local and is_domain(domain) else ""


def secret_hint(secret: str) -> str:
    """Return what the admin page shows of a secret: its length and last four characters."""
    if len(secret) < 12:
        return f"set ({len(secret)} characters)"
    return f"set, ending in …{secret[-4:]} ({len(secret)} characters)"

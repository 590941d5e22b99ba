"""The rules of single sign-on settings: issuers, domains, emails and the secret's hint."""

import pytest

from app.domain.sso import (
    SsoSettingsError,
    email_domain,
    parse_domains,
    parse_issuer,
    secret_hint,
)


@pytest.mark.parametrize(
    ("given", "issuer"),
    [
        ("https://login.example.com/", "https://login.example.com"),
        ("  https://login.example.com/tenant/v2.0 ", "https://login.example.com/tenant/v2.0"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:9000/", "http://localhost:9000"),
    ],
)
def test_issuers_are_https_or_loopback(given, issuer):
    assert parse_issuer(given) == issuer


@pytest.mark.parametrize(
    "given",
    [
        "",
        "login.example.com",
        "http://login.example.com",
        "https://",
        "https://a b.example",
        "https://x.example/?q=1",
        "https://x.example/#f",
        "javascript:alert(1)",
        "https://x.example\x00",
    ],
)
def test_other_issuers_are_refused(given):
    with pytest.raises(SsoSettingsError):
        parse_issuer(given)


def test_domains_are_lowercased_deduplicated_and_checked():
    assert parse_domains(" Acme.example, @acme.example b.co.uk\n") == ["acme.example", "b.co.uk"]
    for bad in ["", "localhost", "-a.example", "a_b.example", "a..example", ",,"]:
        with pytest.raises(SsoSettingsError):
            parse_domains(bad)
    with pytest.raises(SsoSettingsError, match="at most 20"):
        parse_domains(",".join(f"d{i}.example" for i in range(21)))


def test_email_domain():
    assert email_domain("Kim@Acme.Example ") == "acme.example"
    assert email_domain("a@b@acme.example") == "acme.example"
    assert email_domain("acme.example") == "" and email_domain("@acme.example") == ""


def test_the_hint_never_shows_a_short_secret_and_shows_four_characters_of_a_long_one():
    assert secret_hint("short") == "set (5 characters)"
    hint = secret_hint("0123456789abcdef")
    assert hint.endswith("…cdef (16 characters)") and "0123" not in hint

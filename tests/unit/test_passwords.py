"""The password rule."""

import pytest

from app.domain.passwords import password_problem


@pytest.mark.parametrize(
    "password",
    ["x", "aaaaaaaaaa", "1234567890", "aaaaaaaaaaaa", "123456789012", "qwertyuiopas",
     "passwordpassword", "ada.admin@acme.example"],
)  # fmt: skip
def test_short_common_or_personal_passwords_are_refused(password):
    assert password_problem(password, "ada.admin@acme.example", "Ada Admin")


def test_a_few_unrelated_words_pass():
    assert password_problem("my cat eats apples daily") is None

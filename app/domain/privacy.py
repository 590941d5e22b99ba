"""Privacy rules: when a team's scores may be shown outside the team."""

from __future__ import annotations

DEFAULT_MIN_RESPONDENTS = 3
MAX_MIN_RESPONDENTS = 50


def is_suppressed(respondents: int, minimum: int) -> bool:
    """Return True when a team with this many respondents is shown without scores outside it.

    A minimum of 1 turns the rule off; a team nobody answered for has no scores to hide.
    """
    return minimum > 1 and 0 < respondents < minimum


def suppression_note(minimum: int) -> str:
    """Return the words every view shows in place of a suppressed team's scores."""
    return f"fewer than {minimum} respondents"


def parse_min_respondents(value: object) -> int:
    """Return a valid minimum from a form or command-line value; raise ValueError otherwise."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        raise ValueError("The minimum number of respondents is a whole number, like 3.")
    number = int(text)
    if not 1 <= number <= MAX_MIN_RESPONDENTS:
        raise ValueError(
            f"The minimum number of respondents is between 1 (off) and {MAX_MIN_RESPONDENTS}."
        )
    return number

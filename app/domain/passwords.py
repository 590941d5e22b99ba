"""The password rule: at least 12 characters and not easy to guess.

Guessability comes from zxcvbn, a maintained estimator that ships the lists of common
passwords, names and words and recognizes repeats, sequences and keyboard patterns.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200  # zxcvbn's cost grows with length; nobody types more
MIN_SCORE = 3  # of 0-4: "safely unguessable: moderate protection from offline attacks"


def password_problem(password: str, *personal: str) -> str | None:
    """Return why a new password is refused, or None when it is acceptable.

    personal: words the password must not lean on, such as the person's email and name.
    """
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters; a few unrelated words are easy to remember."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    result = zxcvbn(password, user_inputs=[p for p in personal if p])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"]["warning"] or "It is on a list of common passwords."
        return f"This password is too easy to guess. {warning} Add another unrelated word."
    return None

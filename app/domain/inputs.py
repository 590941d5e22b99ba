"""Rules every input path shares: ids, text without control characters, CSV cells that stay data.

Pure functions: forms, the API, URL arguments, importers and exports call them.
"""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1  # the largest id a 32-bit integer column holds (PostgreSQL's INTEGER)

# C0 controls other than tab, line feed and carriage return, and DEL. NUL is refused by
# PostgreSQL in text columns; the others have no business in a name or a comment.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def parse_id(value: object) -> int | None:
    """Return a positive id from ASCII digits, or None ('²', '-1', '1e3' and overflows too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def parse_index(value: object) -> int | None:
    """Return a non-negative index (an option, a step) from ASCII digits, or None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def control_characters(text: str) -> bool:
    """Return True when text holds a control character that no field accepts."""
    return bool(_CONTROL.search(text))


def csv_cell(value: object) -> object:
    """Return a CSV cell a spreadsheet will show as text, never run as a formula (OWASP).

    Text that starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe;
    numbers, and text that is just a number such as '-0.5', are left as they are.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def csv_row(values) -> list:
    """Return a row of CSV cells made safe with csv_cell."""
    return [csv_cell(v) for v in values]

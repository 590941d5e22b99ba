"""Rules every input path shares: ids, text without control characters, CSV cells that stay data.

Pure functions: forms, the API, URL arguments, importers and exports call them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

MAX_ID = 2**31 - 1  # the largest id a 32-bit integer column holds (PostgreSQL's INTEGER)
MAX_SEARCH = 100  # characters of a search box: more than any name or email part anyone types

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


def search_text(value: object) -> str:
    """Return the words of a search box, spaces collapsed; raise ValueError when unusable."""
    text = " ".join(str(value or "").split())
    if len(text) > MAX_SEARCH:
        raise ValueError(f"A search holds at most {MAX_SEARCH} characters.")
    if control_characters(text):
        raise ValueError("A search cannot hold control characters.")
    return text


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


class NotUtf8(ValueError):
    """A file in another encoding than UTF-8; the message names the file and what it looks like."""


# Byte order marks of the encodings a spreadsheet may save, longest first (UTF-32 LE starts
# like UTF-16 LE). UTF-8's own mark is accepted and dropped.
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def utf8_lines(stream: BinaryIO, name: str) -> Iterator[str]:
    """Yield the lines of a UTF-8 file (with or without BOM), read as it goes, ends kept for csv.

    stream is a seekable binary file: its first bytes are looked at, then read again.
    Raise NotUtf8 naming the file (and the line, when the problem is past the start) and
    what the bytes look like instead, so the person knows how to save it.
    """
    head = stream.read(4)
    stream.seek(0)
    _refuse_wide(head, name)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    lines = 0
    try:
        for content in text:
            lines += 1
            yield content
    except UnicodeDecodeError as exc:
        line = lines + 1 + exc.object[: exc.start].count(b"\n")
        raise NotUtf8(
            f"{name} is not UTF-8 from line {line} on (looks like Latin-1 or Windows-1252); "
            "save it as UTF-8"
        ) from None
    finally:
        if not stream.closed:
            text.detach()  # the caller closes the file it opened


def _refuse_wide(head: bytes, name: str) -> None:
    """Raise NotUtf8 when the first bytes are a UTF-16 or UTF-32 mark, or ASCII in UTF-16."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            raise NotUtf8(f"{name} is not UTF-8 (looks like {encoding}); save it as UTF-8")
    if len(head) >= 2 and (head[0] == 0) != (head[1] == 0):  # 't\0' or '\0t': UTF-16 text
        raise NotUtf8(f"{name} is not UTF-8 (looks like UTF-16); save it as UTF-8")

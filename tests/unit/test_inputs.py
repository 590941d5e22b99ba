"""The shared input rules: ids, control characters and CSV cells."""

import pytest

from app.domain.inputs import control_characters, csv_cell, parse_id, parse_index


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("7", 7), (7, 7), ("²", None), ("0", None), ("-1", None), ("1e3", None), ("", None),
     ("2147483648", None), (True, None), ("٣", None), (None, None)],
)  # fmt: skip
def test_ids_are_ascii_digits_in_range(raw, expected):
    assert parse_id(raw) == expected


def test_indexes_take_zero_and_refuse_unicode_digits():
    assert parse_index("0") == 0 and parse_index("²") is None and parse_index("3") == 3


@pytest.mark.parametrize("text", ["a\x00b", "x\x1b[31m", "\x7f", "tab\x0bvertical"])
def test_control_characters_are_found(text):
    assert control_characters(text)


def test_tabs_and_line_breaks_are_text():
    assert not control_characters("first line\r\nsecond\tcolumn")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("@HYPERLINK()", "'@HYPERLINK()"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("-0.500000", "-0.500000"),
        ("+1.5e3", "+1.5e3"),
        (-0.5, -0.5),
        ("Claims Triage", "Claims Triage"),
    ],
)
def test_csv_cells_never_start_a_formula(value, expected):
    assert csv_cell(value) == expected

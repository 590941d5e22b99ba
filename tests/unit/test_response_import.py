"""Reading a responses CSV: encodings, rows, limits and repeated answers, without a database."""

import io

import pytest

from app.domain.inputs import NotUtf8, utf8_lines
from app.domain.response_import import FieldLimits, ImportRow, RowCheck, RowsRejected
from tests.unit.helpers import questionnaire

LIMITS = FieldLimits(team=200, respondent=254, question=120)
QUESTIONNAIRE = questionnaire({"data": [("contracts", 1)], "cost": [("right-sizing", 1)]})


def read(text: str, limits: FieldLimits = LIMITS) -> tuple[list[ImportRow], RowCheck]:
    """Return the valid rows of a CSV text and the check that read them."""
    check = RowCheck(QUESTIONNAIRE, "answers.csv", limits)
    return list(check.rows(io.StringIO(text, newline=""))), check


def test_a_row_may_leave_out_its_empty_last_cells():
    rows, check = read("team,respondent,question,level,comment\nClaims,a@b.c,data.contracts,2\n")
    assert rows == [ImportRow(2, "Claims", "a@b.c", "data.contracts", 2, False, "")]
    assert check.problems == [] and check.rejection() is None


def test_rows_are_read_in_any_column_order_with_extra_columns():
    rows, check = read(
        "level,note,comment,question,respondent,team\n"
        "NA,x,,cost.right-sizing, Bob@Acme.TEST ,Claims\n"
        "\n"
        ",y, kept ,data.contracts,alice@acme.test,Claims\n"
        "1,z,,data.contracts,bob@acme.test\n"
    )
    assert rows == [
        ImportRow(2, "Claims", "bob@acme.test", "cost.right-sizing", None, True, ""),
        ImportRow(4, "Claims", "alice@acme.test", "data.contracts", None, False, "kept"),
    ]
    assert check.answers == 2
    assert check.problems == [(5, "team is empty")]  # a short row's missing cells are empty
    assert check.respondents == {("Claims", "bob@acme.test"): 2, ("Claims", "alice@acme.test"): 4}


def test_a_repeated_answer_names_the_line_of_the_first():
    rows, check = read(
        "team,respondent,question,level,comment\n"
        "Claims,alice@acme.test,data.contracts,1,\n"
        "Claims,bob@acme.test,data.contracts,1,\n"
        "Claims,ALICE@acme.test,data.contracts,2,\n"
    )
    assert len(rows) == 2
    assert check.problems == [(4, "the same answer appears on line 2")]
    assert check.rejection().problems == ["answers.csv:4: the same answer appears on line 2"]


def test_every_problem_of_a_row_is_named():
    _, check = read("team,respondent,question,level,comment,\n,nobody,data.nope,5,,,extra\n")
    ((line, message),) = check.problems
    assert line == 2
    for part in (
        "more cells than columns",
        "team is empty",
        "respondent 'nobody' is not an email address",
        "unknown question 'data.nope'",
        "level '5'",
    ):
        assert part in message


def test_limits_come_from_the_caller():
    _, check = read(
        "team,respondent,question,level,comment\nClaims,a@b.c,data.contracts,1,four\n",
        FieldLimits(team=3, respondent=4, question=5, comment=3),
    )
    message = check.problems[0][1]
    assert "team has 6 characters; at most 3" in message
    assert "respondent has 5 characters; at most 4" in message
    assert "question has 14 characters; at most 5" in message
    assert "comment has 4 characters; the survey form allows 3" in message


def test_a_missing_column_is_refused_at_once_and_an_empty_file_has_no_rows():
    with pytest.raises(RowsRejected, match="answers.csv:1: missing column.*comment"):
        read("team,respondent,question,level\n")
    _, check = read("team,respondent,question,level,comment\n\n")
    assert check.rejection().problems == ["answers.csv: no rows to import"]


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        ("team,x\n".encode("utf-16"), "UTF-16"),
        ("team,x\n".encode("utf-16-be"), "UTF-16"),
        ("team,x\n".encode("utf-32"), "UTF-32"),
        ("team,x\nQué,y\n".encode("cp1252"), "Latin-1 or Windows-1252"),
    ],
)
def test_other_encodings_are_named(data, looks_like):
    with pytest.raises(NotUtf8, match=f"answers.csv is not UTF-8.*{looks_like}.*save it as UTF-8"):
        list(utf8_lines(io.BytesIO(data), "answers.csv"))


def test_utf8_lines_drop_the_byte_order_mark_and_keep_line_ends():
    data = 'team,x\r\n"two\nlines",é\n'.encode("utf-8-sig")
    assert list(utf8_lines(io.BytesIO(data), "a.csv")) == ["team,x\r\n", '"two\n', 'lines",é\n']


def test_the_line_of_a_bad_byte_is_named_far_into_a_file():
    data = b"team,x\n" + b"a,b\n" * 20_000 + "é\n".encode("latin-1")
    with pytest.raises(NotUtf8, match="from line 20002 on"):
        list(utf8_lines(io.BytesIO(data), "big.csv"))

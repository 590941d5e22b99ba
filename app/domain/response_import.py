"""Reading a CSV of responses collected elsewhere: every bad row is named by its line.

A file may hold millions of answers, so it is read as it goes and twice: `check_rows`
validates every row and keeps only who answered for which team; `valid_rows` then yields
the rows again for writing in batches. Nothing is written unless the whole file is valid.
"""

from __future__ import annotations

import csv
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from .inputs import control_characters
from .questionnaire import Questionnaire
from .survey import MAX_COMMENT, NOT_APPLICABLE

COLUMNS = ("team", "respondent", "question", "level", "comment")
MAX_PROBLEMS = 100  # a file of bad rows is named by its first hundred problems, then counted
_SHOWN = 60  # characters of a bad value repeated in a message
_LEVELS = {"": (None, False), NOT_APPLICABLE: (None, True)} | {
    str(level): (level, False) for level in range(5)
}


class ImportRow(NamedTuple):
    """One valid CSV row: an answer of a respondent of a team (a tuple, cheap by the million)."""

    line: int
    team: str
    respondent: str
    question_id: str
    level: int | None
    not_applicable: bool
    comment: str


@dataclass(frozen=True)
class FieldLimits:
    """The most characters each field may have: the database columns' and the survey form's."""

    team: int
    respondent: int
    question: int
    comment: int = MAX_COMMENT


@dataclass
class CheckedFile:
    """What check_rows found: the answer count, each (team, respondent) and its first line, problems."""

    answers: int = 0
    respondents: dict[tuple[str, str], int] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    more_problems: int = 0

    def add_problem(self, line: int, message: str) -> None:
        """Keep the problem of a line, or only count it past the first MAX_PROBLEMS."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((line, message))
        else:
            self.more_problems += 1


class RowsRejected(Exception):
    """The file cannot be imported; each message names its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))

    @classmethod
    def naming(cls, file: str, problems: list[tuple[int, str]], more: int = 0) -> RowsRejected:
        """Return the rejection of a file's (line, message) problems, first lines first."""
        ordered = sorted(problems, key=lambda p: p[0])
        kept, more = ordered[:MAX_PROBLEMS], more + max(0, len(ordered) - MAX_PROBLEMS)
        messages = [f"{file}:{line}: {message}" for line, message in kept]
        if more:
            messages.append(f"{file}: and {more:,} more rows with problems")
        return cls(messages)


def check_rows(
    lines: Iterable[str], questionnaire: Questionnaire, file: str, limits: FieldLimits
) -> CheckedFile:
    """Validate every row; return the answer count, who answered for which team, and problems.

    Rows are not kept: only, per (team, respondent), the line of each question answered, to
    name a repeated answer. A missing column or an empty file raises RowsRejected at once.
    """
    position = {q.id: i for i, q in enumerate(questionnaire.questions)}
    empty = array("i", [0]) * len(position)
    answered: dict[tuple[str, str], array] = {}
    checked = CheckedFile()
    for line, row, errors in _read(lines, questionnaire, file, limits):
        if row is not None:
            key = (row.team, row.respondent)
            lines_of = answered.get(key)
            if lines_of is None:
                lines_of = answered[key] = array("i", empty)
                checked.respondents[key] = line
            index = position[row.question_id]
            if lines_of[index]:
                errors = [f"the same answer appears on line {lines_of[index]}"]
            else:
                lines_of[index] = line
                checked.answers += 1
        if errors:
            checked.add_problem(line, "; ".join(errors))
    if not checked.answers and not checked.problems:
        raise RowsRejected([f"{file}: no rows to import"])
    return checked


def valid_rows(
    lines: Iterable[str], questionnaire: Questionnaire, file: str, limits: FieldLimits
) -> Iterator[ImportRow]:
    """Yield the rows of a file check_rows accepted; raise RowsRejected if one is bad now."""
    for line, row, errors in _read(lines, questionnaire, file, limits):
        if errors:  # the file changed since it was checked
            raise RowsRejected([f"{file}:{line}: {'; '.join(errors)}"])
        yield row


def _read(lines: Iterable[str], questionnaire: Questionnaire, file: str, limits: FieldLimits):
    """Yield (line, row or None, errors) for every non-blank row after the header."""
    reader = csv.reader(lines)
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RowsRejected([f"{file}:1: missing column(s): {', '.join(missing)}"])
    columns = [header.index(c) for c in COLUMNS]
    width = len(header)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a cell over csv's field limit, for one
            yield reader.line_num, None, [f"this row cannot be read as CSV ({exc})"]
            continue
        if record:
            yield (
                reader.line_num,
                *_parse(record, columns, width, reader.line_num, questionnaire, limits),
            )


def _parse(record: list[str], columns: list[int], width: int, line: int, questionnaire, limits):
    """Return (row, []) for a valid record, or (None, what is wrong with it)."""
    errors = []
    if len(record) > width:
        errors.append("more cells than columns")
        record = record[:width]
    elif len(record) < width:
        record = record + [""] * (width - len(record))
    cells = [record[i] for i in columns]
    if control_characters("".join(cells)):
        errors.extend(
            f"{name} holds a control character such as NUL; remove it"
            for name, value in zip(COLUMNS, cells, strict=True)
            if control_characters(value)
        )
        return None, errors
    team, respondent, question_id, raw_level, comment = (c.strip() for c in cells)
    respondent = respondent.lower()
    if not team:
        errors.append("team is empty")
    elif len(team) > limits.team:
        errors.append(f"team has {len(team):,} characters; at most {limits.team:,}")
    if len(respondent) > limits.respondent:
        errors.append(f"respondent has {len(respondent):,} characters; at most {limits.respondent}")
    elif "@" not in respondent:
        errors.append(f"respondent {_shown(respondent)} is not an email address")
    if len(question_id) > limits.question:
        errors.append(f"question has {len(question_id):,} characters; at most {limits.question}")
    elif questionnaire.question(question_id) is None:
        errors.append(
            f"unknown question {_shown(question_id)}"
            f" for {questionnaire.key} v{questionnaire.version}"
        )
    level = _LEVELS.get(raw_level.lower())
    if level is None:
        errors.append(f"level {_shown(raw_level)} is not 0-4, empty (don't know) or na")
    if len(comment) > limits.comment:
        errors.append(
            f"comment has {len(comment):,} characters; the survey form allows {limits.comment:,}"
        )
    if errors:
        return None, errors
    return ImportRow(line, team, respondent, question_id, *level, comment), []


def _shown(value: str) -> str:
    """Return a value for a message: quoted, and cut short when long."""
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…")

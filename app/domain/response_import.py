"""Reading a CSV of responses collected elsewhere: every bad row is named by its line.

A file may hold millions of answers, so it is read once, as it goes: `RowCheck.rows` yields
the valid rows for an importer to write in batches, and notes every problem by its line.
The importer stops writing at the first problem, reads on to name them all, and rolls
back: nothing is changed unless the whole file is valid.
"""

from __future__ import annotations

import csv
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
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


class RowCheck:
    """Reads the rows of one file: yields the valid ones, notes each problem by its line.

    Rows are not kept: only, per (team, respondent), its first line and the line of each
    question answered (to name a repeated answer), so memory does not grow with the rows.
    """

    def __init__(self, questionnaire: Questionnaire, file: str, limits: FieldLimits):
        self.questionnaire, self.file, self.limits = questionnaire, file, limits
        self.answers = 0
        self.respondents: dict[tuple[str, str], int] = {}  # (team, respondent): first line
        self.problems: list[tuple[int, str]] = []
        self.more_problems = 0
        self._position = {q.id: i for i, q in enumerate(questionnaire.questions)}
        self._answered: dict[tuple[str, str], array] = {}

    def rows(self, lines: Iterable[str]) -> Iterator[ImportRow]:
        """Yield each valid answer once; note the problems of the others.

        A missing column raises RowsRejected at once.
        """
        position, answered = self._position, self._answered  # looked up once: hot loop
        empty = array("i", [0]) * len(position)
        for line, row, errors in _read(lines, self.questionnaire, self.file, self.limits):
            if row is not None:
                key = (row.team, row.respondent)
                lines_of = answered.get(key)
                if lines_of is None:
                    lines_of = answered[key] = array("i", empty)
                    self.respondents[key] = line
                index = position[row.question_id]
                if lines_of[index]:
                    errors = [f"the same answer appears on line {lines_of[index]}"]
                else:
                    lines_of[index] = line
                    self.answers += 1
                    yield row
                    continue
            self.add_problem(line, "; ".join(errors))

    def add_problem(self, line: int, message: str) -> None:
        """Keep the problem of a line, or only count it past the first MAX_PROBLEMS."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((line, message))
        else:
            self.more_problems += 1

    def rejection(self) -> RowsRejected | None:
        """Return why the file cannot be imported (its problems, or no rows), or None."""
        if self.problems:
            return RowsRejected.naming(self.file, self.problems, self.more_problems)
        if not self.answers:
            return RowsRejected([f"{self.file}: no rows to import"])
        return None


def _read(lines: Iterable[str], questionnaire: Questionnaire, file: str, limits: FieldLimits):
    """Yield (line, row or None, errors) for every non-blank row after the header."""
    reader = csv.reader(lines)
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RowsRejected([f"{file}:1: missing column(s): {', '.join(missing)}"])
    cells_of = itemgetter(*(header.index(c) for c in COLUMNS))
    width = len(header)
    known = {q.id for q in questionnaire.questions}
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a cell over csv's field limit, for one
            yield reader.line_num, None, [f"this row cannot be read as CSV ({exc})"]
            continue
        if not record:
            continue
        line = reader.line_num
        if len(record) < width:  # empty cells left out at the end of a row
            record += [""] * (width - len(record))
        if len(record) == width:
            cells = cells_of(record)
            if not control_characters("".join(cells)):
                row = _row(line, cells, known, limits)
                if row is not None:
                    yield line, row, ()
                    continue
        errors = _errors(record, cells_of, width, known, questionnaire, limits)
        yield line, None, errors or ["this row cannot be read"]


def _row(line: int, cells: tuple[str, ...], known: set[str], limits: FieldLimits):
    """Return the row of valid cells (the common case, kept fast), or None to look closer."""
    team, respondent, question_id, level, comment = cells
    team, question_id, comment = team.strip(), question_id.strip(), comment.strip()
    respondent = respondent.strip().lower()
    level = _LEVELS.get(level.strip().lower())
    if (
        level is None
        or question_id not in known
        or not team
        or len(team) > limits.team
        or len(respondent) > limits.respondent
        or "@" not in respondent
        or len(comment) > limits.comment
    ):
        return None
    return ImportRow(line, team, respondent, question_id, level[0], level[1], comment)


def _errors(record: list[str], cells_of, width: int, known, questionnaire, limits) -> list[str]:
    """Return what is wrong with a record, each problem naming its field."""
    errors = []
    if len(record) > width:
        errors.append("more cells than columns")
    cells = cells_of(record[:width])
    if control_characters("".join(cells)):
        return errors + [
            f"{name} holds a control character such as NUL; remove it"
            for name, value in zip(COLUMNS, cells, strict=True)
            if control_characters(value)
        ]
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
    elif question_id not in known:
        errors.append(
            f"unknown question {_shown(question_id)}"
            f" for {questionnaire.key} v{questionnaire.version}"
        )
    if _LEVELS.get(raw_level.lower()) is None:
        errors.append(f"level {_shown(raw_level)} is not 0-4, empty (don't know) or na")
    if len(comment) > limits.comment:
        errors.append(
            f"comment has {len(comment):,} characters; the survey form allows {limits.comment:,}"
        )
    return errors


def _shown(value: str) -> str:
    """Return a value for a message: quoted, and cut short when long."""
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…")

"""Reading a CSV of responses collected elsewhere: every bad row is named by its line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .questionnaire import Questionnaire
from .survey import NOT_APPLICABLE

COLUMNS = ("team", "respondent", "question", "level", "comment")


@dataclass(frozen=True)
class ImportRow:
    """One valid CSV row: an answer of a respondent of a team."""

    line: int
    team: str
    respondent: str
    question_id: str
    level: int | None
    not_applicable: bool
    comment: str


class RowsRejected(Exception):
    """The file cannot be imported; each message names its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def parse_rows(
    text: str, questionnaire: Questionnaire, file: str = "<csv>"
) -> tuple[list[ImportRow], list[str]]:
    """Parse and validate every row; return the valid rows and a problem per bad row.

    A missing column or an empty file raises RowsRejected at once.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RowsRejected([f"{file}:1: missing column(s): {', '.join(missing)}"])
    reader.fieldnames = header
    rows, problems, seen = [], [], {}
    for record in reader:
        line = reader.line_num
        row, errors = _parse_row(record, line, questionnaire)
        if row is not None:
            key = (row.team, row.respondent, row.question_id)
            if key in seen:
                errors.append(f"the same answer appears on line {seen[key]}")
            seen.setdefault(key, line)
        if errors:
            problems.append(f"{file}:{line}: {'; '.join(errors)}")
        elif row is not None:
            rows.append(row)
    if not rows and not problems:
        raise RowsRejected([f"{file}: no rows to import"])
    return rows, problems


def _parse_row(record: dict, line: int, questionnaire: Questionnaire):
    errors = []
    if None in record:
        errors.append("more cells than columns")
    team = (record.get("team") or "").strip()
    respondent = (record.get("respondent") or "").strip().lower()
    question_id = (record.get("question") or "").strip()
    raw_level = (record.get("level") or "").strip().lower()
    comment = (record.get("comment") or "").strip()
    if not team:
        errors.append("team is empty")
    if "@" not in respondent:
        errors.append(f"respondent {respondent!r} is not an email address")
    if questionnaire.question(question_id) is None:
        errors.append(
            f"unknown question {question_id!r} for {questionnaire.key} v{questionnaire.version}"
        )
    level, not_applicable = None, False
    if raw_level == NOT_APPLICABLE:
        not_applicable = True
    elif raw_level:
        if raw_level in ("0", "1", "2", "3", "4"):
            level = int(raw_level)
        else:
            errors.append(f"level {raw_level!r} is not 0-4, empty (don't know) or na")
    if errors:
        return None, errors
    return ImportRow(line, team, respondent, question_id, level, not_applicable, comment), []

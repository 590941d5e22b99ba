"""Stored questionnaire versions: import from files, and load the parsed model."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa

from .domain.questionnaire import Questionnaire, parse_questionnaire
from .extensions import db
from .models import QuestionnaireVersion


class QuestionnaireConflict(Exception):
    """A version already imported with other content."""


def read_file(path: str | Path) -> tuple[Questionnaire, str]:
    """Parse and validate a questionnaire file; return the model and its text."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    return parse_questionnaire(text, file=str(path)), text


def import_file(path: str | Path) -> tuple[QuestionnaireVersion, bool]:
    """Store a questionnaire version once; return it and whether it was new."""
    model, text = read_file(path)
    checksum = hashlib.sha256(text.encode()).hexdigest()
    existing = db.session.scalar(
        sa.select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == model.key, QuestionnaireVersion.version == model.version
        )
    )
    if existing is not None:
        if existing.checksum != checksum:
            raise QuestionnaireConflict(
                f"{path}: version {model.version} of '{model.key}' is already imported with "
                "different content; give the changed file a new version number"
            )
        return existing, False
    row = QuestionnaireVersion(
        key=model.key, version=model.version, title=model.title, source=text, checksum=checksum
    )
    db.session.add(row)
    db.session.flush()
    return row, True


def latest_version(key: str) -> QuestionnaireVersion | None:
    """Return the highest imported version of a questionnaire."""
    return db.session.scalar(
        sa.select(QuestionnaireVersion)
        .where(QuestionnaireVersion.key == key)
        .order_by(QuestionnaireVersion.version.desc())
        .limit(1)
    )


def model_of(row: QuestionnaireVersion) -> Questionnaire:
    """Return the parsed questionnaire of a stored version (parsed once per process)."""
    model = _parsed.get(row.checksum)
    if model is None:
        model = _parsed[row.checksum] = parse_questionnaire(row.source, file=row.label)
    return model


def questionnaire_of(cycle) -> Questionnaire:
    """Return the parsed questionnaire of a cycle, without a query once this process has it."""
    model = _by_id.get(cycle.questionnaire_id)
    if model is None:
        model = _by_id[cycle.questionnaire_id] = model_of(cycle.questionnaire)
    return model


# Parsed versions by checksum and by id: stored versions never change, so these per-process
# caches are safe.
_parsed: dict[str, Questionnaire] = {}
_by_id: dict[int, Questionnaire] = {}

"""What can be checked of the shipped workshop modules: quizzes that test judgement, code that runs.

A learner who picks the longest option, or the same position every time, must not pass;
every Python and SQL snippet a module shows must run as printed.
"""

from __future__ import annotations

import re
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from app.domain.curriculum import parse_module

ROOT = Path(__file__).resolve().parent.parent.parent
FILES = sorted((ROOT / "curricula").glob("*/*.md"))
MODULES = {
    path.relative_to(ROOT).as_posix(): parse_module(path.read_text(), str(path)) for path in FILES
}
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(language: str):
    for name, module in MODULES.items():
        for number, (lang, code) in enumerate(FENCE.findall(module.body)):
            if lang == language:
                yield pytest.param(code, id=f"{name}#{number}")


def test_every_challenge_has_modules_for_each_level_band():
    bands = {(m.challenge, tuple(m.levels)) for m in MODULES.values()}
    for challenge in {m.challenge for m in MODULES.values()}:
        assert {(challenge, (0, 1)), (challenge, (2, 3)), (challenge, (3, 4))} <= bands, challenge
    assert len(MODULES) >= 26


@pytest.mark.parametrize("name", sorted(MODULES))
def test_quiz_has_five_judgement_questions_with_balanced_options(name):
    quiz = MODULES[name].quiz
    assert len(quiz) >= 5, f"{name}: {len(quiz)} questions"
    longest_right = 0
    for question in quiz:
        lengths = [len(o) for o in question.options]
        mean = statistics.fmean(lengths)
        assert max(lengths) <= 1.5 * mean and min(lengths) >= 0.5 * mean, (
            f"{name}: options of very different lengths in '{question.question[:60]}...'"
        )
        longest_right += lengths[question.answer] == max(lengths)
    assert longest_right <= 2, f"{name}: the right option is the longest in {longest_right}"
    assert len({q.answer for q in quiz}) >= 2, f"{name}: the right option is always in one place"


def test_picking_the_longest_option_does_not_pass_the_library():
    questions = [q for m in MODULES.values() for q in m.quiz]
    longest = sum(len(q.options[q.answer]) == max(len(o) for o in q.options) for q in questions)
    # With four options, chance is one in four; well below the 80% a pass needs.
    assert longest / len(questions) <= 0.35


@pytest.mark.parametrize("code", list(_blocks("python")))
def test_python_snippets_run(code, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("code", list(_blocks("sql")))
def test_sql_snippets_run_on_sqlite(code):
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(code)
    finally:
        connection.close()

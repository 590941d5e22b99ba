"""Assignment, progress, grading, the effect, and the module validator."""

from pathlib import Path

import pytest

from app.curricula import read_library, render_body, render_markdown, table_of_contents
from app.domain.curriculum import Module, QuizQuestion, parse_module
from app.domain.training import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    Member,
    assign_modules,
    grade,
    progress_of,
    training_effect,
)
from app.domain.yamlsource import SourceError

CURRICULA = Path(__file__).resolve().parents[2] / "curricula"
QUIZ = tuple(QuizQuestion(f"q{i}", ("a", "b", "c"), i % 3, "because") for i in range(5))


def module(key, challenge="data", levels=(0, 1), roles=(), steps=3, quiz=QUIZ):
    return Module(
        key,
        key,
        challenge,
        levels,
        roles,
        60,
        (),
        ("o",),
        quiz,
        tuple(f"s{i}" for i in range(steps)),
        "",
    )


LIBRARY = [
    module("data-basics", "data", (0, 1), ("data_engineering",)),
    module("data-advanced", "data", (2, 3), ()),
    module("cost-basics", "cost", (0, 1), ("business_owner",)),
    module("monitoring-basics", "monitoring", (0, 1), ()),
    module("governance-basics", "governance", (0, 1), ()),
]
TEAM = [Member(1, "data_engineering"), Member(2, "data_science"), Member(3, None)]


def test_modules_of_top_challenges_whose_levels_hold_the_floor_of_the_score():
    result = assign_modules([("data", 1.7, 1.3), ("monitoring", 2.2, 0.8)], LIBRARY, TEAM)
    # data at floor 1 -> data-basics (roles: data engineering only); monitoring at 2 -> no module for 2
    assert [(a.user_id, a.module_key) for a in result] == [(1, "data-basics")]
    assert result[0].level == 1 and result[0].gap == 1.3


def test_module_without_roles_or_with_roles_nobody_has_goes_to_everyone():
    assert {a.user_id for a in assign_modules([("data", 2.4, 0.6)], LIBRARY, TEAM)} == {1, 2, 3}
    assert {a.user_id for a in assign_modules([("cost", 0.5, 2.5)], LIBRARY, TEAM)} == {1, 2, 3}


def test_only_the_given_challenges_get_modules():
    result = assign_modules([("governance", 0.2, 2.8)], LIBRARY, TEAM)
    assert {a.module_key for a in result} == {"governance-basics"}


def test_progress_status_needs_every_step_and_a_passed_quiz():
    m = module("m")
    assert progress_of(m, [], []).status == NOT_STARTED
    assert progress_of(m, [0], []).status == IN_PROGRESS
    assert progress_of(m, [], [0.4]).status == IN_PROGRESS
    assert progress_of(m, [0, 1, 2], [0.6]).status == IN_PROGRESS
    assert progress_of(m, [0, 1, 2], [0.6, 0.8]).status == COMPLETED
    assert progress_of(module("n", quiz=()), [0, 1, 2], []).status == COMPLETED
    assert progress_of(m, [0, 1, 2, 7], [1.0]).steps_done == 3
    assert progress_of(m, [0, 1], [1.0]).fraction == pytest.approx(3 / 4)


def test_grading_passes_at_eighty_percent_and_counts_blanks_wrong():
    right = {i: q.answer for i, q in enumerate(QUIZ)}
    assert grade(QUIZ, right).score == 1 and grade(QUIZ, right).passed
    four = dict(right) | {0: (QUIZ[0].answer + 1) % 3}
    assert grade(QUIZ, four).score == pytest.approx(0.8) and grade(QUIZ, four).passed
    three = dict(four) | {1: None}
    graded = grade(QUIZ, three)
    assert graded.score == pytest.approx(0.6) and not graded.passed
    assert graded.correct == (False, False, True, True, True)


def test_effect_compares_trained_and_untrained_changes_with_counts():
    changes = [
        ("data", "t1:c2", 0.6),
        ("data", "t2:c2", 0.1),
        ("data", "t3:c2", 0.2),
        ("cost", "t1:c2", 0.0),
    ]
    effect = {
        e.challenge: e
        for e in training_effect(changes, {("data", "t1:c2")}, ["data", "cost", "culture"])
    }
    assert effect["data"].trained_change == pytest.approx(0.6) and effect["data"].trained_teams == 1
    assert (
        effect["data"].untrained_change == pytest.approx(0.15)
        and effect["data"].untrained_teams == 2
    )
    assert effect["cost"].trained_change is None and effect["cost"].untrained_teams == 1
    assert effect["culture"].untrained_change is None


def test_every_shipped_module_is_valid_and_renders():
    modules = read_library(CURRICULA)
    assert len(modules) >= 16
    for challenge in (
        "data",
        "ownership",
        "infrastructure",
        "monitoring",
        "governance",
        "culture",
        "cost",
        "integration",
    ):
        levels = [m.levels for _, m in modules if m.challenge == challenge]
        assert (0, 1) in levels and (2, 3) in levels, challenge
    for _, m in modules:
        assert 45 <= m.duration_minutes <= 120 and m.steps and m.quiz and m.objectives
        before, after = render_body(m)
        assert '<h2 id="section-' in before and "<script" not in before + after
        assert "- [ ]" not in before + after


GOOD = """---
key: data-test
title: A test module
challenge: data
levels: [0, 1]
roles: [data_science]
duration_minutes: 60
prerequisites: []
objectives:
  - "Do a thing"
quiz:
  - question: "Which?"
    options: ["a", "b"]
    answer: 1
    explanation: "Because b."
---

# A test module

## Checklist

- [ ] First step
- [x] Second step
"""


def test_valid_module_parses_with_steps_and_quiz():
    m = parse_module(GOOD, "good.md")
    assert m.steps == ("First step", "Second step") and m.quiz[0].answer == 1


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("challenge: data", "challenge: dataa", 4, "challenge"),
        ("levels: [0, 1]", "levels: [0, 7]", 5, "levels"),
        ("roles: [data_science]", "roles: [wizard]", 6, "roles"),
        ("duration_minutes: 60", "duration_minutes: 500", 7, "duration_minutes"),
        ("    answer: 1", "    answer: 5", 14, "quiz[0].answer"),
        ('    options: ["a", "b"]', '    options: ["a"]', 13, "quiz[0].options"),
        ("- [ ] First step\n- [x] Second step\n", "Nothing to tick.\n", 17, "body"),
    ],
)
def test_bad_module_names_file_field_and_line(old, new, line, field):
    text = GOOD.replace(old, new)
    assert text != GOOD
    with pytest.raises(SourceError) as error:
        parse_module(text, "curricula/data/bad.md")
    assert f"curricula/data/bad.md:{line}:" in str(error.value) and f"field '{field}'" in str(
        error.value
    )


def test_unknown_prerequisite_and_duplicate_key_are_named(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.md").write_text(
        GOOD.replace("prerequisites: []", "prerequisites: [nope]")
    )
    (tmp_path / "data" / "b.md").write_text(GOOD)
    with pytest.raises(SourceError) as error:
        read_library(tmp_path)
    message = str(error.value)
    assert "no module has the key 'nope'" in message and "is also the key of" in message


def test_html_and_script_in_markdown_are_neutralised():
    html = render_markdown(
        'Hi <script>alert("x")</script> <img src=x onerror=alert(1)> [go](javascript:alert(1))'
    )
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;script&gt;" in html  # shown as text, not run


def test_section_headings_get_unique_anchors_for_the_contents_list():
    text = GOOD.replace(
        "# A test module\n", "# A test module\n\n## Why *this* matters\n\n## Notes\n"
    )
    before, after = render_body(parse_module(text + "\n## Notes\n\nMore.\n", "x.md"))
    assert table_of_contents((before,)) == [
        ("section-why-this-matters", "Why this matters"),
        ("section-notes", "Notes"),
    ]
    assert table_of_contents((after,)) == [("section-notes-2", "Notes")]
    assert '<h2 id="section-why-this-matters">Why <em>this</em> matters</h2>' in before

"""Workshop modules: Markdown with YAML front matter, validated with file, field and line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .vocabulary import CHALLENGE_KEYS, ROLES
from .yamlsource import LineDict, LineList, Problem, SourceError, load_yaml

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TASK_RE = re.compile(r"^\s*[-*]\s+\[( |x|X)\]\s+(.+?)\s*$")
MIN_MINUTES, MAX_MINUTES = 45, 120
PASS_MARK = 0.8


@dataclass(frozen=True)
class QuizQuestion:
    """A multiple-choice question with one right option and an explanation."""

    question: str
    options: tuple[str, ...]
    answer: int
    explanation: str


@dataclass(frozen=True)
class Module:
    """A workshop module: metadata, objectives, checklist steps, quiz and Markdown body."""

    key: str
    title: str
    challenge: str
    levels: tuple[int, ...]
    roles: tuple[str, ...]
    duration_minutes: int
    prerequisites: tuple[str, ...]
    objectives: tuple[str, ...]
    quiz: tuple[QuizQuestion, ...]
    steps: tuple[str, ...]
    body: str

    def fits_level(self, level: int) -> bool:
        """Return True when the module is meant for teams at this level."""
        return level in self.levels


def split_front_matter(text: str, file: str) -> tuple[str, str, int]:
    """Return (front matter, body, line where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise SourceError(
            [Problem(file, 1, "", "", "a module starts with a '---' line and YAML front matter")]
        )
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise SourceError([Problem(file, 1, "", "", "the front matter has no closing '---' line")])


def checklist_steps(body: str) -> list[tuple[int, str]]:
    """Return the task-list items of the body with their line offset in the body."""
    steps, fence = [], False
    for offset, line in enumerate(body.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            continue
        match = None if fence else _TASK_RE.match(line)
        if match:
            steps.append((offset, match.group(2)))
    return steps


def parse_module(text: str, file: str = "<module>") -> Module:
    """Parse and validate a module file; raise SourceError naming file, field and line."""
    front, body, body_line = split_front_matter(text, file)
    meta = load_yaml(front, file, line_offset=1)
    problems: list[Problem] = []

    def add(line, field, message, where=""):
        problems.append(Problem(file, line, where, field, message))

    if not isinstance(meta, LineDict):
        raise SourceError([Problem(file, 2, "", "", "the front matter must be a YAML mapping")])

    def text_field(name: str) -> str:
        value = meta.get(name)
        if not isinstance(value, str) or not value.strip():
            add(meta.line_of(name), name, "is required and must be non-empty text")
            return ""
        return value.strip()

    key = text_field("key")
    if key and not _KEY_RE.match(key):
        add(meta.line_of("key"), "key", "use lowercase letters, digits and hyphens")
    title = text_field("title")
    challenge = meta.get("challenge")
    if challenge not in CHALLENGE_KEYS:
        add(
            meta.line_of("challenge"),
            "challenge",
            f"must be one of {', '.join(CHALLENGE_KEYS)}, got {challenge!r}",
        )
    levels = meta.get("levels")
    if (
        not isinstance(levels, list)
        or not levels
        or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 4 for v in levels)
    ):
        add(
            meta.line_of("levels"),
            "levels",
            f"must list team levels from 0 to 4, like [0, 1]; got {levels!r}",
        )
        levels = []
    roles = meta.get("roles", [])
    if not isinstance(roles, list) or any(r not in ROLES for r in roles):
        add(
            meta.line_of("roles"),
            "roles",
            f"must list roles from {', '.join(ROLES)} (or be empty); got {roles!r}",
        )
        roles = []
    duration = meta.get("duration_minutes")
    if (
        isinstance(duration, bool)
        or not isinstance(duration, int)
        or not MIN_MINUTES <= duration <= MAX_MINUTES
    ):
        add(
            meta.line_of("duration_minutes"),
            "duration_minutes",
            f"must be a whole number of minutes from {MIN_MINUTES} to {MAX_MINUTES}, got {duration!r}",
        )
        duration = 0
    prerequisites = meta.get("prerequisites", [])
    if not isinstance(prerequisites, list) or not all(isinstance(p, str) for p in prerequisites):
        add(meta.line_of("prerequisites"), "prerequisites", "must be a list of module keys")
        prerequisites = []
    objectives = meta.get("objectives")
    if (
        not isinstance(objectives, list)
        or not objectives
        or not all(isinstance(o, str) and o.strip() for o in objectives)
    ):
        add(meta.line_of("objectives"), "objectives", "must be a non-empty list of texts")
        objectives = []
    quiz = _parse_quiz(meta, add)
    steps = checklist_steps(body)
    if not steps:
        add(body_line, "body", "has no checklist: write the steps as task-list items ('- [ ] ...')")
    for offset, step in steps:
        if len(step) > 300:
            add(body_line + offset, "body", "a checklist step is longer than 300 characters")
    if problems:
        raise SourceError(problems)
    return Module(
        key=key,
        title=title,
        challenge=challenge,
        levels=tuple(sorted(set(levels))),
        roles=tuple(roles),
        duration_minutes=duration,
        prerequisites=tuple(prerequisites),
        objectives=tuple(o.strip() for o in objectives),
        quiz=quiz,
        steps=tuple(s for _, s in steps),
        body=body,
    )


def _parse_quiz(meta: LineDict, add) -> tuple[QuizQuestion, ...]:
    nodes = meta.get("quiz")
    if nodes is None:
        return ()
    if not isinstance(nodes, LineList):
        add(meta.line_of("quiz"), "quiz", "must be a list of questions")
        return ()
    questions = []
    for index, node in enumerate(nodes):
        field = f"quiz[{index}]"
        if not isinstance(node, LineDict):
            add(
                nodes.line_of(index),
                field,
                "must be a mapping with question, options, answer, explanation",
            )
            continue
        question, explanation = node.get("question"), node.get("explanation")
        options, answer = node.get("options"), node.get("answer")
        if not isinstance(question, str) or not question.strip():
            add(node.line_of("question"), f"{field}.question", "is required text")
        if (
            not isinstance(options, list)
            or len(options) < 2
            or not all(isinstance(o, str) and o.strip() for o in options)
        ):
            add(
                node.line_of("options"),
                f"{field}.options",
                "must list at least two options as text",
            )
            options = []
        if (
            isinstance(answer, bool)
            or not isinstance(answer, int)
            or not 0 <= answer < max(len(options), 1)
        ):
            add(
                node.line_of("answer"),
                f"{field}.answer",
                f"must be the 0-based index of the right option, got {answer!r}",
            )
            answer = 0
        if not isinstance(explanation, str) or not explanation.strip():
            add(
                node.line_of("explanation"),
                f"{field}.explanation",
                "is required: say why the right option is right",
            )
        questions.append(
            QuizQuestion(
                str(question).strip(),
                tuple(str(o).strip() for o in options),
                answer,
                str(explanation).strip(),
            )
        )
    return tuple(questions)


def check_library(modules: Iterable[tuple[str, Module]]) -> list[Problem]:
    """Return problems across modules: duplicate keys and unknown prerequisites."""
    problems, seen = [], {}
    modules = list(modules)
    for file, module in modules:
        if module.key in seen:
            problems.append(
                Problem(file, 2, "", "key", f"'{module.key}' is also the key of {seen[module.key]}")
            )
        seen.setdefault(module.key, file)
    for file, module in modules:
        for prerequisite in module.prerequisites:
            if prerequisite not in seen:
                problems.append(
                    Problem(
                        file, None, "", "prerequisites", f"no module has the key '{prerequisite}'"
                    )
                )
            elif prerequisite == module.key:
                problems.append(
                    Problem(file, None, "", "prerequisites", "a module cannot require itself")
                )
    return problems

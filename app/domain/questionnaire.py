"""The questionnaire: challenges, questions, level anchors and recommended actions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from numbers import Real

from .vocabulary import CHALLENGE_KEYS, EFFORTS, LEVELS, RACI_LETTERS, ROLES
from .yamlsource import LineDict, LineList, Problem, SourceError, load_yaml

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Action:
    """A recommended step from one level of a question to the next."""

    question_id: str
    from_level: int
    text: str
    effort: str
    owner: str


@dataclass(frozen=True)
class Question:
    """One question: five observable level descriptions, a weight and four actions."""

    id: str
    challenge: str
    text: str
    weight: float
    levels: tuple[str, ...]
    actions: tuple[Action, ...]
    evidence: tuple[str, ...] = ()  # per level, what to show to prove it ("show me")

    def evidence_for(self, level: int) -> str:
        """Return the 'show me' line of a level, or '' when the questionnaire has none."""
        return self.evidence[level] if level < len(self.evidence) else ""

    def action_from(self, level: int) -> Action | None:
        """Return the action that lifts this question from level to level + 1."""
        return next((a for a in self.actions if a.from_level == level), None)


@dataclass(frozen=True)
class Challenge:
    """One of the eight challenges, with its weight, default RACI and questions."""

    key: str
    title: str
    weight: float
    description: str
    raci: dict[str, str]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    """A versioned questionnaire covering the eight challenges."""

    key: str
    version: int
    title: str
    challenges: tuple[Challenge, ...]
    _questions: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for challenge in self.challenges:
            for question in challenge.questions:
                self._questions[question.id] = question

    def challenge(self, key: str) -> Challenge:
        """Return the challenge with this key; KeyError when there is none."""
        for challenge in self.challenges:
            if challenge.key == key:
                return challenge
        raise KeyError(key)

    def question(self, question_id: str) -> Question | None:
        """Return the question with this id, or None."""
        return self._questions.get(question_id)

    @property
    def questions(self) -> tuple[Question, ...]:
        """Return every question, in the order of the file."""
        return tuple(self._questions.values())


class _Checker:
    """Collects located problems while reading a parsed questionnaire document."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int | None, where: str, field_name: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, where, field_name, message))

    def text(self, node: LineDict, key: str, where: str, required: bool = True) -> str:
        value = node.get(key)
        if value is None:
            if required:
                self.add(node.line_of(key), where, key, "is required")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.add(node.line_of(key), where, key, "must be non-empty text")
            return ""
        return value.strip()

    def weight(self, node: LineDict, where: str) -> float:
        value = node.get("weight", 1)
        if isinstance(value, bool) or not isinstance(value, Real) or value <= 0:
            self.add(
                node.line_of("weight"), where, "weight", f"must be a number above 0, got {value!r}"
            )
            return 1.0
        return float(value)


def parse_questionnaire(text: str, file: str = "<questionnaire>") -> Questionnaire:
    """Parse and validate questionnaire YAML; raise SourceError naming every problem."""
    doc = load_yaml(text, file)
    check = _Checker(file)
    if not isinstance(doc, LineDict):
        raise SourceError(
            [
                Problem(
                    file, 1, "", "", "the file must be a mapping with key, version and challenges"
                )
            ]
        )
    key = check.text(doc, "key", "questionnaire")
    if key and not _KEY_RE.match(key):
        check.add(
            doc.line_of("key"), "questionnaire", "key", "use lowercase letters, digits and hyphens"
        )
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        check.add(
            doc.line_of("version"),
            "questionnaire",
            "version",
            f"must be a whole number of 1 or more, got {version!r}",
        )
        version = 0
    title = check.text(doc, "title", "questionnaire", required=False) or key
    challenges = _parse_challenges(doc, check)
    if check.problems:
        raise SourceError(check.problems)
    return Questionnaire(key=key, version=version, title=title, challenges=tuple(challenges))


def _parse_challenges(doc: LineDict, check: _Checker) -> list[Challenge]:
    nodes = doc.get("challenges")
    if not isinstance(nodes, LineList) or not nodes:
        check.add(
            doc.line_of("challenges"), "questionnaire", "challenges", "must be a non-empty list"
        )
        return []
    challenges, seen_questions = [], {}
    for index, node in enumerate(nodes):
        if not isinstance(node, LineDict):
            check.add(nodes.line_of(index), f"challenge #{index + 1}", "", "must be a mapping")
            continue
        challenge = _parse_challenge(node, index, check, seen_questions)
        if challenge:
            if any(c.key == challenge.key for c in challenges):
                check.add(
                    node.line_of("key"), f"challenge '{challenge.key}'", "key", "appears twice"
                )
            challenges.append(challenge)
    missing = [k for k in CHALLENGE_KEYS if k not in {c.key for c in challenges}]
    if missing and not check.problems:
        check.add(
            nodes.line, "questionnaire", "challenges", f"missing challenges: {', '.join(missing)}"
        )
    return challenges


def _parse_challenge(node: LineDict, index: int, check: _Checker, seen: dict) -> Challenge | None:
    key = node.get("key")
    where = f"challenge '{key}'" if isinstance(key, str) else f"challenge #{index + 1}"
    if key not in CHALLENGE_KEYS:
        check.add(
            node.line_of("key"),
            where,
            "key",
            f"must be one of {', '.join(CHALLENGE_KEYS)}, got {key!r}",
        )
        return None
    title = check.text(node, "title", where)
    weight = check.weight(node, where)
    description = check.text(node, "description", where, required=False)
    raci = _parse_raci(node, where, check)
    questions_node = node.get("questions")
    if not isinstance(questions_node, LineList) or not questions_node:
        check.add(node.line_of("questions"), where, "questions", "must be a non-empty list")
        questions_node = []
    questions = []
    for q_index, q_node in enumerate(questions_node):
        question = _parse_question(
            q_node, key, q_index, questions_node.line_of(q_index), check, seen
        )
        if question:
            questions.append(question)
    return Challenge(key, title, weight, description, raci, tuple(questions))


def _parse_raci(node: LineDict, where: str, check: _Checker) -> dict[str, str]:
    value = node.get("raci", {})
    if not isinstance(value, LineDict):
        check.add(node.line_of("raci"), where, "raci", "must be a mapping of role to R, A, C or I")
        return {}
    raci = {}
    for role, letter in value.items():
        if role not in ROLES:
            check.add(
                value.line_of(role),
                where,
                f"raci.{role}",
                f"unknown role; use one of {', '.join(ROLES)}",
            )
        elif letter not in RACI_LETTERS:
            check.add(
                value.line_of(role), where, f"raci.{role}", f"must be R, A, C or I, got {letter!r}"
            )
        else:
            raci[role] = letter
    return raci


def _parse_question(node, challenge: str, index: int, line: int, check: _Checker, seen: dict):
    if not isinstance(node, LineDict):
        check.add(line, f"challenge '{challenge}', question #{index + 1}", "", "must be a mapping")
        return None
    qid = node.get("id")
    where = (
        f"question '{qid}'"
        if isinstance(qid, str)
        else f"challenge '{challenge}', question #{index + 1}"
    )
    if (
        not isinstance(qid, str)
        or not qid.startswith(f"{challenge}.")
        or not _KEY_RE.match(qid[len(challenge) + 1 :])
    ):
        check.add(
            node.line_of("id"),
            where,
            "id",
            f"must look like '{challenge}.<slug>' (lowercase letters, digits, hyphens)",
        )
        return None
    if qid in seen:
        check.add(
            node.line_of("id"), where, "id", f"duplicate question id (first on line {seen[qid]})"
        )
        return None
    seen[qid] = node.line_of("id")
    text = check.text(node, "text", where)
    weight = check.weight(node, where)
    levels = node.get("levels")
    if not isinstance(levels, LineList) or len(levels) != len(LEVELS):
        count = len(levels) if isinstance(levels, list) else 0
        check.add(
            node.line_of("levels"),
            where,
            "levels",
            f"must list exactly 5 level descriptions (0 to 4), got {count}",
        )
        levels = []
    texts, evidence = [], []
    for i, level in enumerate(levels):
        if isinstance(level, dict):  # {text: ..., evidence: ...}
            body, shown = level.get("text"), level.get("evidence")
            if not isinstance(shown, str) or not shown.strip():
                check.add(
                    levels.line_of(i), where, f"levels[{i}].evidence", "must be non-empty text"
                )
                shown = ""
            evidence.append(str(shown).strip())
        else:
            body = level
        if not isinstance(body, str) or not body.strip():
            check.add(levels.line_of(i), where, f"levels[{i}]", "must be non-empty text")
            body = ""
        texts.append(body.strip())
    if evidence and len(evidence) != len(texts):
        check.add(
            node.line_of("levels"),
            where,
            "levels",
            "give every level an evidence line, or none",
        )
        evidence = []
    actions = _parse_actions(node, qid, where, check)
    return Question(qid, challenge, text, weight, tuple(texts), actions, tuple(evidence))


def _parse_actions(node: LineDict, qid: str, where: str, check: _Checker) -> tuple[Action, ...]:
    nodes = node.get("actions")
    if not isinstance(nodes, LineList):
        check.add(
            node.line_of("actions"),
            where,
            "actions",
            "must list one action for each step from 0, 1, 2 and 3",
        )
        return ()
    actions: dict[int, Action] = {}
    for i, a in enumerate(nodes):
        if not isinstance(a, LineDict):
            check.add(
                nodes.line_of(i),
                where,
                f"actions[{i}]",
                "must be a mapping with from, text, effort, owner",
            )
            continue
        step = a.get("from")
        if step not in (0, 1, 2, 3) or isinstance(step, bool):
            check.add(
                a.line_of("from"),
                where,
                f"actions[{i}].from",
                f"must be 0, 1, 2 or 3, got {step!r}",
            )
            continue
        if step in actions:
            check.add(
                a.line_of("from"), where, f"actions[{i}].from", f"a second action from level {step}"
            )
        effort, owner = a.get("effort"), a.get("owner")
        if effort not in EFFORTS:
            check.add(
                a.line_of("effort"),
                where,
                f"actions[{i}].effort",
                f"must be S, M or L, got {effort!r}",
            )
        if owner not in ROLES:
            check.add(
                a.line_of("owner"),
                where,
                f"actions[{i}].owner",
                f"must be one of {', '.join(ROLES)}, got {owner!r}",
            )
        text = check.text(a, "text", where)
        actions[step] = Action(qid, step, text, str(effort), str(owner))
    missing = [str(s) for s in (0, 1, 2, 3) if s not in actions]
    if missing:
        check.add(
            node.line_of("actions"),
            where,
            "actions",
            f"no action for the step from level {', '.join(missing)}",
        )
    return tuple(actions[s] for s in sorted(actions))

"""The shapes of API v1, declared once: they validate requests and describe answers in the document.

Request schemas (``...Input``, ``...Query``) are loaded by flask-smorest before a view runs;
answer schemas describe what a view returns; both become the OpenAPI document's components.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields
from marshmallow.validate import Length, OneOf, Range, Regexp

from ..audit import KINDS as AUDIT_KINDS
from ..domain.inputs import MAX_ID, parse_id
from ..domain.roadmap import STATUSES
from ..domain.survey import MAX_COMMENT, NOT_APPLICABLE, UNKNOWN
from ..domain.vocabulary import CHALLENGE_KEYS, EFFORTS, ROLES

MAX_PER_PAGE = 200
MAX_QUESTION_ID = 120  # the width of the question id columns
MAX_REASON = 2000
MAX_NAME = 200  # cycle names and other short text a request names an object by
KEYS = (*CHALLENGE_KEYS, "overall")
# Text without the control characters every input path refuses (app.domain.inputs), written
# so that both Python and the ECMA regular expressions of JSON Schema read it the same way.
NO_CONTROL = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
PATH_SEGMENT = r"^[^/\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]+$"
NO_CONTROL_MESSAGE = "Remove the control character (such as NUL)."


class WholeNumber(fields.Integer):
    """A JSON integer: true, false, 2.5 and "2" are refused (marshmallow takes some of them)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Flag(fields.Boolean):
    """A JSON true or false, nothing else ("yes" and 1 are refused)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Text(fields.String):
    """A JSON string of at most max_length characters, without control characters."""

    def __init__(self, max_length: int, *, min_length: int | None = None, **kwargs) -> None:
        length = "Use {min} to {max} characters." if min_length else "Use at most {max} characters."
        rules = [
            Length(min=min_length, max=max_length, error=length),
            Regexp(NO_CONTROL, error=NO_CONTROL_MESSAGE),
        ]
        super().__init__(validate=rules, **kwargs)


class QueryNumber(fields.Integer):
    """A whole number in a query string, from ASCII digits only ('²' and '1e3' are refused)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12):
            raise self.make_error("invalid")
        return int(value)


class Id(fields.Integer):
    """An object id in a query string: ASCII digits from 1 to the largest id ('²' is refused)."""

    default_error_messages = {"invalid": f"Give a whole number from 1 to {MAX_ID}."}

    def __init__(self, **kwargs) -> None:
        super().__init__(validate=Range(min=1, max=MAX_ID), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        number = parse_id(value)
        if number is None:
            raise self.make_error("invalid")
        return number


class Level(fields.Field):
    """An answer's choice: a level 0 to 4, or "unknown" (don't know), or "na" (not applicable).

    Only the JSON type is checked here; the questionnaire checks the value against the question,
    so every answer's error is reported at once, by question id.
    """

    default_error_messages = {
        "invalid": f'Give a level from 0 to 4, "{UNKNOWN}" or "{NOT_APPLICABLE}".',
    }

    def __init__(self, **kwargs) -> None:
        levels = {"type": "integer", "minimum": 0, "maximum": 4}
        choices = {"type": "string", "enum": [UNKNOWN, NOT_APPLICABLE]}
        super().__init__(metadata={"oneOf": [levels, choices]}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.make_error("invalid")
        if isinstance(value, str) and len(value) > 20:
            raise self.make_error("invalid")
        return value


class Query(ma.Schema):
    """A query string: parameters it does not declare are ignored (a cache buster, say)."""

    class Meta:
        unknown = ma.EXCLUDE


class Body(ma.Schema):
    """A JSON request body: a field it does not declare is refused, so a typo never goes unseen."""

    class Meta:
        unknown = ma.RAISE


class Answer(ma.Schema):
    """Base of the answer schemas: a declared shape, nothing more (additionalProperties false)."""


_BY_KEY: dict[str, type[ma.Schema]] = {}


def by_key(name: str, field, keys=KEYS) -> type[ma.Schema]:
    """Return the schema called name: one optional field per challenge key (and overall)."""
    if name not in _BY_KEY:
        _BY_KEY[name] = Answer.from_dict({key: field() for key in keys}, name=name)
    return _BY_KEY[name]


# Errors


class ErrorBody(Answer):
    """What went wrong: a code, a message for people and details by field."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(
        required=True, metadata={"description": "Field path (or question id) to message"}
    )


class Error(Answer):
    """Every 4xx answer."""

    error = fields.Nested(ErrorBody, required=True)


# Requests


class PageQuery(Query):
    """Which page of a list."""

    page = QueryNumber(load_default=1, validate=Range(min=1, max=MAX_ID))
    per_page = QueryNumber(load_default=50, validate=Range(min=1, max=MAX_PER_PAGE))


class AssignmentQuery(PageQuery):
    """Which assignments: one team's, or all the caller may see."""

    team_id = Id(metadata={"description": "Only this team's assignments"})


class AuditQuery(PageQuery):
    """Which audit entries: by kind (a group like "person") and from a date."""

    kind = fields.String(
        validate=OneOf(list(AUDIT_KINDS)), metadata={"description": "A group of entries"}
    )
    since = fields.Date(metadata={"description": "Entries from this day (UTC) on"})


class CycleQuery(Query):
    """Which cycle, by name."""

    cycle = Text(MAX_NAME, metadata={"description": "A cycle's name, for example 2026-Q4"})


class AnswerInput(Body):
    """One answer: a level and an optional comment."""

    level = Level(required=True)
    comment = Text(MAX_COMMENT, load_default="")


class ResponseInput(Body):
    """Answers to save, by question id; submit true submits the response."""

    answers = fields.Dict(
        keys=Text(MAX_QUESTION_ID, min_length=1),
        values=fields.Nested(AnswerInput),
        load_default=dict,
        metadata={"description": "Question id to answer"},
    )
    submit = Flag(
        load_default=False,
        metadata={"description": "true submits the response; false keeps a draft"},
    )


TargetLevels = type(
    "TargetLevels",
    (ma.Schema,),
    {
        "__doc__": "A level from 0 to 4 by challenge key; any other key is refused.",
        "Meta": type("Meta", (), {"unknown": ma.RAISE}),
        **{key: WholeNumber(validate=Range(min=0, max=4)) for key in CHALLENGE_KEYS},
    },
)


def not_empty(value: dict) -> None:
    """Refuse an object without any field."""
    if not value:
        raise ma.ValidationError("Give the target of at least one challenge.")


class TargetsInput(Body):
    """Target levels by challenge key; challenges left out keep their target."""

    targets = fields.Nested(
        TargetLevels,
        required=True,
        validate=not_empty,
        metadata={"minProperties": 1},
    )


class ActionInput(Body):
    """A roadmap action (question and the step's starting level) and its new status."""

    question = Text(MAX_QUESTION_ID, min_length=1, required=True)
    from_level = WholeNumber(required=True, validate=Range(min=0, max=3))
    status = fields.String(required=True, validate=OneOf(STATUSES))
    reason = Text(MAX_REASON, load_default="", metadata={"description": "Needed to dismiss"})


class PersonInput(Body):
    """A person to invite to the org by email, with their org role."""

    email = fields.Email(required=True, validate=Length(max=254))
    name = Text(MAX_NAME, load_default="")
    role = fields.String(load_default="member", validate=OneOf(["admin", "executive", "member"]))


# Answers


class Org(Answer):
    """An org and the caller's role in it."""

    slug = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=OneOf(["admin", "executive", "member"]))


class Me(Answer):
    """The token's owner."""

    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    orgs = fields.List(fields.Nested(Org), required=True)


class Team(Answer):
    """A team and how many people are in it."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    business_unit = fields.String(required=True)
    members = fields.Integer(required=True)


class Cycle(Answer):
    """An assessment cycle."""

    name = fields.String(required=True)
    questionnaire = fields.String(required=True)
    status = fields.String(required=True, validate=OneOf(["open", "closed"]))
    opened_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(required=True, allow_none=True)


def page_of(item: type[ma.Schema]) -> type[ma.Schema]:
    """Return the schema of one page of a list of item."""
    return Answer.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "page": fields.Integer(required=True, validate=Range(min=1)),
            "per_page": fields.Integer(required=True, validate=Range(min=1, max=MAX_PER_PAGE)),
            "total": fields.Integer(required=True, validate=Range(min=0)),
        },
        name=f"{item.__name__}Page",
    )


SUPPRESSED = (
    "True when the team has fewer submitted responses than the org's minimum of respondents: "
    "outside the team its scores, percentile ranks and change are null."
)


class ScoreEntry(Answer):
    """A team's score on one challenge in one cycle."""

    score = fields.Float(required=True, allow_none=True)
    disagreement = fields.Float(required=True, allow_none=True)
    coverage = fields.Float(required=True, allow_none=True)


class CycleScores(Answer):
    """A team's scores in one cycle."""

    cycle = fields.String(required=True)
    respondents = fields.Integer(required=True)
    scores = fields.Nested(by_key("ScoresByKey", lambda: fields.Nested(ScoreEntry)), required=True)
    suppressed = fields.Boolean(required=True, metadata={"description": SUPPRESSED})
    suppressed_reason = fields.String(
        required=True, allow_none=True, metadata={"example": "fewer than 3 respondents"}
    )


class TeamScores(Answer):
    """A team's scores per cycle."""

    team = fields.String(required=True)
    team_id = fields.Integer(required=True)
    cycles = fields.List(fields.Nested(CycleScores), required=True)


def _number_or_null(**kwargs):
    return lambda: fields.Float(allow_none=True, **kwargs)


class ComparisonTeam(Answer):
    """One team's row in a comparison."""

    team = fields.String(required=True)
    team_id = fields.Integer(required=True)
    business_unit = fields.String(required=True)
    respondents = fields.Integer(required=True, validate=Range(min=0))
    low_confidence = fields.Boolean(required=True)
    suppressed = fields.Boolean(required=True, metadata={"description": SUPPRESSED})
    suppressed_reason = fields.String(required=True, allow_none=True)
    scores = fields.Nested(by_key("NumberByKey", _number_or_null()), required=True)
    percentiles = fields.Nested(
        by_key("PercentileByKey", _number_or_null(validate=Range(min=0, max=100))),
        required=True,
    )
    change = fields.Nested(by_key("NumberByKey", _number_or_null()), required=True)


class Comparison(Answer):
    """The org's teams side by side in a cycle, with median, quartiles and counts."""

    cycle = fields.String(required=True)
    previous_cycle = fields.String(required=True, allow_none=True)
    teams = fields.List(fields.Nested(ComparisonTeam), required=True)
    median = fields.Nested(by_key("NumberByKey", _number_or_null()), required=True)
    quartiles = fields.Nested(
        by_key(
            "QuartilesByKey",
            lambda: fields.List(fields.Float(), allow_none=True, validate=Length(equal=2)),
        ),
        required=True,
    )
    counts = fields.Nested(
        by_key("CountByKey", lambda: fields.Integer(validate=Range(min=0))), required=True
    )


class Action(Answer):
    """A roadmap action: the step from one level to the next on a question."""

    question = fields.String(required=True)
    challenge = fields.String(required=True, validate=OneOf(CHALLENGE_KEYS))
    from_level = fields.Integer(required=True, validate=Range(min=0, max=3))
    mean_level = fields.Float(required=True)
    priority = fields.Float(required=True)
    effort = fields.String(required=True, validate=OneOf(EFFORTS))
    owner = fields.String(required=True, validate=OneOf(ROLES))
    earliest_phase = fields.String(required=True, validate=OneOf(["now", "next", "later"]))
    phase = fields.String(
        required=True, allow_none=True, validate=OneOf(["now", "next", "later", "backlog"])
    )
    status = fields.String(required=True, validate=OneOf(STATUSES))
    unknown = fields.Boolean(required=True)
    why = fields.String(required=True)
    text = fields.String(required=True)


class RoadmapChallenge(Answer):
    """A challenge's place in the roadmap's ranking."""

    key = fields.String(required=True)
    score = fields.Float(required=True, allow_none=True)
    target = fields.Integer(required=True)
    gap = fields.Float(required=True)
    rank = fields.Integer(required=True)


class Roadmap(Answer):
    """A team's roadmap in a cycle: ranked challenges, placed actions, closed ones."""

    team = fields.String(required=True)
    cycle = fields.String(required=True)
    challenges = fields.List(fields.Nested(RoadmapChallenge), required=True)
    actions = fields.List(fields.Nested(Action), required=True)
    closed = fields.List(fields.Nested(Action), required=True)
    note = fields.String(
        metadata={
            "description": "Present when the team has no responses yet, or its scores are hidden."
        }
    )
    suppressed = fields.Boolean(metadata={"description": SUPPRESSED})
    suppressed_reason = fields.String(allow_none=True)


class OwnershipCell(Answer):
    """Who holds a role for a challenge, and its RACI letter."""

    challenge = fields.String(required=True)
    role = fields.String(required=True, validate=OneOf(ROLES))
    raci = fields.String(required=True, validate=OneOf(["", "R", "A", "C", "I"]))
    person = fields.String(required=True, allow_none=True)


class Finding(Answer):
    """Something the ownership matrix raises on its own."""

    kind = fields.String(required=True)
    challenge = fields.String(required=True, allow_none=True)
    role = fields.String(required=True, allow_none=True)
    person = fields.String(required=True, allow_none=True)
    message = fields.String(required=True)


class Ownership(Answer):
    """A team's RACI matrix with named people, and its findings."""

    team = fields.String(required=True)
    matrix = fields.List(fields.Nested(OwnershipCell), required=True)
    findings = fields.List(fields.Nested(Finding), required=True)


class Assignment(Answer):
    """A module assigned to a person, with their progress."""

    team = fields.String(required=True)
    person = fields.String(required=True)
    module = fields.String(required=True)
    challenge = fields.String(required=True)
    status = fields.String(
        required=True, validate=OneOf(["not started", "in progress", "completed"])
    )
    progress = fields.Float(required=True, validate=Range(min=0, max=1))
    assigned_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True, allow_none=True)
    completed_at = fields.DateTime(required=True, allow_none=True)
    quiz_score = fields.Float(required=True, allow_none=True)


class ResponseResult(Answer):
    """The saved response: draft or submitted, and how many questions have an answer."""

    status = fields.String(required=True, validate=OneOf(["draft", "submitted"]))
    answered = fields.Integer(required=True)
    total = fields.Integer(required=True)


class TargetsResult(Answer):
    """The team's targets after the change."""

    team = fields.String(required=True)
    targets = fields.Nested(
        by_key("TargetByKey", lambda: fields.Integer(validate=Range(min=0, max=4)), CHALLENGE_KEYS),
        required=True,
    )


class ActionResult(Answer):
    """The action's new status."""

    question = fields.String(required=True)
    from_level = fields.Integer(required=True)
    status = fields.String(required=True)


OrgPage = page_of(Org)
TeamPage = page_of(Team)
CyclePage = page_of(Cycle)
AssignmentPage = page_of(Assignment)


class AuditEntry(Answer):
    """One change to the org's data, as the audit trail keeps it."""

    id = fields.Integer(required=True)
    at = fields.String(required=True, metadata={"example": "2026-12-01T09:30:00Z"})
    actor = fields.String(required=True, metadata={"description": 'A name, or "command line"'})
    actor_id = fields.Integer(required=True, allow_none=True)
    kind = fields.String(required=True)
    object_type = fields.String(required=True)
    object_id = fields.String(required=True)
    summary = fields.String(required=True)
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)


AuditPage = page_of(AuditEntry)


class InvitationResult(Answer):
    """What adding a person did: an invitation sent, or a role saved for a present member."""

    email = fields.String(required=True)
    result = fields.String(required=True, validate=OneOf(["invited", "member"]))

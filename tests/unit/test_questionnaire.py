"""The shipped questionnaire and the validator's located messages."""

from pathlib import Path

import pytest

from app.domain.questionnaire import parse_questionnaire
from app.domain.vocabulary import CHALLENGE_KEYS, ROLES
from app.domain.yamlsource import SourceError

SHIPPED = Path(__file__).resolve().parents[2] / "questionnaires" / "ai-scaling-v1.yaml"


@pytest.fixture(scope="module")
def shipped():
    return parse_questionnaire(SHIPPED.read_text(), str(SHIPPED))


def test_shipped_questionnaire_covers_the_eight_challenges_in_depth(shipped):
    assert [c.key for c in shipped.challenges] == list(CHALLENGE_KEYS)
    for challenge in shipped.challenges:
        assert len(challenge.questions) >= 6, challenge.key
        assert list(challenge.raci.values()).count("A") == 1, challenge.key
        assert set(challenge.raci) == set(ROLES[:5] + ROLES[-2:]), challenge.key  # v1's seven
        for question in challenge.questions:
            assert len(set(question.levels)) == 5, question.id
            assert [a.from_level for a in question.actions] == [0, 1, 2, 3], question.id
            assert len({a.text for a in question.actions}) == 4, question.id


def _minimal() -> str:
    """Return a valid questionnaire text with one question per challenge."""
    parts = ["key: mini", "version: 1", "challenges:"]
    for key in CHALLENGE_KEYS:
        parts += [
            f"  - key: {key}",
            f"    title: {key.title()}",
            "    raci: {data_science: A, ml_engineering: R}",
            "    questions:",
            f"      - id: {key}.first",
            "        text: A question",
            "        weight: 1",
            '        levels: ["l0", "l1", "l2", "l3", "l4"]',
            "        actions:",
            "          - {from: 0, text: step one, effort: S, owner: data_science}",
            "          - {from: 1, text: step two, effort: M, owner: data_science}",
            "          - {from: 2, text: step three, effort: M, owner: ml_engineering}",
            "          - {from: 3, text: step four, effort: L, owner: ml_engineering}",
        ]
    return "\n".join(parts) + "\n"


def test_levels_may_carry_a_show_me_evidence_line():
    levels = '["l0", "l1", "l2", "l3", "l4"]'
    with_evidence = "\n".join(
        [""] + [f"          - {{text: l{i}, evidence: proof {i}}}" for i in range(5)]
    )
    model = parse_questionnaire(_minimal().replace(levels, with_evidence, 1), "mini.yaml")
    data = model.question("data.first")
    assert data.levels == ("l0", "l1", "l2", "l3", "l4")
    assert data.evidence_for(3) == "proof 3"
    assert model.question("cost.first").evidence_for(3) == ""  # no evidence: nothing shown
    half = with_evidence.replace("{text: l2, evidence: proof 2}", '"l2"')
    with pytest.raises(SourceError) as error:
        parse_questionnaire(_minimal().replace(levels, half, 1), "mini.yaml")
    assert "give every level an evidence line" in str(error.value)


def test_minimal_file_is_valid():
    model = parse_questionnaire(_minimal(), "mini.yaml")
    assert model.question("data.first").weight == 1
    assert model.question("cost.first").action_from(2).owner == "ml_engineering"


@pytest.mark.parametrize(
    ("old", "new", "line", "expected"),
    [
        ('levels: ["l0", "l1", "l2", "l3", "l4"]', 'levels: ["l0", "l1"]', 11, "field 'levels'"),
        (
            "{from: 1, text: step two, effort: M,",
            "{from: 1, text: step two, effort: XL,",
            14,
            "field 'actions[1].effort'",
        ),
        ("owner: data_science}", "owner: wizard}", 13, "field 'actions[0].owner'"),
        ("weight: 1", "weight: -1", 10, "field 'weight'"),
        ("raci: {data_science: A,", "raci: {data_science: X,", 6, "field 'raci.data_science'"),
        ("key: data\n", "key: dta\n", 4, "field 'key'"),
        ("id: ownership.first", "id: ownership.Bad Id", 21, "field 'id'"),
        (
            "          - {from: 3, text: step four, effort: L, owner: ml_engineering}\n  - key: ownership",
            "  - key: ownership",
            12,
            "field 'actions'",
        ),
    ],
)
def test_bad_file_is_rejected_with_file_line_and_field(old, new, line, expected):
    text = _minimal().replace(old, new, 1)
    assert text != _minimal()
    with pytest.raises(SourceError) as error:
        parse_questionnaire(text, "bad.yaml")
    message = str(error.value)
    assert f"bad.yaml:{line}:" in message, message
    assert expected in message


def test_duplicate_question_id_names_both_lines():
    lines = _minimal().splitlines(keepends=True)
    text = "".join(lines[:16] + lines[7:16] + lines[16:])  # the data question twice
    with pytest.raises(SourceError) as error:
        parse_questionnaire(text, "dup.yaml")
    assert "dup.yaml:17:" in str(error.value) and "first on line 8" in str(error.value)


def test_yaml_syntax_error_names_the_line():
    text = _minimal().replace("    title: Data\n", "    title: [Data\n", 1)
    with pytest.raises(SourceError) as error:
        parse_questionnaire(text, "broken.yaml")
    assert "broken.yaml:" in str(error.value) and "invalid YAML" in str(error.value)


def test_missing_challenge_is_named():
    text = _minimal()
    start = text.index("  - key: cost")
    end = text.index("  - key: integration")
    with pytest.raises(SourceError) as error:
        parse_questionnaire(text[:start] + text[end:], "short.yaml")
    assert "missing challenges: cost" in str(error.value)


V2 = SHIPPED.with_name("ai-scaling-v2.yaml")


def test_version_two_shows_evidence_on_every_level_and_names_the_new_roles():
    model = parse_questionnaire(V2.read_text(), str(V2))
    assert (model.key, model.version) == ("ai-scaling", 2)
    assert [c.key for c in model.challenges] == list(CHALLENGE_KEYS)
    owners = set()
    for challenge in model.challenges:
        assert 5 <= len(challenge.questions) <= 7, challenge.key
        assert list(challenge.raci.values()).count("A") == 1, challenge.key
        for question in challenge.questions:
            assert len(question.evidence) == 5 and all(question.evidence), question.id
            assert len(set(question.levels)) == 5, question.id
            owners |= {a.owner for a in question.actions}
    assert {"platform_engineering", "security_privacy", "finance"} <= owners
    llm = [q for q in model.questions if "LLM" in q.text or "generative" in q.text.lower()]
    assert len(llm) >= 5  # generative AI practice is asked inside the eight challenges

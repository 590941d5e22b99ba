"""The roadmap rule on hand-built cases, and its invariants under random inputs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.roadmap import plan_roadmap, projected_scores
from app.domain.scoring import Answer
from app.domain.vocabulary import CHALLENGE_KEYS

from .helpers import questionnaire

Q = questionnaire({key: [("a", 1), ("b", 2)] for key in CHALLENGE_KEYS})
ALL_AT = dict.fromkeys(CHALLENGE_KEYS, 3.0)


def means(**values):
    """Every question at 3.0 unless given: means(data__a=1.2)."""
    result = {q.id: 3.0 for q in Q.questions}
    result.update({k.replace("__", "."): v for k, v in values.items()})
    return result


def scores(**values):
    return {**ALL_AT, **values}


def by_question(roadmap):
    return {a.question_id: a for a in roadmap.actions}


def test_no_action_at_or_above_target():
    roadmap = plan_roadmap(Q, ALL_AT, means(), dict.fromkeys(CHALLENGE_KEYS, 3))
    assert roadmap.actions == ()
    assert all(c.gap == 0 for c in roadmap.challenges)


def test_priority_is_gap_times_weight_times_distance_and_step_starts_at_floor():
    roadmap = plan_roadmap(
        Q, scores(data=1.5), means(data__a=1.7, data__b=1.2), dict.fromkeys(CHALLENGE_KEYS, 3)
    )
    actions = by_question(roadmap)
    # gap 1.5, W 1: a -> 1.5 * (3 - 1.7) ; b -> 1.5 * (3 - 1.2)
    assert actions["data.a"].priority == pytest.approx(1.95)
    assert actions["data.b"].priority == pytest.approx(2.7)
    assert actions["data.a"].from_level == 1 and actions["data.b"].from_level == 1
    assert [a.question_id for a in roadmap.actions] == ["data.b", "data.a"]


def test_steps_from_level_zero_are_never_held_back():
    roadmap = plan_roadmap(
        Q,
        scores(ownership=0.2, monitoring=0.4),
        means(monitoring__a=0.4, ownership__a=0.2, ownership__b=0.2),
        dict.fromkeys(CHALLENGE_KEYS, 3),
    )
    action = by_question(roadmap)["monitoring.a"]
    assert action.from_level == 0 and action.earliest_phase == "now" and action.held_by is None


def test_lagging_ownership_holds_advanced_steps_everywhere():
    targets = dict.fromkeys(CHALLENGE_KEYS, 4)
    roadmap = plan_roadmap(
        Q,
        scores(ownership=1.0),
        means(monitoring__a=2.5, cost__a=3.2, culture__a=1.5, ownership__a=1.0, ownership__b=1.0),
        targets,
        capacity=20,
    )
    actions = by_question(roadmap)
    assert actions["monitoring.a"].earliest_phase == "next"  # lag 2 - 1.0 = 1
    assert actions["cost.a"].earliest_phase == "later"  # lag 3 - 1.0 = 2
    assert actions["culture.a"].earliest_phase == "now"  # lag 1 - 1.0 = 0
    assert actions["ownership.a"].earliest_phase == "now"  # no foundations
    assert (
        "Held to Later: ownership and operating model at 1.0, this step starts at level 3"
        in actions["cost.a"].why
    )


def test_data_lagging_holds_monitoring_but_not_culture():
    roadmap = plan_roadmap(
        Q,
        scores(data=1.0, monitoring=2.4, culture=2.4),
        means(monitoring__a=2.4, culture__a=2.4, data__a=1.0, data__b=1.0),
        dict.fromkeys(CHALLENGE_KEYS, 3),
    )
    actions = by_question(roadmap)
    assert actions["monitoring.a"].earliest_phase == "next"
    assert actions["monitoring.a"].held_by == ("data", 1.0)
    assert actions["culture.a"].earliest_phase == "now"


def test_ties_break_by_effort_then_dependency_order_then_question_id():
    q = questionnaire({"cost": [("a", 1), ("b", 1)], "culture": [("a", 1)]})
    # Equal priority everywhere: give cost.b effort M by rebuilding the question's actions.
    from dataclasses import replace

    cost = q.challenge("cost")
    slow = replace(
        cost.questions[0], actions=tuple(replace(a, effort="M") for a in cost.questions[0].actions)
    )
    q = replace(
        q,
        challenges=tuple(
            replace(c, questions=(slow, c.questions[1])) if c.key == "cost" else c
            for c in q.challenges
        ),
        _questions={},
    )
    m = {qq.id: 3.0 for qq in q.questions} | {"cost.a": 1.0, "cost.b": 1.0, "culture.a": 1.0}
    roadmap = plan_roadmap(q, scores(cost=1.0, culture=1.0), m, dict.fromkeys(CHALLENGE_KEYS, 3))
    # cost.a is M; cost.b and culture.a are S; cost comes before culture in the dependency order
    assert [a.question_id for a in roadmap.actions] == ["cost.b", "culture.a", "cost.a"]
    assert [c.key for c in roadmap.challenges[:2]] == ["cost", "culture"]


def test_capacity_overflow_goes_to_later_phases_then_backlog():
    roadmap = plan_roadmap(
        Q,
        scores(data=1.0),
        means(data__a=1.0, data__b=1.0),
        dict.fromkeys(CHALLENGE_KEYS, 3),
        capacity=1,
    )
    roadmap2 = plan_roadmap(
        Q,
        scores(data=1.0, culture=1.0),
        means(data__a=1.0, data__b=1.0, culture__a=1.0, culture__b=1.0),
        dict.fromkeys(CHALLENGE_KEYS, 3),
        capacity=1,
    )
    assert [a.phase for a in roadmap.actions] == ["now", "next"]
    assert [a.phase for a in roadmap2.actions] == ["now", "next", "later", "backlog"]
    assert "Now is full" in roadmap2.actions[1].why


def test_unanswered_question_counts_as_zero_and_is_marked_unknown():
    m = means(governance__a=None, governance__b=2.0)
    roadmap = plan_roadmap(Q, scores(governance=2.0), m, dict.fromkeys(CHALLENGE_KEYS, 3))
    action = by_question(roadmap)["governance.a"]
    assert action.unknown and action.from_level == 0 and action.mean_level == 0
    assert action.priority == pytest.approx(1.0 * 1 * 3)
    assert "nobody answered" in action.why


def test_done_and_dismissed_actions_free_their_slot_and_keep_their_status():
    m = means(data__a=1.0, data__b=1.0)
    targets = dict.fromkeys(CHALLENGE_KEYS, 3)
    before = plan_roadmap(Q, scores(data=1.0), m, targets, capacity=1)
    assert by_question(before)["data.b"].phase == "next"
    after = plan_roadmap(
        Q, scores(data=1.0), m, targets, capacity=1, statuses={("data.a", 1): "done"}
    )
    assert by_question(after)["data.b"].phase == "now"
    assert (
        by_question(after)["data.a"].phase is None and by_question(after)["data.a"].status == "done"
    )
    dismissed = plan_roadmap(
        Q, scores(data=1.0), m, targets, capacity=1, statuses={("data.a", 1): "dismissed"}
    )
    assert by_question(dismissed)["data.b"].phase == "now"
    planned = plan_roadmap(
        Q, scores(data=1.0), m, targets, capacity=1, statuses={("data.a", 1): "planned"}
    )
    assert (
        by_question(planned)["data.a"].status == "planned"
        and by_question(planned)["data.a"].phase == "now"
    )


def test_marking_an_action_done_never_lowers_the_projection():
    # Issue 11: marking a governance action done lowered "after Later" from 2.9 to 2.8,
    # because a done action leaves the phases and its lift left the projection with it.
    responses = [
        {"data.a": Answer("data.a", 1), "data.b": Answer("data.b", 1)},
        {"data.a": Answer("data.a", 1), "data.b": Answer("data.b", 2)},
    ]
    m = means(data__a=1.0, data__b=1.5)
    targets = dict.fromkeys(CHALLENGE_KEYS, 3)
    before = plan_roadmap(Q, scores(data=1.25), m, targets, capacity=1)
    first = before.phase("now")[0]
    after = plan_roadmap(Q, scores(data=1.25), m, targets, capacity=1, statuses={first.key: "done"})
    for phase in ("now", "next", "later"):
        was = projected_scores(Q, before, responses)[phase].challenges["data"].score
        now = projected_scores(Q, after, responses)[phase].challenges["data"].score
        assert now >= was, phase
    assert projected_scores(Q, after, responses)["now"].challenges["data"].score == 2.0


def test_dismissed_actions_lift_nothing():
    responses = [{"data.a": Answer("data.a", 1), "data.b": Answer("data.b", 1)}]
    m = means(data__a=1.0, data__b=1.0)
    targets = dict.fromkeys(CHALLENGE_KEYS, 3)
    roadmap = plan_roadmap(
        Q,
        scores(data=1.0),
        m,
        targets,
        capacity=1,
        statuses={("data.a", 1): "dismissed", ("data.b", 1): "dismissed"},
    )
    assert projected_scores(Q, roadmap, responses)["later"].challenges["data"].score == 1.0


def test_top_three_challenges_have_a_gap():
    roadmap = plan_roadmap(
        Q,
        scores(cost=2.0, data=2.5),
        means(cost__a=2.0, data__a=2.5),
        dict.fromkeys(CHALLENGE_KEYS, 3),
    )
    assert roadmap.top_challenges() == ["cost", "data"]


# --- invariants -------------------------------------------------------------------

level = st.one_of(st.none(), st.floats(min_value=0, max_value=4, allow_nan=False))
inputs = st.fixed_dictionaries(
    {
        "scores": st.fixed_dictionaries({k: level for k in CHALLENGE_KEYS}),
        "means": st.fixed_dictionaries({q.id: level for q in Q.questions}),
        "targets": st.fixed_dictionaries({k: st.integers(0, 4) for k in CHALLENGE_KEYS}),
        "capacity": st.integers(1, 6),
        "done": st.sets(st.sampled_from([q.id for q in Q.questions]), max_size=4),
    }
)
PHASE_ORDER = {"now": 0, "next": 1, "later": 2, "backlog": 3}


def _plan(data):
    statuses = {(qid, lvl): "done" for qid in data["done"] for lvl in range(4)}
    return plan_roadmap(
        Q, data["scores"], data["means"], data["targets"], data["capacity"], statuses
    )


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_roadmap_invariants(data):
    roadmap = _plan(data)
    gaps = {c.key: c for c in roadmap.challenges}
    for action in roadmap.actions:
        # no action for a challenge at or above target
        assert gaps[action.challenge].gap > 0
        assert action.mean_level < data["targets"][action.challenge]
        # no action before its earliest phase
        if action.phase is not None:
            assert PHASE_ORDER[action.phase] >= PHASE_ORDER[action.earliest_phase]
    # no phase over capacity
    for phase in ("now", "next", "later"):
        assert len(roadmap.phase(phase)) <= data["capacity"]
    # same input, same output
    assert _plan(data) == roadmap
    # a higher-priority action is never in a later phase than a lower-priority one of the same earliest phase
    placed = [a for a in roadmap.actions if a.phase is not None]
    for i, high in enumerate(placed):
        for low in placed[i + 1 :]:
            if high.earliest_phase == low.earliest_phase and high.priority > low.priority:
                assert PHASE_ORDER[high.phase] <= PHASE_ORDER[low.phase]
    # actions come sorted by priority
    priorities = [a.priority for a in roadmap.actions]
    assert priorities == sorted(priorities, reverse=True)

"""The scoring rule on hand-computed cases."""

import math

import pytest

from app.domain.scoring import Answer, score_challenge, score_team, summarize_questions

from .helpers import questionnaire


def response(**levels):
    """Build a response from question slugs of the data challenge: data_<slug>=level|'?'|'na'."""
    answers = {}
    for name, value in levels.items():
        qid = name.replace("__", ".").replace("_", "-")
        if value == "na":
            answers[qid] = Answer(qid, None, True)
        elif value == "?":
            answers[qid] = Answer(qid, None)
        else:
            answers[qid] = Answer(qid, value)
    return answers


Q = questionnaire({"data": [("a", 2), ("b", 1), ("c", 1)]})
DATA = Q.challenge("data")


def test_weighted_mean_of_one_respondent():
    result = score_challenge(DATA, [response(data__a=3, data__b=1, data__c=2)])
    # (2*3 + 1*1 + 1*2) / (2+1+1) = 9/4
    assert result.score == pytest.approx(2.25)
    assert result.disagreement == 0
    assert result.coverage == 1
    assert result.respondents == 1
    assert result.stage == "Repeatable"


def test_dont_know_is_left_out_of_score_but_counts_against_coverage():
    result = score_challenge(DATA, [response(data__a=4, data__b="?", data__c=0)])
    # (2*4 + 1*0) / (2+1) = 8/3 ; coverage 2/3
    assert result.score == pytest.approx(8 / 3)
    assert result.coverage == pytest.approx(2 / 3)
    assert result.unknown == 1


def test_blank_question_counts_as_dont_know():
    result = score_challenge(DATA, [response(data__a=2)])
    assert result.score == pytest.approx(2)
    assert result.coverage == pytest.approx(1 / 3)
    assert result.unknown == 2


def test_not_applicable_is_left_out_of_score_and_coverage():
    result = score_challenge(DATA, [response(data__a="na", data__b=1, data__c=3)])
    assert result.score == pytest.approx(2)
    assert result.coverage == 1
    assert result.not_applicable == 1


def test_team_mean_and_population_deviation_over_respondents():
    responses = [
        response(data__a=3, data__b=2, data__c=1),  # (6+2+1)/4 = 2.25
        response(data__a=2, data__b="?", data__c=2),  # (4+2)/3 = 2.0
        response(data__a=1, data__b=1, data__c="na"),  # (2+1)/3 = 1.0
    ]
    result = score_challenge(DATA, responses)
    scores = [2.25, 2.0, 1.0]
    mean = sum(scores) / 3
    assert result.score == pytest.approx(mean)
    assert result.disagreement == pytest.approx(math.sqrt(sum((s - mean) ** 2 for s in scores) / 3))
    # 7 answers with a level / (3 questions * 3 respondents - 1 N/A)
    assert result.coverage == pytest.approx(7 / 8)
    assert result.respondents == 3 and result.scored_respondents == 3


def test_respondent_without_a_level_has_no_score_but_still_counts_as_respondent():
    responses = [response(data__a=4, data__b=4, data__c=4), response(data__a="?", data__b="?")]
    result = score_challenge(DATA, responses)
    assert result.score == 4
    assert result.scored_respondents == 1
    assert result.respondents == 2
    assert result.coverage == pytest.approx(3 / 6)


def test_challenge_nobody_answered_is_undefined():
    result = score_challenge(DATA, [response(data__a="?"), {}])
    assert result.score is None and result.disagreement is None and result.stage is None
    assert result.coverage == 0


def test_no_respondents_gives_undefined_coverage():
    result = score_challenge(DATA, [])
    assert result.score is None and result.coverage is None and result.respondents == 0


def test_disagreement_flag_at_one():
    high = score_challenge(
        DATA, [response(data__a=4, data__b=4, data__c=4), response(data__a=2, data__b=2, data__c=2)]
    )
    low = score_challenge(
        DATA, [response(data__a=3, data__b=3, data__c=3), response(data__a=2, data__b=2, data__c=2)]
    )
    assert high.disagreement == pytest.approx(1.0) and high.disagrees
    assert low.disagreement == pytest.approx(0.5) and not low.disagrees


def test_overall_is_challenge_weighted_over_scored_challenges():
    q = questionnaire({}, weights={"data": 3, "ownership": 1})
    answers = {"data.q1": Answer("data.q1", 4), "ownership.q1": Answer("ownership.q1", 0)}
    result = score_team(q, [answers])
    # data 4 (W 3), ownership 0 (W 1), the other six unanswered: (3*4 + 1*0) / 4
    assert result.overall == pytest.approx(3.0)
    assert result.overall_stage == "Managed"
    assert result.challenges["cost"].score is None


def test_overall_undefined_without_any_level():
    assert score_team(Q, [{}]).overall is None


def test_question_summary_counts_levels_unknown_and_na():
    responses = [response(data__a=3), response(data__a=1, data__b="na"), response(data__a="?")]
    summary = summarize_questions(Q, responses)["data.a"]
    assert summary.counts == (0, 1, 0, 1, 0)
    assert summary.mean == pytest.approx(2)
    assert summary.unknown == 1
    assert summarize_questions(Q, responses)["data.b"].not_applicable == 1

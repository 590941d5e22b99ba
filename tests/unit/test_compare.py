"""Percentile ranks, quartiles, change, movers and degradation on hand-computed cases."""

import statistics

import pytest

from app.domain.compare import (
    TeamFigures,
    compare,
    degradations,
    movers,
    percentile_rank,
    quartiles,
)


def test_percentile_rank_counts_ties_as_half():
    values = [1.0, 2.0, 2.0, 3.0]
    assert percentile_rank(values, 1.0) == pytest.approx(100 * (0 + 0.5) / 4)  # 12.5
    assert percentile_rank(values, 2.0) == pytest.approx(100 * (1 + 1) / 4)  # 50
    assert percentile_rank(values, 3.0) == pytest.approx(100 * (3 + 0.5) / 4)  # 87.5
    assert percentile_rank([2.5], 2.5) == 50


def test_quartiles_interpolate_between_closest_ranks():
    assert quartiles([1.0, 2.0, 3.0, 4.0]) == pytest.approx((1.75, 2.5, 3.25))
    assert quartiles([1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx((2.0, 3.0, 4.0))
    assert quartiles([2.0]) == (2.0, 2.0, 2.0)
    data = [0.3, 1.7, 2.2, 2.9, 3.4, 3.8]
    assert quartiles(data) == pytest.approx(
        tuple(statistics.quantiles(data, n=4, method="inclusive"))
    )


def figures(team_id, respondents=3, disagree=False, **scores):
    return TeamFigures(team_id, respondents, scores, {k: disagree for k in scores})


def test_compare_gives_percentiles_change_median_and_low_confidence():
    current = [
        figures(1, data=1.0, overall=1.5),
        figures(2, data=2.0, overall=None),
        figures(3, respondents=2, data=3.0, overall=2.5),
    ]
    previous = {1: figures(1, data=1.4, overall=1.0), 3: figures(3, data=None, overall=2.0)}
    result = compare(("data", "overall"), current, previous)
    rows = {r["team_id"]: r for r in result.teams}
    assert rows[1]["percentiles"]["data"] == pytest.approx(100 * 0.5 / 3)
    assert rows[3]["percentiles"]["data"] == pytest.approx(100 * 2.5 / 3)
    assert rows[2]["percentiles"]["overall"] is None
    assert rows[1]["change"]["data"] == pytest.approx(-0.4)
    assert rows[3]["change"]["data"] is None and rows[3]["change"]["overall"] == pytest.approx(0.5)
    assert rows[2]["change"]["data"] is None  # no previous cycle for team 2
    assert result.median["data"] == 2.0 and result.quartiles["data"] == pytest.approx((1.5, 2.5))
    assert result.median["overall"] == pytest.approx(2.0) and result.counts["overall"] == 2
    assert rows[3]["low_confidence"] and not rows[1]["low_confidence"]


def test_disagreement_marks_low_confidence():
    result = compare(("data",), [figures(1, respondents=5, disagree=True, data=2.0)])
    assert result.teams[0]["low_confidence"]


def test_movers_rank_change_not_level():
    first = {1: {"overall": 0.5}, 2: {"overall": 3.0}, 3: {"overall": 2.0}, 4: {"overall": None}}
    last = {1: {"overall": 1.6}, 2: {"overall": 3.2}, 3: {"overall": 1.5}, 4: {"overall": 2.0}}
    ranked = movers(first, last, "overall")
    assert [t for t, _ in ranked] == [1, 2, 3]
    assert ranked[0][1] == pytest.approx(1.1) and ranked[-1][1] == pytest.approx(-0.5)


def test_degradation_flags_drops_of_half_a_level_or_more():
    previous = {1: {"data": 2.5, "cost": 2.0}, 2: {"data": 1.0}}
    current = {1: {"data": 2.0, "cost": 1.9}, 2: {"data": 0.4}, 3: {"data": 0.1}}
    assert degradations(previous, current, ["data", "cost"]) == [
        (2, "data", pytest.approx(0.6)),
        (1, "data", 0.5),
    ]


def test_percentile_ranks_of_all_values_equal_the_rule_for_each():
    from app.domain.compare import percentile_rank, percentile_ranks

    values = [1.0, 2.5, 2.5, 3.0, 0.0, 2.5, 4.0, 1.0]
    ranks = percentile_ranks(values)
    assert ranks == {v: percentile_rank(values, v) for v in values}
    assert ranks[2.5] == 100 * (3 + 3 / 2) / 8  # three below, three equal

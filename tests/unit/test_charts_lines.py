"""The trend chart: every challenge its own colour and marker, the scale fitted to the data."""

from app import charts


def test_trend_lines_have_distinct_colours_and_markers():
    series = [{"name": f"challenge {i}", "values": [1.2 + i / 10, 1.4 + i / 10]} for i in range(8)]
    figure = charts._draw_lines(["Q1", "Q2"], series, "Trend", "trend")
    lines = figure.axes[0].get_lines()
    assert len({line.get_color() for line in lines}) == 8
    assert len({line.get_marker() for line in lines}) == 8
    low, high = figure.axes[0].get_ylim()
    assert 0.8 <= low < 1.2 and 2.1 < high <= 2.5  # not squeezed into 0-4

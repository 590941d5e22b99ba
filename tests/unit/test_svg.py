"""The hand-drawn radar chart: every axis label whole, on lines short enough to fit."""

import re

from app.domain.vocabulary import CHALLENGE_TITLES
from app.svg import LABEL_CHARS, radar


def test_radar_axis_labels_are_wrapped_never_cut():
    titles = list(CHALLENGE_TITLES.values())
    chart = radar(titles, [("A team", [2.0] * 8)], "Radar")
    labels = re.findall(r'<text[^>]*class="axis-label">(.*?)</text>', chart)
    assert len(labels) == 8
    for title, label in zip(titles, labels, strict=True):
        lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", label)
        assert " ".join(lines) == title  # every word drawn, in order
        assert all(len(line) <= LABEL_CHARS for line in lines)

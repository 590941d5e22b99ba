"""Small charts drawn as SVG by hand: fast enough to draw on every request."""

from __future__ import annotations

import math
import textwrap
from html import escape

PALETTE = ("#1f5fa8", "#b45309", "#0f766e", "#7c3aed", "#be123c", "#4d7c0f", "#0369a1", "#a16207")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3")


LABEL_FONT = 13
LABEL_CHARS = 16  # a line of an axis label; two lines hold every challenge's title


def label_lines(label: str) -> list[str]:
    """Split an axis label into short lines so that none runs past the chart's edge."""
    return textwrap.wrap(label, LABEL_CHARS, break_long_words=True) or [""]


def _axis_label(label: str, x: float, y: float, anchor: str, place: str) -> str:
    """Return a <text> of one axis label, its lines stacked away from the chart."""
    lines = label_lines(label)
    step = LABEL_FONT * 1.15
    if place == "top":
        first = y - step * (len(lines) - 1)
    elif place == "bottom":
        first = y + LABEL_FONT * 0.8
    else:
        first = y + LABEL_FONT * 0.35 - step * (len(lines) - 1) / 2
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first + step * number:.1f}">{escape(line)}</tspan>'
        for number, line in enumerate(lines)
    )
    return (
        f'<text font-size="{LABEL_FONT}" text-anchor="{anchor}" fill="#222" class="axis-label">'
        f"{spans}</text>"
    )


def radar(
    labels: list[str], series: list[tuple[str, list[float | None]]], title: str, size: int = 440
) -> str:
    """Return an SVG radar chart (0-4 scale) with one outline per series and a legend."""
    width = size + 160
    cx, cy, radius = width / 2, size / 2 - 10, size / 2 - 70
    count = len(labels)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return cx + radius * value / 4 * math.cos(angle), cy + radius * value / 4 * math.sin(angle)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {size + 20 * ((len(series) + 1) // 2)}" role="img" aria-labelledby="radar-title">',
        f'<title id="radar-title">{escape(title)}</title>',
    ]
    for ring in (1, 2, 3, 4):
        ring_points = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(count))
        )
        parts.append(
            f'<polygon points="{ring_points}" fill="none" stroke="#d0d5dd" stroke-width="1"/>'
        )
        x, y = point(0, ring)
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" font-size="10" fill="#555">{ring}</text>'
        )
    for index, label in enumerate(labels):
        x, y = point(index, 4)
        lx, ly = point(index, 4.45)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#e3e7ef"/>'
        )
        place = "top" if ly < cy - 10 else ("bottom" if ly > cy + 10 else "side")
        if anchor != "middle":
            place = "side"
        parts.append(_axis_label(label, lx, ly, anchor, place))
    for number, (name, values) in enumerate(series):
        colour, dash = PALETTE[number % len(PALETTE)], DASHES[number % len(DASHES)]
        shape = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (point(i, v or 0) for i, v in enumerate(values))
        )
        parts.append(
            f'<polygon points="{shape}" fill="{colour}" fill-opacity="0.06" stroke="{colour}" stroke-width="2"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        lx = 40 + (number % 2) * (width / 2)
        ly = size + 4 + 20 * (number // 2)
        parts.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{colour}" stroke-width="3"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        parts.append(
            f'<text x="{lx + 30}" y="{ly + 4}" font-size="12" fill="#222">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

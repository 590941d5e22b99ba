"""Charts drawn with matplotlib on Figure objects, rendered to SVG, cached by their data."""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path

from flask import current_app

_cache: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()
_CACHE_SIZE = 256
# Bump when the drawing code changes, so cached charts are redrawn.
STYLE_VERSION = 3

TEAM_COLOUR = "#1f5fa8"
TARGET_COLOUR = "#b45309"
OTHER_COLOURS = ("#1f5fa8", "#b45309", "#0f766e", "#7c3aed", "#be123c", "#4d7c0f")


def _cached(kind: str, data: dict, draw) -> str:
    """Return the SVG for data, from memory, the instance folder, or freshly drawn."""
    digest = hashlib.sha256(
        json.dumps([STYLE_VERSION, kind, data], sort_keys=True).encode()
    ).hexdigest()[:32]
    with _lock:
        if digest in _cache:
            _cache.move_to_end(digest)
            return _cache[digest]
    folder = Path(current_app.instance_path) / "charts"
    path = folder / f"{digest}.svg"
    if path.exists():
        svg = path.read_text()
    else:
        svg = draw(**data)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(svg)
        tmp.replace(path)
    with _lock:
        _cache[digest] = svg
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return svg


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    figure.patch.set_alpha(0)
    return figure


def _to_svg(figure, title_id: str) -> str:
    buffer = io.StringIO()
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ascent"}):
        figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\s(width|height)="[\d.]+pt"', "", svg, count=2)
    return svg.replace(
        "<svg ", f'<svg role="img" aria-labelledby="{title_id}" focusable="false" ', 1
    )


def radar_svg(labels: list[str], series: list[dict], title: str, chart_id: str) -> str:
    """Return a radar chart of 0-4 scores, one polygon per series {name, values, dashed}."""
    return _cached(
        "radar",
        {"labels": labels, "series": series, "title": title, "chart_id": chart_id},
        _draw_radar,
    )


def _draw_radar(labels, series, title, chart_id) -> str:
    figure = _figure(6.0, 6.0)
    axes = figure.add_subplot(projection="polar")
    count = len(labels)
    angles = [2 * math.pi * i / count for i in range(count)]
    closed = angles + angles[:1]
    axes.set_theta_offset(math.pi / 2)
    axes.set_theta_direction(-1)
    axes.set_ylim(0, 4)
    axes.set_yticks([1, 2, 3, 4])
    axes.set_yticklabels(["1", "2", "3", "4"], fontsize=9, color="#555")
    axes.set_rlabel_position(90 / count)
    axes.set_xticks(angles)
    axes.set_xticklabels([_wrap(label) for label in labels], fontsize=10, color="#222")
    axes.tick_params(axis="x", pad=12)
    axes.grid(color="#d0d5dd", linewidth=0.8)
    axes.spines["polar"].set_color("#d0d5dd")
    for index, item in enumerate(series):
        values = [v if v is not None else 0 for v in item["values"]]
        colour = item.get("colour") or OTHER_COLOURS[index % len(OTHER_COLOURS)]
        style = "--" if item.get("dashed") else "-"
        axes.plot(closed, values + values[:1], style, color=colour, linewidth=2, label=item["name"])
        if not item.get("dashed"):
            axes.fill(closed, values + values[:1], color=colour, alpha=0.12)
            axes.scatter(angles, values, color=colour, s=14, zorder=3)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=10, frameon=False, ncol=3)
    figure.subplots_adjust(left=0.16, right=0.84, top=0.88, bottom=0.16)
    svg = _to_svg(figure, f"{chart_id}-title")
    return svg.replace(">", f'><title id="{chart_id}-title">{_escape(title)}</title>', 1)


def _wrap(label: str) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + len(word) > 14:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

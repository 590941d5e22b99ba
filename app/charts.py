"""Charts drawn with matplotlib on Figure objects, rendered to SVG or PNG, cached by their data."""

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

_cache: OrderedDict[str, bytes] = OrderedDict()
_lock = threading.Lock()
_CACHE_SIZE = 256
# Bump when the drawing code changes, so cached charts are redrawn.
STYLE_VERSION = 6

TEAM_COLOUR = "#1f5fa8"
TARGET_COLOUR = "#b45309"
# Okabe and Ito's colour-blind-safe set (yellow darkened to read on white), one per challenge;
# each line also has its own marker, so no series is told apart by colour alone.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#9A7D0A", "#6B7280")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LEVEL_COLOURS = ("#f4b6b2", "#f8cf9c", "#f3e39a", "#a9dbb3", "#6fbf87")


def _render(kind: str, data: dict, fmt: str) -> bytes:
    """Return the chart as bytes, from memory, the instance folder, or freshly drawn."""
    digest = hashlib.sha256(
        json.dumps([STYLE_VERSION, kind, fmt, data], sort_keys=True).encode()
    ).hexdigest()[:32]
    with _lock:
        if digest in _cache:
            _cache.move_to_end(digest)
            return _cache[digest]
    folder = Path(current_app.instance_path) / "charts"
    path = folder / f"{digest}.{fmt}"
    if path.exists():
        content = path.read_bytes()
    else:
        figure = DRAWERS[kind](**data)
        content = _svg(figure, data["chart_id"]) if fmt == "svg" else _png(figure)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(content)
        tmp.replace(path)
    with _lock:
        _cache[digest] = content
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return content


def svg(kind: str, **data) -> str:
    """Return a chart as inline SVG with role=img and a title naming what it shows."""
    return _render(kind, data, "svg").decode()


def png(kind: str, **data) -> bytes:
    """Return a chart as a PNG image (for PDF reports)."""
    return _render(kind, data, "png")


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    figure.patch.set_alpha(0)
    return figure


def _svg(figure, chart_id: str) -> bytes:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ascent"}):
        figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'\s(width|height)="[\d.]+pt"', "", text, count=2)
    title = _escape(figure.get_label())
    text = text.replace(
        "<svg ", f'<svg role="img" aria-labelledby="{chart_id}-title" focusable="false" ', 1
    )
    return text.replace(">", f'><title id="{chart_id}-title">{title}</title>', 1).encode()


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.patch.set_alpha(1)
    figure.patch.set_facecolor("white")
    figure.savefig(buffer, format="png", dpi=150)
    return buffer.getvalue()


def _draw_radar(labels, series, title, chart_id):
    figure = _figure(6.0, 6.0)
    figure.set_label(title)
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
        colour = item.get("colour") or PALETTE[index % len(PALETTE)]
        style = "--" if item.get("dashed") else "-"
        axes.plot(closed, values + values[:1], style, color=colour, linewidth=2, label=item["name"])
        if not item.get("dashed"):
            axes.fill(
                closed, values + values[:1], color=colour, alpha=0.12 if len(series) < 4 else 0.05
            )
            axes.scatter(angles, values, color=colour, s=14, zorder=3)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=10, frameon=False, ncol=3)
    figure.subplots_adjust(left=0.16, right=0.84, top=0.88, bottom=0.16)
    return figure


def _draw_bars(labels, values, title, chart_id, xlabel="", ylabel="", colours=None):
    figure = _figure(6.4, 3.4)
    figure.set_label(title)
    axes = figure.add_subplot()
    bars = axes.bar(
        range(len(values)), values, color=colours or TEAM_COLOUR, edgecolor="#334155", linewidth=0.6
    )
    if len(values) <= 12:
        axes.bar_label(bars, fontsize=9, padding=2)
    axes.set_xticks(range(len(labels)), labels, fontsize=9)
    axes.set_xlabel(xlabel, fontsize=9)
    axes.set_ylabel(ylabel, fontsize=9)
    axes.set_ylim(0, max(values + [1]) * 1.2)
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _tidy(axes)
    figure.tight_layout()
    return figure


def _draw_lines(labels, series, title, chart_id, ylabel="score (0–4)"):
    figure = _figure(7.2, 3.8)
    figure.set_label(title)
    axes = figure.add_subplot()
    xs = list(range(len(labels)))
    shown = []
    for index, item in enumerate(series):
        points = [(x, v) for x, v in zip(xs, item["values"], strict=True) if v is not None]
        if not points:
            continue
        shown += [p[1] for p in points]
        bold = item.get("bold")
        axes.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            marker="o" if bold else MARKERS[index % len(MARKERS)],
            markersize=4 if not bold else 6,
            linewidth=3 if bold else 1.4,
            color="#111827" if bold else PALETTE[index % len(PALETTE)],
            linestyle="-" if bold or index < len(PALETTE) else "--",
            label=item["name"],
        )
    axes.set_xticks(xs, labels, fontsize=9)
    # Lines that share a narrow band are spread over the height; the axis says the range.
    low, high = (min(shown), max(shown)) if shown else (0, 4)
    axes.set_ylim(max(0, low - 0.3), min(4, high + 0.3) if high - low > 0.2 else min(4, low + 1))
    axes.set_ylabel(ylabel, fontsize=9)
    if axes.get_lines():  # no line when no cycle has a score yet
        axes.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    _tidy(axes)
    axes.grid(axis="y", color="#e5e7eb")
    figure.tight_layout()
    return figure


def _tidy(axes):
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=9, colors="#333")


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


DRAWERS = {"radar": _draw_radar, "bars": _draw_bars, "lines": _draw_lines}

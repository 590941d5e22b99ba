"""Every text colour set in ascent.css reaches WCAG AA (4.5:1) on the backgrounds it is shown on."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).parents[2] / "app" / "static" / "ascent.css"
PAGE = "#f6f7fb"  # --bs-body-bg, the page behind buttons and text outside cards
WHITE = "#ffffff"  # cards and tables
ORG_COLUMN = "#f1f4f9"  # the org's columns of the compare table


def luminance(colour: str) -> float:
    """Return the WCAG 2.1 relative luminance of an sRGB colour."""
    channels = [channel / 255 for channel in _rgb(colour)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """Return the WCAG contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _rgb(colour: str) -> tuple[int, int, int]:
    """Read '#abc', '#aabbcc' or 'r, g, b' (a Bootstrap *-rgb variable)."""
    colour = colour.replace("!important", "").strip()
    if colour.startswith("#"):
        digits = colour[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return tuple(int(part) for part in colour.split(","))


def _rules() -> dict[str, dict[str, str]]:
    """Return ascent.css as {selector: {property: value}}, later rules winning."""
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    text = re.sub(r"@media[^{]*\{((?:[^{}]*\{[^}]*\})*)\s*\}", "", text)  # screens vary; skip
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", text):
        declarations = dict(
            (name.strip(), value.strip())
            for name, value in (d.split(":", 1) for d in body.split(";") if ":" in d)
        )
        for selector in selectors.split(","):
            rules.setdefault(" ".join(selector.split()), {}).update(declarations)
    return rules


RULES = _rules()

# (selector, property giving the text colour, backgrounds it sits on: colours or
# (selector, property) pairs read from the same file)
PAIRS = [
    (":root", "--bs-body-color", [PAGE, WHITE]),
    (":root", "--bs-link-color", [PAGE, WHITE, ORG_COLUMN]),
    (":root", "--bs-secondary-color", [PAGE, WHITE, ORG_COLUMN]),
    (":root", "--bs-success-rgb", [PAGE, WHITE]),  # text-success
    (":root", "--bs-danger-rgb", [PAGE, WHITE]),  # text-danger, link-danger
    (":root", "--bs-form-invalid-color", [PAGE, WHITE]),
    (".text-secondary", "color", [PAGE, WHITE, ORG_COLUMN, ("heat-0", "background")]),
    (".btn-outline-secondary", "--bs-btn-color", [PAGE, WHITE]),
    (
        ".btn-outline-secondary",
        "--bs-btn-hover-color",
        [(".btn-outline-secondary", "--bs-btn-hover-bg")],
    ),
    (".btn-outline-primary", "--bs-btn-color", [PAGE, WHITE]),
    (".btn-outline-danger", "--bs-btn-color", [PAGE, WHITE]),
    (".btn-outline-danger", "--bs-btn-hover-color", [(".btn-outline-danger", "--bs-btn-hover-bg")]),
    (".btn-primary", "--bs-btn-bg", [WHITE]),  # white text on the blue button
    (".btn-success", "--bs-btn-bg", [WHITE]),
    (".text-bg-success", "background-color", [WHITE]),
    (".change.up", "color", [PAGE, WHITE]),
    (".change.down", "color", [PAGE, WHITE]),
    (".change.flat", "color", [PAGE, WHITE]),
    (".finding", "color", [PAGE, WHITE]),
    (".overdue-note", "color", [PAGE, WHITE]),
    (".overdue-badge", "background", [WHITE]),
    (".text-bg-warning", "color", [(".text-bg-warning", "background-color")]),
    (".text-bg-info", "color", [(".text-bg-info", "background-color")]),
    (".app-nav .nav-link", "color", [(":root", "--ascent-navy")]),
    (".user-name", "color", [(":root", "--ascent-navy")]),
]


def _background(where) -> str:
    """Return a background colour given as a colour or as (selector, property) of ascent.css."""
    if isinstance(where, str):
        return where
    selector, prop = where
    selector = selector if selector.startswith((".", ":")) else f".{selector}"
    return RULES[selector][prop]


@pytest.mark.parametrize("selector, prop, backgrounds", PAIRS)
def test_text_colour_reaches_aa(selector, prop, backgrounds):
    colour = RULES[selector][prop]
    for where in backgrounds:
        background = _background(where)
        assert contrast(colour, background) >= 4.5, (selector, prop, colour, background)


def test_the_luminance_function_matches_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    # the failures the issue reported, so the function would have caught them
    assert contrast("#6c757d", PAGE) == pytest.approx(4.38, abs=0.01)
    assert contrast("#198754", PAGE) == pytest.approx(4.23, abs=0.01)

"""Workshop module files: validate the library, import versions, render Markdown safely."""

from __future__ import annotations

import functools
import hashlib
import html as htmllib
import re
from pathlib import Path

import markdown
import nh3
import sqlalchemy as sa

from .domain.curriculum import Module, check_library, checklist_steps, parse_module
from .domain.yamlsource import Problem, SourceError
from .extensions import db
from .models import ModuleVersion

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul", "span", "div", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
}


def read_library(folder: str | Path) -> list[tuple[str, Module]]:
    """Parse every module under folder (or one file); raise SourceError naming every problem."""
    folder = Path(folder)
    files = [folder] if folder.is_file() else sorted(folder.rglob("*.md"))
    modules, problems = [], []
    for path in files:
        try:
            module = parse_module(path.read_text(encoding="utf-8"), str(path))
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        if not folder.is_file() and path.parent.name != module.challenge:
            problems.append(
                Problem(
                    str(path),
                    None,
                    "",
                    "challenge",
                    f"'{module.challenge}' module in the folder '{path.parent.name}'",
                )
            )
        modules.append((str(path), module))
    if not files:
        problems.append(Problem(str(folder), None, "", "", "no module files (*.md) found"))
    if not folder.is_file():
        problems.extend(check_library(modules))
    if problems:
        raise SourceError(problems)
    return modules


def sync_library(folder: str | Path) -> dict[str, int]:
    """Store a new version of every module whose file changed; return counts."""
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    latest = latest_versions()
    root = Path(folder)
    for path, module in read_library(folder):
        text = Path(path).read_text(encoding="utf-8")
        checksum = hashlib.sha256(text.encode()).hexdigest()
        current = latest.get(module.key)
        if current is not None and current.checksum == checksum:
            counts["unchanged"] += 1
            continue
        known = db.session.scalar(
            sa.select(ModuleVersion).where(
                ModuleVersion.key == module.key, ModuleVersion.checksum == checksum
            )
        )
        if known is not None:  # a file put back to an older text: make that version current again
            known.version = (current.version if current else 0) + 1
            counts["changed"] += 1
            continue
        db.session.add(
            ModuleVersion(
                key=module.key,
                version=(current.version if current else 0) + 1,
                checksum=checksum,
                path=str(Path(path).relative_to(root) if root.is_dir() else Path(path).name),
                challenge=module.challenge,
                title=module.title,
                source=text,
            )
        )
        counts["changed" if current else "new"] += 1
    db.session.flush()
    return counts


def latest_versions() -> dict[str, ModuleVersion]:
    """Return the newest stored version of every module, by key (one query)."""
    newest = (
        sa.select(ModuleVersion.key, sa.func.max(ModuleVersion.version).label("version"))
        .group_by(ModuleVersion.key)
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(ModuleVersion).join(
            newest,
            sa.and_(ModuleVersion.key == newest.c.key, ModuleVersion.version == newest.c.version),
        )
    )
    return {row.key: row for row in rows}


def module_of(version: ModuleVersion) -> Module:
    """Return the parsed module of a stored version (parsed once per process)."""
    module = _parsed.get(version.checksum)
    if module is None:
        module = _parsed[version.checksum] = parse_module(version.source, version.path)
    return module


_parsed: dict[str, Module] = {}


def render_body(module: Module) -> tuple[str, str]:
    """Render the module as sanitized HTML before and after its checklist section.

    The page shows the interactive checklist between the two; the title heading is dropped
    because the page has its own.
    """
    return _render_body(module.body)


@functools.lru_cache(maxsize=128)
def _render_body(text: str) -> tuple[str, str]:
    """Render a module body once per process: Markdown and sanitizing cost milliseconds."""
    steps = {offset for offset, _ in checklist_steps(text)}
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].startswith("# "):
        steps.add(first)
    heading = next((i for i, line in enumerate(lines) if _CHECKLIST_RE.match(line)), len(lines))
    before = [line for i, line in enumerate(lines[:heading]) if i not in steps]
    after = [line for i, line in enumerate(lines) if i > heading and i not in steps]
    top, bottom = render_markdown("\n".join(before)), render_markdown("\n".join(after))
    taken: set[str] = set()
    return _anchor_sections(top, taken), _anchor_sections(bottom, taken)


_H2_RE = re.compile(r"<h2>(.*?)</h2>", re.S)
_ANCHORED_H2_RE = re.compile(r'<h2 id="(section-[a-z0-9-]+)">(.*?)</h2>', re.S)


def _anchor_sections(html: str, taken: set[str]) -> str:
    """Give each section heading of sanitized HTML an id of our own, so a contents list links it."""

    def anchor(match: re.Match) -> str:
        text = _text_of(match.group(1))
        slug = "section-" + (re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "part")
        unique, n = slug, 2
        while unique in taken:
            unique, n = f"{slug}-{n}", n + 1
        taken.add(unique)
        return f'<h2 id="{unique}">{match.group(1)}</h2>'

    return _H2_RE.sub(anchor, html)


def _text_of(html: str) -> str:
    """Return the plain text of a fragment of sanitized HTML."""
    return htmllib.unescape(re.sub(r"<[^>]+>", "", html)).strip()


def table_of_contents(parts: tuple[str, ...]) -> list[tuple[str, str]]:
    """Return (anchor, title) of each section heading in rendered module HTML, in order."""
    return [
        (m.group(1), _text_of(m.group(2))) for part in parts for m in _ANCHORED_H2_RE.finditer(part)
    ]


_CHECKLIST_RE = re.compile(r"^#{2,3}\s+checklist\s*$", re.IGNORECASE)


def render_markdown(text: str) -> str:
    """Render Markdown with raw HTML shown as text, then sanitize what comes out."""
    engine = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists"])
    engine.preprocessors.deregister("html_block")
    engine.inlinePatterns.deregister("html")
    html = engine.convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    )

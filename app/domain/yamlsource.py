"""YAML loading that remembers the line of every mapping key and list item."""

from __future__ import annotations

import yaml


class SourceError(Exception):
    """A problem in a content file, located by file, line and field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Problem:
    """One located problem: file, line, where in the document, field and message."""

    def __init__(self, file: str, line: int | None, where: str, field: str, message: str):
        self.file, self.line, self.where, self.field, self.message = (
            file,
            line,
            where,
            field,
            message,
        )

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        parts = [p for p in (self.where, f"field '{self.field}'" if self.field else "") if p]
        return (
            f"{place}: {', '.join(parts)}: {self.message}" if parts else f"{place}: {self.message}"
        )

    def __repr__(self) -> str:
        return f"Problem({self})"


class LineDict(dict):
    """A dict that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        """Return the line of key, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        """Return the line of item index."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _make_loader(offset: int):
    class Loader(_Loader):
        line_offset = offset

    return Loader


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1 + loader.line_offset
        if key in result:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key '{key}' (first on line {result.key_lines[key]})",
                problem_mark=key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader, node):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1 + loader.line_offset
    result.item_lines = [child.start_mark.line + 1 + loader.line_offset for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_yaml(text: str, file: str, line_offset: int = 0):
    """Parse YAML text into LineDict/LineList values; raise SourceError on a syntax error."""
    try:
        return yaml.load(text, Loader=_make_loader(line_offset))  # noqa: S506 - safe loader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise SourceError([Problem(file, line, "", "", f"invalid YAML: {message}")]) from exc
    except yaml.YAMLError as exc:
        raise SourceError([Problem(file, None, "", "", f"invalid YAML: {exc}")]) from exc

"""YAML loading that remembers where every key and value came from.

``load_yaml`` parses with PyYAML's safe loader but builds plain Python data itself, recording
for each path into the data (``("questions", 0, "choices")``) the 1-based line of the key and
of the value. ``split_front_matter`` cuts a lesson into its ``---`` header and Markdown body.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import yaml

Key = str | int
DataPath = tuple[Any, ...]


class SourceError(Exception):
    """A file that cannot be read as YAML (or as a lesson) at all."""

    def __init__(self, message: str, line: int | None, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


@dataclass(frozen=True)
class NodeLines:
    start: int  # 1-based line where the value starts
    key: int | None  # 1-based line of its key, when the value belongs to a mapping
    scalar: bool
    style: str | None  # scalar style: '|' literal, '>' folded, quotes, or None (plain)
    empty: bool  # an empty (null) value such as ``items:`` with nothing after it


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    line: int
    first_line: int


@dataclass
class LineMap:
    nodes: dict[DataPath, NodeLines] = field(default_factory=dict)
    first_line: int = 1  # fallback: the first line of the document

    def node(self, path: DataPath) -> NodeLines | None:
        return self.nodes.get(tuple(path))

    def key_line(self, path: DataPath) -> int:
        """The line of the key at ``path`` (or where the value starts, for list entries)."""
        node = self.node(path)
        if node is None:
            return self.nearest(path)
        return node.key if node.key is not None else node.start

    def value_line(self, path: DataPath) -> int:
        """The line of a scalar value; for a list or mapping, the line of its key."""
        node = self.node(path)
        if node is None:
            return self.nearest(path)
        if node.scalar and not node.empty:
            return node.start
        return node.key if node.key is not None else node.start

    def mapping_line(self, path: DataPath) -> int:
        """Where the mapping at ``path`` starts (the line of its first key)."""
        node = self.node(path)
        if node is None:
            return self.nearest(path)
        if node.empty and node.key is not None:
            return node.key
        return node.start

    def nearest(self, path: DataPath) -> int:
        path = tuple(path)
        while path:
            path = path[:-1]
            node = self.nodes.get(path)
            if node is not None:
                return node.key if node.key is not None else node.start
        return self.first_line

    def text_line(self, path: DataPath, line_in_text: int) -> int:
        """The file line of line ``line_in_text`` (1-based) inside a multi-line string value."""
        node = self.node(path)
        if node is None:
            return self.nearest(path)
        if node.style == "|":
            return node.start + line_in_text
        if node.style == ">":
            return node.start + 1
        return node.start


@dataclass
class YamlDoc:
    data: Any
    lines: LineMap
    duplicates: list[DuplicateKey]


def _syntax_error(exc: yaml.YAMLError, line_offset: int) -> SourceError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + line_offset if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{problem} ({context})" if context else problem
    return SourceError(
        f"YAML syntax error: {detail}",
        line,
        "check the indentation and the colons on this line and the one above; put text "
        'containing ": ", "#" or a leading special character (*, &, !, [, {, @) in quotes',
    )


def load_yaml(text: str, *, line_offset: int = 0) -> YamlDoc:
    """Parse one YAML document; ``line_offset`` is added to every line (front matter)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, line_offset) from exc
    lines = LineMap(first_line=1 + line_offset)
    duplicates: list[DuplicateKey] = []
    if root is None:
        return YamlDoc(None, lines, duplicates)
    builder = _Builder(lines, duplicates, line_offset)
    try:
        data = builder.build(root, (), None)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, line_offset) from exc
    return YamlDoc(data, lines, duplicates)


class _Builder:
    def __init__(self, lines: LineMap, duplicates: list[DuplicateKey], offset: int) -> None:
        self.lines = lines
        self.duplicates = duplicates
        self.offset = offset
        self.constructor = yaml.SafeLoader("")  # only used for its scalar constructors

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def build(self, node: yaml.Node, path: DataPath, key_line: int | None) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value = self.constructor.construct_object(node, deep=True)
            self.lines.nodes[path] = NodeLines(
                self.line(node), key_line, True, node.style, value is None
            )
            return value
        self.lines.nodes[path] = NodeLines(self.line(node), key_line, False, None, False)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), None) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            self.constructor.flatten_mapping(node)  # resolve YAML merge keys (<<)
            result: dict[Any, Any] = {}
            first_seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = self.constructor.construct_object(key_node, deep=True)
                line = self.line(key_node)
                if not isinstance(key, Hashable):
                    raise SourceError(
                        "a key here is a list or mapping, not a name",
                        line,
                        "keys are plain names followed by a colon, e.g. 'title: ...'",
                    )
                if key in first_seen:
                    self.duplicates.append(DuplicateKey(str(key), line, first_seen[key]))
                else:
                    first_seen[key] = line
                result[key] = self.build(value_node, (*path, key), line)
            return result
        raise SourceError("unsupported YAML node", self.line(node), "write plain YAML")


@dataclass(frozen=True)
class FrontMatter:
    header: str  # the YAML text between the two '---' lines
    header_line: int  # file line of the header's first line
    body: str
    body_line: int  # file line where the body starts


def split_front_matter(text: str) -> FrontMatter:
    """Split a lesson into header and body; raises SourceError if there is no valid header."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    hint = (
        "a lesson starts with a line '---', then its header keys "
        "(title, slug, minutes, objectives), then another line '---', then the Markdown"
    )
    if not lines or lines[0].rstrip() != "---":
        raise SourceError("the lesson does not start with a '---' header line", 1, hint)
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return FrontMatter(
                header="".join(lines[1:index]),
                header_line=2,
                body="".join(lines[index + 1 :]),
                body_line=index + 2,
            )
    raise SourceError(
        "the lesson header opened by '---' on line 1 is never closed",
        1,
        "add a line '---' after the last header key, before the lesson text",
    )

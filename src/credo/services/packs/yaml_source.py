"""Reading a pack file: YAML with the line of every key kept, so problems can name their line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarbool import ScalarBoolean

from credo.domain.rules.conditions import Path

_STANDARD_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True, slots=True)
class YamlProblem:
    path: Path
    line: int | None
    message: str


@dataclass(frozen=True, slots=True)
class ParsedYaml:
    """The round-trip tree (which knows lines) and the same content as plain Python."""

    tree: object
    data: object

    def line_of(self, path: Path) -> int:
        """The line of the deepest key or item of `path` that the file has."""
        node, line = self.tree, 1
        for step in path:
            if isinstance(node, CommentedMap) and step in node:
                line = node.lc.key(step)[0] + 1
                node = node[step]
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
                line = node.lc.item(step)[0] + 1
                node = node[step]
            else:
                break
        return line


def parse_yaml(text: str) -> tuple[ParsedYaml | None, list[YamlProblem]]:
    yaml = YAML(typ="rt")
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as e:
        return None, [_syntax(e)]
    problems = list(_node_problems(root, ()))
    if problems:
        return None, problems
    try:
        tree = yaml.constructor.construct_document(root) if root is not None else None
    except (MarkedYAMLError, ValueError) as e:
        return None, [_unreadable(root, e)]
    return ParsedYaml(tree, plain(tree)), []


def quick_plain(text: str) -> object | None:
    """The content of `text` as `plain` gives it, read by ruamel's C parser (libyaml, several
    times faster than the round trip; `ruamel.yaml.clib`), without lines; None when it refuses
    anything (a syntax error, a duplicate key, a foreign tag), which the round trip then finds
    and places. For text that passed the checks before: a stored pack."""
    try:
        return plain(YAML(typ="safe", pure=False).load(text))
    except (MarkedYAMLError, ValueError):
        return None


def plain(node: object) -> object:
    """Round-trip values as the builtin types pydantic and the checks expect. A date is given
    as its ISO text, as if it had been quoted: quoted or not, `2026-01-01` is the same value,
    and the pack model reads a date from it where it holds one
    (`credo.domain.rules.packs.PackDate`)."""
    if isinstance(node, dict):
        return {plain(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, ScalarBoolean):  # an int subclass in ruamel, not a bool
        return bool(node)
    for kind in (bool, str, int, float):
        if isinstance(node, kind):
            return kind(node)
    if isinstance(node, dt.datetime | dt.date):
        return node.isoformat()
    return node if node is None else str(node)


def _syntax(e: MarkedYAMLError) -> YamlProblem:
    mark = e.problem_mark or e.context_mark
    what = e.problem or e.context or "cannot be read"
    context = f" ({e.context})" if e.context and e.problem else ""
    return YamlProblem((), mark.line + 1 if mark else None, f"YAML syntax: {what}{context}")


def _node_problems(node: Node | None, path: Path) -> Iterator[YamlProblem]:
    """Duplicate keys and foreign tags, found before loading so that each gets its line."""
    if node is None:
        return
    tag = str(node.tag)
    if not tag.startswith(_STANDARD_TAG) and tag not in ("None", ""):
        yield YamlProblem(
            path, node.start_mark.line + 1, f"YAML tag `{tag}` is not part of the pack format"
        )
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if str(key.tag) == _STANDARD_TAG + "merge":
                continue
            name = str(key.value) if isinstance(key, ScalarNode) else "?"
            here = (*path, name)
            line = key.start_mark.line + 1
            if name in seen:
                yield YamlProblem(
                    here,
                    line,
                    f"duplicate key `{name}` (first on line {seen[name]}); "
                    "a key may appear once in a mapping",
                )
            else:
                seen[name] = line
            yield from _node_problems(value, here)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            yield from _node_problems(item, (*path, i))


def _unreadable(root: Node | None, e: Exception) -> YamlProblem:
    """A value the YAML types cannot hold, such as the date 2026-13-45: find which one."""
    yaml = YAML(typ="rt")
    for path, node in _scalars(root, ()):
        try:
            yaml.constructor.construct_object(node, deep=True)
        except (MarkedYAMLError, ValueError) as bad:
            return YamlProblem(
                path, node.start_mark.line + 1, f"`{node.value}` cannot be read: {bad}"
            )
    return YamlProblem((), None, f"the file cannot be read: {e}")


def _scalars(node: Node | None, path: Path) -> Iterator[tuple[Path, ScalarNode]]:
    if isinstance(node, ScalarNode):
        yield path, node
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            yield from _scalars(value, (*path, str(key.value)))
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            yield from _scalars(item, (*path, i))

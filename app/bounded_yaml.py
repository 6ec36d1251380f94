"""Reading YAML that came from outside (mappings, the policy, custom fields), within bounds.

Safe loading alone does not bound memory: aliases let a few hundred bytes
name a tree of a billion nodes (the "billion laughs"), and turning that
tree into text or walking it exhausts the machine. Every YAML the app reads
goes through `compose` or `load` here, which refuse:

- a document longer than its limit (`MAX_BYTES` unless the caller says less);
- one that nests deeper than `MAX_DEPTH`, refers to itself, or expands (every
  alias counted as the whole tree it names) to more than `MAX_NODES` nodes.

Errors are `YamlInputError(line, column, problem)`, 1-based, pointing at the
value where that is known. The `text`, `fields` and `items` helpers check a
value's type node by node, so a wrong type names its line too.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import yaml

from app.excerpt import excerpt

#: no document the app reads is near this: the shipped policy is 3 KiB
MAX_BYTES = 256 * 1024
#: nodes after expanding every alias (a mapping entry is a key node and a value node)
MAX_NODES = 20_000
MAX_DEPTH = 64


class YamlInputError(ValueError):
    def __init__(self, line: int, column: int, problem: str) -> None:
        super().__init__(f"line {line}, column {column}: {problem}")
        self.line = line
        self.column = column
        self.problem = problem


def read_file(path: Path, *, limit: int = MAX_BYTES) -> str:
    """The file's text, refusing a file over `limit` bytes before reading it whole."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise YamlInputError(1, 1, f"the file is longer than {limit // 1024} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlInputError(line, column, "the file is not UTF-8 text") from None


def compose(text: str, *, limit: int = MAX_BYTES) -> yaml.Node | None:
    """The document's node tree, checked against the bounds above (None: empty)."""
    if len(text) > limit:
        raise YamlInputError(1, 1, f"the document is longer than {limit // 1024} KiB")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = str(exc.problem or exc.context or "not valid YAML")
        raise YamlInputError(line, column, problem) from None
    except yaml.YAMLError:
        raise YamlInputError(1, 1, "not valid YAML") from None
    except RecursionError:
        raise YamlInputError(1, 1, f"nested more than {MAX_DEPTH} levels deep") from None
    if root is not None:
        _check_size(root)
    return root


def load(text: str, *, limit: int = MAX_BYTES) -> object:
    """Plain Python data (dicts, lists, strings, numbers) of a bounded document."""
    root = compose(text, limit=limit)
    if root is None:
        return None
    try:
        return yaml.SafeLoader("").construct_document(root)
    except yaml.MarkedYAMLError as exc:
        fail(root, str(exc.problem or "not a valid value"), mark=exc.problem_mark)


def _check_size(root: yaml.Node) -> None:
    """Count the expanded tree without building it: each node's size once, by identity."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    # (node, depth, children pushed yet?)
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, expanded = stack.pop()
        key = id(node)
        if expanded:
            open_nodes.discard(key)
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            if total > MAX_NODES:
                fail(node, f"expands to more than {MAX_NODES:,} values (aliases of aliases?)")
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            fail(node, "refers to itself through an alias")
        if depth > MAX_DEPTH:
            fail(node, f"nested more than {MAX_DEPTH} levels deep")
        open_nodes.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def fail(node: yaml.Node | None, problem: str, *, mark: yaml.Mark | None = None) -> NoReturn:
    where = mark or (node.start_mark if node is not None else None)
    if where is None:
        raise YamlInputError(1, 1, problem)
    raise YamlInputError(where.line + 1, where.column + 1, problem)


def text(node: yaml.Node, what: str, *, max_length: int = 1024) -> str:
    """A scalar written as text (quoted or plain, not a number, true/false or null)."""
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        fail(node, f"{what} must be text, not {_kind(node)}")
    if len(node.value) > max_length:
        fail(node, f"{what} is longer than {max_length} characters")
    return str(node.value)


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def fields(node: yaml.Node, what: str) -> dict[str, yaml.Node]:
    """A mapping's entries by their text keys; a repeated key is refused."""
    if not isinstance(node, yaml.MappingNode):
        fail(node, f"{what} must be a mapping (key: value), not {_kind(node)}")
    found: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = text(key, f"a key of {what}", max_length=200)
        if name in found:
            fail(key, f"{what}: '{excerpt(name)}' appears twice")
        found[name] = value
    return found


def items(node: yaml.Node, what: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        fail(node, f"{what} must be a list, not {_kind(node)}")
    return list(node.value)


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = node.tag.rsplit(":", 1)[-1]
    names = {"int": "a number", "float": "a number", "bool": "true/false", "null": "empty"}
    return names.get(tag, f"'{excerpt(str(node.value))}'" if tag == "str" else "a value")

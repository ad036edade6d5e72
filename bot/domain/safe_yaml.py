"""YAML from files we did not write (projects, the service guide, translations), read safely.

PyYAML's safe loaders refuse Python objects but not an *alias bomb*: anchors that alias anchors
(`a: &a [x, x, x, x, x, x, x, x, x]`, `b: &b [*a, *a, ...]`, ...) make a 5 KB file describe a
tree of billions of values. Composing it is cheap (an alias is the same node object again), but
whatever walks the tree afterwards - validation, an error message formatting a value - walks
every expanded copy: depth 7 took 636 MB, depth 9 would take 15 GB.

So `compose` counts the values (and the characters of text) the document stands for, counting
each alias as the copy it is (memoised per node, so counting costs as much as the file's own
size), and refuses a document over `MAX_VALUES` values or `MAX_CHARS` characters before anything
walks it. Aliases that stay small (an anchor for a repeated
schedule) are still allowed. A recursive alias and nesting deeper than `MAX_DEPTH` are refused
too (the latter would otherwise end in a RecursionError traceback).

Refusals are `yaml.MarkedYAMLError`s (with the line of the offending node), which every caller
already turns into "line N: not valid YAML (...)".
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.nodes import MappingNode, Node, SequenceNode

# The largest real file (a 1,000-entry guide) stands for ~100,000 values and a few million
# characters; a bomb for billions.
MAX_VALUES = 500_000
MAX_CHARS = 10_000_000
MAX_DEPTH = 64

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse(node: Node, problem: str) -> ComposerError:
    return ComposerError(None, None, problem, node.start_mark)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check(
    root: Node, *, max_values: int = MAX_VALUES, max_chars: int = MAX_CHARS, max_depth: int = MAX_DEPTH
) -> int:
    """How many values the document stands for once aliases are expanded; raises ComposerError
    when that is over `max_values` (or its text over `max_chars` characters), nested deeper than
    `max_depth`, or an alias contains itself.

    Iterative (no recursion limit to hit) and memoised by node identity (an alias is the same
    node object as its anchor), so it visits each distinct node once.
    """
    sizes: dict[int, int] = {}
    chars: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            children = _children(node)
            size = 1 + sum(sizes[id(child)] for child in children)
            text = sum(chars[id(child)] for child in children) + (
                len(node.value) if isinstance(node.value, str) else 0
            )
            if size > max_values:
                raise _refuse(node, f"the aliases here expand to more than {max_values} values")
            if text > max_chars:
                raise _refuse(node, f"the aliases here expand to more than {max_chars} characters")
            sizes[key], chars[key] = size, text
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise _refuse(node, "an alias refers to the value that contains it")
        if depth > max_depth:
            raise _refuse(node, f"values are nested more than {max_depth} deep")
        open_nodes.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


def compose(text: str) -> Node | None:
    """The document's node tree (None for an empty document), checked by `check`.

    Uses libyaml's loader when PyYAML was built with it (a 1,000-entry guide composes in a
    second instead of thirty).
    """
    loader = _LOADER(text)
    try:
        root = _single_node(loader)
    finally:
        loader.dispose()
    if root is not None:
        check(root, max_chars=max(MAX_CHARS, 2 * len(text)))
    return root


def load(text: str) -> Any:
    """`yaml.safe_load`, with the document checked by `check` before any value is built."""
    loader = _LOADER(text)
    try:
        root = _single_node(loader)
        if root is None:
            return None
        check(root, max_chars=max(MAX_CHARS, 2 * len(text)))
        return loader.construct_document(root)
    finally:
        loader.dispose()


def _single_node(loader: yaml.SafeLoader) -> Node | None:
    try:
        node: Node | None = loader.get_single_node()
    except RecursionError:
        raise ComposerError(None, None, f"values are nested more than {MAX_DEPTH} deep", None) from None
    return node

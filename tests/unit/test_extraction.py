"""Every msgid Babel extracts from our Python code comes from a marked call, and nothing else.

Babel's Python extractor matches keyword names anywhere, even inside f-strings (Babel 2.19 began
tokenising those); a keyword that is also an ordinary variable name once glued several
docstrings into one 1,900-character "message". This test extracts the whole tree with the
installed (locked) Babel and compares it, file by file, with an independent reading of the same
files by Python's own parser: the msgids are exactly the string literals passed to N_(),
gettext() and ngettext().
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

from bot import i18n

PYTHON_SOURCES = [path for path, method in i18n.sources() if method == "python"]
Msgid = str | tuple[str, ...]


def marked_calls(path: Path) -> Counter[Msgid]:
    """The literal msgids of keyword calls, read with Python's own parser."""
    found: Counter[Msgid] = Counter()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in i18n.PYTHON_KEYWORDS:
            continue
        positions = i18n.PYTHON_KEYWORDS[name] or (1,)
        args = [node.args[p - 1] if len(node.args) >= p else None for p in positions]
        if all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
            values = tuple(a.value for a in args)  # type: ignore[union-attr]
            found[values[0] if len(values) == 1 else values] += 1
    return found


def extracted(path: Path) -> Counter[Msgid]:
    return Counter(message for _, message, _, _ in i18n.extract_file(path, "python") if message)


def preview(message: Msgid) -> str:
    text = message if isinstance(message, str) else message[0]
    return repr(text[:80] + ("…" if len(text) > 80 else ""))


@pytest.mark.parametrize("path", PYTHON_SOURCES, ids=lambda p: str(p.relative_to(i18n.ROOT)))
def test_babel_extracts_exactly_the_marked_calls(path: Path) -> None:
    babel, ours = extracted(path), marked_calls(path)
    stray = babel - ours
    lost = ours - babel
    assert not stray, (
        f"Babel extracted text that no N_()/gettext()/ngettext() call marks in {path.name} "
        f"(a keyword matching an ordinary name, or an extractor change in this Babel version): "
        + ", ".join(preview(m) for m in stray)
    )
    assert not lost, f"marked strings Babel did not extract from {path.name}: " + ", ".join(
        preview(m) for m in lost
    )


def test_the_keywords_cannot_be_mistaken_for_variables() -> None:
    """One-letter names (t, _) are ordinary Python variables; only templates may use `_`."""
    assert all(len(name) > 1 for name in i18n.PYTHON_KEYWORDS)


def test_no_extracted_message_is_a_docstring() -> None:
    for path in PYTHON_SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            ast.get_docstring(node, clean=False)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        } - {None}
        leaked = [m for m in extracted(path) if m in docstrings]
        assert not leaked, f"docstrings extracted as messages from {path.name}: {leaked}"

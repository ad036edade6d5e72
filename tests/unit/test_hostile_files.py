"""Hostile files: a YAML alias bomb, recursive aliases and deep nesting are refused at once with a
line number, and no error message quotes an unbounded value (issue 15, "Why" 4)."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import safe_yaml
from bot.domain.guide_catalogue import CatalogueError, parse_catalogue
from bot.domain.projects_yaml import ProjectFileError, parse_projects
from bot.domain.text_safety import shown

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")

PROJECT = """\
projects:
  - key: litter-jogging
    title: {zh: 捡跑, en: Litter jogging, fr: Jogging propre}
    description: {zh: 跑步, en: Run, fr: Courir}
    place: {zh: 公园, en: Park, fr: Parc}
    capacity: 10
    schedules:
      - {days: sat, start: "08:00", end: "09:00"}
"""


def aliases(anchor: str, width: int = 9) -> str:
    return ", ".join([f"*{anchor}"] * width)


def reminders_bomb(depth: int, width: int = 9) -> str:
    """A projects file whose `reminders:` is an alias bomb standing for width**depth values."""
    leaf = ", ".join(['"eve 20:00"'] * width)
    anchors = [f"    x0: &a0 [{leaf}]"]
    anchors += [f"    x{i}: &a{i} [{aliases(f'a{i - 1}', width)}]" for i in range(1, depth)]
    bomb = f"    reminders: [{aliases(f'a{depth - 1}', width)}]"
    return PROJECT + "\n".join(anchors) + "\n" + bomb + "\n"


def refused_within_bounds(parse, text: str) -> str:
    """Parse `text`, which must be refused; the refusal costs little memory and says where."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises((ProjectFileError, CatalogueError)) as refused:
            parse(text)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20, f"refusing the file took {peak / 2**20:.0f} MB"
    assert elapsed < 5, f"refusing the file took {elapsed:.1f} s"  # a safety net: bench has no goal here
    message = str(refused.value)
    assert len(message) < 500, message[:600]
    return message


@pytest.mark.parametrize("depth", [7, 9])
def test_a_projects_alias_bomb_is_refused_quickly_in_little_memory(depth: int) -> None:
    text = reminders_bomb(depth)
    assert len(text) < 5_000
    message = refused_within_bounds(lambda t: parse_projects(t, NOW, TZ), text)
    assert "line " in message and "aliases" in message


def test_a_guide_alias_bomb_is_refused_quickly_in_little_memory() -> None:
    anchors = ['a0: &a0 {zh: "x", en: "x", fr: "x"}']
    anchors += [f"a{i}: &a{i} [{aliases(f'a{i - 1}')}]" for i in range(1, 8)]
    text = "\n".join(anchors) + "\nentries: [*a7, *a7, *a7]\n"
    message = refused_within_bounds(parse_catalogue, text)
    assert "aliases" in message


def test_a_string_bomb_is_refused_by_its_characters() -> None:
    text = f'a0: &a0 "{"x" * 4000}"\n'
    text += "\n".join(f"a{i}: &a{i} [{aliases(f'a{i - 1}')}]" for i in range(1, 6))
    with pytest.raises(safe_yaml.ComposerError, match="characters"):
        safe_yaml.compose(text)


def test_recursive_aliases_and_deep_nesting_are_refused_with_a_line() -> None:
    with pytest.raises(ProjectFileError, match="contains it"):
        parse_projects("projects: &p [*p]\n", NOW, TZ)
    with pytest.raises(ProjectFileError, match="line 1: not valid YAML"):
        parse_projects("projects: " + "[" * 200 + "]" * 200 + "\n", NOW, TZ)
    with pytest.raises(CatalogueError, match="not valid YAML"):
        parse_catalogue("entries: " + "[" * 5000 + "]" * 5000 + "\n")


def test_a_small_anchor_reused_is_still_a_valid_file() -> None:
    text = PROJECT.replace(
        '      - {days: sat, start: "08:00", end: "09:00"}',
        '      - &morning {days: sat, start: "08:00", end: "09:00"}\n      - *morning',
    )
    [spec] = parse_projects(text, NOW, TZ)
    assert len(spec.schedules) == 2
    assert safe_yaml.load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_error_messages_quote_at_most_a_short_piece_of_a_value() -> None:
    huge = "k" * 100_000
    with pytest.raises(ProjectFileError) as refused:
        parse_projects(PROJECT.replace("litter-jogging", huge) + "    slot: " + huge + "\n", NOW, TZ)
    assert len(str(refused.value)) < 500
    assert "…" in str(refused.value)
    with pytest.raises(CatalogueError) as refused_guide:
        parse_catalogue(f"entries:\n  - id: {huge}\n    {huge}: 1\n")
    assert len(str(refused_guide.value)) < 1_000


def test_shown_names_what_is_not_text_and_cuts_what_is() -> None:
    assert shown("abc") == "'abc'"
    assert shown("x" * 500) == repr("x" * 79 + "…")
    assert shown(["nested"] * 10**6) == "a list"
    assert shown(None) == "None"
    assert shown("a\u202eb") == "'ab'"

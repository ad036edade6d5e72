"""Hostile files: a YAML alias bomb, recursive aliases and deep nesting are refused at once with a
line number, and no error message quotes an unbounded value (issue 15, "Why" 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bench.hostile_files import PROJECT, aliases, guide_bomb, refusal_cost, reminders_bomb
from bot.domain import safe_yaml
from bot.domain.guide_catalogue import CatalogueError, parse_catalogue
from bot.domain.projects_yaml import ProjectFileError, parse_projects
from bot.domain.text_safety import shown

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")


def refused_within_bounds(parse, text: str) -> str:
    """Parse `text`, which must be refused; the refusal costs little memory and says where."""
    seconds, mb, message = refusal_cost(parse, text)
    assert mb < 50, f"refusing the file took {mb:.0f} MB"
    assert seconds < 5, f"refusing the file took {seconds:.1f} s"  # a safety net: the goal is in bench
    assert len(message) < 500, message[:600]
    return message


@pytest.mark.parametrize("depth", [7, 9])
def test_a_projects_alias_bomb_is_refused_quickly_in_little_memory(depth: int) -> None:
    text = reminders_bomb(depth)
    assert len(text) < 5_000
    message = refused_within_bounds(lambda t: parse_projects(t, NOW, TZ), text)
    assert "line " in message and "aliases" in message


def test_a_guide_alias_bomb_is_refused_quickly_in_little_memory() -> None:
    message = refused_within_bounds(parse_catalogue, guide_bomb(8))
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

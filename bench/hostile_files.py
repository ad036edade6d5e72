"""Hostile files: how long and how much memory refusing a YAML alias bomb takes.

A 5 KB projects file whose `reminders:` is an alias bomb stands for 9**depth values (depth 7: 4.8
million, depth 9: 387 million); before bot/domain/safe_yaml it took 636 MB at depth 7 and would
have taken 15 GB at depth 9. Goal: refused in under 1 s and under 50 MB (peak traced by
tracemalloc), for the projects file and for the service guide.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.guide_catalogue import CatalogueError, parse_catalogue
from bot.domain.projects_yaml import ProjectFileError, parse_projects

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
GOAL_SECONDS = 1.0
GOAL_MB = 50.0

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


def guide_bomb(depth: int) -> str:
    anchors = ['a0: &a0 {zh: "x", en: "x", fr: "x"}']
    anchors += [f"a{i}: &a{i} [{aliases(f'a{i - 1}')}]" for i in range(1, depth)]
    return "\n".join(anchors) + f"\nentries: [*a{depth - 1}, *a{depth - 1}, *a{depth - 1}]\n"


def refusal_cost(parse: Callable[[str], Any], text: str) -> tuple[float, float, str]:
    """(seconds, peak MB, message) of parsing `text`, which must be refused."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        parse(text)
    except (ProjectFileError, CatalogueError) as refused:
        message = str(refused)
    else:
        raise AssertionError("the hostile file was accepted")
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, peak / 2**20, message


async def run(quick: bool) -> list[dict[str, Any]]:
    cases: list[tuple[str, Callable[[str], Any], str]] = [
        (
            f"projects reminders bomb, depth {depth}",
            lambda t: parse_projects(t, NOW, TZ),
            reminders_bomb(depth),
        )
        for depth in ((7,) if quick else (7, 8, 9))
    ]
    cases.append(("guide entries bomb, depth 8", parse_catalogue, guide_bomb(8)))
    rows: list[dict[str, Any]] = []
    for name, parse, text in cases:
        seconds, mb, _ = refusal_cost(parse, text)
        rows += [
            {"scenario": "hostile_files", "metric": f"{name}: refused in", "value": round(seconds, 4),
             "unit": "s", "goal": f"< {GOAL_SECONDS:g} s", "met": seconds < GOAL_SECONDS},
            {"scenario": "hostile_files", "metric": f"{name}: peak memory", "value": round(mb, 2),
             "unit": "MB", "goal": f"< {GOAL_MB:g} MB", "met": mb < GOAL_MB},
        ]  # fmt: skip
    return rows

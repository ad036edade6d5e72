"""Scheduler ticks over a large history: each tick under 50 ms, flat from 1/10 to full size, no full scans.

Every tick registered in bot.jobs.ticks.TICKS (requests' escalation ladder, volunteer reminders and
offers, enterprise follow-ups, events' offers, the weekly figures) runs against a copy of the
synthetic district, the way the JobQueue runs them: one after the other, every 30 seconds of
(manual) clock time. The first round finds the few deadlines the district has just passed and
acts on them; later rounds find what became due in the meantime. We report the slowest round of
each tick (the goal applies to every round, not to an average), and the enterprise tick once more
with its hourly signal sweep due.

Every statement a tick runs is captured with SQLite's trace hook and explained with
EXPLAIN QUERY PLAN. A `SCAN` of a big table (one that grows with the district) is a failure:
the fix is an index in a migration. The plans are printed, and written to
bench/results/tick_plans-s<scale>.txt.

Why time and plans both: timings on a fast disk hide a scan that a busy, cold server would feel;
a plan alone hides slow Python around the queries. Growth from 1/10 to full size is the check that
no hidden linear work remains (goal: under 3x for 10x the data).
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import district as districts
from bench.harness import bench_settings
from bot.app import build_application
from bot.clock import ManualClock
from bot.jobs import ticks as ticks_module

GOAL_MS = 50.0
GROWTH_GOAL = 3.0
NOISE_MS = 5.0
ROUND_SECONDS = 30
# Which registered tick answers which question of the issue (matched on the tick's name).
NAMED = {"escalation": "requests", "reminders": "volunteer", "follow-up": "enterprise"}
_FROM = re.compile(
    r"\b(?:FROM|JOIN|UPDATE|INTO)\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_]*))?", re.I
)
_KEYWORDS = {
    "WHERE",
    "ON",
    "JOIN",
    "LEFT",
    "INNER",
    "SET",
    "ORDER",
    "GROUP",
    "LIMIT",
    "VALUES",
    "USING",
    "AND",
    "SELECT",
}
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


@dataclass
class TickTimes:
    rounds: list[float] = field(default_factory=list)  # ms
    sweep: float | None = None  # ms, the enterprise tick with its hourly sweep due
    statements: dict[str, str] = field(default_factory=dict)  # normalised -> one real statement


@dataclass
class Measured:
    scale: float
    times: dict[str, TickTimes]
    plans: dict[str, list[tuple[str, list[str], list[str]]]]  # tick -> [(sql, plan lines, big scans)]
    big_tables: dict[str, int]


async def measure(scale: float, rounds: int, folder: Path) -> Measured:
    district = await districts.ensure(scale)
    path = districts.copy_of(district, folder / f"ticks-{scale:g}.sqlite3")
    clock = ManualClock(districts.NOW, frozen=True)
    app = build_application(bench_settings(path, api_url="http://127.0.0.1:9"), clock)  # registers the ticks
    services = app.bot_data["services"]
    db = services.db
    await db.open()
    try:
        await db.migrate()
        _warm_templates(services.renderer)
        traced: list[str] = []
        await db.trace(traced.append)
        times: dict[str, TickTimes] = {name: TickTimes() for name, _ in ticks_module.TICKS}
        for n in range(rounds):
            if n == rounds - 1:
                await _sweep_due(db, clock.now())
            for name, tick in ticks_module.TICKS:
                traced.clear()
                started = time.perf_counter()
                await tick(services)
                elapsed = (time.perf_counter() - started) * 1000
                if n == rounds - 1 and "enterprise" in name:
                    times[name].sweep = elapsed
                else:
                    times[name].rounds.append(elapsed)
                for sql in traced:
                    if _explainable(sql):
                        times[name].statements.setdefault(_normalise(sql), sql)
            clock.advance(timedelta(seconds=ROUND_SECONDS))
        await db.trace(None)
        big = await _big_tables(db, scale)
        partial = {
            r[0]
            for r in await db.conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"
            )
        }
        plans: dict[str, list[tuple[str, list[str], list[str]]]] = {}
        for name, t in times.items():
            plans[name] = []
            for sql in t.statements.values():
                lines = [r[3] for r in await db.conn.execute_fetchall("EXPLAIN QUERY PLAN " + sql)]
                plans[name].append((sql, lines, _big_scans(sql, lines, big, partial)))
        return Measured(scale, times, plans, big)
    finally:
        await db.close()


def _warm_templates(renderer: Any) -> None:
    """Compile every template once, as a bot that has been running for a while has.

    Jinja2 compiles a template on first use (~80 ms for requests/card.html with its includes):
    without this the first round would time the compiler, not the tick. The renderer has no
    public way to precompile, hence its private environments (bench code only; see README.md, Performance).
    """
    for env in renderer._envs.values():
        for name in env.list_templates(extensions=["html"]):
            env.get_template(name)


async def _sweep_due(db: Any, now: Any) -> None:
    """Make the enterprise feature's hourly sweep due (bench-local SQL on the bench's own copy)."""
    from bot.storage.db import ts

    tables = {
        r[0] for r in await db.conn.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    if "enterprise_sweeps" in tables:
        async with db.tx() as conn:
            await conn.execute("UPDATE enterprise_sweeps SET next_at = ?", (ts(now),))


async def _big_tables(db: Any, scale: float) -> dict[str, int]:
    """Tables that grow with the district (5,000+ rows at full size): scanning them is a failure."""
    threshold = max(500, 5000 * scale)
    names = [
        r[0]
        for r in await db.conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL%'"
        )
    ]
    counts = {}
    for name in names:
        (count,) = (await db.conn.execute_fetchall(f"SELECT COUNT(*) FROM {name}"))[0]
        if count >= threshold:
            counts[name] = count
    return counts


def _explainable(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return head in ("SELECT", "UPDATE", "DELETE", "WITH", "INSERT") and not (
        head == "INSERT" and " SELECT " not in sql.upper()
    )


def _normalise(sql: str) -> str:
    return " ".join(_LITERAL.sub("?", sql).split())


def _big_scans(sql: str, plan: list[str], big: dict[str, int], partial: set[str]) -> list[str]:
    aliases: dict[str, str] = {}
    for table, alias in _FROM.findall(sql):
        aliases[table] = table
        if alias and alias.upper() not in _KEYWORDS:
            aliases[alias] = table
    bad = []
    for line in plan:
        if line.startswith("SCAN "):
            name = line.split()[1]
            table = aliases.get(name, name)
            index = re.search(r"USING (?:COVERING )?INDEX (\w+)", line)
            if index and index.group(1) in partial:
                continue  # a partial index holds only the live rows (e.g. open requests), not history
            if table in big:
                bad.append(f"{line}  [{table}: {big[table]:,} rows]")
    return bad


def _role(name: str) -> str:
    for role, fragment in NAMED.items():
        if fragment in name:
            return f"{role} tick ({name})"
    return f"tick {name}"


def report(plans_of: Measured) -> str:
    out = [f"EXPLAIN QUERY PLAN of every tick statement (scale {plans_of.scale:g}):"]
    for name, entries in plans_of.plans.items():
        out.append(f"-- {_role(name)}: {len(entries)} distinct statements")
        for sql, lines, bad in entries:
            short = " ".join(sql.split())
            out.append(f"   {'FAIL' if bad else 'ok  '} {short[:150]}{'…' if len(short) > 150 else ''}")
            for line in lines:
                out.append(f"          {line}")
    return "\n".join(out)


async def run(quick: bool, *, scale: float | None = None, rounds: int | None = None) -> list[dict]:
    full = scale if scale is not None else (0.05 if quick else 1.0)
    rounds = rounds or (3 if quick else 6)
    with tempfile.TemporaryDirectory() as folder:
        small = await measure(full / 10, rounds, Path(folder))
        large = await measure(full, rounds, Path(folder))
    text = report(large)
    print(text)
    districts.RESULTS.mkdir(parents=True, exist_ok=True)
    (districts.RESULTS / f"tick_plans-s{full:g}.txt").write_text(text + "\n", encoding="utf-8")
    rows: list[dict] = []
    base = {"scenario": "ticks"}
    for name, t in large.times.items():
        worst = max(t.rounds) if t.rounds else 0.0
        rows.append(
            {**base, "metric": f"{_role(name)} slowest of {len(t.rounds)} rounds", "value": round(worst, 2),
             "unit": "ms", "goal": f"< {GOAL_MS:g} ms", "met": worst < GOAL_MS}
        )  # fmt: skip
        rows.append(
            {**base, "metric": f"{_role(name)} median", "value": round(statistics.median(t.rounds), 2),
             "unit": "ms", "goal": "", "met": None}
        )  # fmt: skip
        if t.sweep is not None:
            rows.append(
                {**base, "metric": f"{_role(name)} with its hourly sweep", "value": round(t.sweep, 2),
                 "unit": "ms", "goal": f"< {GOAL_MS:g} ms", "met": t.sweep < GOAL_MS}
            )  # fmt: skip
        # Growth of the median (the slowest round is one noisy sample); under NOISE_MS a tick is flat.
        median, small_median = statistics.median(t.rounds), statistics.median(small.times[name].rounds)
        growth = median / small_median if small_median > 0 else 1.0
        rows.append(
            {**base, "metric": f"{_role(name)} growth 1/10 -> full size (median)", "value": round(growth, 2),
             "unit": "x", "goal": f"< {GROWTH_GOAL:g}x or < {NOISE_MS:g} ms", "met": growth < GROWTH_GOAL or median < NOISE_MS}
        )  # fmt: skip
        scans = [bad for _sql, _lines, bad in large.plans[name] if bad]
        rows.append(
            {**base, "metric": f"{_role(name)} full scans of big tables", "value": len(scans), "unit": "queries",
             "goal": "0", "met": not scans}
        )  # fmt: skip
    return rows


if __name__ == "__main__":
    import asyncio
    import sys

    for row in asyncio.run(run(quick="--quick" in sys.argv)):
        print(row)

"""Scheduler ticks over a large history: each tick under 50 ms, flat from 1/10 to full size, no full scans.

Every tick registered in bot.jobs.ticks.TICKS (requests' escalation ladder, volunteer reminders and
offers, enterprise follow-ups, events' offers, the weekly figures) runs against a copy of the
synthetic district, the way the JobQueue runs them: one after the other, every 30 seconds of
(manual) clock time. The first rounds find the deadlines just passed (DUE_AT_ONCE of each kind,
the same at both sizes: a morning's burst) and act on them; later rounds find what became due in
the meantime. We report the slowest round of
each tick (the goal applies to every round, not to an average), and the enterprise tick once more
with its hourly signal sweep due.

The signal sweep is incremental (migration 0080): it checks only the enterprises whose facts
changed, or change by time passing, since the last sweep. The district is built with every
enterprise to check (as after the migration): that first sweep is timed and reported on its own,
then the last round's sweep sees an hour's changes in a busy district (CHANGED_PER_HOUR
enterprises rated low, tagged or visited, through bot/storage, the same number at both sizes) and
whatever falls due by time in the rounds' minutes.

Every statement a tick runs is captured with SQLite's trace hook and explained with
EXPLAIN QUERY PLAN. A `SCAN` of a big table (one that grows with the district) is a failure:
the fix is an index in a migration. The plans are printed, and written to
bench/results/tick_plans-s<scale>.txt.

Why time and plans both: timings on a fast disk hide a scan that a busy, cold server would feel;
a plan alone hides slow Python around the queries. Growth from 1/10 to full size is the check that
no hidden linear work remains (goal: at most 2x for 10x the data, for the median and for the
slowest round, unless the tick stays under NOISE_MS at full size).
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench import district as districts
from bench.harness import bench_settings
from bot.app import build_application
from bot.clock import ManualClock
from bot.jobs import ticks as ticks_module
from bot.storage import enterprise_signals as signals_repo
from bot.storage import visits as visits_repo
from bot.storage.db import ts

GOAL_MS = 50.0
GROWTH_GOAL = 2.0
DUE_AT_ONCE = 8  # deadlines (and late visits) just passed when the rounds start, the same at both sizes
CHANGED_PER_HOUR = 30  # enterprises whose facts change between two sweeps (the district: ~10 an hour)
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
    # The same in CPU time of the process (the event loop and aiosqlite's thread): what the growth
    # rows compare, because wall time on a shared machine depends on what else runs at that moment.
    cpu: list[float] = field(default_factory=list)  # ms per round
    sweep_cpu: float | None = None
    first_sweep: list[float] = field(default_factory=list)  # ms per round, checking every enterprise
    first_checked: int = 0  # enterprises that first sweep checked
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
        times: dict[str, TickTimes] = {name: TickTimes() for name, _ in ticks_module.TICKS}
        enterprise_tick = next(name for name in times if "enterprise" in name)
        await _burst(db, clock.now())
        await _first_sweep(services, clock.now(), times[enterprise_tick])
        traced: list[str] = []
        await db.trace(traced.append)
        for n in range(rounds):
            if n == rounds - 1:
                await _changes(db, clock.now())
                await _sweep_due(db, clock.now())
            for name, tick in ticks_module.TICKS:
                traced.clear()
                started, cpu = time.perf_counter(), time.process_time()
                await tick(services)
                elapsed = (time.perf_counter() - started) * 1000
                used = (time.process_time() - cpu) * 1000
                if n == rounds - 1 and "enterprise" in name:
                    times[name].sweep, times[name].sweep_cpu = elapsed, used
                else:
                    times[name].rounds.append(elapsed)
                    times[name].cpu.append(used)
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
    """Compile every template and load every language's dates once, as a bot that has been
    running for a while has.

    Jinja2 compiles a template on first use (~80 ms for requests/card.html with its includes) and
    Babel loads a locale's data on its first formatted date (~40 ms per language): without this
    the first round would time the compiler and the locale loader (once per process), not the
    tick. The renderer has no public way to precompile, hence its private environments (bench
    code only; see README.md, Performance).
    """
    for env in renderer._envs.values():
        for name in env.list_templates(extensions=["html"]):
            env.get_template(name)
        for kind in ("dt", "date", "time", "datetime_short"):
            env.filters[kind](districts.NOW)


async def _sweep_due(db: Any, now: datetime, names: tuple[str, ...] = ("signals",)) -> None:
    """Make the enterprise feature's hourly sweep due (bench-local SQL on the bench's own copy)."""
    async with db.tx() as conn:
        for name in names:
            await conn.execute(
                "INSERT INTO enterprise_sweeps (name, next_at) VALUES (?, ?)"
                " ON CONFLICT(name) DO UPDATE SET next_at = excluded.next_at",
                (name, ts(now)),
            )


async def _burst(db: Any, now: datetime) -> None:
    """The same morning burst at both sizes: DUE_AT_ONCE request deadlines and as many late visits
    just passed, and nothing else falling due during the rounds (the district, built with a fixed
    share of deadlines in every minute, has ten times more due work at full size than at a tenth:
    the growth rows would compare amounts of work, not what size costs). So the slowest round is
    the burst, and the median an idle round, where hidden linear work would show. The others are
    moved a day ahead (bench-local SQL on the bench's own copy)."""
    running = "status IN ('new', 'claimed') AND paused_at IS NULL"
    later, passed = ts(now + timedelta(days=1)), ts(now - timedelta(minutes=5))
    soon = ts(now + timedelta(hours=1))  # the rounds span minutes
    async with db.tx() as conn:
        for deadline in ("resolve_by", "respond_by", "warn_at"):
            await conn.execute(
                f"UPDATE requests SET {deadline} = ? WHERE {running} AND {deadline} <= ?", (later, soon)
            )
        await conn.execute(
            f"UPDATE requests SET resolve_by = ? WHERE id IN (SELECT id FROM requests WHERE {running}"
            " AND tier < 4 AND resolve_by IS NOT NULL ORDER BY id DESC LIMIT ?)",
            (passed, DUE_AT_ONCE),
        )
        await conn.execute(
            "UPDATE enterprise_followups SET due_at = ?, next_reminder_at = ? WHERE next_reminder_at <= ?",
            (later, later, soon),
        )
        await conn.execute(
            "UPDATE enterprise_followups SET due_at = ?, next_reminder_at = ? WHERE enterprise_id IN"
            " (SELECT enterprise_id FROM enterprise_followups ORDER BY enterprise_id LIMIT ?)",
            (passed, passed, DUE_AT_ONCE),
        )


async def _checks_due(db: Any, now: datetime) -> int:
    rows = await db.conn.execute_fetchall(
        "SELECT COUNT(*) FROM enterprise_signal_checks WHERE due_at <= ?", (ts(now),)
    )
    return int(rows[0][0])


async def _first_sweep(services: Any, now: datetime, into: TickTimes) -> None:
    """The first sweep after migration 0080 checks every enterprise, a batch per round, then posts
    the day's suggestion digests: timed here, so that the rounds see the steady state of a bot
    that has run for a while."""
    db = services.db
    into.first_checked = await _checks_due(db, now)
    for _ in range(100):  # a batch per round (a check due exactly now would come back: bounded)
        if not await _checks_due(db, now):
            break
        await _sweep_due(db, now)
        started = time.perf_counter()
        await services.enterprises.suggestions.sweep()
        into.first_sweep.append((time.perf_counter() - started) * 1000)
    for _ in range(100):  # the day's digests, a few chats per round (not timed: once a day)
        rows = await db.conn.execute_fetchall(
            "SELECT next_at FROM enterprise_sweeps WHERE name = 'suggestion_digests'"
        )
        if rows and rows[0][0] > ts(now):
            break
        await services.enterprises.suggestions.sweep()


async def _changes(db: Any, now: datetime) -> None:
    """An hour's changes in a busy district, through bot/storage (the triggers mark them): a third
    of CHANGED_PER_HOUR enterprises get a low rating, a third a stability tag, a third a visit
    that found they need help."""
    async with db.tx() as conn:
        ids = [r[0] for r in await conn.execute_fetchall("SELECT id FROM enterprises ORDER BY id")]
        step = max(1, len(ids) // CHANGED_PER_HOUR)
        for n, enterprise_id in enumerate(ids[::step][:CHANGED_PER_HOUR]):
            if n % 3 == 0:
                await visits_repo.add(conn, enterprise_id, now, None, "needs_help", "bench", now)
                continue
            status = "IN ('new', 'claimed', 'waiting')" if n % 3 == 1 else "= 'closed'"
            found = await conn.execute_fetchall(
                f"SELECT id FROM requests WHERE enterprise_id = ? AND status {status} ORDER BY id DESC LIMIT 1",
                (enterprise_id,),
            )
            if not found:
                continue
            if n % 3 == 1:
                await signals_repo.add_tag(conn, found[0][0], "layoffs", None, now)
            else:
                await conn.execute(
                    "UPDATE requests SET rating = 1, rated_at = ? WHERE id = ?", (ts(now), found[0][0])
                )


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
    rounds = rounds or (5 if quick else 6)  # enough that the median is an idle round (after the burst)
    with tempfile.TemporaryDirectory() as folder:
        small = await measure(full / 10, rounds, Path(folder))
        large = await measure(full, rounds, Path(folder))
    text = report(large)
    print(text)
    districts.RESULTS.mkdir(parents=True, exist_ok=True)
    (districts.RESULTS / f"tick_plans-s{full:g}.txt").write_text(text + "\n", encoding="utf-8")
    rows: list[dict] = []
    base = {"scenario": "ticks"}

    def growth(name: str, value: float, small: float) -> dict:
        """Full size against a tenth, in CPU time; under NOISE_MS of CPU at full size a tick is flat."""
        ratio = value / small if small > 0 else 1.0
        return {**base, "metric": f"{name} growth 1/10 -> full size (CPU {small:.1f} -> {value:.1f} ms)",
                "value": round(ratio, 2), "unit": "x", "goal": f"<= {GROWTH_GOAL:g}x or < {NOISE_MS:g} ms",
                "met": ratio <= GROWTH_GOAL or value < NOISE_MS}  # fmt: skip

    for name, t in large.times.items():
        role, s = _role(name), small.times[name]
        worst, median = max(t.rounds, default=0.0), statistics.median(t.rounds)
        rows.append(
            {**base, "metric": f"{role} slowest of {len(t.rounds)} rounds ({DUE_AT_ONCE} due at once)", "value": round(worst, 2),
             "unit": "ms", "goal": f"< {GOAL_MS:g} ms", "met": worst < GOAL_MS}
        )  # fmt: skip
        rows.append(
            {
                **base,
                "metric": f"{role} median",
                "value": round(median, 2),
                "unit": "ms",
                "goal": "",
                "met": None,
            }
        )
        # Growth of the median and of the slowest round (one noisy sample, but the one people wait for).
        rows.append(growth(f"{role} median", statistics.median(t.cpu), statistics.median(s.cpu)))
        rows.append(growth(f"{role} slowest round", max(t.cpu, default=0.0), max(s.cpu, default=0.0)))
        if t.sweep is not None:
            rows.append(
                {**base, "metric": f"{role} with its hourly sweep ({CHANGED_PER_HOUR} enterprises changed)",
                 "value": round(t.sweep, 2), "unit": "ms", "goal": f"< {GOAL_MS:g} ms", "met": t.sweep < GOAL_MS}
            )  # fmt: skip
            if t.sweep_cpu is not None and s.sweep_cpu is not None:
                rows.append(growth(f"{role} hourly sweep", t.sweep_cpu, s.sweep_cpu))
        if t.first_sweep:
            rows.append(
                {**base, "metric": f"first sweep after migration 0080: all {t.first_checked:,} enterprises in"
                 f" {len(t.first_sweep)} round(s), slowest", "value": round(max(t.first_sweep), 2), "unit": "ms",
                 "goal": "", "met": None}
            )  # fmt: skip
        scans = [bad for _sql, _lines, bad in large.plans[name] if bad]
        rows.append(
            {**base, "metric": f"{role} full scans of big tables", "value": len(scans), "unit": "queries",
             "goal": "0", "met": not scans}
        )  # fmt: skip
    return rows


if __name__ == "__main__":
    import asyncio
    import sys

    for row in asyncio.run(run(quick="--quick" in sys.argv)):
        print(row)

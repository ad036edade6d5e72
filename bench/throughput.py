"""Update throughput: our bot against a bare python-telegram-bot application, same updates, same run.

N mixed updates — onboarding (/start, language, name, building, skip), menu taps (/menu, "my
requests", back to the menu, volunteering), request intake (/request, category, company, a
description, no attachment, send), volunteer sign-ups (/volunteer, a shift's button) and staff
card presses (/req in the building's staff group, then "claim" on an unclaimed request) — are
typed and pressed by people in the emulator and reach the bot through getUpdates.

Three processes, as in production: the emulator and the people (bench/remote.py), the bot under
test (a child process of its own, so its CPU time and peak memory are its alone), and this
orchestrator. The real bot is `bot.app.build_application` on a copy of the large district; the
bare one is an Application that answers every update with one sendMessage (through
python-telegram-bot's defaults: HTTPXRequest, `AIORateLimiter(max_retries=1)`): the framework's
floor. Both run in the same invocation, one after the other, on the same plan.

CPU per update is the bot process's CPU time (every thread: the event loop's and SQLite's) from
"ready" to "stop", divided by the updates answered. Ours compiles every template first, as a bot
running for a while has (reported on its own row: a one-off cost that a 200-update run would
otherwise spread over few updates). Ours makes ~1.8 Bot API requests per update where the bare
bot makes one (a button press is answered, and its message edited or a new one sent), so the CPU
ratio compares the whole work of an update, requests included.

Each person waits for the bot's first answer before the next step (a message, an edit or the
answer to a button press) — with K people active at once, so the bot always has work queued.
Latency is measured in the emulator from the moment the update is queued to the first answer.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench import district as districts
from bench import harness
from bench.harness import TOKEN, bench_settings, peak_rss_mb, quiet_logs
from bench.remote import RemoteEmulator
from bot.sandbox.emulator import Emulator

RATIO_GOAL = 0.7
CPU_RATIO_GOAL = 0.5  # issue 21: CPU per update halved now; 0.7 stays the target
ACTIVE_PEOPLE = 16
STEP_TIMEOUT = 10.0

Step = tuple[str, str]  # ("send", text) | ("press", callback data)
# A session: (chat kind "user" | "group", chat id, person id, language, steps)
Session = tuple[str, int, int, str, list[Step]]


# ----------------------------------------------------------------------------- the plan


def plan(district: districts.District, n: int, seed: int = 7) -> list[Session]:
    """Sessions whose steps add up to at least `n` updates (deterministic: same for both bots)."""
    rng = random.Random(seed)
    sessions: list[Session] = []
    total = 0
    worker = 0
    newcomer = 0
    claims = list(district.claimable)
    rng.shuffle(claims)
    shifts = [s for s in district.future_shifts for _ in range(3)]
    rng.shuffle(shifts)
    langs = ("zh", "zh", "en", "fr")
    kinds = ("onboarding", "menu", "intake", "volunteer", "staff")
    while total < n:
        kind = rng.choices(kinds, (20, 20, 25, 15, 20))[0]
        lang = rng.choice(langs)
        if kind == "staff" and claims:
            rid, reference, building = claims.pop()
            staff = district.staff_for(1, building)
            chat = district.chat_for(1, building)
            if staff is None or chat is None:
                continue
            sessions.append(
                ("group", chat, staff, "zh", [("send", f"/req {reference}"), ("press", f"1|rq|claim|{rid}")])
            )
        elif kind == "onboarding":
            newcomer += 1
            building = district.buildings[newcomer % len(district.buildings)]
            uid = districts.NEWCOMER_BASE + newcomer
            steps = [("send", "/start"), ("press", f"1|ob|lang|{lang}"), ("send", "王小明"),
                     ("press", f"1|ob|bld|{building}"), ("press", "1|ob|nocompany")]  # fmt: skip
            sessions.append(("user", uid, uid, lang, steps))
        elif kind == "volunteer" and shifts:
            worker += 1
            uid = district.worker(worker * 7919)
            sessions.append(
                ("user", uid, uid, lang, [("send", "/volunteer"), ("press", f"1|vol|s|{shifts.pop()}")])
            )
        elif kind == "intake":
            worker += 1
            uid = district.worker(worker * 7919)
            steps = [("send", "/request"), ("press", "1|req|cat|tax"), ("press", "1|req|ent|0"),
                     ("send", districts.DESCRIPTIONS[worker % len(districts.DESCRIPTIONS)]),
                     ("press", "1|req|noatt"), ("press", "1|req|send")]  # fmt: skip
            sessions.append(("user", uid, uid, lang, steps))
        else:
            worker += 1
            uid = district.worker(worker * 7919)
            steps = [
                ("send", "/menu"),
                ("press", "1|req|mine"),
                ("press", "1|menu|show"),
                ("press", "1|vol|list"),
            ]
            sessions.append(("user", uid, uid, lang, steps))
        total += len(sessions[-1][4])
    return sessions


# ----------------------------------------------------------------------------- emulator side


async def drive(
    emu: Emulator, sessions: list[Session], groups: list[tuple[int, int]], active: int
) -> dict[str, Any]:
    """(In the emulator process) play the sessions, `active` at a time; time each step's first answer."""
    for chat, staff in groups:
        emu.group(chat, f"Staff {chat}", [emu.user(staff, f"Staff {staff}", language_code="zh")])
    loop = asyncio.get_running_loop()
    waiting: dict[int, asyncio.Future[float]] = {}
    events = emu.subscribe()

    async def watch() -> None:
        while True:
            event = await events.get()
            if event.kind in ("message", "edit", "callback_answer") and event.chat_id is not None:
                future = waiting.get(event.chat_id)
                if future is not None and not future.done():
                    future.set_result(loop.time())

    watcher = asyncio.create_task(watch())
    latencies: list[float] = []
    unanswered = 0
    locks: dict[int, asyncio.Lock] = {}
    queue: asyncio.Queue[Session] = asyncio.Queue()
    for s in sessions:
        queue.put_nowait(s)

    async def play(session: Session) -> None:
        nonlocal unanswered
        kind, chat_id, person_id, lang, steps = session
        person = emu.user(person_id, "王小明" if lang == "zh" else "Alex", language_code=lang)
        group = emu.groups[chat_id] if kind == "group" else None
        for action, value in steps:
            future: asyncio.Future[float] = loop.create_future()
            waiting[chat_id] = future
            started = loop.time()
            if action == "send":
                await person.send(value, chat=group)
            else:
                target = (group or person).last
                if target is None:
                    unanswered += 1
                    continue
                await person.press_data(value, message=target, chat=group, timeout=0)
            try:
                answered = await asyncio.wait_for(future, STEP_TIMEOUT)
                latencies.append((answered - started) * 1000)
            except TimeoutError:
                unanswered += 1
            waiting.pop(chat_id, None)

    async def worker() -> None:
        while not queue.empty():
            session = queue.get_nowait()
            lock = locks.setdefault(session[1], asyncio.Lock())
            async with lock:  # one conversation per chat at a time (a staff group's presses in turn)
                await play(session)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(active)))
    wall = time.perf_counter() - started
    await asyncio.sleep(0.2)
    watcher.cancel()
    emu.unsubscribe(events)
    calls = {method: n for method, n in emu.stats.calls.items() if method != "getUpdates"}
    return {
        "answered": len(latencies),
        "unanswered": unanswered,
        "wall": wall,
        "latencies": latencies,
        "calls": calls,
        "polls": emu.stats.calls.get("getUpdates", 0),
    }


# ----------------------------------------------------------------------------- bot side


def _bot_process(conn: Connection, which: str, api_url: str, db_path: str | None, profile: bool) -> None:
    asyncio.run(_serve_bot(conn, which, api_url, db_path, profile))


async def _serve_bot(conn: Connection, which: str, api_url: str, db_path: str | None, profile: bool) -> None:
    quiet_logs()
    if which == "ours":
        from bot.app import build_application, running
        from bot.clock import ManualClock

        app = build_application(bench_settings(Path(db_path or ""), api_url), ManualClock(districts.NOW))
        context = running(app, poll_timeout=1.0)
        # A bot that has been running a while has compiled its templates: timed apart, not per update.
        cpu0 = time.process_time()
        app.bot_data["services"].renderer.compile_all()
        compile_cpu = time.process_time() - cpu0
    else:
        app = bare_application(api_url)
        context = _running_bare(app)
        compile_cpu = 0.0
    profiler = harness.profiler() if profile else None
    async with context:
        conn.send("ready")
        cpu0, main0 = time.process_time(), time.thread_time()
        if profiler is not None:
            profiler.start()
        await asyncio.to_thread(conn.recv)  # "stop"
        cpu, main = time.process_time() - cpu0, time.thread_time() - main0
        if profiler is not None:
            harness.save_profile(profiler, which)
    conn.send({"cpu": cpu, "main_cpu": main, "compile_cpu": compile_cpu, "rss_mb": peak_rss_mb()})


def bare_application(api_url: str) -> Any:
    """The framework's floor: every update answered with one sendMessage, nothing else."""
    from telegram import Update
    from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, TypeHandler

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "ok")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=1))
        .build()
    )
    app.add_handler(TypeHandler(Update, answer))
    return app


class _running_bare:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __aenter__(self) -> Any:
        await self.app.initialize()
        await self.app.updater.start_polling(poll_interval=0, timeout=1)
        await self.app.start()
        return self.app

    async def __aexit__(self, *exc: object) -> None:
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()


async def measure(
    which: str, sessions: list[Session], groups: list[tuple[int, int]], db: Path | None
) -> dict[str, Any]:
    async with RemoteEmulator() as remote:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        profile = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
        args = (child, which, remote.api_url, str(db) if db else None, profile)
        process = context.Process(target=_bot_process, args=args)
        process.start()
        try:
            if not await asyncio.to_thread(parent.poll, 60):
                raise RuntimeError(f"the {which} bot did not start within 60 s")
            await asyncio.to_thread(parent.recv)
            result = await remote.call(
                "bench.throughput:drive", sessions=sessions, groups=groups, active=ACTIVE_PEOPLE
            )
            parent.send("stop")
            result.update(await asyncio.to_thread(parent.recv))
        finally:
            await asyncio.to_thread(process.join, 15)
            if process.is_alive():
                process.kill()
    return result


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def run(quick: bool, *, updates: int | None = None, scale: float | None = None) -> list[dict]:
    n = updates or (200 if quick else 2000)
    district = await districts.ensure(scale if scale is not None else (0.05 if quick else 1.0))
    sessions = plan(district, n)
    groups = sorted({(s[1], s[2]) for s in sessions if s[0] == "group"})
    with tempfile.TemporaryDirectory() as folder:
        db = districts.copy_of(district, Path(folder) / "throughput.sqlite3")
        bare = await measure("bare", sessions, groups, None)
        ours = await measure("ours", sessions, groups, db)
    total = sum(len(s[4]) for s in sessions)
    if os.environ.get("BENCH_PROFILE", "") not in ("", "0"):
        print(
            f"requests: ours {ours['calls']} ({ours['polls']} polls); bare {bare['calls']} ({bare['polls']} polls)"
        )
    rate_ours = ours["answered"] / ours["wall"]
    rate_bare = bare["answered"] / bare["wall"]
    ratio = rate_ours / rate_bare
    cpu_ours = ours["cpu"] / max(1, ours["answered"])
    cpu_ratio = (bare["cpu"] / max(1, bare["answered"])) / cpu_ours if cpu_ours else float("nan")
    row = {"scenario": "throughput"}
    lat = ours["latencies"]
    return [
        {**row, "metric": f"mixed updates ({len(sessions)} conversations, {ACTIVE_PEOPLE} people at once)", "value": total, "unit": "", "goal": "", "met": None},
        {**row, "metric": "ours: updates/s end to end", "value": round(rate_ours, 1), "unit": "upd/s", "goal": "", "met": None},
        {**row, "metric": "bare PTB: updates/s (one sendMessage each)", "value": round(rate_bare, 1), "unit": "upd/s", "goal": "", "met": None},
        {**row, "metric": "ratio ours / bare", "value": round(ratio, 3), "unit": "", "goal": f">= {RATIO_GOAL}", "met": ratio >= RATIO_GOAL},
        {**row, "metric": "ours: latency p50 (queued -> first answer)", "value": round(statistics.median(lat), 1) if lat else float("nan"), "unit": "ms", "goal": "", "met": None},
        {**row, "metric": "ours: latency p99", "value": round(_percentile(lat, 0.99), 1), "unit": "ms", "goal": "", "met": None},
        {**row, "metric": "bare: latency p50", "value": round(statistics.median(bare["latencies"]), 1) if bare["latencies"] else float("nan"), "unit": "ms", "goal": "", "met": None},
        {**row, "metric": "CPU ratio bare / ours per update (the ratio with no rate limit capping both)", "value": round(cpu_ratio, 3), "unit": "", "goal": f">= {CPU_RATIO_GOAL} (target {RATIO_GOAL})", "met": cpu_ratio >= CPU_RATIO_GOAL},
        {**row, "metric": "ours: bot CPU per update", "value": round(ours["cpu"] / max(1, ours["answered"]) * 1000, 2), "unit": "ms", "goal": "", "met": None},
        {**row, "metric": "ours: of which the event loop's thread (the rest: SQLite's threads)", "value": round(ours["main_cpu"] / max(1, ours["answered"]) * 1000, 2), "unit": "ms", "goal": "", "met": None},
        {**row, "metric": "ours: compiling every template once, before measuring (start-up)", "value": round(ours["compile_cpu"] * 1000), "unit": "ms", "goal": "", "met": None},
        {**row, "metric": "bare: bot CPU per update", "value": round(bare["cpu"] / max(1, bare["answered"]) * 1000, 2), "unit": "ms", "goal": "", "met": None},
        {**row, "metric": "ours: Bot API requests per update (getUpdates aside)", "value": round(sum(ours["calls"].values()) / max(1, ours["answered"]), 2), "unit": "", "goal": "", "met": None},
        {**row, "metric": "bare: Bot API requests per update (getUpdates aside)", "value": round(sum(bare["calls"].values()) / max(1, bare["answered"]), 2), "unit": "", "goal": "", "met": None},
        {**row, "metric": "ours: updates left unanswered", "value": ours["unanswered"], "unit": "", "goal": "0", "met": ours["unanswered"] == 0},
        {**row, "metric": "ours: peak RSS of the bot process", "value": round(ours["rss_mb"], 1), "unit": "MB", "goal": "", "met": None},
        {**row, "metric": "bare: peak RSS of the bot process", "value": round(bare["rss_mb"], 1), "unit": "MB", "goal": "", "met": None},
    ]  # fmt: skip


if __name__ == "__main__":
    import sys

    for result in asyncio.run(run(quick="--quick" in sys.argv)):
        print(result)

"""The morning rush: people pressing and typing while a large fan-out of reminders goes out.

What people feel at 06:00, when the hospital guide shift starts while the evening's reminders are
still being sent: 30,000 reminders queued in the outbox, and 1,000 volunteers and workers who
press buttons and type within two minutes — volunteers press "I'm coming" on their reminder, then
"Check in" and "Check in without proof"; workers open the menu and their requests, or file a
request (category, company, a description, no attachment, send). Each person starts at a random
moment of the two minutes and reads for one to three seconds between steps.

Three processes, as in production: the emulator enforcing Telegram's limits (bench/remote.py:
30 messages/s overall, 1/s per private chat with bursts of 3; `scale` speeds them up), the bot
under test alone in a child process (so its CPU is its own, not the bench's driving) and this
orchestrator. The fan-out starts when the bot does; the first part of the run is the sender
alone, then the rush begins, and the sender's rate during the rush is compared with its rate
alone in the same run (the enforced limit is shared by the reminders and the people's answers).

Reported: latency per update from the moment it is queued to its first answer (a message, an
edit or the answer to a button press), p50 / p95 / p99 (goal p99 < 1 s at x1 limits); updates
left unanswered (goal 0); the sender's rate alone and during the rush and their ratio (goal >=
0.9); reminders delivered, not yet delivered when the run ended (not a loss) and lost (marked
sent but never arrived, or given up without the recipient being the reason: goal 0).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench import district as districts
from bench import harness
from bench.fanout import Outcomes, outcomes, percentile
from bench.harness import bench_settings, peak_rss_mb, quiet_logs
from bench.remote import RemoteEmulator
from bot.handlers.volunteer.volunteers import NO_PROOF
from bot.sandbox.emulator import Emulator, Limits
from bot.services.volunteer.notices import CHECK_IN, COMING
from bot.storage import outbox as outbox_repo
from bot.storage import shifts as shifts_repo
from bot.storage.db import Database, ts

P99_GOAL_MS = 1000.0
RATE_GOAL = 0.9
STEP_TIMEOUT = 15.0  # Telegram's callback queries expire after about 15 s: no answer by then is none
THINK = (1.0, 3.0)  # seconds a person reads before the next step
KIND = "bench_rush_reminder"
OTHERS_BASE = 300_000_000  # recipients of the fan-out who are not in the rush
SHIFT_STARTS_IN = timedelta(minutes=10)  # check-in opens 15 minutes before the start
MARK = "⏰"
TEXT = {
    "zh": f"{MARK} <b>志愿服务提醒</b>：您报名的服务即将开始。",
    "en": f"{MARK} <b>Volunteer reminder</b>: your shift starts soon.",
    "fr": f"{MARK} <b>Rappel bénévole</b> : votre créneau commence bientôt.",
}
LANGS = ("zh", "zh", "zh", "en", "fr")

Step = tuple[str, str]  # ("send", text) | ("press", callback data) | ("press-reminder", callback data)


@dataclass(frozen=True)
class Person:
    uid: int
    lang: str
    kind: str  # volunteer | menu | request
    start: float  # seconds after the rush begins
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Size:
    people: int
    reminders: int
    alone: float  # seconds of fan-out before the rush
    window: float  # seconds over which people arrive

    @classmethod
    def of(cls, quick: bool) -> Size:
        # --quick keeps the people's arrival rate (about 8 a second) and shortens everything.
        return cls(100, 3_000, 8.0, 12.0) if quick else cls(1_000, 30_000, 30.0, 120.0)


# ----------------------------------------------------------------------------- the plan


def plan(district: districts.District, size: Size, shifts: list[int], seed: int = 6) -> list[Person]:
    """60 % volunteers of the starting shifts, 20 % workers at the menu, 20 % filing a request."""
    rng = random.Random(seed)
    uids = [district.worker(i) for i in rng.sample(range(district.size.users), size.people)]
    people = []
    for n, uid in enumerate(uids):
        lang = LANGS[n % len(LANGS)]
        start = rng.uniform(0, size.window)
        if n % 5 < 3:
            shift = shifts[n % len(shifts)]
            steps: tuple[Step, ...] = (
                ("press-reminder", COMING.data(shift)),
                ("press-reminder", CHECK_IN.data(shift)),
                ("press", NO_PROOF.data(shift)),
            )
            people.append(Person(uid, lang, "volunteer", start, steps))
        elif n % 5 == 3:
            steps = (("send", "/menu"), ("press", "1|req|mine"), ("press", "1|menu|show"))
            people.append(Person(uid, lang, "menu", start, steps))
        else:
            steps = (
                ("send", "/request"),
                ("press", "1|req|cat|tax"),
                ("press", "1|req|ent|0"),
                ("send", districts.DESCRIPTIONS[n % len(districts.DESCRIPTIONS)]),
                ("press", "1|req|noatt"),
                ("press", "1|req|send"),
            )
            people.append(Person(uid, lang, "request", start, steps))
    return people


async def prepare(db_path: Path, district: districts.District, size: Size) -> tuple[list[int], list[int]]:
    """(Before the bot starts) the starting shifts and their sign-ups, and the queued fan-out.

    Returns the shifts and every recipient, volunteers of the rush first (their reminders are the
    oldest rows, so they have arrived before the rush begins, as a 05:00 reminder has by 06:00).
    """
    now = districts.NOW
    db = await Database(db_path).open()
    try:
        async with db.tx() as conn:
            shifts = []
            for project in range(1, 21):
                starts = now + SHIFT_STARTS_IN + timedelta(seconds=project)
                shift = await shifts_repo.insert_shift(
                    conn, project, None, starts, starts + timedelta(hours=2), 100, now - timedelta(days=3)
                )
                assert shift is not None, "the district already has a shift at this minute"
                shifts.append(shift)
            people = plan(district, size, shifts)
            messages = []
            for person in people:
                if person.kind != "volunteer":
                    continue
                shift = int(person.steps[0][1].rsplit("|", 1)[1])
                await shifts_repo.put_signup(conn, shift, person.uid, "confirmed", now - timedelta(days=2))
                buttons = [[COMING.button("✅", shift), CHECK_IN.button("📍", shift)]]
                messages.append(
                    outbox_repo.Message(
                        person.uid, KIND, TEXT[person.lang], now - timedelta(minutes=2), buttons=buttons
                    )
                )
            others = [OTHERS_BASE + i for i in range(size.reminders - len(messages))]
            messages += [
                outbox_repo.Message(uid, KIND, TEXT[LANGS[uid % 5]], now - timedelta(minutes=1))
                for uid in others
            ]
            await outbox_repo.enqueue_many(conn, messages, now - timedelta(minutes=2))
    finally:
        await db.close()
    return shifts, [m.chat_id for m in messages]


# ----------------------------------------------------------------------------- emulator side


async def drive(emu: Emulator, people: list[Person], think: tuple[float, float]) -> dict[str, Any]:
    """(In the emulator process) play the rush; time each update's first answer to its person."""
    loop = asyncio.get_running_loop()
    waiting: dict[int, asyncio.Future[float]] = {}
    events = emu.subscribe()
    texts = set(TEXT.values())

    async def watch() -> None:
        while True:
            event = await events.get()
            if event.kind not in ("message", "edit", "callback_answer") or event.chat_id is None:
                continue
            if event.kind == "message" and event.message is not None and event.message.text in texts:
                continue  # a reminder of the fan-out is not an answer
            future = waiting.get(event.chat_id)
            if future is not None and not future.done():
                future.set_result(loop.time())

    watcher = asyncio.create_task(watch())
    latencies: dict[str, list[float]] = {}
    unanswered: dict[str, int] = {}
    rng = random.Random(11)
    began = loop.time()
    began_wall = time.time()
    calls_before = dict(emu.stats.calls)

    async def play(person: Person) -> None:
        await asyncio.sleep(max(0.0, began + person.start - loop.time()))
        someone = emu.user(person.uid, "王小明" if person.lang == "zh" else "Alex", language_code=person.lang)
        for n, (action, value) in enumerate(person.steps):
            if n:
                await asyncio.sleep(rng.uniform(*think))
            inbox = [m for m in emu.inbox(person.uid) if not m.deleted]
            if action == "press-reminder":
                target = next((m for m in reversed(inbox) if m.text in texts), None)
            else:
                target = inbox[-1] if inbox else None
            if action != "send" and target is None:
                unanswered[person.kind] = unanswered.get(person.kind, 0) + 1
                continue
            future: asyncio.Future[float] = loop.create_future()
            waiting[person.uid] = future
            started = loop.time()
            if action == "send":
                await someone.send(value)
            else:
                await someone.press_data(value, message=target, timeout=0)
            try:
                answered = await asyncio.wait_for(future, STEP_TIMEOUT)
                latencies.setdefault(person.kind, []).append((answered - started) * 1000)
            except TimeoutError:
                unanswered[person.kind] = unanswered.get(person.kind, 0) + 1
            waiting.pop(person.uid, None)

    await asyncio.gather(*(play(p) for p in people))
    ended_wall = time.time()
    calls = {k: v - calls_before.get(k, 0) for k, v in emu.stats.calls.items()}
    await asyncio.sleep(0.2)
    watcher.cancel()
    emu.unsubscribe(events)
    return {
        "latencies": latencies,
        "unanswered": unanswered,
        "began": began_wall,
        "ended": ended_wall,
        "calls": calls,
    }


async def reminders(emu: Emulator, ids: list[int]) -> dict[str, Any]:
    """(In the emulator process) when each reminder of the fan-out arrived, and to whom."""
    texts = set(TEXT.values())
    wanted = set(ids)
    got = [(m.chat_id, m.date.timestamp()) for m in emu.sent if m.chat_id in wanted and m.text in texts]
    return {
        "chats": [c for c, _ in got],
        "dates": sorted(d for _, d in got),
        "too_many_requests": emu.stats.too_many_requests,
        "rate_limited": emu.stats.rate_limited,
    }


# ----------------------------------------------------------------------------- bot side


def _bot_process(conn: Connection, api_url: str, db_path: str, scale: float, profile: bool) -> None:
    asyncio.run(_serve_bot(conn, api_url, db_path, scale, profile))


async def _serve_bot(conn: Connection, api_url: str, db_path: str, scale: float, profile: bool) -> None:
    """The real bot, alone in its process; answers each command with its CPU time so far.

    "profile" starts pyinstrument (BENCH_PROFILE=1), the next "cpu" stops it and writes
    bench/results/profile-rush.txt; "stop" stops the bot and answers with its peak memory.
    """
    quiet_logs()
    from bot.app import build_application, running
    from bot.clock import ManualClock

    settings = bench_settings(
        Path(db_path), api_url, BOT_SEND_RATE=f"{25 * scale:g}", BOT_SEND_LIMIT_SCALE=f"{scale:g}"
    )
    app = build_application(settings, ManualClock(districts.NOW))
    profiler = harness.profiler(0.002) if profile else None  # two minutes: every 2 ms
    async with running(app, poll_timeout=1.0):
        conn.send("ready")
        while (command := await asyncio.to_thread(conn.recv)) != "stop":
            if profiler is not None and command == "profile":
                profiler.start()
            elif profiler is not None and profiler.is_running:
                harness.save_profile(profiler, "rush")
            conn.send(time.process_time())
    conn.send({"rss_mb": peak_rss_mb()})


class BotProcess:
    """`async with BotProcess(...) as bot:` the bot running in a child process; `await bot.ask()` its CPU time."""

    def __init__(self, api_url: str, db_path: Path, scale: float) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        profile = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
        self.profile = profile
        self._process = context.Process(
            target=_bot_process, args=(child, api_url, str(db_path), scale, profile)
        )
        self.final: dict[str, Any] = {}

    async def __aenter__(self) -> BotProcess:
        self._process.start()
        if not await asyncio.to_thread(self._conn.poll, 120):
            raise RuntimeError("the bot did not start within 120 s")
        await asyncio.to_thread(self._conn.recv)
        return self

    async def ask(self, command: str = "cpu") -> float:
        self._conn.send(command)
        return float(await asyncio.to_thread(self._conn.recv))

    async def __aexit__(self, *exc: object) -> None:
        try:
            self._conn.send("stop")
            if await asyncio.to_thread(self._conn.poll, 30):
                self.final = await asyncio.to_thread(self._conn.recv)
        finally:
            await asyncio.to_thread(self._process.join, 15)
            if self._process.is_alive():
                self._process.kill()


# ----------------------------------------------------------------------------- the scenario


def done_in_the_database(db_path: Path, shifts: list[int]) -> tuple[int, int]:
    """(After the run) check-ins recorded on the rush's shifts, and requests filed since `NOW`:
    an answer that is a refusal would count as answered, so what people came to do is checked too."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        marks = ",".join("?" * len(shifts))
        checked_in = conn.execute(
            f"SELECT COUNT(*) FROM vol_signups WHERE shift_id IN ({marks}) AND checked_in_at IS NOT NULL",
            shifts,
        ).fetchone()[0]
        filed = conn.execute(
            "SELECT COUNT(*) FROM requests WHERE created_at >= ?", (ts(districts.NOW),)
        ).fetchone()[0]
    finally:
        conn.close()
    return int(checked_in), int(filed)


def _rate(dates: list[float], start: float, end: float) -> float:
    return sum(1 for d in dates if start <= d < end) / max(1e-9, end - start)


async def run(
    quick: bool,
    *,
    scale: float = 1.0,
    size: Size | None = None,
    district_scale: float | None = None,
    think: tuple[float, float] = THINK,
) -> list[dict[str, Any]]:
    """`scale` speeds Telegram's limits up (the latency goal is for x1); the rest is for tests."""
    quiet_logs()
    size = size or Size.of(quick)
    district = await districts.ensure(district_scale or (0.05 if quick else 1.0))
    with tempfile.TemporaryDirectory() as folder:
        db = districts.copy_of(district, Path(folder) / "rush.sqlite3")
        shifts, recipients = await prepare(db, district, size)
        people = plan(district, size, shifts)
        async with RemoteEmulator(Limits(scale=scale)) as remote:
            await remote.call("bench.remote:add_people", ids=recipients)
            for lang in ("zh", "en", "fr"):
                await remote.call(
                    "bench.remote:add_people", ids=[p.uid for p in people if p.lang == lang], lang=lang
                )
            async with BotProcess(remote.api_url, db, scale) as bot:
                started, cpu_start = time.time(), await bot.ask()
                await asyncio.sleep(size.alone)
                cpu0 = await bot.ask("profile" if bot.profile else "cpu")
                result = await remote.call("bench.rush:drive", people=people, think=think)
                cpu1 = await bot.ask()
            seen = await remote.call("bench.rush:reminders", ids=recipients)  # the sender has stopped
            states = outcomes(db, KIND)
            checked_in, filed = done_in_the_database(db, shifts)
    cpu = {"alone": cpu0 - cpu_start, "rush": cpu1 - cpu0}
    out = rows(size, scale, people, result, seen, states, started, cpu)
    rss = float(bot.final.get("rss_mb", float("nan")))
    volunteers = sum(1 for p in people if p.kind == "volunteer")
    asked = sum(1 for p in people if p.kind == "request")
    out.append({"scenario": "rush", "metric": f"volunteers checked in (of {volunteers})", "value": checked_in, "unit": "", "goal": f"{volunteers}", "met": checked_in == volunteers})  # fmt: skip
    out.append({"scenario": "rush", "metric": f"requests filed (of {asked})", "value": filed, "unit": "", "goal": f"{asked}", "met": filed == asked})  # fmt: skip
    out.append({"scenario": "rush", "metric": "peak RSS of the bot process", "value": round(rss, 1), "unit": "MB", "goal": "", "met": None})  # fmt: skip
    return out


def rows(
    size: Size,
    scale: float,
    people: list[Person],
    result: dict[str, Any],
    seen: dict[str, Any],
    states: Outcomes,
    started: float,
    cpu: dict[str, float],
) -> list[dict[str, Any]]:
    dates: list[float] = seen["dates"]
    began, ended = float(result["began"]), float(result["ended"])
    first = dates[0] if dates else started
    alone = _rate(dates, first + 1.0, began)  # the first second is the burst Telegram allows
    during = _rate(dates, began, began + size.window)
    ratio = during / alone if alone else float("nan")
    # CPU is robust to other work on the machine, unlike latencies: the sender's cost per reminder
    # is read from the part of the run it had alone, and taken out of the rush's CPU.
    per_reminder = cpu["alone"] / max(1, sum(1 for d in dates if d < began))
    sent_in_rush = sum(1 for d in dates if began <= d < ended)
    outgoing = sum(
        n for method, n in result["calls"].items() if method == "sendMessage" or method.startswith("edit")
    )
    answers = (outgoing - sent_in_rush) / max(1e-9, ended - began)
    per_update = (cpu["rush"] - per_reminder * sent_in_rush) / max(
        1, sum(len(v) for v in result["latencies"].values())
    )
    every = [v for values in result["latencies"].values() for v in values]
    unanswered = sum(result["unanswered"].values())
    p99 = percentile(every, 0.99)
    updates = sum(len(p.steps) for p in people)
    delivered = states.arrived(seen["chats"])
    limit = 30 * scale
    r = {"scenario": "rush"}
    kinds = ", ".join(
        f"{k} {sum(1 for p in people if p.kind == k)}" for k in ("volunteer", "menu", "request")
    )
    out: list[dict[str, Any]] = [
        {**r, "metric": f"people in {size.window:g} s ({kinds}), limits x{scale:g}", "value": len(people), "unit": "", "goal": "", "met": None},
        {**r, "metric": "updates sent by them", "value": updates, "unit": "", "goal": "", "met": None},
        {**r, "metric": "latency update -> first answer, p50", "value": round(percentile(every, 0.5), 1), "unit": "ms", "goal": "", "met": None},
        {**r, "metric": "latency p95", "value": round(percentile(every, 0.95), 1), "unit": "ms", "goal": "", "met": None},
        {**r, "metric": "latency p99", "value": round(p99, 1), "unit": "ms", "goal": f"< {P99_GOAL_MS:.0f}" if scale == 1 else "", "met": p99 < P99_GOAL_MS if scale == 1 else None},
    ]  # fmt: skip
    for kind, values in sorted(result["latencies"].items()):
        out.append({**r, "metric": f"  {kind}: p99 (p50 {percentile(values, 0.5):.0f} ms)",
                    "value": round(percentile(values, 0.99), 1), "unit": "ms", "goal": "", "met": None})  # fmt: skip
    out += [
        {**r, "metric": "updates left unanswered", "value": unanswered, "unit": "", "goal": "0", "met": unanswered == 0},
        {**r, "metric": f"reminders queued ({size.reminders}): sender alone, delivered/s", "value": round(alone, 1), "unit": "msg/s", "goal": f"enforced {limit:g}", "met": None},
        {**r, "metric": "sender during the rush, delivered/s", "value": round(during, 1), "unit": "msg/s", "goal": "", "met": None},
        {**r, "metric": "ratio during the rush / alone (same run)", "value": round(ratio, 3), "unit": "", "goal": f">= {RATE_GOAL:g}", "met": ratio >= RATE_GOAL},
        {**r, "metric": "messages and edits answering people, per second of the rush", "value": round(answers, 1), "unit": "msg/s", "goal": "", "met": None},
        {**r, "metric": "bot CPU during the rush, share of one core", "value": round(cpu["rush"] / max(1e-9, ended - began), 3), "unit": "", "goal": "", "met": None},
        {**r, "metric": "bot CPU per update answered (the sender's share taken out)", "value": round(per_update * 1000, 2), "unit": "ms", "goal": "", "met": None},
        {**r, "metric": "bot CPU per reminder, sender alone", "value": round(per_reminder * 1000, 2), "unit": "ms", "goal": "", "met": None},
        {**r, "metric": "429 received (sender and replies)", "value": seen["too_many_requests"], "unit": "", "goal": "", "met": None},
        {**r, "metric": "reminders delivered", "value": delivered, "unit": "", "goal": "", "met": None},
        {**r, "metric": "reminders not yet delivered when the run ended (not lost)", "value": states.pending, "unit": "", "goal": "", "met": None},
        {**r, "metric": "reminders lost (sent but never arrived, or given up)", "value": states.lost(seen["chats"]), "unit": "", "goal": "0", "met": states.lost(seen["chats"]) == 0},
        {**r, "metric": "reminders delivered twice", "value": states.duplicates(seen["chats"]), "unit": "", "goal": "0", "met": states.duplicates(seen["chats"]) == 0},
    ]  # fmt: skip
    return out


if __name__ == "__main__":
    import sys

    for row in asyncio.run(run(quick="--quick" in sys.argv)):
        print(row)

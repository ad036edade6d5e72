"""Fan-out: 30,000 reminders due in the same minute, delivered through the outbox at Telegram's limit.

The real Application runs against a copy of the large district (so the sender's queries work
over years of sent history, not an empty table) and the emulator, in its own process
(bench/remote.py), enforces Telegram's limits sped up ×20 (600 messages/s overall, 20/s per
chat) so the run stays under a minute. The sender is configured to pace at the enforced limit
(BOT_SEND_RATE = 30 × scale; production keeps 25/s, a safety margin below Telegram's 30/s).

Reported: delivered/s in the steady state (10th to 90th percentile message, as bench/sender.py
does) as a ratio of the enforced limit (goal >= 0.95), 429s received (goal 0), duplicates (a
recipient with two copies) and losses (a recipient with none, or a row not marked sent), both 0.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import district as districts
from bench.harness import bench_settings, quiet_logs
from bench.remote import RemoteEmulator
from bot.app import build_application, running
from bot.clock import ManualClock
from bot.sandbox.emulator import Emulator, Limits
from bot.storage import outbox as outbox_repo

SCALE = 20.0
RATIO_GOAL = 0.95
TEXT = {
    "zh": "⏰ <b>志愿服务提醒</b>：您报名的服务明天 12:00 开始。",
    "en": "⏰ <b>Volunteer reminder</b>: your shift starts tomorrow at 12:00.",
    "fr": "⏰ <b>Rappel bénévole</b> : votre créneau commence demain à 12:00.",
}


async def delivery_report(emu: Emulator, ids: list[int]) -> dict[str, Any]:
    """(In the emulator process) what each recipient received and when."""
    wanted = set(ids)
    per_chat = Counter(m.chat_id for m in emu.sent if m.chat_id in wanted)
    dates = sorted(m.date.timestamp() for m in emu.sent if m.chat_id in wanted)
    return {
        "delivered": len(dates),
        "duplicates": sum(c - 1 for c in per_chat.values() if c > 1),
        "losses": sum(1 for uid in ids if per_chat[uid] == 0),
        "dates": [dates[len(dates) // 10], dates[len(dates) * 9 // 10], dates[0], dates[-1]] if dates else [],
        "n_between": len(dates) * 9 // 10 - len(dates) // 10,
        "too_many_requests": emu.stats.too_many_requests,
        "rate_limited": emu.stats.rate_limited,
    }


async def sent_count(emu: Emulator) -> int:
    return emu.stats.messages_sent


async def run(quick: bool, *, recipients: int | None = None, scale: float | None = None) -> list[dict]:
    quiet_logs()
    n = recipients or (1000 if quick else 30_000)
    district = await districts.ensure(scale if scale is not None else (0.05 if quick else 1.0))
    limit = 30 * SCALE
    with tempfile.TemporaryDirectory() as folder:
        path = districts.copy_of(district, Path(folder) / "fanout.sqlite3")
        async with RemoteEmulator(Limits(scale=SCALE)) as remote:
            ids = [districts.NEWCOMER_BASE + i for i in range(n)]
            await remote.call("bench.remote:add_people", ids=ids)
            settings = bench_settings(
                path, remote.api_url, BOT_SEND_RATE=f"{limit:g}", BOT_SEND_LIMIT_SCALE=f"{SCALE:g}"
            )
            clock = ManualClock(districts.NOW)
            app = build_application(settings, clock)
            async with running(app, poll_timeout=0.5):
                services = app.bot_data["services"]
                started = time.perf_counter()
                langs = ("zh", "zh", "zh", "en", "fr")
                async with services.db.tx() as conn:  # one reminder each, all due this minute
                    now = clock.now()
                    for i, uid in enumerate(ids):
                        await outbox_repo.enqueue(
                            conn, chat_id=uid, kind="bench_reminder", text=TEXT[langs[i % 5]], now=now,
                            not_before=now + timedelta(seconds=i % 60 / 60), dedupe_key=f"bench:rem:{uid}",
                        )  # fmt: skip
                enqueue_seconds = time.perf_counter() - started
                budget = max(60.0, 3 * n / limit)
                deadline = time.perf_counter() + budget
                last, stalled = -1, 0
                while time.perf_counter() < deadline:
                    await asyncio.sleep(0.5)
                    sent = await remote.call("bench.fanout:sent_count")
                    if sent >= n:
                        break
                    stalled = stalled + 1 if sent == last else 0
                    if stalled >= 20:  # 10 s without a single delivery: stuck
                        break
                    last = sent
                wall = time.perf_counter() - started
                await asyncio.sleep(0.3)  # let the last answers be recorded
                async with services.db.read() as conn:
                    counts = (await outbox_repo.status_counts(conn, clock.now()))["kinds"].get(
                        "bench_reminder", {}
                    )
            report = await remote.call("bench.fanout:delivery_report", ids=ids)
    d = report["dates"]
    rate = report["n_between"] / max(1e-9, d[1] - d[0]) if d else 0.0
    not_recorded = n - int(counts.get("sent") or 0)
    row = {"scenario": "fanout"}
    return [
        {**row, "metric": f"reminders due in one minute (limits x{SCALE:g})", "value": n, "unit": "", "goal": "", "met": None},
        {**row, "metric": "delivered/s (steady state)", "value": round(rate, 1), "unit": "msg/s", "goal": f"enforced {limit:g}", "met": None},
        {**row, "metric": "ratio to the enforced limit", "value": round(rate / limit, 3), "unit": "", "goal": f">= {RATIO_GOAL}", "met": rate / limit >= RATIO_GOAL},
        {**row, "metric": "429 received", "value": report["too_many_requests"], "unit": "", "goal": "0", "met": report["too_many_requests"] == 0},
        {**row, "metric": "duplicates", "value": report["duplicates"], "unit": "", "goal": "0", "met": report["duplicates"] == 0},
        {**row, "metric": "losses (not delivered or not marked sent)", "value": max(report["losses"], not_recorded), "unit": "", "goal": "0", "met": report["losses"] == 0 and not_recorded == 0},
        {**row, "metric": "enqueue 30k in one transaction" if n == 30_000 else f"enqueue {n} in one transaction", "value": round(enqueue_seconds, 2), "unit": "s", "goal": "", "met": None},
        {**row, "metric": "wall time, enqueue to last delivery", "value": round(wall, 1), "unit": "s", "goal": "", "met": None},
    ]  # fmt: skip


if __name__ == "__main__":
    import sys

    for result in asyncio.run(run(quick="--quick" in sys.argv)):
        print(result)

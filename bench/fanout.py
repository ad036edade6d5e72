"""Fan-out: 30,000 reminders due in the same minute, delivered through the outbox at Telegram's limit.

The real Application runs against a copy of the large district (so the sender's queries work
over years of sent history, not an empty table) and the emulator, in its own process
(bench/remote.py), enforces Telegram's limits sped up ×20 (600 messages/s overall, 20/s per
chat) so the run stays under a minute. The sender is configured to pace at the enforced limit
(BOT_SEND_RATE = 30 × scale; production keeps 25/s, a safety margin below Telegram's 30/s).

Reported: delivered/s in the steady state (10th to 90th percentile message, as bench/sender.py
does) as a ratio of the enforced limit (goal >= 0.95), 429s received (goal 0), the bot process's
CPU per message (robust to other work on the machine, unlike the rate), duplicates (a recipient
with two copies, goal 0) and, kept apart because they mean different things:
- lost (goal 0): a row the sender marked sent whose message never arrived, or a row that will
  never be sent although its recipient did nothing to stop it (given up after retries, refused
  as malformed, expired unsent) — a person blocking the bot is not a loss;
- not yet delivered when the time budget ended: rows still queued, which the sender would send
  next. Not a loss and not a goal by itself; the rate says whether the sender is fast enough.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
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
KIND = "bench_reminder"
TEXT = {
    "zh": "⏰ <b>志愿服务提醒</b>：您报名的服务明天 12:00 开始。",
    "en": "⏰ <b>Volunteer reminder</b>: your shift starts tomorrow at 12:00.",
    "fr": "⏰ <b>Rappel bénévole</b> : votre créneau commence demain à 12:00.",
}


# Reasons a row dies because of its recipient (blocked the bot, left, deleted the account): the
# sender did its job. Any other death — given up after retries, refused as malformed — is a loss.
RECIPIENT_REASONS = ("Forbidden", "recipient unreachable")


@dataclass
class Outcomes:
    """What the outbox recorded for one kind of row, one row per recipient (read after the run)."""

    sent: list[int] = field(default_factory=list)  # recipients whose row is marked sent
    pending: int = 0  # still queued: not yet delivered when the run ended
    refused_by_recipient: int = 0  # dead because the person blocked the bot or is gone
    given_up: int = 0  # dead for any other reason, or expired unsent: will never be sent

    def lost(self, arrived: list[int]) -> int:
        """Marked sent but never arrived, plus given up without the recipient being the reason."""
        got = set(arrived)
        return sum(1 for chat in self.sent if chat not in got) + self.given_up

    @staticmethod
    def duplicates(arrived: list[int]) -> int:
        return sum(c - 1 for c in Counter(arrived).values() if c > 1)

    @staticmethod
    def arrived(arrived: list[int]) -> int:
        return len(set(arrived))


def outcomes(db_path: Path, kind: str) -> Outcomes:
    """Each row of `kind` as the outbox recorded it (a plain read of the file once the bot stopped)."""
    result = Outcomes()
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT chat_id, sent_at IS NOT NULL, dead_at IS NOT NULL, missed_at IS NOT NULL,"
            " cancelled_at IS NOT NULL, COALESCE(last_error, '') FROM outbox WHERE kind = ?",
            (kind,),
        ).fetchall()
    finally:
        conn.close()
    for chat, sent, dead, missed, cancelled, error in rows:
        if sent:
            result.sent.append(chat)
        elif dead and (str(error).startswith(RECIPIENT_REASONS) or "chat not found" in str(error)):
            result.refused_by_recipient += 1
        elif dead or missed:
            result.given_up += 1
        elif not cancelled:
            result.pending += 1
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def delivery_report(emu: Emulator, ids: list[int]) -> dict[str, Any]:
    """(In the emulator process) who received a message and when."""
    wanted = set(ids)
    arrived = [(m.chat_id, m.date.timestamp()) for m in emu.sent if m.chat_id in wanted]
    dates = sorted(d for _, d in arrived)
    return {
        "chats": [c for c, _ in arrived],
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
                started, cpu0 = time.perf_counter(), time.process_time()
                langs = ("zh", "zh", "zh", "en", "fr")
                async with services.db.tx() as conn:  # one reminder each, all due this minute
                    now = clock.now()
                    for i, uid in enumerate(ids):
                        await outbox_repo.enqueue(
                            conn, chat_id=uid, kind=KIND, text=TEXT[langs[i % 5]], now=now,
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
                cpu = time.process_time() - cpu0
            report = await remote.call("bench.fanout:delivery_report", ids=ids)
        states = outcomes(path, KIND)  # the sender stopped: every answer received is recorded
    d = report["dates"]
    rate = report["n_between"] / max(1e-9, d[1] - d[0]) if d else 0.0
    arrived = report["chats"]
    delivered, lost, duplicates = (
        Outcomes.arrived(arrived),
        states.lost(arrived),
        Outcomes.duplicates(arrived),
    )
    row = {"scenario": "fanout"}
    return [
        {**row, "metric": f"reminders due in one minute (limits x{SCALE:g})", "value": n, "unit": "", "goal": "", "met": None},
        {**row, "metric": "delivered/s (steady state)", "value": round(rate, 1), "unit": "msg/s", "goal": f"enforced {limit:g}", "met": None},
        {**row, "metric": "ratio to the enforced limit", "value": round(rate / limit, 3), "unit": "", "goal": f">= {RATIO_GOAL}", "met": rate / limit >= RATIO_GOAL},
        {**row, "metric": "bot CPU per message delivered (this process)", "value": round(cpu / max(1, delivered) * 1000, 2), "unit": "ms", "goal": "", "met": None},
        {**row, "metric": "bot CPU, share of one core over the run", "value": round(cpu / max(1e-9, wall), 2), "unit": "", "goal": "", "met": None},
        {**row, "metric": "429 received", "value": report["too_many_requests"], "unit": "", "goal": "0", "met": report["too_many_requests"] == 0},
        {**row, "metric": f"delivered within the time budget ({budget:.0f} s)", "value": delivered, "unit": "", "goal": "", "met": None},
        {**row, "metric": "not yet delivered when the budget ended (queued, not lost)", "value": states.pending, "unit": "", "goal": "", "met": None},
        {**row, "metric": "lost (marked sent, never arrived; or given up)", "value": lost, "unit": "", "goal": "0", "met": lost == 0},
        {**row, "metric": "refused by the recipient (blocked the bot)", "value": states.refused_by_recipient, "unit": "", "goal": "", "met": None},
        {**row, "metric": "duplicates", "value": duplicates, "unit": "", "goal": "0", "met": duplicates == 0},
        {**row, "metric": f"enqueue {n} in one transaction", "value": round(enqueue_seconds, 2), "unit": "s", "goal": "", "met": None},
        {**row, "metric": "wall time, enqueue to last delivery or end of budget", "value": round(wall, 1), "unit": "s", "goal": "", "met": None},
    ]  # fmt: skip


if __name__ == "__main__":
    import sys

    for result in asyncio.run(run(quick="--quick" in sys.argv)):
        print(result)

"""The outbox sender end to end: real Application, real HTTP, the emulator's flood limits switched on.

Limits are sped up (`Limits(scale=N)` on the emulator, BOT_SEND_RATE and BOT_SEND_LIMIT_SCALE to
match) so thousands of messages take seconds; what is asserted is what a volunteer would notice:
every message arrives, exactly once, in order, and never against Telegram's limits.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.jobs.sender import OutboxSender
from bot.sandbox.emulator import Emulator, Limits
from bot.settings import Settings
from bot.storage import outbox as outbox_repo
from bot.storage import users as users_repo
from tests.conftest import START, BotFactory, BotHarness

FIRST_USER = 500_000


def sped_up(scale: float) -> dict[str, str]:
    """Settings matching an emulator whose limits run `scale` times faster than Telegram's."""
    return {"BOT_SEND_RATE": str(25 * scale), "BOT_SEND_LIMIT_SCALE": str(scale)}


def sender_of(app: Application) -> OutboxSender:
    return app.bot_data["sender"]


async def enqueue_fanout(app: Application, user_ids: list[int], kind: str = "reminder") -> None:
    """One transaction queues a message for everyone, as a feature announcing something would."""
    services = app.bot_data["services"]
    now = services.clock.now()
    async with services.db.tx() as conn:
        for uid in user_ids:
            await outbox_repo.enqueue(
                conn,
                chat_id=uid,
                kind=kind,
                text=f"Shift reminder for <b>{uid}</b>",
                now=now,
                dedupe_key=f"{kind}:{uid}",
            )


async def wait_delivered(emu: Emulator, count: int) -> None:
    events = emu.subscribe()
    try:
        async with asyncio.timeout(30):
            while emu.stats.messages_sent < count:
                await events.get()
    finally:
        emu.unsubscribe(events)


async def outbox_rows(app: Application) -> list[dict]:
    services = app.bot_data["services"]
    async with services.db.read() as conn:
        cur = await conn.execute("SELECT * FROM outbox ORDER BY id")
        return [dict(r) for r in await cur.fetchall()]


def received_per_chat(emu: Emulator, chat_ids: list[int]) -> Counter[int]:
    return Counter({cid: len(emu.inbox(cid)) for cid in chat_ids})


def sustained_rate(emu: Emulator) -> float:
    """Messages/s between the 10th and 90th percentile arrivals (emulator receive timestamps)."""
    dates = sorted(m.date for m in emu.sent)
    lo, hi = len(dates) // 10, len(dates) * 9 // 10
    return (hi - lo) / (dates[hi] - dates[lo]).total_seconds()


# ------------------------------------------------------------------------------- throughput


@pytest.mark.slow
@pytest.mark.serial  # a rate and a real-time bound: run alone
async def test_fanout_of_2000_arrives_once_each_at_the_configured_rate(bot_factory: BotFactory) -> None:
    # x5: 125 msg/s. The bot, the emulator and SQLite share one process here (~4 ms of CPU per
    # message between them), so this keeps headroom on a 2-core machine running other work too.
    scale = 5
    h = await bot_factory(limits=Limits(scale=scale), clock=ManualClock(START), **sped_up(scale))
    users = [FIRST_USER + i for i in range(2000)]
    for uid in users:
        h.emu.user(uid, f"Volunteer {uid}")

    await enqueue_fanout(h.app, users)
    await h.flush()

    per_chat = received_per_chat(h.emu, users)
    assert set(per_chat.values()) == {1}, "every volunteer gets the reminder exactly once"
    assert h.emu.inbox(users[7])[0].plain == f"Shift reminder for {users[7]}"
    assert h.emu.stats.too_many_requests <= 3
    ratio = sustained_rate(h.emu) / (25 * scale)
    assert 0.9 <= ratio <= 1.05, f"sustained {ratio:.0%} of BOT_SEND_RATE"
    rows = await outbox_rows(h.app)
    assert all(r["sent_at"] and r["message_id"] and r["attempts"] == 1 for r in rows)


async def test_one_chat_gets_its_messages_in_order_without_flood_errors(bot_factory: BotFactory) -> None:
    scale = 10
    h = await bot_factory(limits=Limits(scale=scale), clock=ManualClock(START), **sped_up(scale))
    alice = h.emu.user(FIRST_USER, "Alice")
    staff = h.emu.group(-100_777, "Tier-1 staff")
    services = h.services
    async with services.db.tx() as conn:
        for i in range(8):
            await outbox_repo.enqueue(
                conn, chat_id=alice.id, kind="status", text=f"update {i}", now=h.clock.now()
            )
        for i in range(22):  # two beyond the group's burst of 20
            await outbox_repo.enqueue(
                conn, chat_id=staff.id, kind="staff_card", text=f"card {i}", now=h.clock.now()
            )
    await h.flush()

    assert [m.plain for m in h.emu.inbox(alice.id)] == [f"update {i}" for i in range(8)]
    assert [m.plain for m in h.emu.inbox(staff.id)] == [f"card {i}" for i in range(22)]
    assert h.emu.stats.too_many_requests == 0, "per-chat pacing kept inside 1/s and 20/min"


# ------------------------------------------------------------------------------- failures


@pytest.mark.slow
async def test_random_429_502_and_resets_still_deliver_each_message_once(bot_factory: BotFactory) -> None:
    scale = 10
    # The clock runs (not frozen) so backoff times come due; the emulator fails at random for
    # the first 400 requests, then behaves.
    h = await bot_factory(limits=Limits(scale=scale), clock=ManualClock(START), **sped_up(scale))
    users = [FIRST_USER + i for i in range(300)]
    for uid in users:
        h.emu.user(uid, f"Volunteer {uid}")
    h.emu.faults.fail_randomly(0.15, ("429", "502", "reset"), seed=3, until=400)

    await enqueue_fanout(h.app, users)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while True:
        await h.flush()
        rows = await outbox_rows(h.app)
        if all(r["sent_at"] for r in rows) or loop.time() > deadline:
            break
        await asyncio.sleep(0.05)  # rows waiting for their backoff

    assert set(received_per_chat(h.emu, users).values()) == {1}
    injected = h.emu.stats.injected
    assert injected["429"] > 0 and injected["502"] > 0 and injected["reset"] > 0
    assert all(r["sent_at"] and r["dead_at"] is None for r in rows)
    rejected = sum(injected.values()) + h.emu.stats.rate_limited
    assert sum(r["attempts"] for r in rows) == len(rows) + rejected, "every failed request was counted"
    assert sender_of(h.app).stats.throttled == injected["429"] + h.emu.stats.rate_limited


async def test_blocked_user_gets_one_attempt_and_is_marked_unreachable(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bob, carol = bot.emu.user(FIRST_USER, "Bob"), bot.emu.user(FIRST_USER + 1, "Carol")
    async with bot.services.db.tx() as conn:
        for person in (bob, carol):
            await users_repo.upsert_seen(conn, person.id, person.first_name, None, "zh", bot.clock.now())
    bob.block()
    async with bot.services.db.tx() as conn:
        for n in range(3):
            for person in (bob, carol):
                await outbox_repo.enqueue(
                    conn, chat_id=person.id, kind="reminder", text=f"reminder {n}", now=bot.clock.now()
                )

    with caplog.at_level(logging.WARNING, logger="bot.jobs.sender"):
        await bot.flush()

    assert len(carol.inbox) == 3 and bob.inbox == []
    to_bob = [e for e in bot.emu.error_log if str(e.params.get("chat_id")) == str(bob.id)]
    assert [e.code for e in to_bob] == [403], "exactly one request to the person who blocked the bot"
    async with bot.services.db.read() as conn:
        assert (await users_repo.get(conn, bob.id)).unreachable_at == bot.clock.now()
        assert (await users_repo.get(conn, carol.id)).unreachable_at is None
    rows = [r for r in await outbox_rows(bot.app) if r["chat_id"] == bob.id]
    assert all(r["dead_at"] for r in rows)
    assert [r["attempts"] for r in rows] == [1, 0, 0]
    assert "Forbidden" in rows[0]["last_error"] and "unreachable" in rows[1]["last_error"]
    dead_lines = [r for r in caplog.records if "dead" in r.getMessage()]
    assert len(dead_lines) == 3, "one log line per dead message, with its reason"
    assert "blocked by the user" in dead_lines[0].getMessage()

    # Bob unblocks and writes to the bot: he is reachable again and new messages go out.
    bob.unblock()
    await bob.send("/start")
    await bot.emu.wait_idle()
    async with bot.services.db.tx() as conn:
        await outbox_repo.enqueue(
            conn, chat_id=bob.id, kind="reminder", text="welcome back", now=bot.clock.now()
        )
    await bot.flush()
    assert bob.inbox[-1].plain == "welcome back"


async def test_unknown_chat_and_rejected_message_are_dead_with_their_reason(bot: BotHarness) -> None:
    dan = bot.emu.user(FIRST_USER, "Dan")
    gone = FIRST_USER + 99  # a chat the emulator (Telegram) does not know
    async with bot.services.db.tx() as conn:
        await users_repo.upsert_seen(conn, gone, "Gone", None, "zh", bot.clock.now())
        bad = await outbox_repo.enqueue(
            conn, chat_id=dan.id, kind="status", text="<b>unclosed", now=bot.clock.now()
        )
        good = await outbox_repo.enqueue(
            conn, chat_id=dan.id, kind="status", text="all <b>fine</b>", now=bot.clock.now()
        )
        lost = await outbox_repo.enqueue(conn, chat_id=gone, kind="status", text="hello", now=bot.clock.now())
    await bot.flush()

    rows = {r["id"]: r for r in await outbox_rows(bot.app)}
    assert rows[bad]["dead_at"] and "can't parse entities" in rows[bad]["last_error"].lower()
    assert rows[good]["sent_at"] and [m.plain for m in dan.inbox] == ["all fine"]
    assert rows[lost]["dead_at"] and "chat not found" in rows[lost]["last_error"].lower()
    async with bot.services.db.read() as conn:
        assert (await users_repo.get(conn, gone)).unreachable_at is not None
        assert (await users_repo.get(conn, dan.id)) is None  # never a user row: nothing to mark


# ------------------------------------------------------------------------------- restart


@asynccontextmanager
async def bot_on(
    emu: Emulator, db_path: Path, clock: ManualClock, scale: float
) -> AsyncIterator[Application]:
    """The bot as a process would start it: same database file, same Telegram, fresh memory."""
    settings = Settings.from_mapping(
        {
            "TELEGRAM_BOT_TOKEN": emu.token,
            "TELEGRAM_API_URL": emu.api_url,
            "BOT_DB_PATH": str(db_path),
            "BOT_TICK_SECONDS": "3600",
            **sped_up(scale),
        }
    )
    app = build_application(settings, clock)
    async with running(app, poll_timeout=0.5):
        yield app


@pytest.mark.slow
async def test_killed_mid_fanout_then_restarted_delivers_the_rest(tmp_path: Path) -> None:
    scale = 10
    clock = ManualClock(START)
    users = [FIRST_USER + i for i in range(500)]
    async with Emulator(limits=Limits(scale=scale)) as emu:
        for uid in users:
            emu.user(uid, f"Volunteer {uid}")
        async with bot_on(emu, tmp_path / "bot.sqlite3", clock, scale) as app:
            await enqueue_fanout(app, users)
            await wait_delivered(emu, 200)
            sender = sender_of(app)
            in_flight_at_kill = sender.in_flight
            await sender.stop(grace=0)  # the process dies: nothing in flight gets recorded
            concurrency = sender.pacing.concurrency
        assert emu.stats.messages_sent < len(users), "killed in the middle of the fan-out"
        assert in_flight_at_kill >= 1, "with requests in flight"

        async with bot_on(emu, tmp_path / "bot.sqlite3", clock, scale) as app:
            await sender_of(app).drain_once()
            await emu.wait_idle()
            rows = await outbox_rows(app)

    per_chat = received_per_chat(emu, users)
    assert min(per_chat.values()) == 1, "every volunteer got the message"
    twice = [uid for uid, n in per_chat.items() if n > 1]
    assert max(per_chat.values()) <= 2
    assert len(twice) <= min(in_flight_at_kill, concurrency), "only requests in flight at the kill repeat"
    assert all(r["sent_at"] for r in rows)


# ------------------------------------------------------------------------------- scheduling rules


async def test_same_dedupe_key_twice_sends_one_message(bot: BotHarness) -> None:
    erin = bot.emu.user(FIRST_USER, "Erin")
    for _ in range(2):  # e.g. a sign-up retried: two transactions scheduling the same reminder
        async with bot.services.db.tx() as conn:
            await outbox_repo.enqueue(
                conn,
                chat_id=erin.id,
                kind="reminder",
                text="shift at 06:00",
                now=bot.clock.now(),
                dedupe_key="shift:1:erin",
            )
    await bot.flush()
    async with bot.services.db.tx() as conn:  # and again after it was sent
        again = await outbox_repo.enqueue(
            conn,
            chat_id=erin.id,
            kind="reminder",
            text="shift at 06:00",
            now=bot.clock.now(),
            dedupe_key="shift:1:erin",
        )
    await bot.flush()
    assert again is None
    assert [m.plain for m in erin.inbox] == ["shift at 06:00"]


async def test_expired_row_is_recorded_missed_and_never_sent_late(bot: BotHarness) -> None:
    fay = bot.emu.user(FIRST_USER, "Fay")
    now = bot.clock.now()
    async with bot.services.db.tx() as conn:
        # The bot was down at 05:00 when this reminder for the 06:00 shift was due; it is 09:30.
        late = await outbox_repo.enqueue(
            conn,
            chat_id=fay.id,
            kind="reminder",
            text="your shift starts in an hour",
            now=now - timedelta(hours=5),
            not_before=now - timedelta(hours=4, minutes=30),
            expires_at=now - timedelta(hours=3, minutes=30),
        )
        still_useful = await outbox_repo.enqueue(
            conn,
            chat_id=fay.id,
            kind="reminder",
            text="your afternoon shift starts at 14:00",
            now=now - timedelta(hours=5),
            not_before=now - timedelta(hours=1),
            expires_at=now + timedelta(hours=4),
        )
    await bot.flush()

    assert [m.plain for m in fay.inbox] == ["your afternoon shift starts at 14:00"]
    rows = {r["id"]: r for r in await outbox_rows(bot.app)}
    assert rows[late]["missed_at"] and rows[late]["sent_at"] is None and rows[late]["attempts"] == 0
    assert rows[still_useful]["sent_at"]


async def test_future_row_waits_for_its_time_then_goes_out(bot: BotHarness) -> None:
    gus = bot.emu.user(FIRST_USER, "Gus")
    async with bot.services.db.tx() as conn:
        await outbox_repo.enqueue(
            conn,
            chat_id=gus.id,
            kind="reminder",
            text="tomorrow 05:00",
            now=bot.clock.now(),
            not_before=bot.clock.now() + timedelta(hours=19),
        )
    await bot.flush()
    assert gus.inbox == []
    await bot.advance(hours=19)
    assert [m.plain for m in gus.inbox] == ["tomorrow 05:00"]


async def test_edit_changes_the_sent_card_in_place(bot: BotHarness) -> None:
    staff = bot.emu.group(-100_555, "Tier-2 staff")
    async with bot.services.db.tx() as conn:
        await outbox_repo.enqueue(
            conn,
            chat_id=staff.id,
            kind="staff_card",
            text="Request #7: <b>open</b>",
            now=bot.clock.now(),
            dedupe_key="card:7",
            buttons=[[{"text": "Claim", "callback_data": "1|requests|claim|7"}]],
        )
        # An edit queued before the card went out waits for it (same chat, so it comes after).
        await outbox_repo.enqueue_edit(
            conn,
            edit_of="card:7",
            chat_id=staff.id,
            kind="staff_card",
            text="Request #7: claimed",
            now=bot.clock.now(),
        )
    await bot.flush()

    (card,) = staff.inbox
    assert card.plain == "Request #7: claimed" and card.buttons == []
    assert len(card.history) == 2
    async with bot.services.db.read() as conn:
        assert await outbox_repo.message_id_of(conn, "card:7") == (staff.id, card.message_id)

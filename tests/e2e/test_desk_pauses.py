"""Honest pauses: waiting on another department until an expected date (the handler is reminded
that morning, the queue says on whom it waits), the pause cap, resuming, the figures, and the
09:00 digest that skips a public holiday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from tests.e2e.desk import (
    TIER1_CHAT,
    answer,
    bind,
    card_in,
    file,
    prompt_after,
    row,
    staff,
    t,
    worker,
    zh,
)
from tests.e2e.test_desk_routing import more

pytestmark = pytest.mark.slow


async def test_waiting_on_a_department_reminds_the_handler_on_the_expected_date(bot) -> None:
    wang = await staff(bot, 601, "Wang", tier=1, building="GOHIGH", lang="en")
    group = await bind(bot, TIER1_CHAT, "高和一级", 1, "GOHIGH", [wang])
    li = await worker(bot, 501, "Li")
    reference = await file(bot, li.id, "Residence permit for a new hire")  # Monday 09:30
    await wang.press(zh(bot, "✋ Claim"), chat=group, message=card_in(group, reference))
    await bot.flush()

    await more(bot, wang, group, reference, "⏸ Waiting: department")
    prompt = await group.wait_for(lambda m: "force_reply" in (m.reply_markup or {}) and reference in m.plain)
    await bot.emu.wait_idle()
    await answer(bot, wang, group, prompt, "Exit-entry bureau")  # no date: asked again
    await group.wait_for(
        t(
            bot,
            "en",
            "Please write who you wait for, then the expected date: “Tax bureau 12-05”, or in working days: “Tax bureau 3”.",
        )
    )
    await answer(bot, wang, group, prompt, "Exit-entry bureau 2026-12-31")  # beyond 10 working days
    await group.wait_for("2026-12-07")
    await answer(bot, wang, group, prompt, "Exit-entry bureau 2")
    paused = await row(bot, reference)
    assert (paused["status"], paused["wait_on"]) == ("waiting", "department")
    card = card_in(group, reference)
    assert "Exit-entry bureau" in card.plain and zh(bot, "Waiting on another department") in card.plain
    told = await li.wait_for("Exit-entry bureau")
    assert "2026-11-25" in told.plain  # two working days: Wednesday
    resolve_by = paused["resolve_by"]

    await bot.advance(days=1, hours=23)  # Wednesday 08:30
    assert not [m for m in wang.inbox if "was expected today" in m.plain]
    await bot.advance(minutes=31)  # Wednesday 09:01
    reminder = await wang.wait_for("was expected today")
    assert reference in reminder.plain and "Exit-entry bureau" in reminder.plain
    assert (await row(bot, reference))["tier"] == 1  # paused: no escalation meanwhile

    await wang.press(zh(bot, "▶️ Resume"), chat=group, message=card_in(group, reference))
    resumed = await row(bot, reference)
    assert resumed["status"] == "claimed" and resumed["resolve_by"] > resolve_by


async def test_pauses_are_capped_and_counted_in_the_figures(bot_factory) -> None:
    bot = await bot_factory(BOT_PAUSE_LIMIT="2")
    wang = await staff(bot, 602, "Wang", tier=1, building="GOHIGH")
    group = await bind(bot, TIER1_CHAT, "高和一级", 1, "GOHIGH", [wang])
    li = await worker(bot, 502, "Li")
    reference = await file(bot, li.id, "Company registration change")
    desk = bot.services.requests
    request_id = (await row(bot, reference))["id"]
    await desk.staff.ask(wang.id, request_id, "Which address?")
    await desk.pauses.resume(wang.id, request_id)
    await desk.pauses.wait_on(wang.id, request_id, "third_party", "Landlord 2")
    await desk.pauses.resume(wang.id, request_id)
    await bot.flush()
    prompt = await prompt_after(bot, wang, zh(bot, "❓ Need info"), group, card_in(group, reference))
    await answer(bot, wang, group, prompt, "One more question")
    await group.wait_for(
        zh(
            bot,
            "%(reference)s has already been paused %(max)s times: resolve it, or escalate it for help.",
            reference=reference,
            max=2,
        )
    )
    assert (await row(bot, reference))["status"] == "new"
    figures = await desk.figures.between(
        bot.clock.now() - timedelta(days=1), bot.clock.now() + timedelta(days=1)
    )
    assert figures["paused"] == {"requester": 1, "department": 0, "third_party": 1}


async def test_the_morning_digest_skips_a_public_holiday(bot_factory) -> None:
    # Friday 3 April 2026, 17:00 in Shanghai; Monday 6 April is Qingming, a public holiday.
    bot = await bot_factory(clock=ManualClock(datetime(2026, 4, 3, 9, 0, tzinfo=UTC), frozen=True))
    group = await bind(bot, TIER1_CHAT, "高和一级", 1, "GOHIGH")
    li = await worker(bot, 503, "Li")
    await bot.tick()  # the chat's first digest is scheduled
    await file(bot, li.id, "Invoice")  # due Tuesday (one working day: Friday 17-18h, Tuesday 09-17h)
    morning = zh(bot, "Good morning. Requests at this tier today:")

    def digests() -> list:
        return [m for m in group.inbox if morning in m.plain]

    await bot.advance(days=2, hours=16, minutes=30)  # Monday 6 April 09:30
    assert digests() == []
    await bot.advance(days=1)  # Tuesday 7 April 09:30
    assert len(digests()) == 1

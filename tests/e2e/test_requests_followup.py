"""After the first answer: "not solved" (reopen, then one tier up), alerts held overnight and
delivered as one morning digest (never held for a red enterprise), /bindchat for administrators
only, and the figures the reporting feature reads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services.requests.intake import Draft
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.db import ts
from tests.e2e.desk import prompt_after
from tests.e2e.test_requests import dump, request_row, staff_group, t, tap

WORKER = 801


async def worker_in_gohigh(bot, lang: str = "en"):
    person = bot.emu.user(WORKER, "Li", language_code=lang)
    now = bot.clock.now()
    async with bot.services.db.tx() as conn:
        gohigh = await buildings_repo.by_code(conn, "GOHIGH")
        await users_repo.upsert_seen(conn, WORKER, "Li", None, lang, now)
        await users_repo.update(conn, WORKER, now, language=lang, building_id=gohigh.id, onboarded_at=now)
    return person


async def resolve_by_hand(bot, group, staff, text: str) -> None:
    card = next(m for m in reversed(group.inbox) if t(bot, "zh", "✅ Resolve") in m.buttons)
    prompt = await prompt_after(bot, staff, t(bot, "zh", "✅ Resolve"), group, card)
    await staff.send(text, chat=group, reply_to=prompt)
    await group.wait_for(lambda m: m.edited and text in m.plain)
    await bot.flush()


@pytest.mark.slow
async def test_not_solved_reopens_at_the_same_tier_then_a_second_time_goes_up(bot) -> None:
    group, staff = await staff_group(bot)
    tier2 = bot.emu.group(-1001000000002, "Tier 2")
    async with bot.services.db.tx() as conn:
        await roles_repo.bind_chat(conn, tier2.id, "Tier 2", 2, None, 9001, bot.clock.now())
    worker = await worker_in_gohigh(bot)
    view = await bot.services.requests.intake.submit(
        WORKER, Draft(category="hr", description="Social insurance transfer")
    )
    await bot.flush()
    await group.wait_for(view.reference)

    await resolve_by_hand(bot, group, staff, "Transferred on the portal")
    await worker.wait_for("Transferred on the portal")
    await tap(worker, "❌ Not solved")
    await worker.wait_for("What is still wrong")
    await worker.send("The portal still shows the old city")
    await worker.wait_for("open again")
    await bot.flush()
    reopened = await group.wait_for("The portal still shows the old city")
    assert view.reference in reopened.plain
    row = await request_row(bot, view.reference)
    assert (row["status"], row["tier"], row["claimed_by"]) == ("new", 1, None)
    card = next(m for m in group.inbox if m.plain.startswith(view.reference))
    assert t(bot, "zh", "✋ Claim") in card.buttons  # back before the staff, with its buttons

    await resolve_by_hand(bot, group, staff, "Called the bureau, fixed now")
    await worker.wait_for("Called the bureau")
    await tap(worker, "❌ Not solved")
    await worker.wait_for("What is still wrong")
    await worker.send("Still the old city")
    await worker.wait_for("passed up to")
    await bot.flush()
    await tier2.wait_for(view.reference)
    assert (await request_row(bot, view.reference))["tier"] == 2

    figures = await bot.services.requests.figures.between(
        bot.clock.now() - timedelta(days=1), bot.clock.now() + timedelta(days=1)
    )
    assert (figures["opened"], figures["resolved"], figures["by_category"]["hr"]) == (1, 2, 1)
    assert figures["resolution_hours"][1]["n"] == 2 and figures["breaches"][1] == 0
    assert figures["escalated_by_hand"][1] == 1 and figures["satisfaction"] is None


@pytest.mark.slow
async def test_only_administrators_bind_staff_chats(bot) -> None:
    group, staff = await staff_group(bot)  # bound by the administrator
    before = await dump(bot)
    await staff.send("/bindchat 2", chat=group)  # staff, but not an administrator
    await group.wait_for(t(bot, "zh", "Only administrators can bind a staff chat."))
    admin = next(p for p in group.members if p.id == 9001)
    await admin.send("/bindchat 9", chat=group)
    await group.wait_for("/bindchat 1-4")
    await admin.send("/bindchat 1 NOWHERE", chat=group)
    await group.wait_for("NOWHERE")
    assert await dump(bot) == before
    await admin.send("/bindchat 1 PARKPL", chat=group)
    await group.wait_for("越洋广场")
    async with bot.services.db.read() as conn:
        bound = await roles_repo.staff_chat(conn, group.id)
    assert bound is not None and bound.tier == 1 and bound.building_id is not None


@pytest.mark.slow
async def test_alerts_after_hours_wait_for_one_morning_digest_except_for_red_enterprises(bot_factory) -> None:
    # Wall clock, a first response due 10 hours later: filed Monday 09:30, missed at 19:30.
    bot = await bot_factory(
        BOT_SLA_CLOCK="wall", BOT_SLA_FIRST_RESPONSE="10h", BOT_SLA_TIER1="3d", BOT_SLA_TIER2="3d"
    )
    tier1 = bot.emu.group(-1001000000031, "Tier 1")
    tier2 = bot.emu.group(-1001000000032, "Tier 2")
    await worker_in_gohigh(bot)
    now = bot.clock.now()
    async with bot.services.db.tx() as conn:
        await roles_repo.bind_chat(conn, tier1.id, "Tier 1", 1, None, 9001, now)
        await roles_repo.bind_chat(conn, tier2.id, "Tier 2", 2, None, 9001, now)
        gohigh = await buildings_repo.by_code(conn, "GOHIGH")
        red = await enterprises_repo.insert(
            conn, key="R1", name="红色企业", building_id=gohigh.id, now=ts(now), colour="red"
        )
    await bot.tick()  # the chats' 09:00 digests are scheduled from now on: none is sent at 09:30
    plain = await bot.services.requests.intake.submit(
        WORKER, Draft(category="tax", description="Invoice question")
    )
    urgent = await bot.services.requests.intake.submit(
        WORKER, Draft(category="office", enterprise_id=red, description="Moving out")
    )
    assert urgent.tier == 2  # a red enterprise starts at the platform
    await bot.flush()
    assert [len(tier1.inbox), len(tier2.inbox)] == [1, 1]  # the two cards

    await bot.advance(hours=10, minutes=1)  # Monday 19:31: both first responses missed
    assert len(tier1.inbox) == 1  # held for the morning
    ping = tier2.inbox[-1]
    assert urgent.reference in ping.plain and "⏰" in ping.plain  # red: never held

    await bot.advance(hours=13)  # Tuesday 08:31: still closed
    assert len(tier1.inbox) == 1
    await bot.advance(minutes=30)  # Tuesday 09:01: one digest with the held alert
    assert len(tier1.inbox) == 2
    digest = tier1.inbox[-1]
    assert plain.reference in digest.plain and "🌙" in digest.plain
    await bot.tick()
    await bot.flush()
    assert len(tier1.inbox) == 2  # and only one


@pytest.mark.slow
async def test_a_comment_too_long_is_asked_for_again_and_then_saved(bot) -> None:
    group, staff = await staff_group(bot)
    worker = await worker_in_gohigh(bot)
    view = await bot.services.requests.intake.submit(
        WORKER, Draft(category="tax", description="Invoice copy")
    )
    await bot.flush()
    await group.wait_for(view.reference)
    await resolve_by_hand(bot, group, staff, "Reprinted at the tax hall")
    notice = await worker.wait_for("Reprinted at the tax hall")

    await worker.press("⭐⭐⭐⭐", message=notice)
    await worker.wait_for(lambda m: "Skip" in m.buttons)
    await worker.send("x" * 501)
    await worker.wait_for("Please write 1 to 500 characters.")
    await worker.send("Quick and kind")
    await worker.wait_for("Thank you! Your feedback helps the station serve everyone better.")
    row = await request_row(bot, view.reference)
    assert (row["status"], row["rating"], row["rating_comment"]) == ("closed", 4, "Quick and kind")

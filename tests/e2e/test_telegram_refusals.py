"""The bot against what Telegram refuses: never silent, presses answered, links Telegram accepts.

Each test drives the real Application through the emulator, which refuses what Telegram refuses
(tests/sandbox/test_telegram_strictness.py): a reply refused with a "Bad Request" ends in an
apology in the person's language; a press answered too late still says its words; a slow press
is answered before the slow work; a guide link Telegram would refuse never costs the whole card;
a failing setMyCommands at start-up does not stop the bot.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_application, handling, running
from bot.clock import ManualClock
from bot.sandbox.emulator import Emulator, Limits
from bot.services.requests.intake import Draft
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from tests.conftest import ADMIN_ID, START, settings_for
from tests.e2e.test_volunteer import load_projects, sign_up_tuesday

APOLOGY = {
    "en": "Sorry, something went wrong on our side.",
    "fr": "Désolé",
    "zh": "抱歉",
}


def said(bot, lang: str, message: str, **values: object) -> str:
    return bot.services.renderer.gettext(lang, message, **values)


# ---------------------------------------------------------------------------- never silent


@pytest.mark.parametrize("lang", ["en", "fr", "zh"])
async def test_a_reply_telegram_refuses_ends_in_an_apology(bot, caplog, lang: str) -> None:
    person = bot.emu.user(801, "Ana", language_code=lang)
    await bot.onboard(person, language=lang)
    bot.emu.faults.refuse_next("Bad Request: message is too long", methods=["sendMessage"])
    caplog.set_level(logging.ERROR, logger="bot.errors")

    await person.send("/help")

    apology = await person.wait_for(APOLOGY[lang])
    assert apology.plain == said(
        bot,
        lang,
        "Sorry, something went wrong on our side. Nothing you did was lost; please try again in a moment.",
    )
    refused = [e for e in bot.emu.error_log if e.injected]
    assert len(refused) == 1 and refused[0].description == "Bad Request: message is too long"
    assert any(r.getMessage().startswith("error while handling update ") for r in caplog.records)


async def test_a_refused_reply_after_the_press_was_answered_is_apologised_for_in_the_chat(bot) -> None:
    worker = bot.emu.user(802, "Wang", language_code="zh")
    await worker.send("/guide 我想转组织关系")
    results = await worker.wait_for("找到以下服务")
    bot.emu.faults.refuse_next(
        "Bad Request: can't parse entities: unclosed tag", methods=["sendMessage", "editMessageText"]
    )

    answer = await worker.press(results.buttons[0])

    assert answer is not None and answer.text is None  # the press was answered before the reply
    apology = await worker.wait_for(APOLOGY["zh"])
    assert apology.chat_id == worker.id
    assert [e.method for e in bot.emu.error_log] == ["editMessageText", "answerCallbackQuery"]


async def test_no_apology_where_the_chat_is_gone(bot) -> None:
    person = bot.emu.user(803, "Gone", language_code="en")
    await bot.onboard(person, language="en")
    person.block()
    await person.send("/help")
    await bot.emu.wait_idle()
    assert [(e.method, e.code) for e in bot.emu.error_log] == [("sendMessage", 403)]  # no second try


# ---------------------------------------------------------------------------- presses


async def district_tier1(bot, chat_id: int = -1001000000021):
    """A tier-1 staff group with Wang in it, and a request from Li whose card is in the group."""
    staff = bot.emu.user(811, "Wang", language_code="zh")
    await bot.make_staff(staff, tier=1)
    group = bot.emu.group(chat_id, "Tier 1", [staff])
    now = bot.clock.now()
    async with bot.services.db.tx() as conn:
        await roles_repo.bind_chat(conn, chat_id, "Tier 1", 1, None, ADMIN_ID, now)
        await users_repo.upsert_seen(conn, 812, "Li", None, "en", now)
        await users_repo.update(conn, 812, now, language="en", display_name="Li Na")
    view = await bot.services.requests.intake.submit(
        812, Draft(category="office", enterprise_name="Acme", description="Lease ends, need space")
    )
    await bot.flush()
    await group.wait_for(view.reference)
    return group, staff, view.reference


async def test_a_press_telegram_no_longer_lets_us_answer_still_gets_its_words(bot) -> None:
    group, staff, reference = await district_tier1(bot)
    bot.emu.clock = bot.clock.now  # Telegram's clock is the test's: presses age as it moves
    await bot.app.updater.stop()  # the bot is away (restarting, or busy) ...
    events = bot.emu.subscribe()
    press = asyncio.create_task(staff.press(said(bot, "zh", "✋ Claim"), chat=group, timeout=10))
    while (await events.get()).kind != "callback_query":
        pass
    bot.emu.unsubscribe(events)
    bot.clock.advance(timedelta(seconds=20))  # ... for 20 s: Telegram gave up on the press
    await bot.app.updater.start_polling(poll_interval=0, timeout=0.5)

    assert await press is None  # the spinner stopped without a toast ...
    claimed = said(bot, "zh", "✋ You are handling %(reference)s.", reference=reference)
    await group.wait_for(claimed)  # ... so the toast's words came as a message
    assert bot.emu.callbacks.expired and bot.emu.callbacks.answers == []
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT claimed_by FROM requests WHERE reference = ?", (reference,))
        assert (await cur.fetchone())[0] == staff.id


@pytest.mark.slow
async def test_a_press_that_builds_a_file_is_answered_before_the_work(bot, monkeypatch) -> None:
    await load_projects(bot)
    hu = bot.emu.user(821, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    browse = bot.services.volunteer.browse
    build_ics = browse.ics
    answered_before_work: list[bool] = []

    async def slow_ics(*args: object) -> tuple[bytes, str]:
        """Building the file takes long: the press must have been answered before it starts."""
        for _ in range(100):
            if len(bot.emu.callback_answers) > earlier:
                break
            await asyncio.sleep(0.01)
        answered_before_work.append(len(bot.emu.callback_answers) > earlier)
        return await build_ics(*args)

    monkeypatch.setattr(browse, "ics", slow_ics)
    earlier = len(bot.emu.callback_answers)
    answer = await hu.press("📅 Add to calendar")

    assert answer is not None
    await hu.wait_for(lambda m: m.kind == "document")
    assert answered_before_work == [True]


# ---------------------------------------------------------------------------- links


async def test_a_guide_link_telegram_refuses_does_not_cost_the_card(bot) -> None:
    """A link stored before links were checked (or typed into the database) is left off the card."""
    await bot.services.guide.ensure_catalogue()
    async with bot.services.db.tx() as conn:
        await conn.execute(
            "UPDATE guide_entries SET data = json_set(data, '$.link', 'http://intranet/party',"
            " '$.where.lat', 31.2236, '$.where.lon', 121.4465) WHERE key = 'party-transfer'"
        )
    worker = bot.emu.user(831, "Wang", language_code="zh")
    await worker.send("/guide 我想转组织关系")
    results = await worker.wait_for("找到以下服务")
    await worker.press(results.buttons[0])

    card = await worker.wait_for("适用对象")
    assert card.button("🌐 网上办理") is None  # the one button Telegram would refuse is left out
    assert card.button("📍 地图") is not None  # the other buttons stay
    assert bot.emu.error_log == []


# ---------------------------------------------------------------------------- start-up


async def start_bot(stack: AsyncExitStack, tmp_path: Path, arm) -> tuple[Emulator, object]:
    """A bot like the `bot` fixture's, with faults armed on the emulator before it starts."""
    emu = await stack.enter_async_context(Emulator(limits=Limits(enabled=False)))
    arm(emu)
    app = build_application(settings_for(emu, tmp_path / "bot.sqlite3"), ManualClock(START, frozen=True))
    emu.bot_busy = lambda: handling(app)
    await stack.enter_async_context(running(app, poll_timeout=0.5))
    return emu, app


async def test_setmycommands_failing_at_start_does_not_stop_the_bot(tmp_path: Path) -> None:
    async with AsyncExitStack() as stack:
        emu, _ = await start_bot(
            stack, tmp_path, lambda e: e.faults.fail_next(2, "502", methods=["setMyCommands"])
        )
        person = emu.user(841, "Ana", language_code="en")
        await person.send("/help")
        await person.wait_for("/start")  # the bot runs and answers
        for _ in range(100):  # retried in the background (after 1 s, then 2 s)
            if emu.get_commands(language_code="en"):
                break
            await asyncio.sleep(0.05)
        assert any(c["command"] == "help" for c in emu.get_commands(language_code="en"))


async def test_a_command_menu_telegram_refuses_is_logged_not_fatal(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.ERROR, logger="bot.app")
    async with AsyncExitStack() as stack:
        emu, _ = await start_bot(
            stack,
            tmp_path,
            lambda e: e.faults.refuse_next(
                "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID", methods=["setMyCommands"]
            ),
        )
        person = emu.user(842, "Ana", language_code="en")
        await person.send("/help")
        await person.wait_for("/start")
    assert any("Telegram refused the command menu" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------------- a group's pace

SCALE = 20  # Telegram's limits sped up 20 times, in the emulator and in the bot alike


@pytest.mark.slow
async def test_a_card_edited_often_in_a_group_keeps_pace_with_telegram(bot_factory) -> None:
    """Twelve notes in a minute: each is a prompt, a confirmation and the card edited — 36
    messages and edits in a group that Telegram allows 20 a minute. Every one arrives, in order,
    nothing is lost and nobody gets an apology."""
    bot = await bot_factory(limits=Limits(scale=SCALE), BOT_SEND_LIMIT_SCALE=str(SCALE))
    group, staff, reference = await district_tier1(bot)
    note_label = said(bot, "zh", "📝 Note")
    done = "📝 " + said(bot, "zh", "Note added to %(reference)s.", reference=reference)
    card = next(m for m in group.inbox if m.plain.startswith(reference))
    for number in range(1, 13):
        mark = group.mark()
        await staff.press(note_label, chat=group, message=card)
        prompt = await group.wait_for(lambda m: m.reply_to_message_id == card.message_id, since=mark)
        await staff.send(f"Called the landlord, round {number}", chat=group, reply_to=prompt)
        await group.wait_for(lambda m, p=prompt: m.message_id > p.message_id and m.plain == done)
    await bot.flush()

    card = next(m for m in group.inbox if m.plain.startswith(reference))
    assert "round 12" in card.plain
    assert bot.emu.stats.rate_limited > 0  # Telegram did push back ...
    assert all(e.code == 429 for e in bot.emu.error_log)  # ... and only that
    assert not any(APOLOGY["zh"] in m.plain for m in group.inbox)
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT COUNT(*) FROM outbox WHERE dead_at IS NOT NULL")
        assert (await cur.fetchone())[0] == 0
        cur = await conn.execute("SELECT COUNT(*) FROM request_events WHERE kind = 'note'")
        assert (await cur.fetchone())[0] == 12

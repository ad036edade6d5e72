"""Talking with the requester: a staff reply to the card (text, a photo) reaches them, their reply
appears under the card, the clock never pauses for messages, and a note never leaves the staff.
Typed answers are taken only as a reply to their own prompt, in time, even across a restart."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import on_shutdown
from tests.e2e.desk import (
    TIER1_CHAT,
    answer,
    bind,
    card_in,
    events,
    file,
    prompt_after,
    row,
    staff,
    worker,
    zh,
)

pytestmark = pytest.mark.slow
PHOTO = b"\x89PNG\r\n\x1a\n" + b"0" * 64


async def desk(bot):
    wang = await staff(bot, 601, "Wang", tier=1, building="GOHIGH")
    group = await bind(bot, TIER1_CHAT, "高和一级", 1, "GOHIGH", [wang])
    li = await worker(bot, 501, "Li")
    reference = await file(bot, li.id, "Need an invoice reprint")
    return wang, group, li, reference


async def test_staff_reply_to_the_card_reaches_the_requester_and_the_reply_comes_back_under_it(bot) -> None:
    wang, group, li, reference = await desk(bot)
    card = card_in(group, reference)
    before = await row(bot, reference)

    await wang.send("We printed it; it is at the front desk", chat=group, reply_to=card)
    await bot.emu.wait_idle()
    await bot.flush()
    await group.wait_for(zh(bot, "Sent to the requester of %(reference)s.", reference=reference))
    relayed = await li.wait_for("We printed it; it is at the front desk")
    assert reference in relayed.plain and "Wang" in relayed.plain and relayed.buttons == ["↩️ Reply"]

    await wang.send_photo(PHOTO, caption="The stamped copy", chat=group, reply_to=card)
    await bot.emu.wait_idle()
    await bot.flush()
    photo = await li.wait_for(lambda m: m.kind == "photo")
    assert "The stamped copy" in photo.plain and reference in photo.plain

    await li.send("Thank you, I will pick it up at noon", reply_to=relayed)
    await li.wait_for(lambda m: "staff have" in m.plain or "Sent" in m.plain or reference in m.plain)
    await bot.flush()
    threaded = await group.wait_for(
        lambda m: "pick it up at noon" in m.plain and m.reply_to_message_id is not None
    )
    assert threaded.reply_to_message_id == card.message_id and "Li" in threaded.plain

    after = await row(bot, reference)  # messages never touch the clock
    assert (after["status"], after["paused_at"], after["resolve_by"]) == (
        before["status"],
        None,
        before["resolve_by"],
    )
    kinds = [kind for kind, _ in await events(bot, reference)]
    assert kinds.count("to_requester") == 2 and kinds.count("from_requester") == 1


async def test_message_requester_and_reply_buttons_and_a_note_that_stays_internal(bot) -> None:
    wang, group, li, reference = await desk(bot)
    card = card_in(group, reference)
    note = await prompt_after(bot, wang, zh(bot, "📝 Note"), group, card)
    await answer(bot, wang, group, note, "Internal: the printer is broken until 3pm")
    message = await prompt_after(bot, wang, zh(bot, "✉️ Message requester"), group, card)
    await answer(bot, wang, group, message, "It will be ready tomorrow morning")
    relayed = await li.wait_for("ready tomorrow morning")
    await li.press("↩️ Reply", message=relayed)
    prompt = await li.wait_for(lambda m: "force_reply" in (m.reply_markup or {}))
    await li.send_document(b"%PDF-1.4 test", "receipt.pdf", caption="My receipt", reply_to=prompt)
    await li.wait_for(reference)
    await bot.flush()
    document = await group.wait_for(lambda m: m.kind == "document")
    assert document.filename == "receipt.pdf" or document.document is not None
    assert document.reply_to_message_id == card.message_id and "My receipt" in document.plain
    assert not any("printer is broken" in m.plain for m in li.inbox)  # a note stays among staff


async def test_only_the_reply_to_ones_own_prompt_in_time_is_taken(bot) -> None:
    wang, group, li, reference = await desk(bot)
    zhao = await staff(bot, 602, "Zhao", tier=1, building="GOHIGH")
    group.add(zhao)
    card = card_in(group, reference)
    prompt = await prompt_after(bot, wang, zh(bot, "✅ Resolve"), group, card)
    assert prompt.reply_markup["selective"] is True and "Wang" in prompt.plain

    await zhao.send("Done by Zhao", chat=group, reply_to=prompt)  # not his prompt: ignored
    await bot.emu.wait_idle()
    assert (await row(bot, reference))["status"] == "new"
    assert not any("Done by Zhao" in m.plain for m in li.inbox)

    await wang.send("/cancel", chat=group, reply_to=prompt)
    await group.wait_for(zh(bot, "Cancelled: nothing was changed on %(reference)s.", reference=reference))
    await wang.send("Too late", chat=group, reply_to=prompt)  # cancelled: ignored
    await bot.emu.wait_idle()
    assert (await row(bot, reference))["status"] == "new"

    prompt = await prompt_after(bot, wang, zh(bot, "✅ Resolve"), group, card)
    bot.clock.advance(timedelta(minutes=16))  # BOT_PROMPT_TIMEOUT is 15 minutes
    await wang.send("Reprinted", chat=group, reply_to=prompt)
    await group.wait_for(zh(bot, "That prompt has expired; press the button on the card again."))
    assert (await row(bot, reference))["status"] == "new"


async def test_a_restart_keeps_a_prompt_waiting_for_its_reply(bot_factory) -> None:
    first = await bot_factory()
    wang, group, li, reference = await desk(first)
    prompt = await prompt_after(first, wang, zh(first, "✅ Resolve"), group, card_in(group, reference))
    await first.app.updater.stop()
    await first.app.stop()
    await on_shutdown(first.app)

    second = await bot_factory(clock=first.clock, BOT_DB_PATH=str(first.settings.db_path))
    wang = second.emu.user(wang.id, "Wang", language_code="zh")
    li = second.emu.user(li.id, "Li", language_code="en")
    group = second.emu.group(TIER1_CHAT, "高和一级", [wang])
    # A new emulator (a new process's view): the prompt is the same message, by the bot, in the same chat.
    while second.emu.store.new_message_id(TIER1_CHAT) < prompt.message_id:
        pass
    raw = {
        "message_id": prompt.message_id,
        "from": second.emu.bot_user,
        "chat": group.chat_json,
        "date": 0,
        "text": prompt.plain,
    }
    second.emu.store.add_user_message(TIER1_CHAT, raw)
    await wang.send("Reprinted after the restart", chat=group, reply_to=prompt.message_id)
    await second.emu.wait_idle()
    assert (await row(second, reference))["resolution"] == "Reprinted after the restart"

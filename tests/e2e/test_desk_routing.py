"""Routing from the card's "⋯ More": assign (the assignee hears it in private, the card shows
them), hand over with a note, unclaim, a new category, another building (the card moves to its
chat), a duplicate or out-of-scope closing (the requester is told), and the requester's withdrawal.
Forged presses change nothing."""

from __future__ import annotations

import pytest

from tests.e2e.desk import (
    TIER1_CHAT,
    answer,
    bind,
    card_in,
    events,
    file,
    row,
    staff,
    t,
    worker,
    zh,
)
from tests.e2e.test_requests import dump

pytestmark = pytest.mark.slow
PARK_CHAT = -1001000000103


async def desk(bot):
    """JA Gohigh's tier-1 chat with Wang and Zhao, Park Place's with Lu, and a worker's request."""
    wang = await staff(bot, 601, "Wang", tier=1, building="GOHIGH")
    zhao = await staff(bot, 602, "Zhao", tier=1, building="GOHIGH", lang="en")
    lu = await staff(bot, 603, "Lu", tier=1, building="PARKPL")
    gohigh = await bind(bot, TIER1_CHAT, "高和一级", 1, "GOHIGH", [wang, zhao])
    park = await bind(bot, PARK_CHAT, "越洋一级", 1, "PARKPL", [lu])
    li = await worker(bot, 501, "Li")
    reference = await file(bot, li.id, "Need an invoice reprint")
    return wang, zhao, lu, gohigh, park, li, reference


async def more(bot, person, group, reference, label: str):
    """Open the card's "⋯ More" menu (in the presser's language) and press one of its buttons."""
    await person.press(zh(bot, "⋯ More"), chat=group, message=card_in(group, reference))
    lang = person.language_code
    menu = await group.wait_for(lambda m: t(bot, lang, "👤 Assign") in m.buttons)
    await person.press(t(bot, lang, label), chat=group, message=menu)
    return menu


async def test_assign_tells_the_assignee_in_private_and_the_card_shows_them(bot) -> None:
    wang, zhao, _lu, gohigh, _park, li, reference = await desk(bot)
    menu = await more(bot, wang, gohigh, reference, "👤 Assign")
    picker = await gohigh.wait_for(lambda m: m.message_id == menu.message_id and "Zhao" in m.buttons)
    assert "Lu" not in picker.buttons  # Park Place's staff do not cover JA Gohigh
    await wang.press("Zhao", chat=gohigh, message=picker)
    await bot.flush()
    told = await zhao.wait_for(reference)
    assert "Wang" in told.plain and "assigned" in told.plain
    card = card_in(gohigh, reference)
    assert zh(bot, "handled by %(name)s", name="Zhao") in card.plain
    assert (await row(bot, reference))["claimed_by"] == zhao.id
    assert any(reference in m.plain and "Zhao" in m.plain for m in li.inbox)  # who handles it now
    assert ("assigned", "→ Zhao") in await events(bot, reference)


async def test_hand_over_with_a_note_then_unclaim(bot) -> None:
    wang, zhao, _lu, gohigh, _park, _li, reference = await desk(bot)
    menu = await more(bot, wang, gohigh, reference, "🤝 Hand over")
    picker = await gohigh.wait_for(lambda m: m.message_id == menu.message_id and "Zhao" in m.buttons)
    since = bot.emu.seq
    await wang.press("Zhao", chat=gohigh, message=picker)
    prompt = await gohigh.wait_for(lambda m: "force_reply" in (m.reply_markup or {}), since=since)
    await answer(bot, wang, gohigh, prompt, "Called the tax hall; they print it on Friday")
    told = await zhao.wait_for("Called the tax hall")
    assert reference in told.plain
    assert (await row(bot, reference))["claimed_by"] == zhao.id

    await more(bot, zhao, gohigh, reference, "↩️ Unclaim")
    await bot.flush()
    unclaimed = await row(bot, reference)
    assert (unclaimed["claimed_by"], unclaimed["status"]) == (None, "new")
    assert zh(bot, "✋ Claim") in card_in(gohigh, reference).buttons


async def test_another_building_moves_the_card_and_the_requester_is_told(bot) -> None:
    wang, _zhao, lu, gohigh, park, li, reference = await desk(bot)
    menu = await more(bot, wang, gohigh, reference, "🏢 Building")
    picker = await gohigh.wait_for(lambda m: m.message_id == menu.message_id and "越洋广场" in m.buttons)
    await wang.press("越洋广场", chat=gohigh, message=picker)
    await bot.flush()
    old = card_in(gohigh, reference)
    assert zh(bot, "Moved to %(place)s.", place="越洋广场") in old.plain and old.buttons == []
    new = card_in(park, reference)
    assert new.buttons and "越洋广场" in new.plain
    assert any("Park Place" in m.plain and reference in m.plain for m in li.inbox)
    # Lu (Park Place) can now work it; Wang (JA Gohigh) no longer can.
    answer_ = await lu.press(zh(bot, "✋ Claim"), chat=park, message=new)
    assert answer_ is not None and not answer_.show_alert
    park.add(wang)
    refused = await wang.press(zh(bot, "📝 Note"), chat=park, message=new)
    assert refused is not None and refused.show_alert


async def test_a_new_category_is_told_to_the_requester(bot) -> None:
    wang, _zhao, _lu, gohigh, _park, li, reference = await desk(bot)
    menu = await more(bot, wang, gohigh, reference, "🏷 Category")
    hr = zh(bot, "HR and social insurance")
    picker = await gohigh.wait_for(lambda m: m.message_id == menu.message_id and hr in m.buttons)
    await wang.press(hr, chat=gohigh, message=picker)
    await bot.flush()
    assert (await row(bot, reference))["category"] == "hr"
    assert hr in card_in(gohigh, reference).plain
    assert any("HR and social insurance" in m.plain for m in li.inbox)


async def test_duplicate_and_out_of_scope_closings_inform_the_requester(bot) -> None:
    wang, _zhao, _lu, gohigh, _park, li, first = await desk(bot)
    second = await file(bot, li.id, "Invoice reprint again (sent twice)")
    third = await file(bot, li.id, "Can you fix my home wifi?")

    await more(bot, wang, gohigh, second, "🔁 Duplicate")
    prompt = await gohigh.wait_for(lambda m: "force_reply" in (m.reply_markup or {}) and second in m.plain)
    await answer(bot, wang, gohigh, prompt, second)  # itself: asked again
    await gohigh.wait_for(
        zh(bot, "%(reference)s cannot be a duplicate of itself (or of its own duplicate).", reference=second)
    )
    await answer(bot, wang, gohigh, prompt, first.lower())
    closed = await row(bot, second)
    assert (closed["status"], closed["close_reason"]) == ("closed", "duplicate")
    notice = await li.wait_for(lambda m: second in m.plain and "duplicate" in m.plain)
    assert first in notice.plain
    assert card_in(gohigh, second).buttons == []

    await more(bot, wang, gohigh, third, "🚫 Out of scope")
    prompt = await gohigh.wait_for(lambda m: "force_reply" in (m.reply_markup or {}) and third in m.plain)
    await answer(bot, wang, gohigh, prompt, "party-transfer")  # a service guide entry's key
    referred = await li.wait_for(lambda m: third in m.plain and "outside" in m.plain)
    assert (
        referred.button_rows and referred.button_rows[0][0]["callback_data"] == "1|guide|open|party-transfer"
    )
    assert (await row(bot, third))["referral"] == "guide:party-transfer"


async def test_the_requester_withdraws_their_request_and_the_card_says_so(bot) -> None:
    _wang, _zhao, _lu, gohigh, _park, li, reference = await desk(bot)
    await li.send("/myrequests")
    listing = await li.wait_for(lambda m: any("Withdraw" in b for b in m.buttons))
    await li.press(f"↩️ Withdraw: {reference}", message=listing)
    confirm = await li.wait_for("cannot be reopened")
    await li.press("Yes, withdraw it", message=confirm)
    await li.wait_for("is withdrawn")
    await bot.flush()
    assert (await row(bot, reference))["close_reason"] == "withdrawn"
    card = card_in(gohigh, reference)
    assert zh(bot, "Withdrawn by the requester") in card.plain and card.buttons == []
    await gohigh.wait_for(lambda m: "Li" in m.plain and m.reply_to_message_id == card.message_id)


async def test_forged_routing_presses_change_nothing(bot) -> None:
    wang, zhao, lu, gohigh, _park, _li, reference = await desk(bot)
    request_id = (await row(bot, reference))["id"]
    card = card_in(gohigh, reference)
    await bot.emu.wait_idle()
    before = await dump(bot)
    for data in (
        f"1|rq|assignto|{request_id}|{lu.id}",  # a colleague who does not cover the building
        f"1|rq|assignto|{request_id}|99999",
        f"1|rq|catto|{request_id}|<b>",
        f"1|rq|bldto|{request_id}|9999",
        f"1|rq|hoto|{request_id}|{lu.id}",
        f"1|rq|unclaim|{request_id}",  # nobody handles it yet
        f"1|rqr|reply|{request_id}",  # staff are not its requester
    ):
        reply = await wang.press_data(data, chat=gohigh, message=card)
        assert reply is not None and reply.show_alert, data
    gohigh.add(lu)
    reply = await lu.press_data(f"1|rq|assignto|{request_id}|{zhao.id}", chat=gohigh, message=card)
    assert reply is not None and reply.show_alert
    await bot.flush()
    await bot.emu.wait_idle()
    assert await dump(bot) == before

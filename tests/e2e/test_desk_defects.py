"""The defects of issue 16, each reproduced the way a person ran into it.

(1) a casual group message became a resolution; (2) the pending action was kept per person, not
per chat and prompt; (3) escalating to an unbound tier lost the card; (4) "time left" mixed working
hours and calendar days; (5) waiting on the requester never ended; (6) /help listed commands the
person cannot use; (7) an invitation could not be withdrawn; (8) the weekly report went out on
public holidays; (9) company names only in Chinese, "handled by" the first claimant after a
colleague resolved it; (10) private commands typed in a group were "unknown", /help and /guide
in a group got no answer.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.storage import invitations as invitations_repo
from tests.conftest import ADMIN_ID
from tests.e2e.desk import (
    TIER1_CHAT,
    TIER2_CHAT,
    answer,
    bind,
    card_in,
    company,
    events,
    file,
    is_card,
    prompt_after,
    row,
    staff,
    t,
    worker,
    zh,
)

pytestmark = pytest.mark.slow


async def test_1_after_resolve_a_casual_group_message_changes_nothing(bot) -> None:
    wang = await staff(bot, 601, "Wang", tier=1, building="GOHIGH")
    group = await bind(bot, TIER1_CHAT, "高和一级", 1, "GOHIGH", [wang])
    li = await worker(bot, 501, "Li")
    reference = await file(bot, li.id, "Need an invoice reprint")
    card = card_in(group, reference)

    prompt = await prompt_after(bot, wang, zh(bot, "✅ Resolve"), group, card)
    assert reference in prompt.plain
    await wang.send("大家好，我下午去现场看看", chat=group)  # to colleagues, not a resolution
    await bot.emu.wait_idle()
    await bot.flush()
    assert (await row(bot, reference))["status"] == "new"
    assert not any("大家好" in m.plain for m in li.inbox)

    await answer(bot, wang, group, prompt, "Reprinted at the tax hall")
    resolved = await row(bot, reference)
    assert (resolved["status"], resolved["resolution"]) == ("resolved", "Reprinted at the tax hall")
    assert any("Reprinted at the tax hall" in m.plain for m in li.inbox)


async def test_2_a_pending_action_belongs_to_its_chat_and_prompt(bot) -> None:
    wang = await staff(bot, 602, "Wang", tier=2)  # district-wide tier 2: works in both chats
    tier1 = await bind(bot, TIER1_CHAT, "一级", 1, None, [wang])
    tier2 = await bind(bot, TIER2_CHAT, "二级", 2, None, [wang])
    li = await worker(bot, 502, "Li")
    red = await company(bot, "R1", "红色企业", colour="orange")  # orange starts at tier 2
    first = await file(bot, li.id, "Request A")
    second = await file(bot, li.id, "Request B", enterprise_id=red)
    card_a, card_b = card_in(tier1, first), card_in(tier2, second)

    prompt_a = await prompt_after(bot, wang, zh(bot, "✅ Resolve"), tier1, card_a)
    await prompt_after(bot, wang, zh(bot, "📝 Note"), tier2, card_b)
    before = {m.message_id: len(m.history) for m in tier1.inbox}
    await wang.send("Typed in tier 1, meant for nothing", chat=tier1)
    await bot.emu.wait_idle()
    await bot.flush()
    assert [kind for kind, _ in await events(bot, second)] == ["created"]  # no note on B
    assert (await row(bot, first))["status"] == "new"
    unrelated = [m for m in tier1.inbox if m.message_id in before and m.message_id != card_a.message_id]
    assert all(len(m.history) == before[m.message_id] for m in unrelated)  # nothing overwritten

    await answer(bot, wang, tier1, prompt_a, "Done at the desk")
    assert (await row(bot, first))["resolution"] == "Done at the desk"
    assert [kind for kind, _ in await events(bot, second)] == ["created"]


async def test_3_escalating_to_an_unbound_tier_keeps_the_card_visible_and_tells_the_administrators(
    bot,
) -> None:
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    zhao = await staff(bot, 603, "Zhao", tier=2)
    tier2 = await bind(bot, TIER2_CHAT, "二级", 2, None, [zhao])
    tier4 = await bind(bot, -1001000000104, "四级", 4, None)
    li = await worker(bot, 503, "Li")
    orange = await company(bot, "O1", "橙色企业", colour="orange")
    reference = await file(bot, li.id, "Relocation stuck", enterprise_id=orange)

    prompt = await prompt_after(bot, zhao, zh(bot, "⬆️ Escalate"), tier2, card_in(tier2, reference))
    await answer(bot, zhao, tier2, prompt, "Needs the sub-district's decision")
    assert (await row(bot, reference))["tier"] == 3
    card = card_in(tier4, reference)  # tier 3 has no chat: the card is in the nearest one above
    assert "⚠️" in card.plain and "/bindchat 3" in card.plain and card.buttons
    told = await admin.wait_for("/bindchat 3")
    assert reference in told.plain
    notice = await li.wait_for(reference)
    assert "Tier 3" in notice.plain

    # Once an administrator binds a tier-3 group, the card moves there; the stand-in says so.
    tier3 = bot.emu.group(-1001000000103, "三级", [admin])
    await admin.send("/bindchat 3", chat=tier3)
    await tier3.wait_for("3")
    await bot.flush()
    moved = card_in(tier3, reference)
    assert moved.buttons and "⚠️" not in moved.plain
    assert zh(bot, "Moved to %(place)s.", place="三级") in card_in(tier4, reference).plain


async def test_3b_with_no_bound_chat_above_the_administrators_get_the_card_in_private(bot) -> None:
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    zhao = await staff(bot, 604, "Zhao", tier=2)
    tier2 = await bind(bot, TIER2_CHAT, "二级", 2, None, [zhao])
    li = await worker(bot, 504, "Li")
    orange = await company(bot, "O2", "橙色企业", colour="orange")
    reference = await file(bot, li.id, "Relocation stuck", enterprise_id=orange)
    prompt = await prompt_after(bot, zhao, zh(bot, "⬆️ Escalate"), tier2, card_in(tier2, reference))
    await answer(bot, zhao, tier2, prompt, "Needs the sub-district")
    card = await admin.wait_for(lambda m: is_card(m, reference))
    assert "⚠️" in card.plain and card.buttons


async def test_4_time_left_is_counted_in_working_days(bot) -> None:
    zhao = await staff(bot, 605, "Zhao", tier=2, lang="en")
    li = await worker(bot, 505, "Li")
    orange = await company(bot, "O3", "橙色企业", colour="orange")  # tier 2: 3 working days = 27 h
    reference = await file(bot, li.id, "Lease question", enterprise_id=orange)
    await zhao.send(f"/req {reference}")
    card = await zhao.wait_for(reference)
    assert "3 working days left" in card.plain
    assert "1 d 3 h" not in card.plain


async def test_5_waiting_on_the_requester_nudges_then_closes_and_a_reply_reopens(bot) -> None:
    wang = await staff(bot, 606, "Wang", tier=1, building="GOHIGH")
    group = await bind(bot, TIER1_CHAT, "高和一级", 1, "GOHIGH", [wang])
    li = await worker(bot, 506, "Li")
    reference = await file(bot, li.id, "Certificate of residence")  # Monday 09:30
    prompt = await prompt_after(bot, wang, zh(bot, "❓ Need info"), group, card_in(group, reference))
    await answer(bot, wang, group, prompt, "Which year do you need?")
    question = await li.wait_for("Which year do you need?")
    assert question.buttons  # a Reply button

    await bot.advance(days=1, hours=23)  # Wednesday 09:00: not yet 2 working days
    assert not [m for m in li.inbox if "still waiting" in m.plain]
    await bot.advance(hours=1)  # Wednesday 10:00: 2 working days
    nudge = await li.wait_for("still waiting")
    assert reference in nudge.plain and "Which year do you need?" in nudge.plain
    await bot.advance(days=5)  # the next Monday 10:00: 5 working days
    closed = await li.wait_for("closed")
    assert reference in closed.plain
    assert (await row(bot, reference))["status"] == "closed"
    await bot.tick()
    await bot.flush()
    assert sum("still waiting" in m.plain for m in li.inbox) == 1  # nudged once, closed once

    await li.send("2025, sorry for the delay", reply_to=closed)
    await li.wait_for(reference)
    await bot.flush()
    reopened = await row(bot, reference)
    assert reopened["status"] in ("new", "claimed") and reopened["closed_at"] is None
    threaded = await group.wait_for(
        lambda m: "2025, sorry for the delay" in m.plain and not is_card(m, reference)
    )
    assert threaded.reply_to_message_id == card_in(group, reference).message_id


async def test_6_help_lists_only_what_the_person_may_use(bot) -> None:
    building_staff = await staff(bot, 607, "Wang", tier=1, building="GOHIGH", lang="en")
    await building_staff.send("/help")
    listing = await building_staff.wait_for("/help")
    for shown in ("/queue", "/find", "/req", "/request"):
        assert shown in listing.plain, shown
    # Administrators' and organisers' commands are not offered (station staff do help at the
    # volunteers' desk, so /roster and /poster are theirs too: the policy says so).
    lines = {line.split(" ")[0] for line in listing.plain.splitlines()}
    for hidden in ("/invite", "/invites", "/audit", "/bindchat", "/attendance", "/publish"):
        assert hidden not in lines, hidden
    assert "/roster" in lines
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    await admin.send("/help")
    full = await admin.wait_for("/help")
    assert "/invite" in full.plain and "/bindchat" in full.plain and "/invites" in full.plain


async def test_7_an_unused_invitation_is_withdrawn_from_telegram(bot) -> None:
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    await admin.send("/invite staff GOHIGH 1")
    created = await admin.wait_for("Invitation created")
    token = re.search(r"start=inv-([A-Za-z0-9_-]+)", created.plain).group(1)
    await admin.send("/invites")
    listing = await admin.wait_for("tier 1")
    assert any("Withdraw" in label for label in listing.buttons)
    await admin.press(next(label for label in listing.buttons if "Withdraw" in label), message=listing)
    await admin.wait_for("withdrawn")
    async with bot.services.db.read() as conn:
        invitation = await invitations_repo.by_token(conn, token)
    assert invitation is not None and invitation.revoked_at is not None
    late = bot.emu.user(701, "Late", language_code="en")
    await late.send(f"/start inv-{token}")
    await late.wait_for("withdrawn")


async def test_8_the_weekly_report_of_a_holiday_monday_arrives_on_the_next_working_day(bot_factory) -> None:
    # Wednesday 1 April 2026, 09:30 in Shanghai; Monday 6 April is Qingming (a public holiday).
    bot = await bot_factory(clock=ManualClock(datetime(2026, 4, 1, 1, 30, tzinfo=UTC), frozen=True))
    group = await bind(bot, TIER2_CHAT, "二级", 2, None)
    await bot.tick()
    await bot.advance(days=5)  # Monday 6 April 09:30: a holiday
    assert not [m for m in group.inbox if "2026-W14" in m.plain]
    await bot.advance(hours=23, minutes=45)  # Tuesday 7 April 09:15
    assert [m for m in group.inbox if "2026-W14" in m.plain]


async def test_8b_two_holiday_mondays_in_a_row_still_get_both_weekly_reports(bot_factory) -> None:
    # Spring Festival 2026: Monday 16 and Monday 23 February are both holidays; work resumes Tuesday 24.
    bot = await bot_factory(clock=ManualClock(datetime(2026, 2, 10, 1, 30, tzinfo=UTC), frozen=True))
    group = await bind(bot, TIER2_CHAT, "二级", 2, None)
    await bot.tick()
    await bot.advance(days=6)  # Monday 16 February
    await bot.advance(days=7)  # Monday 23 February
    assert not [m for m in group.inbox if "-W0" in m.plain]
    await bot.advance(days=1)  # Tuesday 24 February 09:30
    await bot.advance(minutes=1)
    weeks = [label for label in ("2026-W07", "2026-W08") if any(label in m.plain for m in group.inbox)]
    assert weeks == ["2026-W07", "2026-W08"]


async def test_9_company_names_in_the_requesters_language_and_the_card_names_who_resolved_it(bot) -> None:
    await company(bot, "IBG", "英桥集团", name_en="InterBridge Group")
    li = await worker(bot, 509, "Li", lang="en")
    await li.send("/request")
    await li.press("Tax")
    choice = await li.wait_for(lambda m: "Not about a specific company" in m.buttons)
    assert "InterBridge Group" in choice.buttons and "英桥集团" not in choice.buttons

    wang = await staff(bot, 609, "Wang", tier=1)
    zhao = await staff(bot, 610, "Zhao", tier=1)
    group = await bind(bot, TIER1_CHAT, "一级", 1, None, [wang, zhao])
    reference = await file(bot, li.id, "Invoice")
    await wang.press(zh(bot, "✋ Claim"), chat=group, message=card_in(group, reference))
    await bot.flush()
    prompt = await prompt_after(bot, zhao, zh(bot, "✅ Resolve"), group, card_in(group, reference))
    await answer(bot, zhao, group, prompt, "Sent by post")
    card = card_in(group, reference)
    assert "Zhao" in card.plain.split("Sent by post")[0]
    assert zh(bot, "handled by %(name)s", name="Wang") not in card.plain


async def test_10_private_commands_in_a_group_point_to_the_private_chat_and_help_answers(bot) -> None:
    li = await worker(bot, 510, "Li", lang="en")
    group = bot.emu.group(-1001000000199, "Lunch group", [li])
    for command in ("/request", "/volunteer", "/myhours"):
        await li.send(command, chat=group)
        reply = await group.wait_for(lambda m: bool(m.button_rows))
        assert "private chat" in reply.plain, command
        [[button]] = reply.button_rows
        assert button["url"].startswith("https://t.me/jingan_bot")
    await li.send("/help", chat=group)
    await group.wait_for("/request")
    await li.send("/guide", chat=group)
    await group.wait_for(lambda m: bool(m.plain))
    assert t(bot, "en", "I don't know that command.") not in group.inbox[-1].plain

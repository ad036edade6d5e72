"""Finding work: /queue in sections with counts, paged, in a building's tier-1 chat and the
station's tier-2 chat; /find by company (Chinese or English, with a typo), person, words and
reference; the enterprise card lists its requests. A worker gets nothing from either."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.storage import roles as roles_repo
from tests.e2e.desk import (
    TIER1_CHAT,
    TIER2_CHAT,
    bind,
    company,
    file,
    row,
    staff,
    worker,
    zh,
)

pytestmark = pytest.mark.slow
COUNTS = re.compile(r"(\S+) (\d+)")


def counts(bot, message) -> dict[str, int]:
    """The section counts line of a queue ("Open 20 · Unclaimed 10 · ..."), by English section name."""
    names = {zh(bot, n): n for n in ("Open", "Unclaimed", "Overdue", "Due today", "Waiting", "Mine")}
    line = next(line for line in message.plain.splitlines() if line.startswith(zh(bot, "Open")))
    found = {}
    for part in line.split(" · "):
        label, _, number = part.rpartition(" ")
        found[names[label]] = int(number)
    return found


def references_on(message) -> list[str]:
    return re.findall(r"JA-2026-\d{6}", message.plain)


async def test_queue_sections_and_counts_in_a_building_chat_and_the_station_chat_paged(bot_factory) -> None:
    bot = await bot_factory(BOT_SEND_LIMIT_SCALE="50")
    wang = await staff(bot, 601, "Wang", tier=1, building="GOHIGH")
    zhao = await staff(bot, 602, "Zhao", tier=1, building="GOHIGH")
    zhou = await staff(bot, 603, "Zhou", tier=2)
    building = await bind(bot, TIER1_CHAT, "高和一级", 1, "GOHIGH", [wang, zhao])
    station = await bind(bot, TIER2_CHAT, "平台二级", 2, None, [zhou])
    li = await worker(bot, 501, "Li")
    orange = await company(bot, "O1", "橙色企业", colour="orange")
    requests = bot.services.requests

    early = [await file(bot, li.id, f"Early question {n}") for n in range(8)]  # Monday 09:30
    bot.clock.advance(timedelta(hours=4, minutes=30))  # Monday 14:00
    late = [await file(bot, li.id, f"Afternoon question {n}") for n in range(12)]
    platform = [await file(bot, li.id, f"Platform question {n}", enterprise_id=orange) for n in range(10)]

    async def rid(reference: str) -> int:
        return (await row(bot, reference))["id"]

    for reference in (*early[:2], *late[:3]):
        await requests.staff.claim(wang.id, await rid(reference))
    for reference in late[3:5]:
        await requests.staff.claim(zhao.id, await rid(reference))
    for reference in late[5:7]:
        await requests.staff.ask(wang.id, await rid(reference), "Which year?")
    await requests.pauses.wait_on(wang.id, await rid(late[7]), "department", "税务局 3")
    for reference in platform[:3]:
        await requests.staff.claim(zhou.id, await rid(reference))
    await requests.pauses.wait_on(zhou.id, await rid(platform[3]), "third_party", "Landlord 2")
    bot.clock.advance(timedelta(hours=20))  # Tuesday 10:00 (no tick: the early ones are overdue)

    await wang.send("/queue", chat=building)
    first = await building.wait_for(lambda m: zh(bot, "Open") in m.plain and "JA-2026-" in m.plain)
    assert counts(bot, first) == {
        "Open": 20,
        "Unclaimed": 6 + 4,  # early 3-8 and late 9-12 (the paused ones wait, they are not unclaimed)
        "Overdue": 8,  # every early one, due Tuesday 09:30
        "Due today": 9,  # the afternoon ones still running, due Tuesday 14:00
        "Waiting": 3,
        "Mine": 5,
    }
    page_one = references_on(first)
    assert len(page_one) == 10 and len(first.buttons) <= 30
    assert not set(page_one) & set(platform)
    await wang.press(zh(bot, "Next ▶"), chat=building, message=first)
    second = await building.wait_for(lambda m: m.message_id == first.message_id and m.edited)
    page_two = references_on(second)
    assert len(page_two) == 10 and set(page_one) | set(page_two) == set(early) | set(late)

    await wang.press(f"{zh(bot, 'Waiting')} 3", chat=building, message=second)
    waiting = await building.wait_for(
        lambda m: m.message_id == first.message_id and zh(bot, "Waiting") in m.plain
    )
    assert set(references_on(waiting)) == {late[5], late[6], late[7]}
    assert "税务局" in waiting.plain and zh(bot, "Waiting on the requester") in waiting.plain

    await zhou.send("/queue", chat=station)
    platform_queue = await station.wait_for(lambda m: zh(bot, "Open") in m.plain and "JA-2026-" in m.plain)
    assert counts(bot, platform_queue) == {
        "Open": 10,
        "Unclaimed": 6,
        "Overdue": 0,
        "Due today": 0,
        "Waiting": 1,
        "Mine": 3,
    }
    assert set(references_on(platform_queue)) <= set(platform)

    # Each line opens the full card; in private, the queue is what the person may handle.
    await zhou.press("1.", chat=station, message=platform_queue)
    opened = await station.wait_for(lambda m: zh(bot, "History") in m.plain)
    assert (references_on(opened))[0] in platform
    await wang.send("/queue")
    mine = await wang.wait_for(lambda m: zh(bot, "Your queue") in m.plain)
    assert counts(bot, mine)["Open"] == 20


async def test_a_worker_gets_no_queue_and_no_search(bot) -> None:
    li = await worker(bot, 502, "Li")
    await file(bot, li.id, "Invoice reprint for March")
    for command in ("/queue", "/find invoice", "/find JA-2026-000001"):
        await li.send(command)
        refused = await li.wait_for(lambda m: "only for station staff" in m.plain or "not allowed" in m.plain)
        assert "JA-2026-000001" not in refused.plain


async def test_find_by_chinese_name_english_name_with_a_typo_person_and_words(bot) -> None:
    wang = await staff(bot, 604, "Wang", tier=1, building="GOHIGH", lang="en")
    elsewhere = await staff(bot, 605, "Lu", tier=1, building="PARKPL", lang="en")
    chen = await worker(bot, 503, "Chen Meiling")
    other = await worker(bot, 504, "Zhang Wei")
    ibg = await company(bot, "IBG", "英桥集团（上海）有限公司", name_en="InterBridge Group")
    acme = await company(bot, "ACME", "艾克美贸易", name_en="Acme Trading")
    about_ibg = await file(bot, chen.id, "Office move after the lease ends", enterprise_id=ibg)
    about_acme = await file(bot, other.id, "Need an invoice reprint for March", enterprise_id=acme)
    plain = await file(bot, other.id, "Social insurance transfer")

    async def found(query: str, person=wang) -> list[str]:
        await person.send(f"/find {query}")
        message = await person.wait_for(lambda m: "🔎" in m.plain or "No request" in m.plain)
        return re.findall(r"JA-2026-\d{6}", message.plain.split("\n", 1)[-1])  # not the query line

    assert await found("英桥集团") == [about_ibg]
    assert await found("InterBrige") == [about_ibg]  # a typo in the English name
    assert await found("Chen Meiling") == [about_ibg]
    assert await found("invoice") == [about_acme]
    assert await found(plain) == [plain]
    assert set(await found("Zhang Wei")) == {about_acme, plain}
    assert await found("英桥集团", elsewhere) == []  # another building's staff see none of it


async def test_the_enterprise_card_lists_its_open_and_recent_requests(bot) -> None:
    wang = await staff(bot, 606, "Wang", tier=1, building="GOHIGH", lang="en")
    chen = await worker(bot, 505, "Chen")
    ibg = await company(bot, "IBG", "英桥集团", name_en="InterBridge Group")
    first = await file(bot, chen.id, "Office move", enterprise_id=ibg)
    second = await file(bot, chen.id, "Tax registration", enterprise_id=ibg)
    await wang.send("/ent IBG")
    card = await wang.wait_for("InterBridge Group")
    assert first in card.plain and second in card.plain


async def test_chats_shows_every_tier_and_building_binding(bot) -> None:
    wang = await staff(bot, 607, "Wang", tier=1, building="GOHIGH", lang="en")
    await bind(bot, TIER1_CHAT, "Gohigh tier 1", 1, "GOHIGH")
    await bind(bot, TIER2_CHAT, "Station platform", 2, None)
    await wang.send("/chats")
    shown = await wang.wait_for("Where the request cards go")
    assert "Gohigh tier 1" in shown.plain and "Station platform" in shown.plain
    assert "37 buildings have no chat of this tier" in shown.plain  # tier 1: only JA Gohigh has one
    assert shown.plain.count("District: no staff chat") == 3  # tiers 1, 3 and 4
    async with bot.services.db.read() as conn:
        assert len(await roles_repo.all_staff_chats(conn)) == 2


async def test_requests_are_never_listed_in_a_group_that_is_not_a_staff_chat(bot) -> None:
    wang = await staff(bot, 608, "Wang", tier=1, building="GOHIGH", lang="en")
    li = await worker(bot, 506, "Li")
    reference = await file(bot, li.id, "Invoice reprint")
    lunch = bot.emu.group(-1001000000198, "Lunch group", [wang, li])
    for command in ("/queue", "/find invoice", f"/req {reference}"):
        await wang.send(command, chat=lunch)
        refused = await lunch.wait_for("never in other groups")
        assert reference not in refused.plain
    assert not any(reference in m.plain for m in lunch.inbox)


async def test_pressing_the_section_already_shown_is_no_error(bot) -> None:
    wang = await staff(bot, 609, "Wang", tier=1, building="GOHIGH", lang="en")
    li = await worker(bot, 507, "Li")
    reference = await file(bot, li.id, "Invoice reprint")
    await wang.send("/queue")
    shown = await wang.wait_for(lambda m: reference in m.plain)
    answer = await wang.press("• Open 1", message=shown)
    await bot.emu.wait_idle()
    assert answer is not None  # the press is answered, the queue stays as it is
    assert [m.plain for m in wang.inbox if "went wrong" in m.plain] == []

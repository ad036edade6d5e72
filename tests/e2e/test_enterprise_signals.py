"""Follow-up that persists and signals that explain themselves (issue 17), as staff chats see them:
a late visit is reminded on its colour's cadence and climbs the tiers until a visit is logged;
suggestions come in one digest per chat and day, list their facts, and count only requests staff
tagged as relevant to stability (a printer request never moves a company toward orange)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.requests.intake import Draft
from bot.storage import buildings as buildings_repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from tests.conftest import ADMIN_ID

CSV = (
    "key,name,name_en,building,lease_end,colour\n"
    "IBG-SH,英桥集团上海,InterBridge Group Shanghai,GOHIGH,2028-06-30,blue\n"
    "ACME,阿克米贸易,Acme Trading,GOHIGH,2029-01-31,blue\n"
).encode()
SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "data" / "enterprises_sample.csv"
TIERS = {1: -1001000000001, 2: -1001000000002, 3: -1001000000003, 4: -1001000000004}
WORKER = 801


async def chats(bot, staff, tiers=(1, 2, 3, 4)):
    async with bot.services.db.tx() as conn:
        for tier in tiers:
            await roles_repo.bind_chat(
                conn, TIERS[tier], f"Tier {tier}", tier, None, ADMIN_ID, bot.clock.now()
            )
    return {tier: bot.emu.group(TIERS[tier], f"Tier {tier}", [staff]) for tier in tiers}


async def mark_colour(staff, key: str, emoji: str, reason: str) -> None:
    """Staff set a colour from the card, with its reason."""
    await staff.send(f"/ent {key}")
    card = await staff.wait_for(key)
    await staff.press(emoji, message=card)
    await staff.wait_for("Why should")
    await staff.send(reason)
    await staff.wait_for("Colour set to")


async def log_visit(staff, key: str, outcome: str, notes: str) -> None:
    """Staff log a visit from the card, without a next step."""
    await staff.send(f"/ent {key}")
    card = await staff.wait_for(key)
    await staff.press("📝 Log a visit", message=card)
    await staff.press(outcome)
    await staff.wait_for("visit notes")
    await staff.send(notes)
    await staff.wait_for("next step")
    await staff.press("No next step")
    await staff.wait_for("Visit logged")


def late(group, name: str) -> list[str]:
    return [m.plain for m in group.inbox if "Late visits to remind" in m.plain and name in m.plain]


@pytest.mark.slow
async def test_a_late_red_visit_is_reminded_every_working_day_and_climbs_until_visited(bot_factory) -> None:
    """Why: over 30 days, red and orange companies each got exactly one "follow-up overdue", then silence."""
    bot = await bot_factory(BOT_DEFAULT_LANGUAGE="en", BOT_ENTERPRISE_REMINDER_CLIMB="3")
    await bot.services.enterprises.registry.import_csv(CSV)
    staff = bot.emu.user(2003, "Hua", language_code="en")
    await bot.make_staff(staff, tier=4)
    groups = await chats(bot, staff)

    await mark_colour(staff, "IBG-SH", "🔴", "Lease ends; they look for offices elsewhere")

    # Monday 09:30: due within 2 working days (Wednesday 09:30). Then every working day at 09:00.
    await bot.advance(hours=49)  # Wednesday 10:30: the first reminder
    counts = []
    for _ in range(13):  # Thursday 10:30 ... two weeks later: weekends and nights stay quiet
        await bot.advance(hours=24)
        counts.append(len(late(groups[1], "英桥集团上海")))
    assert counts == [2, 3, 3, 3, 4, 5, 6, 7, 8, 8, 8, 9, 10]  # one per working day: 10 in 10 working days
    tier2, tier3, tier4 = (late(groups[t], "英桥集团上海") for t in (2, 3, 4))
    assert (len(tier2), len(tier3), len(tier4)) == (3, 3, 1)  # reminders 4-6, 7-9, then 10
    assert "raised to tier 2" in tier2[0] and "reminder 4" in tier2[0]
    assert "raised to tier 4" in tier4[0] and "reminder 10" in tier4[0]
    digest = late(groups[1], "英桥集团上海")[-1]
    assert "JA Gohigh Building" in digest and "Late visits in this building: 🔴 1" in digest

    await log_visit(
        staff, "IBG-SH", "May move out", "Met the office manager; they look at offices in Jing'an"
    )
    await bot.advance(hours=24)  # the next visit is due two working days after this one
    assert len(late(groups[1], "英桥集团上海")) == 10  # a visit stops the reminders


async def test_reminders_of_many_companies_come_as_one_digest_per_chat(bot_factory) -> None:
    bot = await bot_factory(BOT_DEFAULT_LANGUAGE="en", BOT_ENTERPRISE_FOLLOWUP="blue=1d")
    await bot.services.enterprises.registry.import_csv(CSV)
    staff = bot.emu.user(2003, "Hua", language_code="en")
    await bot.make_staff(staff, tier=1)
    groups = await chats(bot, staff, tiers=(1,))
    await bot.advance(hours=25)  # both blue companies are a day overdue at the same moment
    digests = late(groups[1], "英桥集团上海")
    assert len(digests) == 1 and "阿克米贸易" in digests[0] and "(2)" in digests[0]


async def worker(bot):
    now = bot.clock.now()
    async with bot.services.db.tx() as conn:
        gohigh = await buildings_repo.by_code(conn, "GOHIGH")
        await users_repo.upsert_seen(conn, WORKER, "Li", None, "en", now)
        await users_repo.update(conn, WORKER, now, language="en", building_id=gohigh.id, onboarded_at=now)
    return bot.emu.user(WORKER, "Li", language_code="en")


async def enterprise_id(bot, key: str) -> int:
    async with bot.services.db.read() as conn:
        return (await (await conn.execute("SELECT id FROM enterprises WHERE key = ?", (key,))).fetchone())[0]


def suggestions(group) -> list[str]:
    return [m.plain for m in group.inbox if "Suggested colours" in m.plain]


@pytest.mark.slow
async def test_a_printer_request_moves_nothing_a_tagged_one_explains_the_suggestion(bot_factory) -> None:
    """Why: one "office space" request about a printer made the bot suggest blue -> orange "at risk"."""
    bot = await bot_factory(BOT_DEFAULT_LANGUAGE="en")
    await bot.services.enterprises.registry.import_csv(CSV)
    staff = bot.emu.user(2003, "Hua", language_code="en")
    await bot.make_staff(staff, tier=1)
    groups = await chats(bot, staff, tiers=(1,))
    await worker(bot)
    acme = await enterprise_id(bot, "ACME")

    printer = await bot.services.requests.intake.submit(
        WORKER, Draft(category="office", enterprise_id=acme, description="The printer on 8F is broken")
    )
    await bot.advance(hours=2)
    assert suggestions(groups[1]) == []

    moving = await bot.services.requests.intake.submit(
        WORKER,
        Draft(category="office", enterprise_id=acme, description="We need 800 m2 next year, maybe elsewhere"),
    )
    await bot.flush()
    card = await groups[1].wait_for(moving.reference)
    assert "🏷 Stability" in card.buttons
    await staff.press("🏷 Stability", chat=groups[1], message=card)
    chooser = await groups[1].wait_for("What does request")
    assert chooser.buttons == ["relocation risk", "layoffs", "rent arrears", "expansion"]
    await staff.press("relocation risk", chat=groups[1], message=chooser)
    await groups[1].wait_for(lambda m: m.edited and "Tagged: relocation risk" in m.plain)
    assert "✓ relocation risk" in chooser.buttons

    await bot.advance(hours=1)
    (digest,) = suggestions(groups[1])
    assert "🔵 → 🟠 阿克米贸易" in digest
    assert f"1 request(s) tagged “relocation risk” by staff: {moving.reference} (Office space" in digest
    assert printer.reference not in digest

    outsider = bot.emu.user(1009, "Eve", language_code="en")
    groups[1].add(outsider)
    answer = await outsider.press_data(f"1|ent|tt|{moving.id}|relocation", chat=groups[1])
    assert answer is not None and answer.show_alert
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT request_id, tag FROM request_stability_tags ORDER BY request_id")
        assert [tuple(r) for r in await cur.fetchall()] == [(moving.id, "relocation")]


@pytest.mark.slow
async def test_the_sample_import_brings_at_most_one_suggestion_digest_per_chat_a_day(bot_factory) -> None:
    """Why: after importing the 1,520-company sample the district tier-1 chat received 90 suggestion
    cards in 9 hours."""
    bot = await bot_factory(BOT_DEFAULT_LANGUAGE="en")
    staff = bot.emu.user(2003, "Hua", language_code="en")
    await bot.make_staff(staff, tier=1)
    groups = await chats(bot, staff, tiers=(1,))
    gohigh_chat = bot.emu.group(-1001000000101, "GOHIGH staff", [staff])
    async with bot.services.db.tx() as conn:
        gohigh = await buildings_repo.by_code(conn, "GOHIGH")
        await roles_repo.bind_chat(conn, gohigh_chat.id, "GOHIGH", 1, gohigh.id, ADMIN_ID, bot.clock.now())
    await bot.services.enterprises.registry.import_csv(SAMPLE.read_bytes())

    for _ in range(9):
        await bot.advance(hours=1)
    district, building = suggestions(groups[1]), suggestions(gohigh_chat)
    assert len(district) == 1 and len(building) == 1  # not one card per company
    assert all(len(m) <= 4096 for m in district + building)
    assert "more suggestion(s) follow in the next days' digests" in district[0]
    assert "JA Gohigh Building" in building[0] and "JA Gohigh Building" not in district[0]
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT COUNT(*) FROM enterprise_suggestions WHERE status = 'open'")
        waiting = (await cur.fetchone())[0]
    assert waiting > 20  # found, and waiting their turn

    await bot.advance(hours=15)  # the next working day: the next ten, worst first
    assert len(suggestions(groups[1])) == 2
    assert len(suggestions(gohigh_chat)) == 1  # its building's two were all in yesterday's digest

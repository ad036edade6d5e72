"""Enterprise registry end to end: staff mark an enterprise red with a reason, the tier-3 chat is
alerted once, the follow-up reminder fires when the visit is late and a logged visit stops it;
non-staff people cannot open /ent or /board, nor press a forged colour button.

Staff chats read the station's default language (zh); the staff member here reads English.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from bot.domain.risk import RGB
from bot.storage import buildings as buildings_repo
from bot.storage import roles as roles_repo
from tests.conftest import ADMIN_ID

CSV = (
    "key,name,name_en,building,floor_unit,industry,headcount_band,lease_end,party_org,colour\n"
    "IBG-SH,英桥集团上海,InterBridge Group Shanghai,GOHIGH,12F,consulting,50-199,2026-12-31,joint,blue\n"
    "ACME,阿克米贸易（上海）有限公司,Acme Trading,PARKPL,8F,trade,10-49,2028-06-30,none,green\n"
).encode()

TIER1, TIER3 = -1001000000001, -1001000000003


async def setup(bot):
    """Two enterprises, a tier-3 staff member, and tier-1 / tier-3 staff groups bound district-wide."""
    await bot.services.enterprises.registry.import_csv(CSV)
    staff = bot.emu.user(2003, "Hua", language_code="en")
    await bot.make_staff(staff, tier=3)
    groups = {}
    async with bot.services.db.tx() as conn:
        for tier, chat_id in ((1, TIER1), (3, TIER3)):
            await roles_repo.bind_chat(conn, chat_id, f"Tier {tier}", tier, None, ADMIN_ID, bot.clock.now())
    for tier, chat_id in ((1, TIER1), (3, TIER3)):
        groups[tier] = bot.emu.group(chat_id, f"Tier {tier}", [staff])
    return staff, groups


def texts(group) -> list[str]:
    return [m.plain for m in group.inbox]


def reminders(group) -> list[str]:
    """Follow-up reminders about IBG (the scheduler may also have posted a suggestion notice)."""
    return [t for t in texts(group) if "英桥集团上海" in t and "⏰" in t]


@pytest.mark.slow
async def test_red_alerts_tier3_once_reminds_when_late_and_a_visit_stops_it(bot) -> None:
    staff, groups = await setup(bot)

    await staff.send("/ent interbridge")
    card = await staff.wait_for("InterBridge Group Shanghai")
    assert "Visit" in card.plain or "visit" in card.plain
    await staff.press("🔴", message=card)
    await staff.wait_for("Why should")
    await staff.send("Lease in JA Gohigh ends in December; they must relocate")
    done = await staff.wait_for("Colour set to")
    assert "tier 3 staff chat has been alerted" in done.plain
    await bot.flush()

    alerts = [t for t in texts(groups[3]) if "英桥集团上海" in t]
    assert len(alerts) == 1
    assert "Lease in JA Gohigh ends in December" in alerts[0]

    # Pressing red again changes nothing and alerts nobody.
    answer = await staff.press("✓🔴", message=done)
    assert answer is not None and answer.show_alert
    await bot.advance(hours=1)
    assert len([t for t in texts(groups[3]) if "英桥集团上海" in t]) == 1

    async with bot.services.db.read() as conn:
        cur = await conn.execute(
            "SELECT colour_from, colour_to, reason, changed_by FROM enterprise_colour_history"
            " WHERE source = 'staff'"
        )
        assert [tuple(r) for r in await cur.fetchall()] == [
            ("blue", "red", "Lease in JA Gohigh ends in December; they must relocate", 2003)
        ]

    # Red: a visit is due within 2 working days (Monday 09:30 -> Wednesday 09:30). Tuesday: quiet.
    await bot.advance(hours=24)
    assert reminders(groups[1]) == []
    # Wednesday 10:30: late. The building's tier-1 chat is reminded (higher tiers hear of it only
    # after repeated reminders: tests/e2e/test_enterprise_signals.py).
    await bot.advance(hours=25)
    assert len(reminders(groups[1])) == 1
    assert len([t for t in texts(groups[3]) if "英桥集团上海" in t]) == 1  # the colour alert
    # The next reminder is the next working day's: more ticks today send nothing more.
    await bot.advance(hours=3)
    assert len(reminders(groups[1])) == 1

    # A logged visit restarts the clock: the next deadline is two working days after it.
    await staff.send("/ent IBG-SH")
    card = await staff.wait_for("InterBridge Group Shanghai")
    assert "overdue" in card.plain
    await staff.press("📝 Log a visit", message=card)
    await staff.press("May move out")
    await staff.wait_for("visit notes")
    await staff.send("Met the office manager; they look at offices in Jing'an")
    await staff.wait_for("next step")
    await staff.press("No next step")
    logged = await staff.wait_for("Visit logged")
    assert "overdue" not in logged.plain
    await bot.advance(hours=24)
    assert len(reminders(groups[1])) == 1


async def test_workers_cannot_open_ent_or_board_or_press_colours(bot) -> None:
    await bot.services.enterprises.registry.import_csv(CSV)
    worker = bot.emu.user(1001, "Na", language_code="en")
    await worker.send("/ent InterBridge")
    refusal = await worker.wait_for("only for station staff")
    assert "InterBridge" not in refusal.plain
    await worker.send("/board")
    await worker.wait_for("only for station staff")
    await worker.send("/coverage")
    await worker.wait_for("only for station staff")
    assert not [m for m in worker.inbox if m.kind == "photo"]

    answer = await worker.press_data("1|ent|c|1|red")
    assert answer is not None and answer.show_alert
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT colour FROM enterprises WHERE key = 'IBG-SH'")
        assert (await cur.fetchone())[0] == "blue"
        cur = await conn.execute("SELECT COUNT(*) FROM enterprise_colour_history WHERE source != 'import'")
        assert (await cur.fetchone())[0] == 0


async def test_board_is_a_phone_wide_png_with_the_five_colours(bot) -> None:
    await bot.services.enterprises.registry.import_csv(CSV)
    staff = bot.emu.user(2002, "Min", language_code="en")
    await bot.make_staff(staff, tier=2)
    async with bot.services.db.tx() as conn:
        await conn.execute("UPDATE enterprises SET colour = 'red' WHERE key = 'IBG-SH'")
    await staff.send("/board")
    photo = await staff.wait_for(lambda m: m.kind == "photo")
    image = Image.open(io.BytesIO(photo.photo))
    assert image.format == "PNG" and image.width == 1080
    colours = {c for _, c in image.convert("RGB").getcolors(1 << 20)}
    assert RGB["red"] in colours and RGB["green"] in colours
    assert "2 enterprises" in photo.plain

    await staff.send("/board nowhere-tower")
    await staff.wait_for("No building matches")

    await staff.send("/board gohigh")
    zoom = await staff.wait_for(lambda m: m.kind == "photo")
    assert "JA Gohigh Building" in zoom.plain and "1 enterprises" in zoom.plain

    await staff.send("/coverage")
    coverage = await staff.wait_for("Coverage")
    assert "GOHIGH" in coverage.plain and "PARKPL" in coverage.plain
    assert "data 100% (0) · visits 0% (100)" in coverage.plain  # complete base data, nobody visited yet


async def test_liaison_links_with_a_one_time_deep_link(bot) -> None:
    await bot.services.enterprises.registry.import_csv(CSV)
    staff = bot.emu.user(2002, "Min", language_code="en")
    await bot.make_staff(staff, tier=2)
    await staff.send("/ent Acme")
    await staff.wait_for("Acme Trading")
    await staff.press("🔗 Liaison link")
    message = await staff.wait_for("start=ent-")
    code = message.plain.split("start=ent-")[1].split()[0]

    liaison = bot.emu.user(1003, "Yu", language_code="en")
    await liaison.send(f"/start ent-{code}")
    await liaison.wait_for("You are now the liaison")
    other = bot.emu.user(1004, "Eve", language_code="en")
    await other.send(f"/start ent-{code}")
    await other.wait_for("unknown, already used or expired")
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT liaison_user_id FROM enterprises WHERE key = 'ACME'")
        assert (await cur.fetchone())[0] == 1003


def test_start_is_a_monday_morning() -> None:
    from tests.conftest import START

    assert START == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


@pytest.mark.slow
async def test_suggestion_notice_dismissed_with_reason_until_a_new_signal_then_accepted(bot) -> None:
    """A lease ending within 3 months suggests orange: listed in the day's digest of the building's
    staff chat; a dismissal (with its reason) keeps it quiet until a new fact appears (the lease
    has ended)."""
    lease = "2027-01-02"  # 40 days after Monday 2026-11-23
    await bot.services.enterprises.registry.import_csv(
        f"key,name,name_en,building,lease_end,colour\nLEASE,租约公司,Lease Co,PARKPL,{lease},blue\n".encode()
    )
    staff = bot.emu.user(2001, "Shan", language_code="zh")
    await bot.make_staff(staff, tier=1)
    async with bot.services.db.tx() as conn:
        await roles_repo.bind_chat(conn, TIER1, "Tier 1", 1, None, ADMIN_ID, bot.clock.now())
    group = bot.emu.group(TIER1, "Tier 1", [staff])

    await bot.advance(minutes=1)
    notices = [m for m in group.inbox if "租约公司" in m.plain]
    assert len(notices) == 1
    assert "🔵 → 🟠" in notices[0].plain and "2027-01-02" in notices[0].plain

    await staff.press("驳回", chat=group, message=notices[0])
    await group.wait_for("为什么不采纳")
    await staff.send("已续租两年，合同在走流程", chat=group)
    await group.wait_for("已驳回建议")

    await bot.advance(hours=2)  # the next sweeps: same signals, no new notice
    assert len([m for m in group.inbox if "租约公司" in m.plain and "→" in m.plain]) == 1

    await bot.advance(days=42)  # Monday 2027-01-04: the lease has ended, a new fact
    notices = [m for m in group.inbox if "租约公司" in m.plain and "→" in m.plain]
    assert len(notices) == 2
    assert "已续租两年" in notices[1].plain  # the earlier dismissal's reason is recalled

    await staff.press("采纳", chat=group, message=notices[1])
    accepted = await group.wait_for("已采纳建议")
    assert "橙色" in accepted.plain
    async with bot.services.db.read() as conn:
        cur = await conn.execute(
            "SELECT colour_to, source, changed_by FROM enterprise_colour_history WHERE source != 'import'"
        )
        assert [tuple(r) for r in await cur.fetchall()] == [("orange", "suggestion", 2001)]


async def test_a_problem_with_the_typed_text_asks_again_any_other_ends_the_question(bot) -> None:
    """A too-long reason or a next step in the past is asked for again; a reason for a colour that
    someone else set meanwhile is refused once and the question ends (the next text is not a reason)."""
    staff, _ = await setup(bot)
    await staff.send("/ent Acme")
    card = await staff.wait_for("Acme Trading")
    await staff.press("🟡", message=card)
    await staff.wait_for("Why should")
    await staff.send("x" * 501)
    await staff.wait_for("under 500 characters")
    await staff.send("Two late requests this month")
    done = await staff.wait_for("Colour set to")

    answer = await staff.press("✓🟡", message=done)
    assert answer is not None and answer.show_alert
    assert answer.text == "The enterprise is already yellow · needs attention: nothing changed."

    await staff.press("📝 Log a visit", message=done)
    await staff.press("Stable")
    await staff.wait_for("visit notes")
    await staff.send("Met the office manager")
    await staff.wait_for("next step")
    await staff.send("2020-01-02 call them")
    await staff.wait_for("in the past")
    await staff.send("call them soon")
    await staff.wait_for("YYYY-MM-DD")
    await staff.press("No next step")
    await staff.wait_for("Visit logged")

    await staff.press("🟠", message=done)
    await staff.wait_for("Why should")
    acme = (await bot.services.enterprises.registry.find(2003, "ACME")).card
    assert acme is not None
    await bot.services.enterprises.colours.set_colour(
        ADMIN_ID, acme.enterprise.id, "orange", "seen by the admin"
    )
    await staff.send("The lease is not renewed")
    await staff.wait_for("already orange · at risk")
    await staff.send("Another reason")
    reply = await staff.wait_for(lambda m: True)
    assert "already" not in reply.plain and "Colour set to" not in reply.plain


async def test_staff_of_another_building_are_told_the_enterprise_is_not_theirs(bot) -> None:
    await bot.services.enterprises.registry.import_csv(CSV)
    async with bot.services.db.tx() as conn:
        gohigh = await buildings_repo.by_code(conn, "GOHIGH")
    staff = bot.emu.user(2011, "Lan", language_code="en")
    await bot.make_staff(staff, tier=1, building_id=gohigh.id)
    acme = (await bot.services.enterprises.registry.find(ADMIN_ID, "ACME")).card  # in PARKPL
    assert acme is not None
    await staff.send("/menu")
    await staff.wait_for(lambda m: True)
    for data in (
        f"1|ent|c|{acme.enterprise.id}|red",
        f"1|ent|v|{acme.enterprise.id}",
        f"1|ent|l|{acme.enterprise.id}",
    ):
        answer = await staff.press_data(data)
        assert answer is not None and answer.show_alert
        assert answer.text == "Sorry, this enterprise belongs to another building's staff.", data
    after = (await bot.services.enterprises.registry.find(ADMIN_ID, "ACME")).card
    assert after is not None and after.enterprise.colour == acme.enterprise.colour


async def test_workers_cannot_press_suggestion_or_card_buttons(bot) -> None:
    await bot.services.enterprises.registry.import_csv(CSV)
    worker = bot.emu.user(1001, "Na", language_code="en")
    await worker.send("/menu")
    await worker.wait_for(lambda m: True)
    for data in ("1|ent|sa|999", "1|ent|sd|999", "1|ent|o|1", "1|ent|l|1", "1|ent|v|1"):
        answer = await worker.press_data(data)
        assert answer is not None and answer.show_alert
        assert answer.text == "Sorry, this is only for station staff.", data

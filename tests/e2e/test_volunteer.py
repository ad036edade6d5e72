"""Volunteering end to end: the real Application, the local Bot API emulator and a frozen clock.

The clock starts on Monday 2026-11-23 at 09:30 in Shanghai; the hospital desk runs on weekdays
06:00-07:00 with 8 places and reminders at 20:00 the evening before and 60 minutes before.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.storage import shifts as shifts_repo
from tests.conftest import ADMIN_ID as ADMIN

PROJECTS = Path(__file__).resolve().parents[2] / "bot" / "data" / "projects.yaml"
HOSPITAL_EN = "Huashan Hospital outpatient guide"
# The finder's result button of Tuesday's 06:00 hospital desk (one tap signs up).
TUESDAY_DESK = "Tue 11-24 06:00 · Huashan"
# Tuesday 2026-11-24 06:00 Shanghai = Monday 22:00 UTC.
TUE_0600 = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)


async def load_projects(bot) -> None:
    await bot.services.volunteer.imports.import_projects(PROJECTS.read_text(encoding="utf-8"))


async def shift_at(bot, starts_at: datetime) -> shifts_repo.Shift:
    async with bot.services.db.read() as conn:
        project = await shifts_repo.project_by_key(conn, "hospital-guide")
        shift = await shifts_repo.shift_at(conn, project.id, starts_at)
    assert shift is not None
    return shift


async def statuses(bot, shift_id: int) -> dict[int, str]:
    async with bot.services.db.read() as conn:
        rows = await shifts_repo.of_shift(
            conn, shift_id, ("confirmed", "waitlisted", "offered", "cancelled", "passed", "expired")
        )
    return {r.user_id: r.status for r in rows}


async def sign_up_tuesday(bot, person) -> None:
    await person.send("/volunteer")
    await person.wait_for("Volunteer with the station")
    await person.press(TUESDAY_DESK)
    await person.wait_for("You're signed up")


def reminders(person) -> list:
    return [m for m in person.inbox if "Reminder" in m.plain]


@pytest.mark.slow
async def test_sign_up_then_two_reminders_at_local_times(bot) -> None:
    await load_projects(bot)
    hu = bot.emu.user(501, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    confirmation = await hu.wait_for(lambda m: m.kind == "venue")  # a pin the phone can navigate to
    # In the reader's language (it was Chinese only, whatever the reader's language).
    assert confirmation.venue["address"] == "12 Middle Urumqi Road, Jing'an District, Shanghai"
    text = next(m for m in reversed(hu.inbox) if "You're signed up" in m.plain)
    assert "6:00" in text.plain or "06:00" in text.plain
    assert "📅 Add to calendar" in text.buttons

    # 19:59 Monday in Shanghai: nothing yet; 20:00: the evening reminder.
    bot.clock.set(datetime(2026, 11, 23, 11, 59, tzinfo=UTC))
    await bot.tick()
    await bot.flush()
    assert reminders(hu) == []
    await bot.advance(minutes=1)
    evening = await hu.wait_for("you volunteer tomorrow")
    assert evening.buttons == ["I'm coming", "I can't come", "Check in"]
    assert len(reminders(hu)) == 1

    # 05:00 Tuesday (quiet hours, but it is the volunteer's own shift before 08:00).
    bot.clock.set(datetime(2026, 11, 23, 20, 59, tzinfo=UTC))
    await bot.tick()
    await bot.flush()
    assert len(reminders(hu)) == 1
    await bot.advance(minutes=1)
    await hu.wait_for("starts soon")
    assert len(reminders(hu)) == 2
    assert bot.emu.error_log == []


@pytest.mark.slow
async def test_no_reminder_after_cancelling(bot) -> None:
    await load_projects(bot)
    li = bot.emu.user(502, "Li", language_code="en")
    await bot.onboard(li, language="en")
    await sign_up_tuesday(bot, li)
    await li.send("/myshifts")
    await li.wait_for("Your upcoming volunteer shifts")
    await li.press("Cancel Tue 11-24 06:00")
    await li.wait_for("You've left this shift")
    bot.clock.set(datetime(2026, 11, 23, 21, 30, tzinfo=UTC))  # past both reminder times
    await bot.tick()
    await bot.flush()
    assert reminders(li) == []


@pytest.mark.slow
async def test_cancellation_offers_the_place_to_the_first_waitlisted(bot) -> None:
    await load_projects(bot)
    shift = await shift_at(bot, TUE_0600)
    # Seven volunteers already hold places (through the service, as earlier presses would have).
    for uid in range(600, 607):
        await bot.services.users.seen(uid, f"V{uid}", None, "en")
        await bot.services.volunteer.signups.sign_up(uid, shift.id)
    hu, wang, zhou = (
        bot.emu.user(uid, name, language_code="en")
        for uid, name in ((611, "Hu"), (612, "Wang"), (613, "Zhou"))
    )
    for person in (hu, wang, zhou):
        await bot.onboard(person, language="en")
    await sign_up_tuesday(bot, hu)  # the 8th and last place
    for person in (wang, zhou):
        await person.send("/volunteer")
        await person.wait_for("Volunteer with the station")
        await person.press(TUESDAY_DESK)
    await wang.wait_for("number 1 on the waitlist")
    await zhou.wait_for("number 2 on the waitlist")

    await hu.send("/myshifts")
    await hu.wait_for("Your upcoming volunteer shifts")
    await hu.press("Cancel Tue 11-24 06:00")
    await hu.wait_for("You've left this shift")
    await bot.flush()
    offer = await wang.wait_for("A place is free for you")
    assert "11:30" in offer.plain  # held two hours (it is 09:30 in Shanghai)
    assert not any("A place is free" in m.plain for m in zhou.inbox)
    await wang.press("Take it")
    await wang.wait_for("You're signed up")
    assert (await statuses(bot, shift.id))[612] == "confirmed"
    assert (await statuses(bot, shift.id))[613] == "waitlisted"


@pytest.mark.slow
async def test_passing_or_letting_an_offer_lapse_moves_down_the_waitlist(bot) -> None:
    await load_projects(bot)
    shift = await shift_at(bot, TUE_0600)
    for uid in range(700, 708):
        await bot.services.users.seen(uid, f"V{uid}", None, "en")
        await bot.services.volunteer.signups.sign_up(uid, shift.id)
    people = [bot.emu.user(uid, f"W{uid}", language_code="en") for uid in (711, 712, 713)]
    for person in people:
        await bot.services.users.seen(person.id, person.first_name, None, "en")
        await bot.services.users.set_language(person.id, "en")
        await bot.services.volunteer.signups.sign_up(person.id, shift.id)
    await bot.services.volunteer.signups.cancel(700, shift.id)
    await bot.flush()
    await people[0].wait_for("A place is free for you")
    await people[0].press("Pass")
    await people[0].wait_for("next person on the waitlist")
    await bot.flush()
    await people[1].wait_for("A place is free for you")
    await bot.advance(hours=2)  # the offer lapses unanswered
    await people[2].wait_for("A place is free for you")
    answer = await people[1].press("Take it")
    await people[1].wait_for("no longer held for you")
    assert answer is not None
    final = await statuses(bot, shift.id)
    assert final[711] == "passed" and final[712] == "expired" and final[713] == "offered"


@pytest.mark.slow
async def test_two_presses_for_the_last_place_give_it_to_exactly_one(bot) -> None:
    await load_projects(bot)
    shift = await shift_at(bot, TUE_0600)
    for uid in range(800, 807):
        await bot.services.users.seen(uid, f"V{uid}", None, "en")
        await bot.services.volunteer.signups.sign_up(uid, shift.id)
    a, b = bot.emu.user(811, "A", language_code="en"), bot.emu.user(812, "B", language_code="en")
    for person in (a, b):
        await person.send("/volunteer")
        await person.wait_for(
            lambda m: "1 place left" in m.plain and any(TUESDAY_DESK in b for b in m.buttons)
        )
    await asyncio.gather(a.press(TUESDAY_DESK), b.press(TUESDAY_DESK))
    await bot.emu.wait_idle()
    final = await statuses(bot, shift.id)
    assert sorted([final[811], final[812]]) == ["confirmed", "waitlisted"]
    assert list(final.values()).count("confirmed") == 8


@pytest.mark.slow
async def test_fifty_presses_for_eight_places(bot) -> None:
    await load_projects(bot)
    shift = await shift_at(bot, TUE_0600)
    people = [bot.emu.user(900 + i, f"P{i}", language_code="en") for i in range(50)]
    for person in people:
        await bot.services.users.seen(person.id, person.first_name, None, "en")
    project_page = await bot.services.volunteer.browse.project_page(people[0].id, shift.project_id)
    assert project_page[1][0].id == shift.id
    data = f"1|vol|s|{shift.id}"
    for person in people:  # each opens /myshifts: a message to attach their press to
        await person.send("/myshifts")
    for person in people:
        await person.wait_for("Your upcoming volunteer shifts", timeout=20)
    await asyncio.gather(*(p.press_data(data, message=p.last, timeout=20) for p in people))
    await bot.emu.wait_idle()
    async with bot.services.db.read() as conn:
        rows = await shifts_repo.of_shift(conn, shift.id, ("confirmed", "waitlisted"))
    confirmed = [r.user_id for r in rows if r.status == "confirmed"]
    waiting = [r.user_id for r in rows if r.status == "waitlisted"]
    assert len(confirmed) == 8 and len(waiting) == 42
    order = sorted(rows, key=lambda r: r.id)
    # Everyone once; places go in the order the presses were recorded. (Presses of different
    # people are handled concurrently, so two presses in the same instant may be recorded in
    # either order, as they may reach Telegram in either order; one person's are never reordered.)
    assert sorted(r.user_id for r in order) == [p.id for p in people]
    assert confirmed == [r.user_id for r in order[:8]]


@pytest.mark.slow
async def test_i_cant_come_from_the_reminder_frees_the_place(bot) -> None:
    await load_projects(bot)
    shift = await shift_at(bot, TUE_0600)
    for uid in range(1100, 1107):
        await bot.services.users.seen(uid, f"V{uid}", None, "en")
        await bot.services.volunteer.signups.sign_up(uid, shift.id)
    hu = bot.emu.user(1111, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    waiting = bot.emu.user(1112, "Wang", language_code="en")
    await bot.services.users.seen(waiting.id, "Wang", None, "en")
    await bot.services.users.set_language(waiting.id, "en")
    assert (await bot.services.volunteer.signups.sign_up(waiting.id, shift.id)).status == "waitlisted"
    bot.clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # 20:00 Monday
    await bot.tick()
    await bot.flush()
    await hu.wait_for("you volunteer tomorrow", since=0)
    await hu.press("I can't come")
    await hu.wait_for("You've left this shift")
    await bot.flush()
    await waiting.wait_for("A place is free for you")
    # Nobody is reminded of a shift they left.
    bot.clock.set(datetime(2026, 11, 23, 21, 30, tzinfo=UTC))
    await bot.tick()
    await bot.flush()
    assert not any("starts soon" in m.plain for m in hu.inbox)


@pytest.mark.slow
async def test_check_in_window_hours_certificate_and_calendar(bot) -> None:
    await load_projects(bot)
    hu = bot.emu.user(1201, "Hu Jun", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    await hu.press("📅 Add to calendar")
    ics = await hu.wait_for(lambda m: m.kind == "document" and (m.filename or "").endswith(".ics"))
    calendar = Calendar.from_ical(ics.document)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert events[0].decoded("dtstart") == TUE_0600
    assert "Huashan" in str(events[0]["summary"])
    assert list(events[0].walk("VALARM"))

    shift = await shift_at(bot, TUE_0600)
    # Too early: check-in opens at 05:45.
    bot.clock.set(TUE_0600 - timedelta(minutes=20))
    await bot.tick()
    await bot.flush()
    _card, code = await bot.services.volunteer.checkin.poster_code(ADMIN, shift.id)
    await hu.send(f"/start in-{shift.id}-{code}")
    await hu.wait_for("Check-in opens at")
    assert (await bot.services.volunteer.hours.hours(hu.id)).total == 0
    # In the window, by scanning the shift's poster, then sharing a location too.
    bot.clock.set(TUE_0600 - timedelta(minutes=10))
    await hu.send(f"/start in-{shift.id}-{code}")
    await hu.wait_for("Checked in")
    bot.clock.set(TUE_0600 + timedelta(hours=2))
    await hu.send("/myhours")
    hours = await hu.wait_for("Your volunteer hours")
    assert "Total: 1 hour · 1 shift" in hours.plain
    await hu.press("📄 Send my certificate")
    cert = await hu.wait_for(lambda m: m.kind == "document" and (m.filename or "").endswith(".pdf"))
    assert cert.document.startswith(b"%PDF-") and b"%%EOF" in cert.document[-64:]
    assert b"Hu Jun" in cert.document  # the name, in the document's metadata too
    async with bot.services.db.read() as conn:
        signup = await shifts_repo.signup(conn, shift.id, hu.id)
    assert signup.attended and signup.checkin_method == "poster" and signup.verified


@pytest.mark.slow
async def test_check_in_after_the_shift_is_refused(bot) -> None:
    await load_projects(bot)
    hu = bot.emu.user(1301, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    bot.clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # 20:00 Monday: the evening reminder
    await bot.tick()
    await bot.flush()
    await hu.wait_for("you volunteer tomorrow")
    # The bot was down from 20:00 until after the shift: the 05:00 reminder is recorded as missed.
    bot.clock.set(TUE_0600 + timedelta(hours=1, minutes=1))
    await bot.tick()
    await bot.flush()
    assert not any("starts soon" in m.plain for m in hu.inbox)
    async with bot.services.db.read() as conn:
        from bot.storage import outbox

        counts = await outbox.status_counts(conn, bot.clock.now())
    assert counts["kinds"]["vol_reminder"]["missed"] == 1
    await hu.press("Check in")
    await hu.wait_for("Check-in closed")
    hours = await bot.services.volunteer.hours.hours(hu.id)
    assert hours.total == 0 and hours.no_shows == 1

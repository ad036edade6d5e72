"""Issue 18's "Done when", end to end through the emulator: scale, check-ins people can trust,
reminders rendered when sent, a fair waitlist, and certificates anyone can verify.

Each test first reproduces a defect of the issue's "Why" (it failed before the fix)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bench.volunteering import populate
from bot.domain import checkin as proofs
from bot.storage import shifts as shifts_repo
from tests.conftest import ADMIN_ID
from tests.e2e.test_volunteer import TUE_0600, TUESDAY_DESK, load_projects, shift_at, sign_up_tuesday
from tests.e2e.test_volunteer_organiser import make_organiser

MON_2000 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 20:00 Monday in Shanghai: the evening reminder


async def claire(bot, user_id: int):
    """The hospital desk's organiser, onboarded in English."""
    organiser = bot.emu.user(user_id, "Claire", language_code="en")
    await bot.onboard(organiser, language="en")
    await make_organiser(bot, organiser)
    return organiser


def result_buttons(message) -> list[str]:
    """The finder's result buttons (a time, then a project's title)."""
    return [b for b in message.buttons if re.match(r"^(✅ |⏳ )?\w{3}\.? \d\d-\d\d \d\d:\d\d · ", b)]


@pytest.mark.slow
async def test_every_volunteer_path_answers_within_limits_with_2500_projects(bot) -> None:
    await load_projects(bot)
    assert await populate(bot.services, projects=2_500, shifts=20_000) >= 19_900
    hu = bot.emu.user(1801, "Hu", language_code="en")
    await bot.onboard(hu, language="en")  # works in JA Gohigh
    await hu.send("/volunteer")
    first = await hu.wait_for("Volunteer with the station", timeout=15)
    assert "near JA Gohigh Building" in first.plain and "this week" in first.plain
    assert len(result_buttons(first)) == 8 and "More ›" in first.buttons

    # "Before work this week near JA Gohigh": the 06:00 Huashan Hospital desk first.
    await hu.press("Before work (06:00–09:00)")
    early = await hu.wait_for(lambda m: "Before work" in m.plain and "Looking for" in m.plain, timeout=15)
    assert result_buttons(early)[0].startswith(TUESDAY_DESK)
    assert early.plain.split("\n1. ")[1].startswith("Huashan Hospital outpatient guide")

    # Every other path: pages, topics, search, other times, four weeks, a project's dates.
    for label in (
        "More ›",
        "‹ Back",
        "🗓 This week",
        "✅ 📍 Near my building",
        "Weekend",
        "Lunchtime (11:30–14:00)",
    ):
        await hu.press(label)
        await bot.emu.wait_idle()
    await hu.press("🏷 Topics")
    topics = await hu.wait_for("Choose a topic", timeout=15)
    assert 2 <= len(topics.buttons) <= 9
    await hu.press("Hospital guides")
    await hu.wait_for(lambda m: "Hospital guides" in m.plain and "Looking for" in m.plain, timeout=15)
    await hu.press("🔎 Search")
    prompt = await hu.wait_for("What are you looking for?")
    await hu.send("jogging", reply_to=prompt)  # a reply to the question, never "the next message"
    jogging = await hu.wait_for("“jogging”", timeout=15)
    assert result_buttons(jogging)[0].startswith("Wed 11-25 18:30 · One-hour jogging")
    await hu.send("/volunteer 老人")
    found = await hu.wait_for("“老人”", timeout=15)
    assert result_buttons(found)
    for _ in range(3):
        await hu.press("More ›")
        await bot.emu.wait_idle()
    await hu.send("/volunteer zzzz-nothing")
    await hu.wait_for("No shift matches right now")
    await hu.send("/volunteer")
    await hu.wait_for("Volunteer with the station")
    await hu.press("Before work (06:00–09:00)")
    await hu.press(TUESDAY_DESK)
    await hu.wait_for("You're signed up")
    await hu.press("More dates of this project")
    dates = await hu.wait_for(lambda m: "Tap a time to sign up" in m.plain and "Huashan" in m.plain)
    assert 1 <= len([b for b in dates.buttons if "06:00" in b]) <= 8

    # An administrator organises all 2,503 projects: posters are chosen page by page too.
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    await bot.onboard(admin, language="en")
    await admin.send("/poster")
    await admin.wait_for("Check-in posters")
    await admin.press("More ›")
    await bot.emu.wait_idle()
    await admin.send("/roster")
    desk = await admin.wait_for("Shifts of your projects", timeout=15)
    assert 1 <= len(desk.buttons) <= 20
    for message in hu.inbox + admin.inbox:
        assert len(message.plain) <= 4096 and len(message.buttons) <= 100
    assert bot.emu.error_log == []


async def _roster_line(bot, organiser, name: str) -> str:
    await organiser.send("/roster")
    await organiser.press("Tue 11-24 06:00")
    roster = await organiser.wait_for("Roster")
    return next(line for line in roster.plain.split("\n") if re.match(rf"^(✅|❌|⚠️|👍|•) {name}\b", line))


@pytest.mark.slow
async def test_expired_code_or_7km_away_credits_nothing_and_shows_unverified(bot) -> None:
    await load_projects(bot)
    organiser = await claire(bot, 1811)
    far, late = bot.emu.user(1812, "Far", language_code="en"), bot.emu.user(1813, "Late", language_code="en")
    for person in (far, late):
        await bot.onboard(person, language="en")
        await sign_up_tuesday(bot, person)
    shift = await shift_at(bot, TUE_0600)

    bot.clock.set(TUE_0600 - timedelta(minutes=20))  # the organiser shows the code of 05:40
    await organiser.send("/roster")
    await organiser.press("Tue 11-24 06:00")
    await organiser.wait_for("Roster")
    await organiser.press("🔑 Check-in code")
    screen = await organiser.wait_for(
        lambda m: m.kind == "photo" and "Check-in code" in (m.caption or m.plain)
    )
    old_code = re.search(r"\b\d{6}\b", screen.plain).group(0)

    bot.clock.set(TUE_0600 - timedelta(minutes=5))
    await far.send("/myshifts")
    await far.share_location(31.2800, 121.4200)  # Zhabei, 7 km from the hospital desk
    answer = await far.wait_for("unverified")
    assert re.search(r"7,\d{3} m from the place", answer.plain)
    await late.send(old_code)  # 15 minutes old: expired
    await late.wait_for("it may have expired")
    assert (await bot.services.volunteer.hours.hours(far.id)).total == 0
    line = await _roster_line(bot, organiser, "Far")
    assert (
        line.startswith("⚠️ Far")
        and "location" in line
        and re.search(r"📍 7,\d{3} m", line)
        and "unverified" in line
    )
    assert "unverified" in await _roster_line(bot, organiser, "Late")

    # A valid code (the one shown now) or a location within 300 m credits the hour.
    async with bot.services.db.read() as conn:
        secret = (await shifts_repo.shift(conn, shift.id)).checkin_secret
    await late.send(proofs.rotating_code(secret, bot.clock.now()))
    await late.wait_for("Code confirmed")
    await far.share_location(31.2167, 121.4437)
    await far.wait_for("Location confirmed")
    bot.clock.set(TUE_0600 + timedelta(hours=2))
    for person in (far, late):
        assert (await bot.services.volunteer.hours.hours(person.id)).total == 1.0
    assert (await _roster_line(bot, organiser, "Late")).startswith("✅ Late")
    assert bot.emu.error_log == []


@pytest.mark.slow
async def test_reminders_follow_the_language_and_the_room(bot) -> None:
    await load_projects(bot)
    organiser = await claire(bot, 1821)
    hu = bot.emu.user(1822, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    await hu.send("/language")
    await hu.press("Français")
    await bot.emu.wait_idle()

    await organiser.send("/roster")
    await organiser.press("Tue 11-24 06:00")
    await organiser.wait_for("Roster")
    await organiser.press("📍 Change place")
    prompt = await organiser.wait_for("Where does this shift take place now?")
    await organiser.send("Hall B, 2nd floor", reply_to=prompt)
    await organiser.wait_for("1 person is being told")
    notice = await hu.wait_for("change de lieu")  # told at once, in French
    assert "Hall B, 2nd floor" in notice.plain

    bot.clock.set(MON_2000)
    await bot.tick()
    await bot.flush()
    reminder = await hu.wait_for("Rappel")
    assert "Hall B, 2nd floor" in reminder.plain and "nouveau lieu" in reminder.plain
    assert reminder.buttons == ["Je viens", "Je ne peux pas venir", "Pointer"]


@pytest.mark.slow
async def test_cant_come_on_the_evening_reminder_is_not_late(bot) -> None:
    await load_projects(bot)
    hu = bot.emu.user(1831, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    bot.clock.set(MON_2000)  # 10 hours before 06:00: after the 12-hour cut-off
    await bot.tick()
    await bot.flush()
    await hu.wait_for("you volunteer tomorrow", since=0)
    await hu.press("I can't come")
    left = await hu.wait_for("You've left this shift")
    assert "late cancellation" not in left.plain.replace("not counted as a late cancellation", "")
    async with bot.services.db.read() as conn:
        signup = await shifts_repo.signup(conn, (await shift_at(bot, TUE_0600)).id, hu.id)
    assert signup.status == "cancelled" and not signup.late_cancel


@pytest.mark.slow
async def test_the_cutoff_text_is_the_configured_one(bot_factory) -> None:
    bot = await bot_factory(BOT_VOL_CUTOFF="18h")
    await load_projects(bot)
    hu = bot.emu.user(1835, "Hu", language_code="fr")
    await bot.onboard(hu, language="fr")
    await hu.send("/volunteer")
    await hu.wait_for("Bénévolat avec la station")
    await hu.press("mar. 11-24 06:00 · ")
    await hu.wait_for("Vous êtes inscrit(e)")
    await hu.send("/myshifts")
    # Babel writes French durations with a no-break space ("18\u00a0heures").
    mine = await hu.wait_for(lambda m: "jusqu'à 18 heures avant le début" in m.plain.replace("\u00a0", " "))
    assert "12" not in mine.plain.split("avant le début")[0][-20:]


@pytest.mark.slow
async def test_lapsed_offer_is_told_and_overlapping_holders_are_skipped(bot) -> None:
    await load_projects(bot)
    shift = await shift_at(bot, TUE_0600)
    services = bot.services
    for uid in range(1840, 1848):
        await services.users.seen(uid, f"V{uid}", None, "en")
        await services.volunteer.signups.sign_up(uid, shift.id)
    busy, slow, next_ = (
        bot.emu.user(uid, n, language_code="en")
        for uid, n in ((1851, "Busy"), (1852, "Slow"), (1853, "Next"))
    )
    for person in (busy, slow, next_):
        await services.users.seen(person.id, person.first_name, None, "en")
        await services.users.set_language(person.id, "en")
        assert (await services.volunteer.signups.sign_up(person.id, shift.id)).status == "waitlisted"
    # Busy takes another shift at the same time (an overlapping one-off of another project).
    async with services.db.tx() as conn:
        other = await shifts_repo.project_by_key(conn, "smartphone-elderly")
        other_id = await shifts_repo.insert_shift(
            conn, other.id, None, TUE_0600, TUE_0600 + timedelta(hours=1), 3, bot.clock.now()
        )
    await services.volunteer.signups.sign_up(busy.id, other_id)

    await services.volunteer.signups.cancel(1840, shift.id)
    await bot.flush()
    await slow.wait_for("A place is free for you")  # Busy, first in line, was skipped
    assert not any("A place is free" in m.plain for m in busy.inbox)
    await next_.wait_for("you're now number 2")  # told their place in the line changed
    await bot.advance(hours=2)  # Slow lets the offer lapse
    lapsed = await slow.wait_for("has gone to the next person")
    assert "Join the waitlist again" in lapsed.buttons
    await next_.wait_for("A place is free for you")


@pytest.mark.slow
async def test_certificate_renders_chinese_without_fonts_and_its_serial_verifies(bot, tmp_path) -> None:
    import asyncio
    import functools
    import shutil
    import subprocess

    from PIL import Image

    await load_projects(bot)
    li = bot.emu.user(1861, "李静", language_code="zh")
    await bot.onboard(li, language="zh", name="李静")
    await li.send("/volunteer")
    await li.wait_for("和服务站一起做志愿者")
    await li.press("周二 11-24 06:00 · ")
    await li.wait_for("报名成功")
    bot.clock.set(TUE_0600)
    await li.share_location(31.2167, 121.4437)
    await li.wait_for("位置已确认")
    bot.clock.set(TUE_0600 + timedelta(hours=3))
    await li.send("/myhours")
    hours = await li.wait_for("您的志愿服务时长")
    assert "合计：1小时 · 1个班次" in hours.plain and ":" not in hours.plain.replace("：", "")
    await li.press("📄 发送我的证明")
    picture = await li.wait_for(lambda m: m.kind == "photo")
    pdf = await li.wait_for(lambda m: m.kind == "document" and (m.filename or "").endswith(".pdf"))
    serial = re.search(r"JA26-[A-Z0-9]{4}-[A-Z0-9]{4}", pdf.caption or pdf.plain).group(0)
    assert picture.photo or picture.kind == "photo"

    stranger = bot.emu.user(1862, "Stranger", language_code="en")
    await stranger.send(f"/start cert-{serial}")
    verified = await stranger.wait_for(f"Certificate {serial} is genuine")
    assert "李静" in verified.plain and "1 hour of volunteer service" in verified.plain
    await stranger.send("/verify JA26-0000-0000")
    await stranger.wait_for("is not a certificate serial number")

    if shutil.which("pdftoppm") is None or shutil.which("pdffonts") is None:
        pytest.skip("poppler-utils (pdftoppm, pdffonts) is not installed: `make browser` installs it")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf.document)
    run = functools.partial(asyncio.to_thread, subprocess.run, check=True)
    fonts = (await run(["pdffonts", str(path)], capture_output=True, text=True)).stdout
    assert "WenQuanYiMicroHei" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])
    # No font on the search path at all: only what the PDF embeds can draw its text.
    empty = tmp_path / "fonts.conf"
    empty.write_text(
        '<?xml version="1.0"?><fontconfig><dir>' + str(tmp_path / "none") + "</dir></fontconfig>"
    )
    env = {"FONTCONFIG_FILE": str(empty), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    await run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(path), str(tmp_path / "page")], env=env)
    page = Image.open(tmp_path / "page.png").convert("L")
    width, height = page.size
    title = page.crop((width // 4, int(height * 0.12), 3 * width // 4, int(height * 0.22)))
    ink = sum(title.histogram()[:200])  # pixels darker than the paper
    assert ink > 200, "the Chinese title drew nothing: the font is not embedded"


def test_plurals_and_numbers_in_three_languages() -> None:
    from zoneinfo import ZoneInfo

    from bot.render import Renderer
    from bot.services.volunteer.hours import Hours

    renderer = Renderer(ZoneInfo("Asia/Shanghai"))

    def text(lang: str, total: float, shifts: int) -> str:
        hours = Hours(
            total, total, shifts, 0, [("X", total)], "Hu", 2026, [(2025, 30.0)], all_projects=[("X", total)]
        )
        return renderer.render(lang, "volunteer/hours.html", hours=hours)

    # The yearly summary: this year per project, then earlier years.
    assert "This year (2026): 2 hours</b>\n• X: 2 hours\n2025: 30 hours" in text("en", 2, 2)
    assert "今年（2026年）：2小时</b>\n• X：2小时\n2025年：30小时" in text("zh", 2, 2)

    assert "1 hour · 1 shift" in text("en", 1, 1) and "2 hours · 2 shifts" in text("en", 2, 2)
    assert "1 heure · 1 créneau" in text("fr", 1, 1) and "2 heures · 2 créneaux" in text("fr", 2, 2)
    assert "1,5 heures" in text("fr", 1.5, 2) and "1.5 hours" in text("en", 1.5, 2)
    assert "1小时 · 1个班次" in text("zh", 1, 1) and "h" not in text("zh", 1, 1).replace("hours", "")


@pytest.mark.slow
async def test_mydata_reads_as_titles_and_dates_in_my_language(bot) -> None:
    import json

    await load_projects(bot)
    li = bot.emu.user(1871, "李静", language_code="zh")
    await bot.onboard(li, language="zh", name="李静")
    await li.send("/volunteer")
    await li.wait_for("和服务站一起做志愿者")
    await li.press("周二 11-24 06:00 · ")
    await li.wait_for("报名成功")
    await li.send("/mydata")
    summary = await li.wait_for("志愿服务")
    assert "华山医院门诊导医" in summary.plain and "报名过1个班次" in summary.plain
    assert "vol_signups" not in summary.plain and "shift_id" not in summary.plain
    document = await li.wait_for(lambda m: m.kind == "document")
    data = json.loads(document.document)
    (shift,) = data["sections"]["volunteering"]["shifts"]
    assert shift["project"] == "华山医院门诊导医（上班前一小时）"
    assert (shift["date"], shift["start"], shift["status"]) == ("2026-11-24", "06:00", "confirmed")


@pytest.mark.slow
async def test_a_liaison_adopts_a_project_by_buttons_sees_who_joined_and_is_told_before_release(bot) -> None:
    from bot.storage import enterprises as enterprises_repo
    from bot.storage.db import ts

    await load_projects(bot)
    liaison = bot.emu.user(1881, "Wang Shan", language_code="en")
    colleague = bot.emu.user(1882, "Zhao", language_code="en")
    for person in (liaison, colleague):
        await bot.onboard(person, language="en")
    async with bot.services.db.tx() as conn:
        eid = await enterprises_repo.insert(
            conn, key="eisai", name="卫材", building_id=None, now=ts(bot.clock.now())
        )
        await enterprises_repo.set_liaison(conn, eid, liaison.id, ts(bot.clock.now()))

    await liaison.send("/claim")  # no shift number anywhere: buttons only
    await liaison.wait_for("Places for your company's team")
    await liaison.press("Hospital guides")
    await liaison.press("Huashan Hospital outpatient guide (one hour before work)")
    await liaison.wait_for("adopt the whole project")
    await liaison.press("🤝 Adopt the whole project (4 weeks)")
    await liaison.press("3")
    claimed = await liaison.wait_for("Your team adopts")
    link = re.search(r"https://t\.me/\S+\?start=vt-(\w+)", claimed.plain)
    assert link is not None
    (share,) = [b["url"] for row in claimed.reply_markup["inline_keyboard"] for b in row if "url" in b]
    assert share.startswith("https://t.me/share/url?url=") and link.group(1) in share
    code = link.group(1)

    await colleague.send(f"/start vt-{code}")
    await colleague.wait_for("Join your team")
    await colleague.press("Tue 11-24 06:00")
    await colleague.wait_for("You're signed up")

    await liaison.send("/myteams")
    await liaison.wait_for("Your team claims")
    await liaison.press("Huashan Hospital")
    mine = await liaison.wait_for(lambda m: "1 of 3 joined: Zhao" in m.plain)
    assert "0 of 3 joined" in mine.plain

    # Places nobody took go back to everyone 24 h before each shift (BOT_VOL_TEAM_RELEASE); the
    # liaison hears 24 h before that (BOT_VOL_TEAM_WARNING): Tuesday 1 December's on Sunday 06:00.
    bot.clock.set(datetime(2026, 11, 28, 21, 59, tzinfo=UTC))  # Sunday 05:59
    await bot.tick()
    await bot.flush()
    assert not any(
        "Dec 2026" in m.plain and "still free" in m.plain and "1 Dec" in m.plain for m in liaison.inbox
    )
    await bot.advance(minutes=2)
    warning = await liaison.wait_for(
        lambda m: "3 places held for your team are still free" in m.plain and "1 Dec 2026" in m.plain
    )
    assert "/myteams" in warning.plain


@pytest.mark.slow
async def test_every_tuesday_in_one_step_and_cancelled_in_one_step(bot) -> None:
    await load_projects(bot)
    hu = bot.emu.user(1891, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    await hu.press("🔁 Every Tuesday 06:00: next 4")
    series = await hu.wait_for("Series: 4 shifts are yours")
    assert series.plain.count("✅") == 4 and "1 Dec 2026" in series.plain and "15 Dec 2026" in series.plain
    before = [m for m in hu.inbox if "Reminder" in m.plain]
    await hu.press("Cancel the whole series")
    await hu.wait_for("Series cancelled: you left 4 shifts")
    async with bot.services.db.read() as conn:
        mine = await shifts_repo.of_user(conn, hu.id, ("confirmed",), after=bot.clock.now())
    assert mine == []  # the first Tuesday, held before the series, is one of its dates: it went too
    bot.clock.set(MON_2000)
    await bot.tick()
    await bot.flush()
    assert [m for m in hu.inbox if "Reminder" in m.plain] == before


@pytest.mark.slow
async def test_a_capacity_cut_asks_the_organiser_who_stays_and_tells_the_others(bot) -> None:
    await load_projects(bot)
    organiser = await claire(bot, 1901)
    people = [bot.emu.user(1910 + i, f"P{i}", language_code="en") for i in range(3)]
    shift = await shift_at(bot, TUE_0600)
    for person in people:
        await bot.services.users.seen(person.id, person.first_name, None, "en")
        await bot.services.users.set_language(person.id, "en")
        await bot.services.volunteer.signups.sign_up(person.id, shift.id)
    # The room is smaller: an import cuts the desk to 2 places (it silently kept 3 before).
    text = (await _projects_text()).replace("capacity: 8\n", "capacity: 2\n")
    result = await bot.services.volunteer.imports.import_projects(text)
    assert result.cuts_asked == 1  # the command line says so too
    await bot.flush()
    ask = await organiser.wait_for("who stays?")
    assert "✅ P0" in ask.buttons and "✅ P1" in ask.buttons and "▫️ P2" in ask.buttons
    await organiser.press("✅ P1")
    await organiser.press("▫️ P2")
    await organiser.press("Done: tell the others")
    await organiser.wait_for("1 people were told")
    sorry = await people[1].wait_for("yours could not be kept")
    assert "Other dates of this project still have places" in sorry.plain and any(
        "Sign me up" in b for b in sorry.buttons
    )
    assert not any("could not be kept" in m.plain for m in people[0].inbox + people[2].inbox)


async def _projects_text() -> str:
    from tests.e2e.test_volunteer import PROJECTS

    return PROJECTS.read_text(encoding="utf-8")


@pytest.mark.slow
async def test_moving_the_time_reschedules_reminders_and_tells_people(bot) -> None:
    await load_projects(bot)
    organiser = await claire(bot, 1921)
    hu = bot.emu.user(1922, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    await organiser.send("/roster")
    await organiser.press("Tue 11-24 06:00")
    await organiser.press("🕒 Change time")
    prompt = await organiser.wait_for("When does this shift take place now")
    await organiser.send("07:30", reply_to=prompt)
    await organiser.wait_for("1 person is being told")
    moved = await hu.wait_for("has a new time")
    assert "07:30" in moved.plain and "It was" in moved.plain and "06:00" in moved.plain
    bot.clock.set(datetime(2026, 11, 23, 22, 29, tzinfo=UTC))  # 06:29: the old 05:00 reminder time is past
    await bot.tick()
    await bot.flush()
    assert not any("starts soon" in m.plain for m in hu.inbox)
    await bot.advance(minutes=1)  # 06:30, an hour before 07:30
    soon = await hu.wait_for("starts soon")
    assert "07:30" in soon.plain


def test_french_project_buttons_are_cut_between_words() -> None:
    from bot.domain.finder import shorten

    title = "Accueil aux consultations de l'hôpital Huashan (une heure avant le travail)"
    label = shorten(title, 30)
    assert label.endswith("…") and len(label) <= 30
    assert title.startswith(label[:-1]) and title[len(label) - 1] in " ("  # ends where a word ends
    assert shorten("华山医院门诊导医（上班前一小时）", 8) == "华山医院门诊导…"


@pytest.mark.slow
async def test_the_organiser_confirms_an_unverified_check_in_and_corrects_the_hours(bot) -> None:
    await load_projects(bot)
    organiser = await claire(bot, 1931)
    hu = bot.emu.user(1932, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    bot.clock.set(TUE_0600 - timedelta(minutes=5))
    await hu.send("/myshifts")  # the reminder's Check in button (its data), pressed on any message
    await hu.wait_for("Your upcoming volunteer shifts")
    await hu.press_data(f"1|vol|in|{(await shift_at(bot, TUE_0600)).id}", message=hu.last)
    await hu.wait_for("Show you're there with one of these")
    await hu.press("Check in without proof")
    await hu.wait_for("recorded as unverified")
    assert (await bot.services.volunteer.hours.hours(hu.id)).total == 0
    bot.clock.set(TUE_0600 + timedelta(minutes=30))
    line = await _roster_line(bot, organiser, "Hu")
    assert "no proof" in line and "unverified" in line
    await organiser.press("Confirm: Hu")
    await organiser.wait_for(lambda m: "✅ Hu" in m.plain)
    assert (await bot.services.volunteer.hours.hours(hu.id)).total == 1.0
    await organiser.press("⏱")
    await organiser.press("1.5 h")
    await organiser.wait_for("1.5 hours credited")
    await hu.send("/myhours")
    assert "Total: 1.5 hours · 1 shift" in (await hu.wait_for("Your volunteer hours")).plain


@pytest.mark.slow
async def test_no_reminder_after_forgetme(bot) -> None:
    await load_projects(bot)
    hu = bot.emu.user(1941, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    await bot.services.privacy.forget(hu.id)
    bot.clock.set(MON_2000)
    await bot.tick()
    await bot.flush()
    assert not any("Reminder" in m.plain for m in hu.inbox)

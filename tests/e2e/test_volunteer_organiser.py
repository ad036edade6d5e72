"""Organisers through the emulator: roster and attendance, a message to everyone on a shift,
cancelling a shift (people told, reminders withdrawn), posters and the month's CSV; and what a
volunteer without the role gets when pressing a forged organiser button."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from bot.certificates import certificate_pdf
from bot.services.volunteer.hours import Hours
from bot.storage import roles as roles_repo
from bot.storage import shifts as shifts_repo
from tests.e2e.test_volunteer import TUE_0600, load_projects, reminders, shift_at, sign_up_tuesday


async def make_organiser(bot, person, scope: str = "hospital-guide") -> None:
    async with bot.services.db.tx() as conn:
        await roles_repo.grant(conn, person.id, "organiser", bot.clock.now(), scope=scope)


@pytest.mark.slow
async def test_organiser_roster_attendance_message_and_cancellation(bot) -> None:
    await load_projects(bot)
    organiser = bot.emu.user(1501, "Claire", language_code="fr")
    await bot.onboard(organiser, language="fr")
    await make_organiser(bot, organiser)
    hu = bot.emu.user(1502, "Hu", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)

    await organiser.send("/roster")
    await organiser.wait_for("Créneaux de vos projets")
    await organiser.press("mar. 11-24 06:00")
    roster = await organiser.wait_for("Liste")
    assert "Hu" in roster.plain and "1 places prises sur 8" in roster.plain
    # Marking before the shift is refused, clearly.
    await organiser.press("Présent : Hu")
    await organiser.wait_for("dès 15 minutes avant le début")

    shift = await shift_at(bot, TUE_0600)
    await organiser.press("✉️ Écrire à tous les inscrits")  # no shift number to find anywhere
    prompt = await organiser.wait_for("Votre message à tous les inscrits")
    await organiser.send("Le comptoir est au hall B <b>demain</b>", reply_to=prompt)
    await organiser.wait_for("1 bénévoles")
    note = await hu.wait_for("Message from the organiser")
    assert "<b>demain</b>" in note.plain  # the organiser's text arrives literally

    # A volunteer pressing a forged organiser button is refused and nothing changes.
    answer = await hu.press_data(f"1|vol|xy|{shift.id}", message=hu.last)
    assert answer is not None and answer.show_alert and "organis" in (answer.text or "").lower()
    assert (await shift_at(bot, TUE_0600)).status == "open"

    await organiser.send("/roster")
    await organiser.press("mar. 11-24 06:00")
    await organiser.wait_for("Liste")
    await organiser.press("Annuler ce créneau")
    await organiser.press("Oui, l'annuler et prévenir tout le monde")
    await organiser.wait_for("Le créneau est annulé")
    await hu.wait_for("This volunteer shift is cancelled")
    bot.clock.set(datetime(2026, 11, 23, 21, 30, tzinfo=UTC))  # past both reminder times
    await bot.tick()
    await bot.flush()
    assert reminders(hu) == []
    async with bot.services.db.read() as conn:
        entries = await roles_repo.audit_entries(conn)
    assert {"vol.message", "vol.cancel_shift"} <= {e.action for e in entries}


@pytest.mark.slow
async def test_marking_present_credits_hours_and_the_month_exports(bot) -> None:
    await load_projects(bot)
    organiser = bot.emu.user(1601, "Claire", language_code="en")
    await bot.onboard(organiser, language="en")
    await make_organiser(bot, organiser)
    hu = bot.emu.user(1602, "Hu Jun", language_code="en")
    await bot.onboard(hu, language="en")
    await sign_up_tuesday(bot, hu)
    bot.clock.set(TUE_0600 + timedelta(minutes=30))
    await organiser.send("/roster")
    await organiser.press("Tue 11-24 06:00")
    await organiser.wait_for("Roster")
    await organiser.press("Present: Hu Jun")
    await organiser.wait_for(lambda m: "✅ Hu Jun" in m.plain)
    assert (await bot.services.volunteer.hours.hours(hu.id)).total == 1.0

    await organiser.send("/attendance 2026-11")
    export = await organiser.wait_for(lambda m: m.kind == "document")
    rows = list(csv.DictReader(io.StringIO(export.document.decode("utf-8-sig"))))
    assert rows == [
        {
            "volunteer_id": str(hu.id), "name": "Hu Jun", "project": "hospital-guide",
            "project_title": "华山医院门诊导医（上班前一小时）", "date": "2026-11-24", "start": "06:00",
            "end": "07:00", "hours": "1.0", "status": "attended",
        }
    ]  # fmt: skip
    await organiser.send("/attendance november")
    await organiser.wait_for("/attendance 2026-11")

    await organiser.send("/poster")
    await organiser.press("Huashan Hospital outpatient guide (one hour before work)")
    await organiser.press("Wed 11-25 06:00")
    poster = await organiser.wait_for(lambda m: m.kind == "document" and (m.filename or "").endswith(".pdf"))
    assert poster.document.startswith(b"%PDF-")
    assert b"start=in-" in poster.document  # the deep link is in the poster's metadata
    shift = await shift_at(bot, TUE_0600)
    async with bot.services.db.read() as conn:
        signup = await shifts_repo.signup(conn, shift.id, hu.id)
    assert signup.checkin_method == "organiser"


@pytest.mark.slow
async def test_non_organisers_are_refused_commands(bot) -> None:
    await load_projects(bot)
    li = bot.emu.user(1701, "Li", language_code="zh")
    await bot.onboard(li, language="zh")
    await li.send("/roster")
    await li.wait_for("只有志愿活动组织者")
    await li.send("/attendance 2026-11")
    await li.wait_for("只有志愿活动组织者")
    # Chinese everywhere: the volunteer list and the certificate.
    await li.send("/volunteer")
    await li.wait_for("和服务站一起做志愿者")


def test_certificate_in_chinese_is_a_pdf() -> None:
    from zoneinfo import ZoneInfo

    from bot.render import Renderer

    hours = Hours(
        total=12.5,
        this_year=3.0,
        shifts=12,
        no_shows=0,
        projects=[("华山医院门诊导医", 12.5)],
        name="胡军",
        all_projects=[("华山医院门诊导医", 12.5)],
    )
    pdf = certificate_pdf(
        hours,
        "zh",
        Renderer(ZoneInfo("Asia/Shanghai")),
        datetime(2026, 11, 23).date(),
        "JA26-ABCD-EFGH",
        "https://t.me/x",
    )
    assert pdf.startswith(b"%PDF-") and b"WenQuanYiMicroHei" in pdf and b"STSong-Light" not in pdf

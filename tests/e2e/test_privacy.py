"""Privacy end to end: the notice, /mydata, /forgetme over the whole database, the phone number."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.services.requests.intake import Draft
from bot.storage import shifts as shifts_repo
from bot.storage import users as users_repo

PROJECTS = Path(__file__).resolve().parents[2] / "bot" / "data" / "projects.yaml"
TUE_0600 = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # Tuesday 06:00 in Shanghai

NAME, OTHER = "Zhenya Quokkaname", "Olga Otherperson"
TEXT, OTHER_TEXT = "PRIVATE-TEXT-4711 the air conditioning drips", "OTHER-TEXT-9932 lost badge"
PHONE = "+8613800138000"


async def file_request(bot, person, text: str) -> None:
    """A request filed through the requests service, as the intake would."""
    await bot.services.requests.intake.submit(person.id, Draft(category="other", description=text))


async def sign_up_for_shift(bot, person) -> None:
    """A place on Tuesday's 06:00 hospital desk, through the volunteer service."""
    await bot.services.volunteer.imports.import_projects(PROJECTS.read_text(encoding="utf-8"))
    async with bot.services.db.read() as conn:
        project = await shifts_repo.project_by_key(conn, "hospital-guide")
        shift = await shifts_repo.shift_at(conn, project.id, TUE_0600)
    assert shift is not None
    await bot.services.volunteer.signups.sign_up(person.id, shift.id)


async def mydata(person) -> dict:
    person.mark()
    await person.send("/mydata")
    message = await person.wait_for(lambda m: m.kind == "document")
    assert message.filename == "my-data.json"
    return json.loads(message.document.decode("utf-8"))


@pytest.mark.slow
async def test_mydata_has_my_requests_and_shifts_and_nothing_of_others(bot) -> None:
    me = bot.emu.user(601, "Zhenya", language_code="en")
    other = bot.emu.user(602, "Olga", language_code="en")
    await bot.onboard(me, language="en", name=NAME)
    assert any("/privacy" in m.plain for m in me.inbox)  # the notice at onboarding
    await bot.onboard(other, language="en", name=OTHER)
    await file_request(bot, me, TEXT)
    await file_request(bot, other, OTHER_TEXT)
    await sign_up_for_shift(bot, me)
    await sign_up_for_shift(bot, other)
    await bot.flush()

    data = await mydata(me)
    document = json.dumps(data, ensure_ascii=False)
    assert NAME in document and TEXT in document
    assert OTHER not in document and OTHER_TEXT not in document and str(other.id) not in document
    assert data["user_id"] == me.id
    assert [r["requester_id"] for r in data["tables"]["requests"]] == [me.id]
    shifts = data["tables"].get("vol_signups")
    assert shifts, (
        "volunteer shifts are missing from /mydata: register vol_signups in storage/personal_data.py"
    )
    assert [r["user_id"] for r in shifts] == [me.id]


async def every_text_cell(bot) -> list[tuple[str, str, str]]:
    """(table, column, value) for every non-empty text value in the whole database."""
    cells = []
    async with bot.services.db.read() as conn:
        cur = await conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        for (table,) in await cur.fetchall():
            cur = await conn.execute(f'SELECT * FROM "{table}"')
            for row in await cur.fetchall():
                for column in row.keys():
                    value = row[column]
                    if isinstance(value, str | bytes) and value:
                        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
                        cells.append((table, column, text))
    return cells


async def row_counts(bot) -> dict[str, int]:
    counts = {}
    async with bot.services.db.read() as conn:
        cur = await conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        for (table,) in await cur.fetchall():
            cur = await conn.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = (await cur.fetchone())[0]
    return counts


@pytest.mark.slow
async def test_forgetme_erases_my_name_and_texts_from_every_table(bot) -> None:
    me = bot.emu.user(611, "Zhenya", language_code="en", username="zhenya_q")
    other = bot.emu.user(612, "Olga", language_code="en")
    await bot.onboard(me, language="en", name=NAME)
    await bot.onboard(other, language="en", name=OTHER)
    await me.share_contact(PHONE)
    await me.wait_for("phone number is saved")
    await file_request(bot, me, TEXT)
    await file_request(bot, other, OTHER_TEXT)
    await sign_up_for_shift(bot, me)
    await bot.flush()
    needles = (NAME, TEXT, PHONE, "zhenya_q", TEXT[:24])
    assert any(n in v for _, _, v in await every_text_cell(bot) for n in needles)
    counts = await row_counts(bot)
    span = (bot.clock.now() - timedelta(days=30), bot.clock.now() + timedelta(days=1))
    stats = await bot.services.requests.figures.between(*span)  # what /stats shows

    await me.send("/forgetme")
    await me.wait_for("Erase your personal data?")
    await me.press("No, keep my data")
    await me.wait_for("Nothing was erased")
    await me.send("/forgetme")
    await me.wait_for("Erase your personal data?")
    await me.press("Yes, erase my data")
    await me.wait_for("has been erased")
    await bot.flush()

    leftovers = [(t, c) for t, c, v in await every_text_cell(bot) for n in needles if n in v]
    assert leftovers == [], f"still stored after /forgetme: {leftovers}"
    # The other person's data is untouched, and nothing was deleted: counts stay right.
    cells = await every_text_cell(bot)
    assert any(OTHER in v for _, _, v in cells) and any(OTHER_TEXT in v for _, _, v in cells)
    after = await row_counts(bot)
    assert {t: n for t, n in after.items() if t not in ("outbox", "audit_log", "privacy_erasures")} == {
        t: n for t, n in counts.items() if t not in ("outbox", "audit_log", "privacy_erasures")
    }
    assert await bot.services.requests.figures.between(*span) == stats

    # Coming back later does not quietly store the name Telegram sends again.
    await me.send("/menu")
    await bot.emu.wait_idle()
    async with bot.services.db.read() as conn:
        user = await users_repo.get(conn, me.id)
    assert user is not None and user.forgotten_at is not None and user.phone is None
    assert "Zhenya" not in user.first_name


async def test_phone_is_only_stored_from_ones_own_contact_button(bot) -> None:
    me = bot.emu.user(621, "Mei", language_code="en")
    await bot.onboard(me, language="en")

    await me.send("+86 138 0013 8000")  # typed: never stored
    await bot.emu.wait_idle()
    await me.send("/privacy")
    await me.wait_for("No phone number is stored")
    await me.press("Share my phone number")
    ask = await me.wait_for("share your phone number")
    [keyboard_button] = ask.reply_markup["keyboard"][0]
    assert keyboard_button["request_contact"] is True

    # Someone else's contact card is refused.
    raw = me._base(me.id)
    raw["contact"] = {"phone_number": "+8613911112222", "first_name": "Boss", "user_id": 999}
    await me._emit(me.id, raw)
    await me.wait_for("Only your own phone number")
    async with bot.services.db.read() as conn:
        assert (await users_repo.get(conn, me.id)).phone is None

    await me.share_contact("86 138 0013 8000")
    await me.wait_for("phone number is saved")
    async with bot.services.db.read() as conn:
        assert (await users_repo.get(conn, me.id)).phone == "+8613800138000"

    await me.send("/privacy")
    await me.wait_for("Your phone number is stored")
    answer = await me.press("Remove my phone number")
    assert answer is not None and "removed" in (answer.text or "")
    async with bot.services.db.read() as conn:
        assert (await users_repo.get(conn, me.id)).phone is None


async def test_privacy_commands_never_answer_in_a_group(bot) -> None:
    me = bot.emu.user(631, "Mei", language_code="fr")
    group = bot.emu.group(-631, "Bureau", [me])
    await me.send("/mydata", chat=group)
    await group.wait_for("conversation privée")
    assert not any(m.kind == "document" for m in group.inbox)


@pytest.mark.parametrize(
    "language, title", [("zh", "您的数据与您的权利"), ("fr", "Vos données et vos droits")]
)
async def test_privacy_notice_in_each_language(bot, language: str, title: str) -> None:
    me = bot.emu.user(640, "Mei", language_code=language)
    await me.send("/privacy")
    notice = await me.wait_for(title)
    assert len(notice.buttons) == 3

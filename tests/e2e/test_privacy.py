"""Privacy end to end: the notice, /mydata, /forgetme over the whole database, the phone number."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.erasure import PLACEHOLDER
from bot.domain.phone_numbers import numbers_in
from bot.services.requests.intake import Draft
from bot.storage import roles as roles_repo
from bot.storage import shifts as shifts_repo
from bot.storage import users as users_repo
from tests.conftest import ADMIN_ID

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


async def me_and_other(bot, first_id: int, name: str, phone: str):
    """Me (with a Telegram @handle and a shared phone number) and another person, onboarded."""
    me = bot.emu.user(first_id, "Zhenya", language_code="en", username="zhenya_q")
    other = bot.emu.user(first_id + 1, "Olga", language_code="en")
    await bot.onboard(me, language="en", name=name)
    await bot.onboard(other, language="en", name=OTHER)
    await me.share_contact(phone)
    await me.wait_for("phone number is saved")
    return me, other


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
    me, other = await me_and_other(bot, 611, NAME, PHONE)
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


# ------------------------------------------------------------------ erasure, complete (issue 15)

STAFF_CHAT = -1001000000015
MY_NAME = "Zhenya O'Quokka-Name"
MY_PHONE = "+86 139 1234 5678"  # shared with the contact button; written differently elsewhere
MY_ID = "310101 19900101 123X"
MY_COMPANY = "Quokka & Sons"
MY_TEXT = (
    'Badge reader QDESC-4711 says "denied" since Monday;\n'
    f"it's the 12th floor, call me on 139 1234 5678 (ID {MY_ID}) — thanks!"
)
MY_SECOND = 'Lost-property QDESC-5822: my wallet with my "card" is at the lobby desk, it\'s brown'
MY_NUMBERS = {"13912345678", "31010119900101123X"}
EVERYDAY = "How do I open social insurance accounts for two new hires?"
# What must be nowhere afterwards (case-insensitive, and as UTF-8 bytes in the files).
MY_WORDS = (
    MY_NAME,
    "Zhenya",
    "zhenya_q",
    "O'Quokka",
    "O&#39;Quokka",
    "QDESC-4711",
    "QDESC-5822",
    MY_COMPANY,
    "Quokka &amp; Sons",
    "1234 5678",
    "1234-5678",
    "13912345678",
    "19900101",
    "it's brown",
)


async def staff_chat(bot):
    staff = bot.emu.user(661, "Wang", language_code="zh")
    await bot.make_staff(staff, tier=1)
    async with bot.services.db.tx() as conn:
        await roles_repo.bind_chat(conn, STAFF_CHAT, "Tier 1", 1, None, ADMIN_ID, bot.clock.now())
    return staff, bot.emu.group(STAFF_CHAT, "Tier 1", [staff])


async def file_request_with_photo(bot, me, text: str) -> None:
    """Through /request as a person would: a typed company, a description, an ID-card photo."""
    await me.send("/request")
    await me.press(await label_of(me, "Tax"))
    await me.wait_for(lambda m: "Not about a specific company" in m.buttons)
    await me.send(MY_COMPANY)
    await me.wait_for(lambda m: "2000" in m.plain)
    await me.send(text)
    await me.wait_for(lambda m: "Skip" in m.buttons)
    await me.send_photo(b"\x89PNG\r\n\x1a\n" + b"ID-CARD" * 16, caption="my ID card")
    await me.press(await label_of(me, "✅ Send"))
    await me.wait_for("JA-2026-")


async def label_of(person, label: str) -> str:
    await person.wait_for(lambda m: label in m.buttons)
    return label


def found_in(text: str) -> list[str]:
    """Which of my values `text` still holds (numbers in any spacing)."""
    folded = text.casefold()
    return [w for w in MY_WORDS if w.casefold() in folded] + sorted(numbers_in(text) & MY_NUMBERS)


@pytest.mark.slow
async def test_forgetme_leaves_none_of_my_values_in_any_table_nor_in_the_database_files(bot) -> None:
    staff, group = await staff_chat(bot)
    me, other = await me_and_other(bot, 651, MY_NAME, MY_PHONE)
    await file_request_with_photo(bot, me, MY_TEXT)
    await file_request(bot, me, MY_SECOND)
    await file_request(bot, other, OTHER_TEXT)
    # The same everyday question from both of us: theirs is their own words, not a quote of mine.
    await file_request(bot, me, EVERYDAY)
    await file_request(bot, other, EVERYDAY)
    await bot.flush()
    mine, second, others = 1, 2, 3
    desk = bot.services.requests.staff
    # Staff notes quoting me: on my request, a long one (cut in the card's history), and on
    # someone else's request (which stays, without me).
    await desk.note(
        staff.id,
        mine,
        f'Called {MY_NAME} on 139-1234-5678; she says "it\'s the reader", '
        "not the card. Facilities will replace the reader on the 12th floor this week, "
        "after the holiday, and she will be told by phone.",
    )
    await desk.resolve(staff.id, second, f"Wallet returned to {MY_NAME} (+86 139 1234 5678)")
    await desk.note(staff.id, others, f"Same reader as {MY_NAME}'s, phone 13912345678")
    await bot.flush()
    await me.send(f"/guide {MY_NAME} 139 1234 5678")  # finds nothing: counted as a miss
    await bot.emu.wait_idle()
    card = await group.wait_for("QDESC-4711")
    assert found_in(card.text or "")  # the card did show me
    photo = next(m for m in group.inbox if m.kind == "photo")
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT attachment_ref FROM requests WHERE id = ?", (mine,))
        file_id = (await cur.fetchone())[0]
    assert file_id and any(file_id in v or found_in(v) for _, _, v in await every_text_cell(bot))

    # A bot that has run a while: what it stored is in the database file, not only in the log.
    assert await bot.services.db.checkpoint()

    await me.send("/forgetme")
    confirm = await me.wait_for("Erase your personal data?")
    await me.press("Yes, erase my data", message=confirm)
    await me.wait_for("has been erased")
    again = await me.press_data("1|prv|forget_yes", message=confirm)  # a double tap on "Yes, erase"
    assert again is not None and "has been erased" in (again.text or "")
    await bot.flush()

    # Every table: none of my values, in any escaping, spacing or cut.
    leftovers = [(t, c, found_in(v)) for t, c, v in await every_text_cell(bot) if found_in(v) or file_id in v]
    assert leftovers == [], f"still stored after /forgetme: {leftovers}"
    cells = await every_text_cell(bot)
    assert any(OTHER_TEXT in v for _, _, v in cells)  # the other person's request is intact
    assert any("Same reader as [erased]" in v for _, _, v in cells)  # but does not quote me
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT requester_id, description FROM requests WHERE id IN (4, 5)")
        assert sorted(tuple(r) for r in await cur.fetchall()) == [(me.id, PLACEHOLDER), (other.id, EVERYDAY)]
    # The database file and its write-ahead log hold none of my values either.
    path = bot.settings.db_path
    for file in (path, path.with_name(path.name + "-wal")):
        raw = file.read_bytes() if file.exists() else b""
        held = [w for w in (*MY_WORDS, "+8613912345678", file_id) if w.encode() in raw]
        assert held == [], f"{file.name} still holds {held}"
    # Staff screens: the cards are drawn again with "[erased]", the ID photo's caption says so.
    await bot.emu.wait_idle()
    for message in group.inbox:
        assert not found_in(message.text or ""), message.text
    final = next(m for m in group.inbox if m.message_id == card.message_id)
    assert PLACEHOLDER in final.plain and final.edited
    assert PLACEHOLDER in next(m for m in group.inbox if m.message_id == photo.message_id).plain
    # Counted once, however often the button was pressed.
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT SUM(people) FROM privacy_erasures")
        assert (await cur.fetchone())[0] == 1


@pytest.mark.slow
async def test_after_erasure_myhours_offers_no_certificate_to_erased(bot) -> None:
    me = bot.emu.user(671, "Hu", language_code="en")
    await bot.onboard(me, language="en", name="Hu Jun")
    await sign_up_for_shift(bot, me)
    async with bot.services.db.read() as conn:
        project = await shifts_repo.project_by_key(conn, "hospital-guide")
        shift = await shifts_repo.shift_at(conn, project.id, TUE_0600)
    bot.clock.set(TUE_0600 + timedelta(hours=2))
    async with bot.services.db.read() as conn:
        cur = await conn.execute(
            "SELECT id FROM vol_signups WHERE user_id = ? AND shift_id = ?", (me.id, shift.id)
        )
        (signup_id,) = await cur.fetchone()
    await bot.services.volunteer.organisers.mark(ADMIN_ID, signup_id, True)  # the organiser: present
    await me.send("/myhours")
    before = await me.wait_for("Your volunteer hours")
    assert "📄 Send my certificate" in before.buttons

    await me.send("/forgetme")
    await me.press("Yes, erase my data")
    await me.wait_for("has been erased")
    me.mark()
    await me.send("/myhours")
    after = await me.wait_for("Your volunteer hours")
    assert "Total: 1 hour · 1 shift" in after.plain  # the hours still count
    assert after.buttons == [] and "Your name was erased" in after.plain
    me.mark()
    await me.press("📄 Send my certificate", message=before)  # the old button
    await me.wait_for("Your name was erased")
    assert not any(m.kind == "document" for m in me.inbox[-3:])

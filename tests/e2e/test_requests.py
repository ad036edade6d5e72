"""Service requests end to end: intake in each language, the staff card, claim/resolve/rate,
hostile descriptions, and refusals that change nothing.

Staff chats read the station's default language (zh), so staff button labels are looked up in
the zh catalog; requesters read their own language.
"""

from __future__ import annotations

import pytest

from bot.domain.text_safety import BIDI_CONTROLS
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import users as users_repo
from bot.storage.db import ts
from tests.conftest import ADMIN_ID
from tests.e2e.desk import prompt_after

BUILDING_LABEL = {"zh": "静安高和", "en": "JA Gohigh", "fr": "JA Gohigh"}
TABLES = ("requests", "request_events", "request_cards", "audit_log", "outbox", "roles", "staff_chats")


def t(bot, lang: str, message: str, **values) -> str:
    return bot.services.renderer.gettext(lang, message, **values)


async def tap(person, label: str, *, chat=None):
    """Wait for a message offering the button, then press it (as a person would)."""
    found = await person.wait_for(lambda m: any(label in b for b in m.buttons), chat=chat)
    return await person.press(label, chat=chat, message=found)


async def dump(bot) -> dict[str, list[tuple]]:
    """Every row of the tables a request touches (to prove a refusal changed nothing)."""
    result = {}
    async with bot.services.db.read() as conn:
        for table in TABLES:
            cur = await conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
            result[table] = [tuple(r) for r in await cur.fetchall()]
    return result


async def request_row(bot, reference: str) -> dict:
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT * FROM requests WHERE reference = ?", (reference,))
        row = await cur.fetchone()
    assert row is not None
    return dict(row)


async def staff_group(bot, *, tier: int = 1, chat_id: int = -1001000000001, staff_id: int = 601):
    """A tier's staff group, bound by an administrator with /bindchat, with one staff member."""
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="zh")
    staff = bot.emu.user(staff_id, "Wang", language_code="zh")
    await bot.make_staff(staff, tier=tier)
    group = bot.emu.group(chat_id, f"Tier {tier}", [admin, staff])
    await admin.send(f"/bindchat {tier}", chat=group)
    await group.wait_for(t(bot, "zh", "Only staff can press the buttons on the cards."))
    return group, staff


async def file_request(bot, worker, lang: str, description: str, *, company: str = "Acme & Co") -> str:
    """The worker walks through /request; returns the reference they are given."""
    await worker.send("/request")
    await tap(worker, t(bot, lang, "Tax"))
    await worker.wait_for(
        lambda m: bool(m.buttons) and t(bot, lang, "Not about a specific company") in m.buttons
    )
    await worker.send(company)
    await worker.wait_for(lambda m: "2000" in m.plain)
    await worker.send(description)
    await tap(worker, t(bot, lang, "Skip"))
    await tap(worker, t(bot, lang, "✅ Send"))
    sent = await worker.wait_for("JA-2026-")
    return next(word.strip(".。") for word in sent.plain.split() if word.startswith("JA-2026-"))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
async def test_request_in_each_language_claimed_resolved_and_rated(bot, lang: str) -> None:
    group, staff = await staff_group(bot)
    worker = bot.emu.user(501, "Li", language_code=lang)
    await bot.onboard(worker, language=lang, building=BUILDING_LABEL[lang])

    reference = await file_request(bot, worker, lang, "Need an invoice reprint for March")
    assert reference == "JA-2026-000001"
    await bot.flush()
    card = await group.wait_for(reference)
    assert "Need an invoice reprint for March" in card.plain and "Acme & Co" in card.plain
    assert "Li" in card.plain and "静安高和" in card.plain  # the staff chat reads zh

    worker.mark()
    await staff.press(t(bot, "zh", "✋ Claim"), chat=group)
    await bot.flush()
    await group.wait_for(lambda m: m.message_id == card.message_id and "Wang" in m.plain)
    claimed = await worker.wait_for(reference)
    assert "Wang" in claimed.plain

    prompt = await prompt_after(bot, staff, t(bot, "zh", "✅ Resolve"), group, card)
    await staff.send("Reprinted at the tax hall, ready for pickup", chat=group, reply_to=prompt)
    await group.wait_for(lambda m: m.edited and reference in m.plain and "✅" in m.plain)
    await bot.flush()
    notice = await worker.wait_for("Reprinted at the tax hall")
    assert "⭐⭐⭐⭐⭐" in notice.buttons and t(bot, lang, "❌ Not solved") in notice.buttons

    await worker.press("⭐⭐⭐⭐⭐", message=notice)
    await worker.wait_for(lambda m: t(bot, lang, "Skip") in m.buttons)
    await worker.send("Very quick, thank you")
    await worker.wait_for(t(bot, lang, "Thank you! Your feedback helps the station serve everyone better."))

    row = await request_row(bot, reference)
    assert (row["status"], row["rating"], row["rating_comment"]) == ("closed", 5, "Very quick, thank you")
    await bot.flush()
    final = next(m for m in group.inbox if m.message_id == card.message_id)
    assert "⭐⭐⭐⭐⭐" in final.plain and final.buttons == []

    await worker.send("/myrequests")
    listing = await worker.wait_for(reference)
    assert t(bot, lang, "Closed") in listing.plain


@pytest.mark.slow
async def test_hostile_long_description_reaches_staff_intact_and_too_long_is_retried(bot) -> None:
    group, _staff = await staff_group(bot)
    worker = bot.emu.user(502, "Mallory", language_code="en")
    await bot.onboard(worker, language="en")
    head = "<b>not bold</b> Tom & Jerry &amp; 🙂🚀 <script>x</script>\nline two\n"
    description = head + "字" * (2000 - len(head))
    assert len(description) == 2000

    await worker.send("/request")
    await tap(worker, "Tax")
    await tap(worker, "Not about a specific company")
    await worker.wait_for(lambda m: "2000" in m.plain)
    await worker.send(description + "x")  # 2,001 characters: refused, the draft kept
    await worker.wait_for("2001")
    await worker.send(description)
    await tap(worker, "Skip")
    confirm = await worker.wait_for(lambda m: "✅ Send" in m.buttons)
    assert description.strip() in confirm.plain
    await worker.press("✅ Send")
    sent = await worker.wait_for("JA-2026-")
    reference = next(w.strip(".") for w in sent.plain.split() if w.startswith("JA-2026-"))
    await bot.flush()
    card = await group.wait_for(reference)
    assert description.strip() in card.plain
    assert (await request_row(bot, reference))["description"] == description.strip()


@pytest.mark.slow
async def test_bidi_overrides_in_names_and_descriptions_never_reach_the_staff_card(bot) -> None:
    """A right-to-left override (U+202E) makes "Li \u202eiL gnahZ" read "Li Zhang Li" on a card:
    names and texts lose their bidirectional controls where they are typed, and anything stored
    before (here a staff member's Telegram name) loses them when a card is rendered."""
    group, _staff = await staff_group(bot)
    colleague = bot.emu.user(607, "Zh\u202eoa", language_code="zh")
    await bot.make_staff(colleague, tier=1)  # stored as Telegram sent it, controls included
    group.add(colleague)
    worker = bot.emu.user(506, "Eve\u202egnaW", language_code="en")
    await bot.onboard(worker, language="en", name="Li \u202eiL gnahZ\u202c Wei")
    reference = await file_request(
        bot, worker, "en", "Invoice \u2066\u202etoN\u2069 reprinted\u200f", company="Acme\u202e Co"
    )
    await bot.flush()
    card = await group.wait_for(reference)
    await colleague.press(t(bot, "zh", "✋ Claim"), chat=group, message=card)
    await bot.flush()
    claimed = await group.wait_for(lambda m: m.message_id == card.message_id and "Zhoa" in m.plain)

    for shown in (card, claimed):
        assert not set(BIDI_CONTROLS) & set(shown.text or ""), repr(shown.text)
    assert "Li iL gnahZ Wei" in card.plain and "Invoice toN reprinted" in card.plain
    assert "Acme Co" in card.plain
    row = await request_row(bot, reference)
    assert not set(BIDI_CONTROLS) & set(row["description"] + row["enterprise_name"])
    async with bot.services.db.read() as conn:
        user = await users_repo.get(conn, worker.id)
    assert user is not None and user.display_name == "Li iL gnahZ Wei" and user.first_name == "EvegnaW"


@pytest.mark.slow
async def test_forged_and_non_staff_presses_change_nothing(bot) -> None:
    group, staff = await staff_group(bot)
    outsider = bot.emu.user(777, "Nosy", language_code="en")  # in the staff group, but not staff
    other_building = bot.emu.user(778, "Elsewhere", language_code="en")
    group.add(outsider)
    group.add(other_building)
    async with bot.services.db.tx() as conn:
        park_place = await buildings_repo.by_code(conn, "PARKPL")
    await bot.make_staff(other_building, tier=1, building_id=park_place.id)
    worker = bot.emu.user(503, "Li", language_code="en")
    await bot.onboard(worker, language="en")
    reference = await file_request(bot, worker, "en", "Please help with social insurance")
    await bot.flush()
    card = await group.wait_for(reference)
    request_id = (await request_row(bot, reference))["id"]
    await bot.emu.wait_idle()
    before = await dump(bot)

    not_allowed = t(bot, "en", "Sorry, you are not allowed to do that.")
    # Staff of another building are told why, not that they are not staff (issue 15).
    elsewhere = t(bot, "en", "Sorry, this request belongs to another building's staff.")
    for label in (t(bot, "zh", "✋ Claim"), t(bot, "zh", "📝 Note"), t(bot, "zh", "⬆️ Escalate")):
        for person, refusal in ((outsider, not_allowed), (other_building, elsewhere)):
            answer = await person.press(label, chat=group, message=card)
            assert answer is not None and answer.show_alert and answer.text == refusal
    for data in (
        f"1|rq|claim|{request_id + 1000}",
        "1|rq|claim|abc",
        f"1|rq|drop|{request_id}",
        "garbage",
        "1|rq|res",
    ):
        answer = await staff.press_data(data, chat=group, message=card)
        assert answer is not None and answer.show_alert, data
    # Someone else's request: the rating button of another person is refused too.
    answer = await outsider.press_data(f"1|req|rate|{request_id}|5", chat=group, message=card)
    assert answer is not None and answer.show_alert and answer.text == not_allowed
    await bot.flush()
    await bot.emu.wait_idle()
    assert await dump(bot) == before

    # A real staff member of the building can still claim it: the card was never disabled.
    answer = await staff.press(t(bot, "zh", "✋ Claim"), chat=group, message=card)
    assert answer is not None and not answer.show_alert
    assert (await request_row(bot, reference))["claimed_by"] == staff.id


@pytest.mark.slow
async def test_need_info_pauses_the_clock_and_the_answer_is_threaded_back(bot_factory) -> None:
    bot = await bot_factory(BOT_SLA_CLOCK="wall", BOT_SLA_TIER1="60s")
    group, staff = await staff_group(bot)
    worker = bot.emu.user(504, "Li", language_code="fr")
    await bot.onboard(worker, language="fr")
    async with bot.services.db.tx() as conn:
        gohigh = await buildings_repo.by_code(conn, "GOHIGH")
        await enterprises_repo.insert(
            conn,
            key="E1",
            name="英桥集团",
            name_en="InterBridge",
            building_id=gohigh.id,
            now=ts(bot.clock.now()),
        )
    await worker.send("/request")
    await tap(worker, t(bot, "fr", "Tax"))
    await tap(worker, "InterBridge")  # the building's companies, named in the person's language
    await worker.wait_for(lambda m: "2000" in m.plain)
    await worker.send("Attestation fiscale")
    await tap(worker, t(bot, "fr", "Skip"))
    await tap(worker, t(bot, "fr", "✅ Send"))
    await worker.wait_for("JA-2026-")
    await bot.flush()
    card = await group.wait_for("英桥集团")  # the staff chat reads zh: the Chinese name

    prompt = await prompt_after(bot, staff, t(bot, "zh", "❓ Need info"), group, card)
    await staff.send("Which year?", chat=group, reply_to=prompt)
    await bot.flush()
    await worker.wait_for("Which year?")
    await bot.advance(seconds=600)  # ten minutes waiting for the requester: no escalation
    row = await request_row(bot, "JA-2026-000001")
    assert (row["tier"], row["status"]) == (1, "waiting")

    await worker.send("2025")
    await worker.wait_for("JA-2026-000001")
    await bot.flush()
    threaded = await group.wait_for(lambda m: "2025" in m.plain and m.message_id != card.message_id)
    assert "Li" in threaded.plain
    row = await request_row(bot, "JA-2026-000001")
    assert row["status"] == "new" and row["paused_at"] is None
    # The clock resumed with the time that was left (60 s minus the few seconds before the question).
    assert row["resolve_by"] > ts(bot.clock.now())


@pytest.mark.slow
async def test_another_features_button_opens_the_intake_with_the_category_chosen_and_a_photo(bot) -> None:
    group, _staff = await staff_group(bot)
    worker = bot.emu.user(505, "Li", language_code="en")
    await bot.onboard(worker, language="en")
    # The service guide's "Still need help" button carries pack("req", "new", <category>).
    await worker.press_data("1|req|new|talent")
    await tap(worker, "Not about a specific company")
    await worker.wait_for(lambda m: "2000" in m.plain)
    await worker.send("Residence permit renewal for a new hire")
    await worker.wait_for(lambda m: "Skip" in m.buttons)
    await worker.send_photo(b"\x89PNG\r\n\x1a\n" + b"0" * 64, caption="the refusal letter")
    confirm = await worker.wait_for(lambda m: "✅ Send" in m.buttons)
    assert "Talent and residence permits" in confirm.plain and "a photo" in confirm.plain
    await worker.press("✅ Send", message=confirm)
    sent = await worker.wait_for("JA-2026-")
    reference = next(w.strip(".") for w in sent.plain.split() if w.startswith("JA-2026-"))
    await bot.flush()
    await group.wait_for(reference)
    photo = await group.wait_for(lambda m: m.kind == "photo")
    assert reference in photo.plain
    # A forged category falls back to asking for one, rather than failing.
    await worker.press_data("1|req|new|<b>")
    await worker.wait_for("What is it about?")


@pytest.mark.slow
async def test_words_for_a_request_a_colleague_resolved_are_refused_once_and_end_the_prompt(bot) -> None:
    group, staff = await staff_group(bot)
    colleague = bot.emu.user(602, "Zhao", language_code="zh")
    await bot.make_staff(colleague, tier=1)
    group.add(colleague)
    worker = bot.emu.user(506, "Li", language_code="en")
    await bot.onboard(worker, language="en")
    reference = await file_request(bot, worker, "en", "Lost my e-tax login")
    await bot.flush()
    card = await group.wait_for(reference)

    mine = await prompt_after(bot, staff, t(bot, "zh", "✅ Resolve"), group, card)  # Wang is asked...
    theirs = await prompt_after(bot, colleague, t(bot, "zh", "✅ Resolve"), group, card)
    await colleague.send("Reset it by phone", chat=group, reply_to=theirs)  # ...but Zhao resolves it first
    await group.wait_for(lambda m: m.edited and "Reset it by phone" in m.plain)

    closed = t(bot, "zh", "%(reference)s is no longer open.", reference=reference)
    await staff.send("Reset it at the desk", chat=group, reply_to=mine)
    await group.wait_for(closed)
    await staff.send("Reset it at the desk", chat=group, reply_to=mine)  # the prompt is over: ignored
    await staff.send("Thank you, Zhao!", chat=group)  # ordinary chat
    await bot.flush()
    await bot.emu.wait_idle()
    assert sum(closed in m.plain for m in group.inbox) == 1
    assert (await request_row(bot, reference))["resolution"] == "Reset it by phone"

"""Helpers of the staff desk's end-to-end tests: a district of bound staff chats, requests filed
through the intake use case, and the reply prompts staff answer.

Staff chats read the station's default language (zh): labels are looked up in the zh catalog.
"""

from __future__ import annotations

import re
from datetime import date

from bot.services.requests.intake import Draft
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.db import ts
from tests.conftest import ADMIN_ID

TIER1_CHAT = -1001000000101  # JA Gohigh's building chat, tier 1
TIER2_CHAT = -1001000000102  # the station's platform chat, tier 2 (district-wide)


def t(bot, lang: str, message: str, **values) -> str:
    return bot.services.renderer.gettext(lang, message, **values)


def zh(bot, message: str, **values) -> str:
    """A staff chat's words (staff chats read BOT_DEFAULT_LANGUAGE, zh)."""
    return t(bot, "zh", message, **values)


async def building_id(bot, code: str) -> int:
    async with bot.services.db.read() as conn:
        building = await buildings_repo.by_code(conn, code)
    assert building is not None
    return building.id


async def bind(bot, chat_id: int, title: str, tier: int, building: str | None = None, members=()):
    """A staff group bound to a tier (and a building), with these members."""
    group = bot.emu.group(chat_id, title, list(members))
    building_ref = await building_id(bot, building) if building else None
    async with bot.services.db.tx() as conn:
        await roles_repo.bind_chat(conn, chat_id, title, tier, building_ref, ADMIN_ID, bot.clock.now())
    return group


async def staff(bot, user_id: int, name: str, *, tier: int, building: str | None = None, lang: str = "zh"):
    person = bot.emu.user(user_id, name, language_code=lang)
    await bot.make_staff(
        person, tier=tier, building_id=await building_id(bot, building) if building else None
    )
    async with bot.services.db.tx() as conn:
        await users_repo.update(conn, user_id, bot.clock.now(), language=lang, display_name=name)
    return person


async def worker(bot, user_id: int, name: str, *, lang: str = "en", building: str = "GOHIGH"):
    """An onboarded worker of a building (written directly: onboarding has its own tests)."""
    person = bot.emu.user(user_id, name, language_code=lang)
    now = bot.clock.now()
    async with bot.services.db.tx() as conn:
        await users_repo.upsert_seen(conn, user_id, name, None, lang, now)
        await users_repo.update(
            conn,
            user_id,
            now,
            language=lang,
            display_name=name,
            building_id=await building_id(bot, building),
            onboarded_at=now,
        )
    return person


async def company(
    bot, key: str, name: str, *, name_en: str | None = None, building: str = "GOHIGH", colour="blue"
):
    async with bot.services.db.tx() as conn:
        return await enterprises_repo.insert(
            conn,
            key=key,
            name=name,
            name_en=name_en,
            building_id=await building_id(bot, building),
            now=ts(bot.clock.now()),
            colour=colour,
        )


async def file(
    bot, user_id: int, description: str, *, category: str = "tax", enterprise_id: int | None = None
):
    """File a request through the intake use case; returns its reference (cards delivered)."""
    view = await bot.services.requests.intake.submit(
        user_id, Draft(category=category, enterprise_id=enterprise_id, description=description)
    )
    await bot.flush()
    return view.reference


async def row(bot, reference: str) -> dict:
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT * FROM requests WHERE reference = ?", (reference,))
        found = await cur.fetchone()
    assert found is not None, reference
    return dict(found)


async def events(bot, reference: str) -> list[tuple[str, str | None]]:
    async with bot.services.db.read() as conn:
        cur = await conn.execute(
            "SELECT e.kind, e.note FROM request_events e JOIN requests r ON r.id = e.request_id"
            " WHERE r.reference = ? ORDER BY e.id",
            (reference,),
        )
        return [(r[0], r[1]) for r in await cur.fetchall()]


def is_card(message, reference: str) -> bool:
    """A card starts a line with its reference and category ("JA-2026-000001 · Tax")."""
    return re.search(rf"(^|\n){re.escape(reference)} ·", message.plain[:400]) is not None


def card_in(group, reference: str):
    """The request's card in a staff chat (the message that starts with its reference)."""
    found = [m for m in group.inbox if is_card(m, reference)]
    assert found, f"no card of {reference} in {group!r}: {[m.plain[:40] for m in group.inbox]}"
    return found[-1]


async def prompt_after(bot, person, label: str, group, card):
    """Press a card button that needs words; returns the prompt the person must reply to."""
    since = bot.emu.seq
    await person.press(label, chat=group, message=card)
    prompt = await group.wait_for(
        lambda m: m.reply_markup is not None and "force_reply" in m.reply_markup, since=since
    )
    await bot.emu.wait_idle()  # the prompt is remembered once the press is fully handled
    return prompt


async def answer(bot, person, group, prompt, text: str) -> None:
    """Reply to a prompt (as Telegram does when one types into the reply box it opened)."""
    await person.send(text, chat=group, reply_to=prompt)
    await bot.emu.wait_idle()
    await bot.flush()


def monday(year: int, month: int, day: int) -> date:
    found = date(year, month, day)
    assert found.weekday() == 0, found
    return found

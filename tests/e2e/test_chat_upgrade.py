"""A staff group upgraded to a supergroup keeps receiving its cards, however the bot learns of it.

Telegram gives the upgraded group a new id for good: the old id answers 400 with
`migrate_to_chat_id` (python-telegram-bot's ChatMigrated). The bot learns it from the service
messages, from the outbox sender's refused send, or from a refused reply; each moves the binding,
the cards and the queued messages to the new id, once, and tells the group.
"""

from __future__ import annotations

import sqlite3

from bot.services.requests.intake import Draft
from bot.storage import users as users_repo
from bot.storage.chats import FOLLOWING, NOT_FOLLOWING
from bot.storage.db import Database
from tests.conftest import ADMIN_ID
from tests.e2e.test_requests import t

NOTICE = "本群已升级为超级群组"  # "This group is now a supergroup and still receives ..." (zh)


async def tier1_basic_group(bot, chat_id: int = -4001):
    """A basic group (not yet a supergroup) bound as the tier-1 staff group with /bindchat."""
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="zh")
    staff = bot.emu.user(901, "Wang", language_code="zh")
    await bot.make_staff(staff, tier=1)
    group = bot.emu.group(chat_id, "Tier 1", [admin, staff], type="group", admins=[admin])
    await admin.send("/bindchat 1", chat=group)
    await group.wait_for(t(bot, "zh", "Only staff can press the buttons on the cards."))
    bot.emu.user(902, "Li", language_code="en")  # the requester, told of each step
    now = bot.clock.now()
    async with bot.services.db.tx() as conn:
        await users_repo.upsert_seen(conn, 902, "Li", None, "en", now)
        await users_repo.update(conn, 902, now, language="en", display_name="Li Na")
    return group, admin, staff


async def submit(bot, description: str) -> str:
    view = await bot.services.requests.intake.submit(
        902, Draft(category="office", enterprise_name="Acme", description=description)
    )
    return view.reference


async def bound_chats(bot) -> list[int]:
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT chat_id FROM staff_chats")
        return [row[0] for row in await cur.fetchall()]


async def dead_rows(bot) -> list[tuple]:
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT kind, chat_id, last_error FROM outbox WHERE dead_at IS NOT NULL")
        return [tuple(row) for row in await cur.fetchall()]


async def test_a_staff_group_upgraded_to_a_supergroup_keeps_receiving_cards(bot) -> None:
    group, admin, staff = await tier1_basic_group(bot)
    first = await submit(bot, "Lease ends, need space")
    await bot.flush()
    old_card = await group.wait_for(first)

    supergroup = await group.upgrade(by=admin)  # Telegram tells the bot with two service messages
    await bot.emu.wait_idle()
    await bot.flush()

    assert await bound_chats(bot) == [supergroup.id]
    notice = await supergroup.wait_for(NOTICE)
    assert "第1级" in notice.plain and "全街道" in notice.plain
    second = await submit(bot, "The lift is broken")
    await bot.flush()
    card = await supergroup.wait_for(second)
    await staff.press(t(bot, "zh", "✋ Claim"), chat=supergroup, message=card)
    await bot.flush()
    await supergroup.wait_for(lambda m: m.message_id == card.message_id and "Wang" in m.plain)

    # The first card stayed in the old group, which can no longer change: when its request
    # changes, the card is posted again in the supergroup, and its buttons work there.
    await bot.services.requests.staff.claim(staff.id, 1)
    await bot.flush()
    reposted = await supergroup.wait_for(lambda m: first in m.plain and "Wang" in m.plain)
    assert reposted.message_id != old_card.message_id
    assert [m.plain for m in group.inbox if first in m.plain] == [old_card.plain]  # untouched
    answer = await staff.press(t(bot, "zh", "📝 Note"), chat=supergroup, message=reposted)
    assert answer is not None and not answer.show_alert  # the card is found where it now stands
    await supergroup.wait_for(lambda m: m.reply_to_message_id == reposted.message_id)  # the prompt
    assert bot.emu.error_log == [] and await dead_rows(bot) == []
    assert sum(NOTICE in m.plain for m in supergroup.inbox) == 1


async def test_the_outbox_and_replies_follow_an_upgrade_the_bot_did_not_see(bot) -> None:
    group, admin, staff = await tier1_basic_group(bot)
    await bot.app.updater.stop()  # the bot is away: it does not see the service messages yet
    await staff.send("/help", chat=group)  # ... nor this, typed just before the upgrade
    supergroup = await group.upgrade(by=admin)

    reference = await submit(bot, "Lease ends, need space")  # its card is queued for the old id
    sender = bot.app.bot_data["sender"]
    while await sender.drain_once():  # the outbox only: the bot fetches no updates meanwhile
        pass
    await supergroup.wait_for(reference)  # the sender was refused, moved the group, sent again
    assert await bound_chats(bot) == [supergroup.id]
    refused = [(e.method, e.description) for e in bot.emu.error_log if e.method != "getUpdates"]
    assert refused == [("sendMessage", "Bad Request: group chat was upgraded to a supergroup chat")]

    await bot.app.updater.start_polling(poll_interval=0, timeout=0.5)
    # The /help typed in the old group: the reply is refused too, so the apology goes to the
    # supergroup (the person can ask again there); the service messages then change nothing.
    await supergroup.wait_for(
        t(
            bot,
            "zh",
            "Sorry, something went wrong on our side. Nothing you did was lost; please try again in a moment.",
        )
    )
    await bot.emu.wait_idle()
    await bot.flush()
    assert await bound_chats(bot) == [supergroup.id]
    assert sum(NOTICE in m.plain for m in supergroup.inbox) == 1
    assert await dead_rows(bot) == []


def test_every_chat_id_column_follows_an_upgrade_or_says_why_not(tmp_path) -> None:
    """A table that names a group by id and is not listed would silently keep the old id."""
    import asyncio

    async def columns() -> set[tuple[str, str]]:
        async with Database(tmp_path / "schema.sqlite3") as db:
            await db.migrate()
            async with db.read() as conn:
                cur = await conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                tables = [row[0] for row in await cur.fetchall()]
                found = set()
                for table in tables:
                    try:
                        cur = await conn.execute(f"PRAGMA table_info({table})")
                    except sqlite3.OperationalError:
                        continue
                    found |= {(table, row[1]) for row in await cur.fetchall() if row[1].endswith("chat_id")}
                return found

    assert asyncio.run(columns()) == set(FOLLOWING) | set(NOT_FOLLOWING)

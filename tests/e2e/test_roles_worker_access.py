"""A worker can never reach staff commands, enterprise cards or another person's data.

Table-driven over what EXISTS when the test runs, so a feature added later is covered without
editing this file:
- every command registered for staff (`registry.command(..., staff_only=True)` or with a `when` rule);
- every callback button staff are shown (harvested from the answers to those commands as an
  administrator, and from the staff groups after a request is filed), plus a forged press for
  every callback prefix a handler listens to whose buttons the worker is never shown;
- every /start deep-link payload except invitations.
For each, the worker gets an answer (never silence), the database does not change, nothing is
sent to anyone else, and none of the secrets below appears in what the worker receives.
"""

from __future__ import annotations

import re

import pytest
from telegram.ext import CallbackQueryHandler, ConversationHandler

from bot.handlers import registry
from bot.sandbox.seeds import STAFF_CHAT
from bot.services.requests.intake import Draft
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.db import ts
from tests.conftest import ADMIN_ID

SECRETS = (
    "SECRET-NOTE-7781",
    "Olga Hiddenname",
    "+8613999990000",
    "SECRET-REQUEST-5512",
    "Confidential Widgets",
)
pytestmark = pytest.mark.slow


def callback_prefixes(app) -> set[str]:
    """The literal start of every CallbackQueryHandler pattern, e.g. '1|adm|rv|'."""
    found: set[str] = set()

    def walk(handler) -> None:
        if isinstance(handler, ConversationHandler):
            for h in handler.entry_points + handler.fallbacks:
                walk(h)
            for state in handler.states.values():
                for h in state:
                    walk(h)
        elif isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
            source = handler.pattern if isinstance(handler.pattern, str) else handler.pattern.pattern
            literal = re.match(r"\^((?:\\.|[^\\^$.*+?()\[\]{}|])*)", source)
            if literal:
                found.add(re.sub(r"\\(.)", r"\1", literal.group(1)))

    for handlers in app.handlers.values():
        for handler in handlers:
            walk(handler)
    return {p for p in found if p.count("|") >= 2}  # "1|feature|..." only, not catch-alls


async def snapshot(bot) -> dict[str, list[tuple]]:
    """Every row of every table, except the outbox (checked separately) and bookkeeping times."""
    tables: dict[str, list[tuple]] = {}
    async with bot.services.db.read() as conn:
        cur = await conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        for (name,) in await cur.fetchall():
            if name == "outbox":
                continue
            cur = await conn.execute(f'SELECT * FROM "{name}"')
            rows = await cur.fetchall()
            keys = rows[0].keys() if rows else []
            values = [tuple(v for k, v in zip(keys, r, strict=True) if k != "updated_at") for r in rows]
            tables[name] = sorted(values, key=repr)
    return tables


async def outbox_chats(bot, after_id: int) -> list[int]:
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT chat_id FROM outbox WHERE id > ?", (after_id,))
        return [r[0] for r in await cur.fetchall()]


async def last_outbox_id(bot) -> int:
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT IFNULL(MAX(id), 0) FROM outbox")
        return (await cur.fetchone())[0]


async def seed_secrets(bot, staff_group) -> None:
    """Another person with a phone and a request, an enterprise with notes, staff groups bound."""
    now = bot.clock.now()
    async with bot.services.db.tx() as conn:
        gohigh = await buildings_repo.by_code(conn, "GOHIGH")
        await enterprises_repo.insert(
            conn,
            key="91310000SECRET01",
            name="Confidential Widgets Ltd",
            building_id=gohigh.id,
            now=ts(now),
            colour="orange",
            notes="SECRET-NOTE-7781",
        )
        await users_repo.upsert_seen(conn, 777, "Olga", None, "en", now)
        await users_repo.update(
            conn,
            777,
            now,
            display_name="Olga Hiddenname",
            phone="+8613999990000",
            building_id=gohigh.id,
            onboarded_at=now,
            language="en",
        )
        for tier, chat_id in STAFF_CHAT.items():
            await roles_repo.bind_chat(conn, chat_id, f"Tier {tier}", tier, None, ADMIN_ID, now)
    # A request, so its staff card and buttons exist.
    await bot.services.requests.intake.submit(
        777, Draft(category="other", description="SECRET-REQUEST-5512 leaking pipe")
    )
    await bot.flush()


def harvest(messages) -> set[str]:
    return {data for m in messages for data in m.callback_data}


async def test_worker_cannot_reach_any_staff_command_button_or_card(bot_factory) -> None:
    # A scripted attack: ~50 commands in a few seconds. The flood guard would rightly mute it after
    # 30; here every single command must be refused on its own merits.
    bot = await bot_factory(BOT_FLOOD_LIMIT="0")
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    staff_group = bot.emu.group(STAFF_CHAT[1], "Tier 1", [admin])
    await seed_secrets(bot, staff_group)
    await bot.make_staff(
        bot.emu.user(502, "Colleague", language_code="en"), tier=1
    )  # /staff has a revoke button
    worker = bot.emu.user(501, "Worker", language_code="en")
    await bot.onboard(worker, language="en")

    staff_commands = sorted(c.name for c in registry.COMMANDS.values() if c.staff_only or c.when is not None)
    assert {"invite", "staff", "audit"} <= set(staff_commands)

    # What staff are shown: the answers to every staff command (as an administrator) and the
    # cards in the staff groups.
    for name in staff_commands:
        await admin.send(f"/{name}")
        await admin.wait_for(lambda m: True)  # one at a time: some answers take a while (pictures)
        await bot.emu.wait_idle()
    await bot.flush()
    staff_data = harvest(admin.inbox) | {
        d for chat in STAFF_CHAT.values() for d in harvest(bot.emu.inbox(chat))
    }

    # What the worker is shown in the ordinary course: the menu, help, privacy.
    for text in ("/menu", "/help", "/privacy"):
        await worker.send(text)
    await bot.emu.wait_idle()
    worker_data = harvest(worker.inbox)
    worker_prefixes = {d.rsplit("|", 1)[0] if d.count("|") > 2 else d for d in worker_data}

    def workerish(data: str) -> bool:
        return data in worker_data or any(data.startswith(p + "|") or data == p for p in worker_prefixes)

    presses = {d for d in staff_data if not workerish(d)}
    staff_features = {d.split("|")[1] for d in presses}
    for prefix in callback_prefixes(bot.app):
        feature = prefix.split("|")[1]
        if feature in staff_features and not workerish(prefix):
            presses.add((prefix if prefix.endswith("|") else prefix + "|") + "1")
    assert any(p.startswith("1|adm|rv|") for p in presses)  # the revoke button is among them

    before = await snapshot(bot)
    outbox_mark = await last_outbox_id(bot)

    for name in staff_commands:
        for text in (f"/{name}", f"/{name} 1", f"/{name} staff GOHIGH 1"):
            await worker.send(text)
            await worker.wait_for(lambda m: True)  # never silence
            await bot.emu.wait_idle()
    for data in sorted(presses):
        answer = await worker.press_data(data)
        assert answer is not None, f"press {data!r}: no answer"
    for prefix in registry.START_PAYLOADS:
        if prefix == "inv-":
            continue
        for code in ("1", "91310000SECRET01", "777"):
            await worker.send(f"/start {prefix}{code}")
            await bot.emu.wait_idle()
    await bot.flush()

    for mine in ("/invite staff GOHIGH 1", "/staff", "/audit"):
        await worker.send(mine)
        await worker.wait_for("Sorry, only" if mine != "/staff" else "only for station staff")

    assert await snapshot(bot) == before, "a worker's command or press changed the database"
    assert set(await outbox_chats(bot, outbox_mark)) <= {worker.id}, "something was sent to someone else"
    received = "\n".join(m.plain + " " + " ".join(m.buttons) for m in worker.inbox)
    for secret in SECRETS:
        assert secret not in received, f"the worker saw {secret!r}"
    assert [e for e in bot.emu.error_log if not e.injected] == []

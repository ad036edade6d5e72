"""The escalation ladder end to end, with BOT_SLA_CLOCK=wall and second-scale deadlines.

A request nobody handles climbs tiers 1 -> 2 -> 3 -> 4: each tier chat receives exactly one card,
the requester one notice per step, and tier 4 gets reminders, never a fifth tier. A restart
between ticks neither skips nor repeats a step.
"""

from __future__ import annotations

import pytest

from bot.app import on_shutdown
from bot.services.requests.intake import Draft
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo

LADDER = {
    "BOT_SLA_CLOCK": "wall",
    "BOT_SLA_TIER1": "2s",
    "BOT_SLA_TIER2": "2s",
    "BOT_SLA_TIER3": "2s",
    "BOT_SLA_TIER4": "2s",
    "BOT_SLA_FIRST_RESPONSE": "1h",
}
CHATS = {1: -1001000000011, 2: -1001000000012, 3: -1001000000013, 4: -1001000000014}
WORKER = 701


async def district(bot) -> dict[int, object]:
    """Four staff groups bound to the four tiers, and a worker who files one request."""
    groups = {tier: bot.emu.group(chat_id, f"Tier {tier}") for tier, chat_id in CHATS.items()}
    bot.emu.user(WORKER, "Li", language_code="en")
    now = bot.clock.now()
    async with bot.services.db.tx() as conn:
        for tier, chat_id in CHATS.items():
            await roles_repo.bind_chat(conn, chat_id, f"Tier {tier}", tier, None, 9001, now)
        await users_repo.upsert_seen(conn, WORKER, "Li", None, "en", now)
        await users_repo.update(conn, WORKER, now, language="en", display_name="Li Na")
    return groups


async def file(bot) -> str:
    view = await bot.services.requests.intake.submit(
        WORKER, Draft(category="office", enterprise_name="Acme", description="Lease ends, need space")
    )
    await bot.flush()
    return view.reference


def cards(group, reference: str) -> list:
    """Messages in a group that are cards of this request (they carry the request's buttons or history)."""
    return [m for m in group.inbox if m.plain.startswith(reference) or f"\n{reference} ·" in m.plain[:200]]


def notices(bot, reference: str) -> list[str]:
    return [m.plain for m in bot.emu.inbox(WORKER) if reference in m.plain and "passed to" in m.plain]


async def state(bot, reference: str) -> tuple[int, int, int]:
    """(tier, automatic escalations recorded, reminders recorded)."""
    async with bot.services.db.read() as conn:
        cur = await conn.execute(
            "SELECT r.tier,"
            " (SELECT COUNT(*) FROM request_events e WHERE e.request_id = r.id AND e.kind = 'deadline_escalated'),"
            " (SELECT COUNT(*) FROM request_events e WHERE e.request_id = r.id AND e.kind = 'reminded')"
            " FROM requests r WHERE reference = ?",
            (reference,),
        )
        return tuple(await cur.fetchone())  # type: ignore[return-value]


def reminders(group, reference: str) -> list:
    return [m for m in group.inbox if reference in m.plain and "🔔" in m.plain]


@pytest.mark.slow
async def test_unhandled_request_climbs_to_tier_4_and_is_then_reminded(bot_factory) -> None:
    bot = await bot_factory(**LADDER)
    groups = await district(bot)
    reference = await file(bot)
    assert [len(cards(groups[t], reference)) for t in (1, 2, 3, 4)] == [1, 0, 0, 0]

    await bot.advance(seconds=1)  # half-way: a warning, but no step up yet
    assert await state(bot, reference) == (1, 0, 0)
    for step in (2, 3, 4):
        await bot.advance(seconds=2)
        assert (await state(bot, reference))[:2] == (step, step - 1)
        assert [len(cards(groups[t], reference)) for t in (1, 2, 3, 4)] == [1] * step + [0] * (4 - step)
        assert len(notices(bot, reference)) == step - 1

    # The earlier cards now say where the request went, and have no buttons left.
    tier1 = cards(groups[1], reference)[0]
    passed = bot.services.renderer.gettext("zh", "Passed to tier %(tier)s.", tier=2)  # staff chats read zh
    assert passed in tier1.plain and tier1.buttons == []

    for n in (1, 2):
        await bot.advance(seconds=2)
        assert await state(bot, reference) == (4, 3, n)
        assert len(reminders(groups[4], reference)) == n
    assert [len(cards(groups[t], reference)) for t in (1, 2, 3, 4)] == [1, 1, 1, 1]
    assert len(notices(bot, reference)) == 3  # no notice for a reminder: there is no fifth tier


@pytest.mark.slow
async def test_a_restart_between_ticks_neither_skips_nor_repeats(bot_factory) -> None:
    first = await bot_factory(**LADDER)
    await district(first)
    reference = await file(first)
    await first.advance(seconds=2)
    assert await state(first, reference) == (2, 1, 0)

    # Stop the first process (updates, sender, database), then start a new one on the same file.
    await first.app.updater.stop()
    await first.app.stop()
    await on_shutdown(first.app)
    second = await bot_factory(clock=first.clock, BOT_DB_PATH=str(first.settings.db_path), **LADDER)
    groups = {tier: second.emu.group(chat_id, f"Tier {tier}") for tier, chat_id in CHATS.items()}
    worker = second.emu.user(WORKER, "Li", language_code="en")

    await second.tick()
    await second.tick()
    await second.flush()
    assert await state(second, reference) == (2, 1, 0)  # nothing repeated
    assert all(g.inbox == [] for g in groups.values()) and worker.inbox == []

    await second.advance(seconds=2)
    await second.tick()  # a second tick at the same moment does nothing more
    await second.flush()
    assert await state(second, reference) == (3, 2, 0)  # nothing skipped either
    assert [len(cards(groups[t], reference)) for t in (1, 2, 3, 4)] == [0, 0, 1, 0]
    assert len(notices(second, reference)) == 1
    async with second.services.db.read() as conn:
        cur = await conn.execute("SELECT tier FROM request_cards ORDER BY tier")
        assert [r[0] for r in await cur.fetchall()] == [1, 2, 3]

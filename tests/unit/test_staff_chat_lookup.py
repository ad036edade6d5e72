"""A tick that looks up many staff chats reads them once (roles.chat_among): it must pick exactly
the chat that chat_for picks (the building's chat of the tier, else the district's)."""

from datetime import UTC, datetime
from pathlib import Path

from bot.storage import roles as roles_repo
from bot.storage.db import Database

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def test_chat_among_agrees_with_chat_for(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.db") as db:
        await db.migrate()
        async with db.tx() as conn:
            await roles_repo.bind_chat(conn, -101, "B1 tier 1", 1, 1, 9001, NOW)
            await roles_repo.bind_chat(conn, -100, "District tier 1", 1, None, 9001, NOW)
            await roles_repo.bind_chat(conn, -202, "B2 tier 2", 2, 2, 9001, NOW)
            chats = await roles_repo.all_staff_chats(conn)
            for tier in (1, 2, 3):
                for building in (None, 1, 2, 3):
                    expected = await roles_repo.chat_for(conn, tier, building)
                    assert roles_repo.chat_among(chats, tier, building) == expected, (tier, building)

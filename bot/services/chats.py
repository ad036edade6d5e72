# i18n-domain: common
"""Group chats that change id: a group upgraded to a supergroup keeps its role, its cards, its queue.

Telegram tells us in three ways, whichever comes first: the service messages `migrate_to_chat_id` /
`migrate_from_chat_id`, or a 400 with `migrate_to_chat_id` when the bot (a reply or the outbox
sender) writes to the old id. Each calls `upgraded` (or `move`, inside the sender's transaction);
moving is idempotent, so the staff group is told once, through the outbox, in the same
transaction that moves its binding.
"""

from __future__ import annotations

import aiosqlite

from bot.services.base import UseCases
from bot.storage import buildings as buildings_repo
from bot.storage import chats as chats_repo
from bot.storage import outbox as outbox_repo
from bot.storage import roles as roles_repo


class Chats(UseCases):
    async def upgraded(self, old_chat_id: int, new_chat_id: int) -> bool:
        """The group `old_chat_id` is now `new_chat_id`: True when it was a staff group (moved now)."""
        async with self.db.tx() as conn:
            return await self.move(conn, old_chat_id, new_chat_id)

    async def move(self, conn: aiosqlite.Connection, old_chat_id: int, new_chat_id: int) -> bool:
        """`upgraded` inside the caller's transaction."""
        if old_chat_id >= 0 or new_chat_id >= 0 or old_chat_id == new_chat_id:
            return False  # only groups are upgraded, to another (group) id
        binding = await chats_repo.move_chat(conn, old_chat_id, new_chat_id)
        if binding is None:
            return False
        now = self.now()
        lang = self.settings.default_language  # staff groups read the station's language
        building = await buildings_repo.get(conn, binding.building_id) if binding.building_id else None
        await roles_repo.audit(
            conn, now, None, "staffchat.upgrade", str(old_chat_id), f"now {new_chat_id}, tier={binding.tier}"
        )
        await outbox_repo.enqueue(
            conn,
            chat_id=new_chat_id,
            kind="chat_upgraded",
            text=self.render(
                lang,
                "common/chat_upgraded.html",
                tier=binding.tier,
                building=building.name(lang) if building else None,
            ),
            now=now,
            dedupe_key=f"chat-upgraded:{old_chat_id}",
        )
        return True

"""Group chats that change id: what follows a group when Telegram upgrades it to a supergroup.

Why one place: an upgrade gives the group a new id for good (the old one only answers 400 with
`migrate_to_chat_id`), and every row that names the group by id must follow it, or a staff group
silently stops receiving cards. `FOLLOWING` lists each column that holds a group's chat id, and a
test fails when a table gains a `chat_id` column that is neither listed nor in `NOT_FOLLOWING`.
"""

from __future__ import annotations

import aiosqlite

from bot.storage import outbox as outbox_repo
from bot.storage.roles import StaffChat, staff_chat

#: (table, column) naming a group that follows it to its new id; a keyed table keeps one row
#: (a binding made in the supergroup already wins over the old group's).
FOLLOWING: tuple[tuple[str, str], ...] = (
    ("staff_chats", "chat_id"),
    ("request_digests", "chat_id"),
    ("request_cards", "chat_id"),
    ("request_held_alerts", "chat_id"),
    ("enterprise_suggestions", "chat_id"),
    ("enterprise_chat_digests", "chat_id"),
)
#: Columns that do not simply follow, and why.
NOT_FOLLOWING: dict[tuple[str, str], str] = {
    ("outbox", "chat_id"): "queued rows follow (outbox.retarget); sent rows keep the chat their"
    " message_id belongs to, and an edit of such a card is sent anew in the supergroup",
    ("request_prompts", "chat_id"): "a prompt is a message of the old group, answerable only by a"
    " reply there; it expires after BOT_PROMPT_TIMEOUT and staff press the button again",
    ("request_messages", "chat_id"): "cards a handler showed stay messages of the old group (their"
    " message ids mean nothing in the supergroup); the live card follows via request_cards",
}
_KEYED = {"staff_chats", "request_digests", "enterprise_chat_digests"}


async def move_chat(conn: aiosqlite.Connection, old_chat_id: int, new_chat_id: int) -> StaffChat | None:
    """Make every row naming `old_chat_id` name `new_chat_id`; returns the old group's staff binding.

    Idempotent: once moved, nothing names the old id any more and a second call changes nothing
    (and returns None).
    """
    binding = await staff_chat(conn, old_chat_id)
    for table, column in FOLLOWING:
        if table in _KEYED:
            await conn.execute(
                f"DELETE FROM {table} WHERE {column} = ? AND EXISTS"
                f" (SELECT 1 FROM {table} WHERE {column} = ?)",
                (old_chat_id, new_chat_id),
            )
        await conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new_chat_id, old_chat_id))
    await outbox_repo.retarget(conn, old_chat_id, new_chat_id)
    return binding

# i18n-domain: webapp
"""Who may act through the Mini App, and the guard against replayed writes.

Every request of the Mini App carries Telegram's signed initData, the same string for the whole
time the window is open (the page cannot get another without being reopened), so reads that
repeat it are simply the page at work: the signature and BOT_WEBAPP_MAX_AGE bound them. A
*write* repeated with the same initData and the same one-time action id is a replay (a captured
request sent again, or a network layer retrying it): the first use is recorded here and every
later one refused, so one press of "Change colour" changes the colour once.
"""

from __future__ import annotations

from bot.services.base import UseCases
from bot.storage import users as users_repo
from bot.storage import webapp as repo

# Who made which write through the Mini App (kept only BOT_WEBAPP_MAX_AGE; no text of theirs).


class Sessions(UseCases):
    async def language(self, user_id: int, telegram_code: str | None) -> str:
        """The language the person reads: their choice in the bot, else their Telegram app's."""
        async with self.db.read() as conn:
            user = await users_repo.get(conn, user_id)
        return self.services.users.language_of(user, telegram_code)

    async def first_use(self, init_hash: str, action_id: str, user_id: int) -> bool:
        """Record a write's (initData, action id); False when it was already used (a replay)."""
        now = self.now()
        async with self.db.tx() as conn:
            return await repo.use_action(
                conn, init_hash, action_id, user_id, now, now - self.settings.webapp_max_age
            )

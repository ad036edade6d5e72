# i18n-domain: common
"""A flood guard: a person (or a group) sending far faster than anyone types is answered once, then
ignored for a while.

Updates are handled concurrently (bot/ordering.py), so a flood no longer delays other people, but
each answer still costs a database read, a render and a place in the chat's Telegram allowance.
Rates are measured in real (monotonic) time: they are about how fast messages arrive, not about
the business clock that tests and the demo move by hand.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.context import BotContext
from bot.handlers import groups
from bot.msgids import N_

log = logging.getLogger(__name__)

SLOW_DOWN = N_("⏳ That is a lot of messages at once. I will answer again in a minute.")
GROUP_SLOW_DOWN = N_("⏳ This group is sending more than I can answer. I will answer again in a minute.")


@dataclass
class Window:
    """At most `limit` updates within `seconds`; past that, silence for `pause` seconds."""

    limit: int
    seconds: float
    pause: float
    seen: dict[int, deque[float]] = field(default_factory=dict)
    muted_until: dict[int, float] = field(default_factory=dict)

    def hit(self, key: int, now: float) -> str:
        """'ok', 'warn' (the first update over the limit: answer it once) or 'ignore'."""
        if self.muted_until.get(key, 0.0) > now:
            return "ignore"
        self.muted_until.pop(key, None)
        times = self.seen.setdefault(key, deque())
        while times and times[0] <= now - self.seconds:
            times.popleft()
        times.append(now)
        if len(self.seen) > 10_000:
            self.seen = {k: v for k, v in self.seen.items() if v and v[-1] > now - self.seconds}
        if len(times) > self.limit:
            self.muted_until[key] = now + self.pause
            times.clear()
            return "warn"
        return "ok"


class FloodGuard:
    """One per Application: a person may send `limit` messages in 10 s, a group twice that a minute."""

    def __init__(self, limit: int) -> None:
        self.people = Window(limit=limit, seconds=10.0, pause=60.0)
        self.groups = Window(limit=2 * limit, seconds=60.0, pause=60.0)

    async def __call__(self, update: Update, context: BotContext) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or update.callback_query is not None:
            # Presses are not counted: Telegram's apps show a spinner until a press is answered
            # (which the router does first), and each costs only a pop-up, not a chat message.
            return
        now = asyncio.get_running_loop().time()
        verdict, message = self.people.hit(user.id, now), SLOW_DOWN
        if verdict == "ok" and chat.type != ChatType.PRIVATE:
            verdict, message = self.groups.hit(chat.id, now), GROUP_SLOW_DOWN
        if verdict == "ok":
            return
        if verdict == "warn":
            log.warning(
                "flood: muting %s in chat %s for a minute (update %s)", user.id, chat.id, update.update_id
            )
            if update.callback_query is not None:
                await update.callback_query.answer(context.gettext(message), show_alert=True)
            else:
                await context.say(update, context.gettext(message))
        raise ApplicationHandlerStop


def register(app: Application) -> None:
    limit = app.bot_data["services"].settings.flood_limit
    if limit > 0:
        # After the profile is loaded (group -100), so the one warning is in the person's language.
        app.add_handler(TypeHandler(Update, FloodGuard(limit)), group=groups.FLOOD)

# i18n-domain: volunteer
"""The volunteering buttons' table, and how the feature shows bad input.

Every action of the "vol" feature is routed by `router` (the handlers of volunteers.py and
organisers.py register with `@router.on`); the buttons of outbox messages (reminders, offers,
asks) are the Actions of services/volunteer/notices.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache

from babel import Locale
from babel.dates import format_datetime
from telegram import Message, Update

from bot.context import BotContext
from bot.handlers.routing import Press, Router
from bot.render import BABEL_LOCALE
from bot.services.base import InvalidInput
from bot.services.volunteer.notices import FEATURE


class VolunteerRouter(Router):
    """Volunteering's problems are messages that stay in the chat, rendered from
    volunteer/problem.html with the problem's values (an overlapping shift, when check-in opens)."""

    async def show_problem(
        self, update: Update, context: BotContext, problem: InvalidInput, press: Press | None
    ) -> None:
        if press is not None:
            await press.answer()
        await context.reply(update, "volunteer/problem.html", code=problem.code, d=problem.details)


router = VolunteerRouter(FEATURE)


def when(context: BotContext, moment: datetime, pattern: str = "EEE MM-dd HH:mm") -> str:
    """A short local date and time for a button label (plain text)."""
    return _when(moment, context.services.settings.tz, pattern, context.lang)


@lru_cache(maxsize=4096)
def _when(moment: datetime, tz: tzinfo, pattern: str, lang: str) -> str:
    """Shift lists label the same few hundred shift times for everyone: each is formatted once
    (Babel's formatting is slow, and parsing a locale name on every call was slower still).
    The zone is part of the key: aware datetimes of one instant are equal whatever their zone."""
    return format_datetime(moment.astimezone(tz), format=pattern, locale=_LOCALES[lang])


_LOCALES = {lang: Locale.parse(name) for lang, name in BABEL_LOCALE.items()}


# A typed answer belongs to its prompt: the prompt's message id is kept with what it asks for, and
# only a reply to that message (ForceReply) is taken as the answer. In memory: after a restart the
# person presses the button again.
PROMPT = "vol_prompt"


@dataclass(frozen=True)
class Prompt:
    kind: str  # search | place | time
    arg: int
    message_id: int


def remember_prompt(context: BotContext, prompt: Message | None, kind: str, arg: int) -> None:
    if prompt is not None and context.user_data is not None:
        context.user_data[PROMPT] = Prompt(kind, arg, prompt.message_id)


def prompt_answered(context: BotContext, message: Message) -> Prompt | None:
    """The prompt this message replies to, if it is ours and still open."""
    pending = context.user_data.get(PROMPT) if context.user_data is not None else None
    replied = message.reply_to_message
    if isinstance(pending, Prompt) and replied is not None and replied.message_id == pending.message_id:
        return pending
    return None

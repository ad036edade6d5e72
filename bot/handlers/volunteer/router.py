# i18n-domain: volunteer
"""The volunteering buttons' table, and how the feature shows bad input.

Every action of the "vol" feature is routed by `router` (the handlers of volunteers.py and
organisers.py register with `@router.on`); the buttons of outbox messages (reminders, offers,
asks) are the Actions of services/volunteer/notices.py.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime
from telegram import Update

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


def when(context: BotContext, moment: datetime) -> str:
    """A short local date and time for a button label (plain text)."""
    local = moment.astimezone(context.services.settings.tz)
    return format_datetime(local, format="EEE MM-dd HH:mm", locale=BABEL_LOCALE[context.lang])

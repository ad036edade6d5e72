# i18n-domain: volunteer
"""The messages the feature sends on its own (reminders, offers, asks, notices) and their buttons.

Every one goes through the outbox, enqueued in the transaction of the change that causes it,
rendered in the recipient's language, at a time that respects quiet hours (see domain/shifts).
Their dedupe keys start with `prefix(shift, user)`, so leaving a shift withdraws everything still
queued for that person and shift with one `outbox.cancel_prefix`.

The buttons of these messages are defined here, once, and routed by bot/handlers/volunteer:
messages already sent keep working as long as these feature/action codes do not change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import aiosqlite
from babel.dates import format_datetime

from bot.callbacks import Action
from bot.domain import shifts as rules
from bot.render import BABEL_LOCALE
from bot.services.base import UseCases
from bot.storage import outbox
from bot.storage import shifts as repo
from bot.storage import users as users_repo

FEATURE = "vol"
SIGN_UP = Action(FEATURE, "s")  # a shift: sign me up (also the shift buttons of a project's page)
COMING = Action(FEATURE, "ok")  # a reminder: I'm coming
CANT_COME = Action(FEATURE, "no")  # a reminder: I can't come (leaves the shift)
CHECK_IN = Action(FEATURE, "in")  # a reminder: check in
TAKE = Action(FEATURE, "take")  # an offer or an open place: take it
PASS = Action(FEATURE, "pass")  # an offer: let the next person have it

# Button rows of an outbox message: (label msgid, callback data) or (label msgid, callback data,
# values), labelled in the recipient's language (a datetime value is shown as a short local time).
Labelled = Sequence[Sequence[tuple[str, str] | tuple[str, str, Mapping[str, object]]]]


def prefix(shift_id: int, user_id: int) -> str:
    """The start of the dedupe key of every message about this person and this shift."""
    return f"shift:{shift_id}:user:{user_id}:"


def generation(signup: repo.Signup) -> str:
    """A per-sign-up generation in dedupe keys, so re-joining after leaving gets fresh reminders."""
    return str(int(signup.queued_at.timestamp() * 1000))


class Notices(UseCases):
    """Writes the feature's outbox messages; every other part sends through it."""

    async def language(self, conn: aiosqlite.Connection, user_id: int) -> str:
        user = await users_repo.get(conn, user_id)
        return self.services.users.language_of(user)

    def deliver_at(self, now: datetime, starts_at: datetime | None, *, own: bool) -> datetime:
        """When a message the bot sends on its own may go out: quiet hours respected (see domain)."""
        return max(now, rules.quiet_adjust(now, self.settings.tz, starts_at=starts_at, own_shift=own))

    def buttons(self, lang: str, rows: Labelled) -> outbox.Buttons:
        out: outbox.Buttons = []
        for row in rows:
            line = []
            for button in row:
                values = {
                    k: self.when(lang, v) if isinstance(v, datetime) else v
                    for k, v in (button[2] if len(button) > 2 else {}).items()
                }
                line.append({"text": self.gettext(lang, button[0], **values), "callback_data": button[1]})
            out.append(line)
        return out

    def when(self, lang: str, moment: datetime) -> str:
        """A short local date and time for a button label, in the reader's language."""
        local = moment.astimezone(self.settings.tz)
        return format_datetime(
            local, format="EEE MM-dd HH:mm", locale=BABEL_LOCALE[self.renderer.language(lang)]
        )

    async def notify(
        self,
        conn: aiosqlite.Connection,
        user_id: int,
        template: str,
        key: str,
        now: datetime,
        *,
        starts_at: datetime | None,
        own: bool,
        expires_at: datetime | None = None,
        buttons: Labelled = (),
        kind: str = "vol_notice",
        **values: Any,
    ) -> None:
        """One message to one person, in their language, once per `key`."""
        lang = await self.language(conn, user_id)
        await outbox.enqueue(
            conn,
            chat_id=user_id,
            kind=kind,
            text=self.render(lang, template, **values),
            now=now,
            not_before=self.deliver_at(now, starts_at, own=own),
            expires_at=expires_at,
            dedupe_key=key,
            buttons=self.buttons(lang, buttons) if buttons else None,
        )

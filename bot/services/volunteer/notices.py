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

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.callbacks import Action
from bot.domain import shifts as rules
from bot.msgids import N_
from bot.services.base import UseCases
from bot.services.volunteer.cards import shift_card
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

# Button rows of an outbox message: (label msgid, callback data), labelled in the recipient's language.
Labelled = Sequence[Sequence[tuple[str, str]]]


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
        return [
            [{"text": self.gettext(lang, label), "callback_data": data} for label, data in row]
            for row in rows
        ]

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

    async def schedule_reminders(
        self,
        conn: aiosqlite.Connection,
        shift: repo.Shift,
        project: repo.Project,
        signup: repo.Signup,
        now: datetime,
    ) -> int:
        """Queue the project's reminders for a confirmed place, each at its local time."""
        tz = self.settings.tz
        lang = await self.language(conn, signup.user_id)
        reminders = [rules.parse_reminder(r) for r in project.reminders.split(",") if r.strip()]
        card = await shift_card(conn, shift, signup.user_id)
        buttons = self.buttons(
            lang,
            [
                [(N_("I'm coming"), COMING.data(shift.id)), (N_("I can't come"), CANT_COME.data(shift.id))],
                [(N_("Check in"), CHECK_IN.data(shift.id))],
            ],
        )
        made = 0
        for n, when in rules.reminder_times(shift.starts_at, reminders, tz, now):
            await outbox.enqueue(
                conn,
                chat_id=signup.user_id,
                kind="vol_reminder",
                text=self.render(lang, "volunteer/reminder.html", card=card, eve=reminders[n].kind == "eve"),
                now=now,
                not_before=when,
                expires_at=shift.starts_at,
                dedupe_key=f"{prefix(shift.id, signup.user_id)}rem:{n}:g{generation(signup)}",
                buttons=buttons,
            )
            made += 1
        return made

# i18n-domain: volunteer
"""Shift reminders, rendered when they are sent.

A confirmed place gets one row per reminder of its project (storage/shift_reminders): "remind
sign-up S at T". The tick hands each due row to the outbox, rendered at that moment in the
person's language of that moment, with the shift's time and place of that moment. So switching
to French, or an organiser moving the class to another room, changes the next reminder.

Why the tick enqueues due reminders instead of the sender rendering rows at send time: the
outbox sender is the one paced path for every feature and knows nothing of shifts or languages;
rendering in it would put feature reads and Jinja in its rate-limited loop and make the row's
text (what /forgetme scrubs, what `outbox` shows) differ from what was sent. Rendered at T and
sent at once, the text is at most one tick (BOT_TICK_SECONDS) older than the send.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.domain import shifts as rules
from bot.msgids import N_
from bot.services.base import UseCases
from bot.services.volunteer.cards import shift_card
from bot.services.volunteer.notices import CANT_COME, CHECK_IN, COMING, prefix
from bot.storage import outbox
from bot.storage import shift_reminders as reminders_repo
from bot.storage import shifts as repo
from bot.storage import users as users_repo

BATCH = 500  # reminders rendered per transaction (a morning rush is several batches of one tick)


class Reminders(UseCases):
    async def schedule(
        self,
        conn: aiosqlite.Connection,
        shift: repo.Shift,
        project: repo.Project,
        signup: repo.Signup,
        now: datetime,
    ) -> int:
        """Rows for the project's reminders of a confirmed place, each at its local time."""
        reminders = [rules.parse_reminder(r) for r in project.reminders.split(",") if r.strip()]
        made = 0
        for n, when in rules.reminder_times(shift.starts_at, reminders, self.settings.tz, now):
            await reminders_repo.put(conn, signup.id, n, reminders[n].kind, when)
            made += 1
        return made

    async def reschedule(self, conn: aiosqlite.Connection, shift: repo.Shift, now: datetime) -> None:
        """The shift moved: every confirmed place's reminders follow its new time."""
        project = await repo.project(conn, shift.project_id)
        assert project is not None
        for signup in await repo.of_shift(conn, shift.id, ("confirmed",)):
            await reminders_repo.drop_pending(conn, signup.id)
            await self.schedule(conn, shift, project, signup, now)

    async def withdraw(self, conn: aiosqlite.Connection, signup: repo.Signup) -> None:
        await reminders_repo.drop_pending(conn, signup.id)

    async def send_due(self) -> int:
        """Hand every due reminder to the outbox, rendered now; batches keep transactions short."""
        sent = 0
        while True:
            async with self.db.tx() as conn:
                now = self.now()
                rows = await reminders_repo.due(conn, now, BATCH)
                for row in rows:
                    await reminders_repo.mark_sent(conn, row.id, now)
                    sent += await self._send(conn, row, now)
            if len(rows) < BATCH:
                return sent

    async def _send(self, conn: aiosqlite.Connection, row: reminders_repo.ReminderRow, now: datetime) -> int:
        signup = await repo.signup_by_id(conn, row.signup_id)
        if signup is None or signup.status != "confirmed":
            return 0
        shift = await repo.shift(conn, signup.shift_id)
        if shift is None or shift.status != "open":
            return 0
        user = await users_repo.get(conn, signup.user_id)
        if user is not None and user.forgotten_at is not None:
            return 0  # erased with /forgetme: the bot no longer writes to them
        notices = self.services.volunteer.notices
        lang = await notices.language(conn, signup.user_id)
        card = await shift_card(conn, shift, signup.user_id)
        await outbox.enqueue(
            conn,
            chat_id=signup.user_id,
            kind="vol_reminder",
            text=self.render(lang, "volunteer/reminder.html", card=card, eve=row.kind == "eve"),
            now=now,
            not_before=now,
            expires_at=shift.starts_at,  # a reminder the bot could not send in time is never sent late
            dedupe_key=f"{prefix(shift.id, signup.user_id)}rem:{row.n}:{row.id}",
            buttons=notices.buttons(
                lang,
                [
                    [
                        (N_("I'm coming"), COMING.data(shift.id)),
                        (N_("I can't come"), CANT_COME.data(shift.id)),
                    ],
                    [(N_("Check in"), CHECK_IN.data(shift.id))],
                ],
            ),
        )
        return 1

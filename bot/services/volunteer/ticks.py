# i18n-domain: volunteer
"""Everything time-based of the feature, run by bot/jobs/ticks: shifts generated ahead from the
schedules, lapsed offers passed on, unclaimed team places released, and a day ahead, people who
said they are free asked to fill a shift that still has places. Each step reads what is due and
records what it did in one transaction, so a restart neither loses nor repeats anything."""

from __future__ import annotations

from datetime import time, timedelta

from bot.domain import shifts as rules
from bot.msgids import N_
from bot.services.base import UseCases
from bot.services.volunteer.cards import shift_card, snapshot
from bot.services.volunteer.notices import SIGN_UP, prefix
from bot.storage import shifts as repo


class Ticks(UseCases):
    async def tick(self) -> dict[str, int]:
        """One round of every step; returns how much each did."""
        return {
            "reminders": await self.services.volunteer.reminders.send_due(),
            "cuts": await self.services.volunteer.changes.decide_due(),
            "generated": await self._generate(),
            "expired": await self._expire_offers(),
            "released": await self._release_teams(),
            "asked": await self._fill_empty(),
        }

    async def _generate(self) -> int:
        """Extend recurring schedules so there are always `weeks_ahead` weeks of shifts to sign up for."""
        tz = self.settings.tz
        made = 0
        async with self.db.tx() as conn:
            now = self.now()
            today = now.astimezone(tz).date()
            for s in await repo.active_schedules(conn):
                project = await repo.project(conn, s.project_id)
                assert project is not None
                horizon = today + timedelta(weeks=project.weeks_ahead)
                if s.generated_until is not None and s.generated_until >= horizon:
                    continue
                first = (s.generated_until + timedelta(days=1)) if s.generated_until else today
                schedule = rules.Schedule(
                    s.weekdays, time.fromisoformat(s.start_time), time.fromisoformat(s.end_time), s.capacity,
                    s.first_day, s.last_day, s.skip_days,
                )  # fmt: skip
                for starts, ends in rules.expand(schedule, first, horizon, tz):
                    if starts > now and await repo.insert_shift(
                        conn, s.project_id, s.id, starts, ends, s.capacity, now
                    ):
                        made += 1
                await repo.set_generated_until(conn, s.id, horizon)
        return made

    async def _expire_offers(self) -> int:
        """An offer nobody took in time: the place goes to the next person waiting."""
        async with self.db.tx() as conn:
            now = self.now()
            expired = await repo.expired_offers(conn, now)
            for signup in expired:
                shift = await repo.shift(conn, signup.shift_id)
                assert shift is not None
                await self.services.volunteer.signups.leave(conn, shift, signup, now, "expired")
                # Told, not dropped silently: the place went on, and they may join the line again.
                await self.services.volunteer.notices.notify(
                    conn, signup.user_id, "volunteer/offer_lapsed.html", f"{prefix(shift.id, signup.user_id)}lapsed:{signup.id}:{int(now.timestamp())}",
                    now, starts_at=shift.starts_at, own=False, expires_at=shift.starts_at,
                    buttons=[[(N_("Join the waitlist again"), SIGN_UP.data(shift.id))]],
                    card=await shift_card(conn, shift, signup.user_id), held_until=signup.offer_expires_at,
                )  # fmt: skip
            return len(expired)

    async def _release_teams(self) -> int:
        """Team places nobody took by the release time: offered to the people waiting. The liaison
        is told BOT_VOL_TEAM_WARNING before, and again when the places go."""
        teams_service = self.services.volunteer.teams
        async with self.db.tx() as conn:
            now = self.now()
            await teams_service.warn_and_release(conn, now)
            teams = await repo.teams_to_release(conn, now)
            for team in teams:
                await repo.release_team(conn, team.id, now)
                await teams_service.tell_released(conn, team, now)
                shift = await repo.shift(conn, team.shift_id)
                assert shift is not None
                await self.services.volunteer.signups.fill_from_waitlist(conn, shift, now)
            return len(teams)

    async def _fill_empty(self) -> int:
        """24 h ahead, offer a shift that still has free places to matching volunteers — once."""
        notices = self.services.volunteer.notices
        asked = 0
        async with self.db.tx() as conn:
            now = self.now()
            for shift in await repo.shifts_to_fill(conn, now, now + self.settings.vol_fill_ahead):
                await repo.mark_fill_offered(conn, shift.id, now)
                project = await repo.project(conn, shift.project_id)
                assert project is not None
                snap = await snapshot(conn, shift)
                if snap.free == 0 or snap.waiting > 0 or not project.slot:
                    continue
                card = await shift_card(conn, shift)
                for user_id in await repo.available_for(conn, project.slot, project.building_id, shift.id):
                    await repo.record_ask(conn, shift.id, user_id, now)
                    await notices.notify(
                        conn, user_id, "volunteer/fill_ask.html", f"{prefix(shift.id, user_id)}fill", now,
                        starts_at=shift.starts_at, own=False,
                        expires_at=shift.starts_at - self.settings.vol_offer_lead,
                        buttons=[[(N_("Sign me up"), SIGN_UP.data(shift.id))]],
                        kind="vol_fill", card=card,
                    )  # fmt: skip
                    asked += 1
        return asked

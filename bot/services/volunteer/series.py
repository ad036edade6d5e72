"""Series sign-up: "every Tuesday 06:00" takes the next N shifts of a recurring schedule in one
step (each checked like a single sign-up: a place or the waitlist, never two places at once), and
cancelling the series is one step too."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.base import InvalidInput, UseCases
from bot.services.volunteer.cards import ACTIVE, ShiftCard, shift_card
from bot.storage import shifts as repo

MAX_SERIES = 12


@dataclass(frozen=True)
class SeriesLine:
    card: ShiftCard
    status: str  # confirmed | waitlisted | already_confirmed | already_waitlisted | overlap | full


@dataclass(frozen=True)
class SeriesOutcome:
    series_id: int
    lines: list[SeriesLine]

    @property
    def confirmed(self) -> int:
        return sum(1 for line in self.lines if line.status in ("confirmed", "already_confirmed"))


class Series(UseCases):
    async def sign_up(self, user_id: int, shift_id: int, count: int) -> SeriesOutcome:
        if not 1 <= count <= MAX_SERIES:
            raise InvalidInput("series_count")
        tz = self.settings.tz
        async with self.db.tx() as conn:
            now = self.now()
            shift = await repo.shift(conn, shift_id)
            if shift is None or shift.status != "open" or shift.schedule_id is None:
                raise InvalidInput("shift_gone")
            local = shift.starts_at.astimezone(tz)
            same = [
                s
                for s in await repo.upcoming_shifts(conn, shift.project_id, now, limit=400)
                if s.schedule_id == shift.schedule_id
                and s.starts_at >= shift.starts_at
                and s.starts_at.astimezone(tz).weekday() == local.weekday()
                and s.starts_at.astimezone(tz).time() == local.time()
            ][:count]
            series_id = await repo.insert_series(
                conn, user_id, shift.schedule_id, local.weekday(), f"{local:%H:%M}", now
            )
        lines = []
        for one in same:
            try:
                result = await self.services.volunteer.signups.sign_up(user_id, one.id, series_id=series_id)
                if result.status.startswith("already_"):
                    async with self.db.tx() as conn:
                        await repo.attach_series(conn, one.id, user_id, series_id)
                lines.append(SeriesLine(result.card, result.status))
            except InvalidInput as problem:  # this date only: the others still go ahead
                async with self.db.read() as conn:
                    lines.append(SeriesLine(await shift_card(conn, one, user_id), problem.code))
        return SeriesOutcome(series_id, lines)

    async def cancel(self, user_id: int, series_id: int) -> list[ShiftCard]:
        """Leave every coming shift of the series (before the cut-off, never late)."""
        async with self.db.tx() as conn:
            now = self.now()
            found = await repo.series(conn, series_id)
            if found is None or found.user_id != user_id:
                raise InvalidInput("series_gone")
            await repo.cancel_series(conn, series_id, now)
            left = []
            for signup in await repo.series_signups(conn, series_id):
                shift = await repo.shift(conn, signup.shift_id)
                if shift is None or signup.status not in ACTIVE or shift.starts_at <= now:
                    continue
                await self.services.volunteer.signups.leave(conn, shift, signup, now, "cancelled")
                left.append(await shift_card(conn, shift, user_id))
            return left

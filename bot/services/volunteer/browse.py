"""Finding a shift: the projects, a project's upcoming shifts page by page, one's own shifts (also
as a calendar file), and when one is free (so the station can ask when a shift needs people)."""

from __future__ import annotations

from bot.domain.projects_yaml import SLOTS
from bot.services.base import InvalidInput, UseCases
from bot.services.volunteer.cards import ACTIVE, ShiftCard, shift_card
from bot.storage import shifts as repo
from bot.storage import users as users_repo

PAGE = 6  # shifts on one page of a project


class Browse(UseCases):
    async def projects(self) -> list[repo.Project]:
        async with self.db.read() as conn:
            return await repo.active_projects(conn)

    async def project_page(
        self, user_id: int, project_id: int, page: int = 0
    ) -> tuple[repo.Project, list[ShiftCard], bool]:
        """A project and one page of its upcoming shifts (with free places), and whether more follow."""
        page = max(0, min(page, 50))
        async with self.db.read() as conn:
            project = await repo.project(conn, project_id)
            if project is None or not project.active:
                raise InvalidInput("project_gone")
            shifts = await repo.upcoming_shifts(
                conn, project_id, self.now(), limit=PAGE + 1, offset=page * PAGE
            )
            cards = [await shift_card(conn, s, user_id) for s in shifts[:PAGE]]
        return project, cards, len(shifts) > PAGE

    async def card(self, user_id: int, shift_id: int) -> ShiftCard:
        async with self.db.read() as conn:
            shift = await repo.shift(conn, shift_id)
            if shift is None:
                raise InvalidInput("shift_gone")
            return await shift_card(conn, shift, user_id)

    async def my_shifts(self, user_id: int) -> list[ShiftCard]:
        async with self.db.read() as conn:
            rows = await repo.of_user(conn, user_id, ACTIVE, after=self.now())
            return [await shift_card(conn, shift, user_id) for _, shift in rows]

    async def ics(self, user_id: int, shift_id: int | None = None) -> tuple[bytes, str]:
        """An .ics file: one shift (with an alarm) or all of the person's upcoming shifts."""
        from bot.calendar_files import shifts_ics

        async with self.db.read() as conn:
            lang = await self.services.volunteer.notices.language(conn, user_id)
            rows = await repo.of_user(conn, user_id, ACTIVE, after=self.now())
            cards = [
                await shift_card(conn, s, user_id) for _, s in rows if shift_id is None or s.id == shift_id
            ]
        if shift_id is not None and not cards:
            raise InvalidInput("not_signed_up")
        name = f"shift-{shift_id}.ics" if shift_id is not None else "my-shifts.ics"
        return shifts_ics(cards, lang, self.renderer, self.now()), name

    # ------------------------------------------------------------------ availability

    async def set_availability(self, user_id: int, slots: list[str]) -> list[str]:
        chosen = [s for s in SLOTS if s in slots]
        async with self.db.tx() as conn:
            user = await users_repo.get(conn, user_id)
            await repo.set_availability(conn, user_id, chosen, user.building_id if user else None, self.now())
        return chosen

    async def toggle_availability(self, user_id: int, slot: str) -> list[str]:
        if slot not in SLOTS:
            raise InvalidInput("bad_slot")
        async with self.db.read() as conn:
            current, _ = await repo.availability(conn, user_id)
        chosen = [s for s in current if s != slot] if slot in current else [*current, slot]
        return await self.set_availability(user_id, chosen)

    async def availability(self, user_id: int) -> list[str]:
        async with self.db.read() as conn:
            return (await repo.availability(conn, user_id))[0]

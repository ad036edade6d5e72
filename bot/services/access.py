"""Who may do what: the one place where roles are checked.

Handlers never trust callback data or chat membership for permissions: every staff action asks
this service about the person pressing, at the moment they press.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings
from bot.storage import roles as roles_repo
from bot.storage.db import Database


@dataclass(frozen=True)
class Access:
    user_id: int
    is_admin: bool
    staff: tuple[roles_repo.Role, ...]
    organiser_scopes: tuple[str, ...]

    @property
    def is_staff(self) -> bool:
        return self.is_admin or bool(self.staff)

    @property
    def is_organiser(self) -> bool:
        return self.is_admin or bool(self.organiser_scopes)

    def covers_building(self, building_id: int | None) -> bool:
        """District-wide staff and administrators see every building; building staff their own."""
        if self.is_admin:
            return True
        return any(r.building_id is None or r.building_id == building_id for r in self.staff)

    def max_tier(self) -> int:
        if self.is_admin:
            return 4
        return max((r.tier or 1 for r in self.staff), default=0)


class AccessService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def of(self, user_id: int) -> Access:
        async with self.db.read() as conn:
            return await self.of_in(conn, user_id)

    async def of_in(self, conn, user_id: int) -> Access:
        """Same as `of`, inside a transaction the caller already holds."""
        rows = await roles_repo.active_roles(conn, user_id)
        return Access(
            user_id=user_id,
            is_admin=user_id in self.settings.admin_ids or any(r.role == "admin" for r in rows),
            staff=tuple(r for r in rows if r.role == "staff"),
            organiser_scopes=tuple(r.scope or "" for r in rows if r.role == "organiser"),
        )

"""Profiles and onboarding."""

from __future__ import annotations

from bot.domain.text_safety import neutralise, neutralise_optional
from bot.services.base import InvalidInput, UseCases
from bot.settings import LANGUAGES
from bot.storage import buildings as buildings_repo
from bot.storage import users as users_repo
from bot.storage.users import UserRow

NAME_MAX = 64
COMPANY_MAX = 120


def pick_language(saved: str | None, telegram_code: str | None, default: str) -> str:
    """Saved choice first, then what Telegram says the phone uses, then the station's default."""
    if saved in LANGUAGES:
        return saved
    if telegram_code:
        base = telegram_code.lower().replace("_", "-").split("-")[0]
        if base in LANGUAGES:
            return base
    return default


class UserService(UseCases):
    def language_of(self, user: UserRow | None, telegram_code: str | None = None) -> str:
        return pick_language(
            user.language if user else None,
            telegram_code if telegram_code else (user.telegram_language if user else None),
            self.settings.default_language,
        )

    async def seen(
        self, user_id: int, first_name: str, username: str | None, language_code: str | None
    ) -> UserRow:
        """The person's profile, recording what Telegram says about them when it changed.

        Runs before every update, so the common case (nothing changed) is a read, not a write
        transaction (which would also wake the outbox sender for nothing).
        """
        first_name, username = neutralise(first_name), neutralise_optional(username)
        async with self.db.read() as conn:
            user = await users_repo.get(conn, user_id)
        if (
            user is not None
            and (user.first_name, user.username, user.telegram_language)
            == (first_name, username, language_code)
            and (user.unreachable_at is None or user.forgotten_at is not None)
        ):
            return user
        async with self.db.tx() as conn:
            return await users_repo.upsert_seen(
                conn, user_id, first_name, username, language_code, self.now()
            )

    async def get(self, user_id: int) -> UserRow | None:
        async with self.db.read() as conn:
            return await users_repo.get(conn, user_id)

    async def set_language(self, user_id: int, language: str) -> None:
        if language not in LANGUAGES:
            raise InvalidInput("language")
        async with self.db.tx() as conn:
            await users_repo.update(conn, user_id, self.now(), language=language)

    async def set_name(self, user_id: int, name: str) -> str:
        name = " ".join(neutralise(name).split())
        if not name or len(name) > NAME_MAX:
            raise InvalidInput("name_length", max=NAME_MAX)
        async with self.db.tx() as conn:
            await users_repo.update(conn, user_id, self.now(), display_name=name)
        return name

    async def set_building(self, user_id: int, building_id: int | None) -> None:
        async with self.db.tx() as conn:
            if building_id is not None and await buildings_repo.get(conn, building_id) is None:
                raise InvalidInput("building")
            await users_repo.update(conn, user_id, self.now(), building_id=building_id)

    async def finish_onboarding(self, user_id: int, company: str | None) -> UserRow:
        if company is not None:
            company = " ".join(neutralise(company).split())
            if len(company) > COMPANY_MAX:
                raise InvalidInput("company_length", max=COMPANY_MAX)
        async with self.db.tx() as conn:
            now = self.now()
            await users_repo.update(conn, user_id, now, company=company or None, onboarded_at=now)
            user = await users_repo.get(conn, user_id)
        assert user is not None
        return user

    async def buildings(self) -> list[buildings_repo.Building]:
        async with self.db.read() as conn:
            return await buildings_repo.all_buildings(conn)

    async def building(self, building_id: int | None) -> buildings_repo.Building | None:
        if building_id is None:
            return None
        async with self.db.read() as conn:
            return await buildings_repo.get(conn, building_id)

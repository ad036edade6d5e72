"""Shared fixtures: a real Application (built by the production factory) against the local emulator.

`bot_factory(**env)` starts one bot on a fresh database with extra environment settings, e.g.
`await bot_factory(BOT_SLA_CLOCK="wall", BOT_SLA_TIER1="2s")`. The clock is a ManualClock, so
tests move time forward instead of sleeping.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import i18n
from bot.app import build_application, handling, running
from bot.clock import ManualClock
from bot.jobs.ticks import run_ticks
from bot.sandbox.emulator import Emulator, Limits
from bot.services import Services
from bot.settings import Settings
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.db import Database

ADMIN_ID = 9001
# A Monday morning in Shanghai (09:30 local): working hours, so nothing is held for the next day.
START = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def _catalogs() -> None:
    i18n.compile_all()


@dataclass
class BotHarness:
    emu: Emulator
    app: object
    clock: ManualClock
    services: Services
    settings: Settings

    async def tick(self) -> None:
        """One round of every scheduler tick, now (instead of waiting for the JobQueue)."""
        await run_ticks(self.services)

    async def flush(self) -> None:
        """Deliver every due outbox message now, and let the bot finish answering."""
        sender = self.app.bot_data["sender"]
        while await sender.drain_once():
            pass
        await self.emu.wait_idle()

    async def advance(self, **delta: float) -> None:
        """Move the bot's clock forward, run the ticks and deliver what became due."""
        from datetime import timedelta

        self.clock.advance(timedelta(**delta))
        await self.tick()
        await self.flush()

    async def make_staff(self, person, *, tier: int = 1, building_id: int | None = None) -> None:
        async with self.services.db.tx() as conn:
            await users_repo.upsert_seen(
                conn, person.user_id, person.first_name, None, "zh", self.clock.now()
            )
            await roles_repo.grant(
                conn, person.user_id, "staff", self.clock.now(), tier=tier, building_id=building_id
            )

    async def onboard(
        self, person, *, language: str = "en", name: str | None = None, building: str | None = None
    ):
        """Walk a person through /start the way they would (language, name, building, company skipped)."""
        labels = {"zh": "中文", "en": "English", "fr": "Français"}
        await person.send("/start")
        await person.press(labels[language])
        await person.send(name or person.first_name)
        await self.emu.wait_idle()
        await person.press(building or ("静安高和" if language == "zh" else "JA Gohigh"))
        await self.emu.wait_idle()
        skip = {"zh": "跳过", "en": "Skip", "fr": "Passer"}[language]
        await person.press(skip)
        await self.emu.wait_idle()


BotFactory = Callable[..., Awaitable[BotHarness]]


def settings_for(emu: Emulator, db_path: Path, **env: str) -> Settings:
    """The settings of a test bot talking to `emu` with its database at `db_path`, plus `env`."""
    return Settings.from_mapping(
        {
            "TELEGRAM_BOT_TOKEN": emu.token,
            "TELEGRAM_API_URL": emu.api_url,
            "BOT_DB_PATH": str(db_path),
            "BOT_ADMIN_IDS": str(ADMIN_ID),
            "BOT_TICK_SECONDS": "3600",  # tests run ticks explicitly with harness.tick()
            **env,
        }
    )


def free_port() -> int:
    """A TCP port nobody listens on now (the bot's Mini App server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with every migration applied, made once: each bot starts on a copy of it.

    Applying the migrations takes longer than anything else a test bot does at start-up; the
    migrations themselves are tested from an empty file in tests/unit/test_migrations.py.
    """
    path = tmp_path_factory.mktemp("migrated") / "bot.sqlite3"

    async def migrate() -> None:
        async with Database(path) as db:
            await db.migrate()

    asyncio.run(migrate())
    return path


@pytest.fixture
async def bot_factory(tmp_path: Path, migrated_database: Path) -> AsyncIterator[BotFactory]:
    async with AsyncExitStack() as stack:
        counter = 0

        async def make(
            limits: Limits | None = None, clock: ManualClock | None = None, webapp: bool = False, **env: str
        ) -> BotHarness:
            """`webapp=True`: with the staff Mini App on a free local port (Telegram's test
            environment accepts its http URL) and its direct link registered as BotFather would."""
            nonlocal counter
            counter += 1
            emu = await stack.enter_async_context(
                Emulator(limits=limits or Limits(enabled=False), test_environment=webapp)
            )
            if webapp:
                port = free_port()
                env = {
                    "BOT_WEBAPP_URL": f"http://127.0.0.1:{port}/station",
                    "BOT_WEBAPP_LISTEN": f"127.0.0.1:{port}",
                    "BOT_WEBAPP_LINK": f"https://t.me/{emu.bot_username}/station",
                    **env,
                }
                emu.mini_apps["station"] = env["BOT_WEBAPP_URL"] + "/"
            database = tmp_path / f"bot{counter}.sqlite3"
            if "BOT_DB_PATH" not in env and not database.exists():
                shutil.copyfile(migrated_database, database)
            settings = settings_for(emu, database, **env)
            clock = clock or ManualClock(START, frozen=True)
            if webapp:  # Telegram dates initData by its clock: the same as the bot's here
                emu.clock = clock.now
            app = build_application(settings, clock)
            emu.bot_busy = lambda: handling(app)
            await stack.enter_async_context(running(app, poll_timeout=0.5))
            return BotHarness(emu, app, clock, app.bot_data["services"], settings)

        yield make


@pytest.fixture
async def bot(bot_factory: BotFactory) -> BotHarness:
    return await bot_factory()

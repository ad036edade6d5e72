"""Fixtures for the emulator's own tests: a running Emulator, a real telegram.Bot, a tiny PTB app.

Everything talks HTTP to the emulator; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AsyncExitStack

import pytest
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder, BaseHandler

from bot.sandbox.emulator import Emulator, Limits
from bot.sandbox.people import Person

EmuFactory = Callable[..., Awaitable[Emulator]]
AppFactory = Callable[[Iterable[BaseHandler]], Awaitable[Application]]


@pytest.fixture
async def make_emu() -> AsyncIterator[EmuFactory]:
    """Start emulators with custom options (limits, clock...); all stopped at teardown."""
    async with AsyncExitStack() as stack:

        async def make(**kwargs: object) -> Emulator:
            return await stack.enter_async_context(Emulator(**kwargs))  # type: ignore[arg-type]

        yield make


@pytest.fixture
async def emu(make_emu: EmuFactory) -> Emulator:
    """An emulator without flood limits, so tests can send freely to one chat."""
    return await make_emu(limits=Limits(enabled=False))


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    """A real python-telegram-bot ``Bot`` talking to ``emu``."""
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as real_bot:
        yield real_bot


@pytest.fixture
def alice(emu: Emulator) -> Person:
    return emu.user(1001, "Alice", language_code="zh", username="alice")


@pytest.fixture
def bob(emu: Emulator) -> Person:
    return emu.user(1002, "Bob", language_code="en")


@pytest.fixture
async def make_app(emu: Emulator) -> AsyncIterator[AppFactory]:
    """Run a polling PTB Application with the given handlers against ``emu`` (stopped at teardown)."""
    async with AsyncExitStack() as stack:

        async def make(handlers: Iterable[BaseHandler]) -> Application:
            app = (
                ApplicationBuilder()
                .token(emu.token)
                .base_url(emu.base_url)
                .base_file_url(emu.base_file_url)
                .build()
            )
            for handler in handlers:
                app.add_handler(handler)
            await stack.enter_async_context(app)
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)

            async def shutdown() -> None:
                await app.updater.stop()
                await app.stop()

            stack.push_async_callback(shutdown)
            return app

        yield make

"""A flooded group holds nobody else, and a flooder is told once, then left alone for a while."""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox.emulator import Limits
from tests.conftest import BotFactory

pytestmark = pytest.mark.serial  # measures real time: run alone (see pyproject, make test)

SCALE = 20  # Telegram's limits x20, so that the group's backlog drains in seconds, not minutes


async def test_a_private_help_is_answered_while_a_group_floods_the_bot(bot_factory: BotFactory) -> None:
    bot = await bot_factory(limits=Limits(scale=SCALE), BOT_SEND_LIMIT_SCALE=str(SCALE))
    noisy = [bot.emu.user(700 + i, f"Noisy {i}", language_code="en") for i in range(6)]
    group = bot.emu.group(-1007, "Lunch club", noisy)
    for i in range(60):  # 20 answers go at once, the other 40 wait for the group's allowance (~6 s)
        await noisy[i % 6].send("/help", chat=group)
    await group.wait_for(lambda m: True, timeout=5.0)

    someone = bot.emu.user(800, "Someone", language_code="en")
    started = asyncio.get_running_loop().time()
    await someone.send("/help")
    await someone.wait_for(lambda m: True, timeout=2.0)
    assert asyncio.get_running_loop().time() - started < 2.0


async def test_a_flooder_is_told_once_then_ignored(bot_factory: BotFactory) -> None:
    bot = await bot_factory(BOT_FLOOD_LIMIT="5")
    flooder = bot.emu.user(901, "Flooder", language_code="en")
    for _ in range(12):
        await flooder.send("/help")
    await bot.emu.wait_idle()
    warnings = [m for m in flooder.inbox if "a lot of messages at once" in m.plain]
    assert len(warnings) == 1, [m.plain[:30] for m in flooder.inbox]
    assert len(flooder.inbox) == 5 + 1, "five answers, one warning, then nothing"
    calm = bot.emu.user(902, "Calm", language_code="en")
    await calm.send("/help")
    await calm.wait_for(lambda m: True)

"""The local Bot API emulator (and the people driving it) in a child process.

Why another process: Telegram is not inside the bot's process. Run in-process, the emulator's
HTTP parsing, HTML checks and the people's scripts would take CPU from the bot under test on the
same event loop, so a fan-out could never reach the enforced limit on a two-core machine and the
ratio "ours / bare python-telegram-bot" would be diluted by the shared cost. Here the bot runs
alone in the benchmark process and talks HTTP to the child, as it would to Telegram.

`async with RemoteEmulator(limits) as remote:` starts the child and gives `remote.api_url`;
`await remote.call("bench.module:function", **kwargs)` runs `await function(emu, **kwargs)` in the
child (arguments and results must pickle) and returns its result.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import traceback
from multiprocessing.connection import Connection
from typing import Any

from bot.sandbox.emulator import Emulator, Limits


def _child(conn: Connection, limits: Limits) -> None:
    asyncio.run(_serve(conn, limits))


async def _serve(conn: Connection, limits: Limits) -> None:
    import logging

    logging.getLogger("bot").setLevel(logging.ERROR)
    logging.getLogger("aiohttp").setLevel(logging.ERROR)
    emu = Emulator(limits=limits)
    await emu.start()
    conn.send(emu.api_url)
    loop = asyncio.get_running_loop()
    try:
        while True:
            command, kwargs = await loop.run_in_executor(None, conn.recv)
            if command == "stop":
                break
            try:
                module, name = command.split(":")
                function = getattr(importlib.import_module(module), name)
                conn.send(("ok", await function(emu, **kwargs)))
            except Exception:
                conn.send(("error", traceback.format_exc()))
    finally:
        await emu.stop()
        conn.send(("ok", None))


class RemoteEmulator:
    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits(enabled=False)
        self.api_url = ""
        self._conn: Connection | None = None
        self._process: Any = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> RemoteEmulator:
        context = multiprocessing.get_context("spawn")  # no fork of a running event loop
        parent, child = context.Pipe()
        self._process = context.Process(target=_child, args=(child, self.limits), daemon=True)
        self._process.start()
        self._conn = parent
        # A child that dies before answering (it could not import the caller's __main__, say)
        # must fail the benchmark, not leave it waiting forever.
        while not await asyncio.to_thread(parent.poll, 1.0):
            if not self._process.is_alive():
                raise RuntimeError(f"the emulator process exited with code {self._process.exitcode}")
        self.api_url = await asyncio.to_thread(parent.recv)
        return self

    async def call(self, command: str, **kwargs: Any) -> Any:
        assert self._conn is not None
        async with self._lock:
            self._conn.send((command, kwargs))
            status, value = await asyncio.to_thread(self._conn.recv)
        if status == "error":
            raise RuntimeError(f"{command} failed in the emulator process:\n{value}")
        return value

    async def __aexit__(self, *exc: object) -> None:
        if self._conn is not None:
            try:
                self._conn.send(("stop", {}))
                await asyncio.wait_for(asyncio.to_thread(self._conn.recv), 10)
            except (OSError, EOFError, TimeoutError):
                pass
        if self._process is not None:
            await asyncio.to_thread(self._process.join, 5)
            if self._process.is_alive():
                self._process.kill()


# ----------------------------------------------------------------------------- child-side helpers


async def add_people(emu: Emulator, ids: list[int], lang: str = "zh") -> int:
    """Register people (private chats) so the emulator accepts messages to them."""
    for uid in ids:
        emu.user(uid, f"P{uid}", language_code=lang)
    return len(ids)


async def stats(emu: Emulator) -> dict[str, Any]:
    return {
        "messages_sent": emu.stats.messages_sent,
        "too_many_requests": emu.stats.too_many_requests,
        "rate_limited": emu.stats.rate_limited,
        "calls": dict(emu.stats.calls),
        "errors": dict(emu.stats.errors),
    }

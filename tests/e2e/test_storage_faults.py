"""Storage faults: another process holding the write lock, and a database that cannot be opened."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from bot.storage import outbox as outbox_repo
from tests.conftest import BotFactory

ROOT = Path(__file__).resolve().parents[2]
HOLD = 6.5  # seconds: longer than the 5 s busy timeout, so a write inside it fails


def hold_write_lock(path: Path, seconds: float, taken: threading.Event) -> None:
    """What a backup script or the command line can do: take the write lock and sit on it."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        taken.set()
        threading.Event().wait(seconds)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.serial  # a rate and a real-time bound: run alone
async def test_an_outside_write_lock_delays_no_reader_and_causes_no_resend(bot_factory: BotFactory) -> None:
    bot = await bot_factory()
    reader = bot.emu.user(610, "Reader", language_code="en")
    await bot.onboard(reader, language="en")
    volunteer = bot.emu.user(611, "Volunteer", language_code="en")
    later = bot.clock.now() + timedelta(hours=1)
    async with bot.services.db.tx() as conn:
        await outbox_repo.enqueue(
            conn,
            chat_id=volunteer.id,
            kind="test",
            text="Your shift starts soon",
            now=bot.clock.now(),
            not_before=later,
        )
    await bot.flush()
    assert volunteer.inbox == []

    taken = threading.Event()
    holder = asyncio.create_task(asyncio.to_thread(hold_write_lock, bot.settings.db_path, HOLD, taken))
    await asyncio.to_thread(taken.wait)
    # The reminder falls due while the lock is held: it is delivered, but its delivery cannot be
    # recorded until the lock is released.
    bot.clock.advance(timedelta(hours=1))
    bot.app.bot_data["sender"].wake()
    await volunteer.wait_for("Your shift starts soon", timeout=3)

    loop = asyncio.get_running_loop()
    started = loop.time()
    await reader.send("/help")
    await reader.wait_for(lambda m: True, timeout=2)
    assert loop.time() - started < 2, "a screen that only reads waited for the write lock"

    await holder
    await bot.flush()
    assert [m.plain for m in volunteer.inbox] == ["Your shift starts soon"], "delivered exactly once"
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT sent_at, message_id FROM outbox WHERE kind = 'test'")
        sent_at, message_id = await cur.fetchone()
    assert sent_at is not None and message_id == volunteer.inbox[0].message_id


def broken_databases(tmp: Path) -> dict[str, Path]:
    not_a_database = tmp / "garbage.sqlite3"
    not_a_database.write_bytes(b"this is not an SQLite database at all" * 100)
    a_directory = tmp / "folder.sqlite3"
    a_directory.mkdir()
    under_a_file = tmp / "plain-file" / "bot.sqlite3"
    under_a_file.parent.write_text("a file where a folder should be")
    return {"not a database": not_a_database, "a directory": a_directory, "under a file": under_a_file}


@pytest.mark.parametrize("case", ["not a database", "a directory", "under a file"])
@pytest.mark.parametrize("command", ["migrate", "run"])
async def test_a_database_that_cannot_be_opened_exits_at_once_with_one_line(
    tmp_path: Path, case: str, command: str
) -> None:
    path = broken_databases(tmp_path)[case]
    env = {
        **os.environ,
        "BOT_DB_PATH": str(path),
        # `run` with a token: it gets as far as opening the database (nothing listens here).
        "TELEGRAM_BOT_TOKEN": "123:unused",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", command, cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=20)
    except TimeoutError:
        process.kill()
        pytest.fail(f"`python -m bot {command}` with {case} did not exit (a connection thread left alive?)")
    lines = [line for line in err.decode().splitlines() if line.strip()]
    assert process.returncode == 2, (out, err)
    assert lines and lines[-1].startswith("error: cannot open the database"), lines
    assert str(path) in lines[-1]
    assert "Traceback" not in err.decode()

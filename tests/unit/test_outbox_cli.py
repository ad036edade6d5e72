"""`python -m bot outbox`: the numbers an operator reads when reminders seem late."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.clock import Clock
from bot.storage import outbox as outbox_repo
from bot.storage.db import Database


def make_outbox(path: Path) -> None:
    async def go() -> None:
        now = Clock().now()
        async with Database(path) as db:
            await db.migrate()
            async with db.tx() as conn:
                ids = [
                    await outbox_repo.enqueue(conn, chat_id=i, kind="reminder", text="r", now=now)
                    for i in range(1, 5)
                ]
                await outbox_repo.enqueue(
                    conn,
                    chat_id=9,
                    kind="staff_card",
                    text="c",
                    now=now,
                    not_before=now - timedelta(minutes=3),
                )
                await outbox_repo.mark_sent(conn, ids[0], 100, now)
                await outbox_repo.mark_sent(conn, ids[1], 101, now)
                await outbox_repo.mark_dead(conn, ids[2], "Forbidden: bot was blocked by the user", now)

    asyncio.run(go())


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    path = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("BOT_DB_PATH", str(path))
    return path


def test_table_shows_counts_oldest_age_and_dead_reasons(
    db_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_outbox(db_env)
    assert main(["outbox"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["kind", "queued", "due", "retrying", "sent", "dead", "missed", "cancelled"]
    assert out[1].split() == ["reminder", "1", "1", "0", "2", "1", "0", "0"]
    assert out[2].split() == ["staff_card", "1", "1", "0", "0", "0", "0", "0"]
    assert out[3].split() == ["total", "2", "2", "0", "2", "1", "0", "0"]
    assert out[4] == "oldest due message waiting: 3 min"
    assert out[5] == "recent dead messages:"
    assert out[6].startswith("  #3 reminder to chat 3, ") and out[6].endswith(
        "1 attempt(s): Forbidden: bot was blocked by the user"
    )


def test_json_for_monitoring(db_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_outbox(db_env)
    assert main(["outbox", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kinds"]["reminder"]["dead"] == 1
    assert 180 <= data["oldest_queued_seconds"] < 190
    assert data["recent_dead"][0]["reason"].startswith("Forbidden")


def test_missing_database_is_said_plainly(db_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outbox"]) == 1
    assert "no database at" in capsys.readouterr().out
    assert not db_env.exists(), "a status command must not create a database"

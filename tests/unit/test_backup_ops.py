"""Operations: online backup under writes, the doctor, webhook options, JSON logs."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.cli.ops import run_checks, webhook_options
from bot.logging_setup import JsonFormatter, configure_logging
from bot.sandbox.emulator import Emulator
from bot.settings import Settings, SettingsError
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from bot.storage.maintenance import online_backup


async def test_backup_during_a_burst_of_writes_has_every_committed_row(tmp_path: Path) -> None:
    source = tmp_path / "bot.sqlite3"
    async with Database(source) as db:
        await db.migrate()
        async with db.tx() as conn:
            await conn.execute("CREATE TABLE burst (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        committed = 0
        stop = asyncio.Event()
        warmed_up = asyncio.Event()

        async def writer() -> None:
            nonlocal committed
            while not stop.is_set():
                async with db.tx() as conn:  # like the bot: one transaction per unit of work
                    for _ in range(20):
                        await conn.execute("INSERT INTO burst (payload) VALUES (?)", ("x" * 200,))
                committed += 20
                if committed >= 2000:
                    warmed_up.set()
                await asyncio.sleep(0)

        task = asyncio.create_task(writer())
        await warmed_up.wait()
        before = committed
        result = await asyncio.to_thread(online_backup, source, tmp_path / "backups" / "copy.sqlite3")
        after = committed
        stop.set()
        await task

    copy = sqlite3.connect(result.path)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count, low, high = copy.execute("SELECT COUNT(*), MIN(id), MAX(id) FROM burst").fetchone()
        # Every row committed before the backup started is there; the copy is one snapshot (a
        # whole number of transactions, no gaps), not a mix of moments.
        assert before <= count <= after + 20
        assert (low, high) == (1, count) and count % 20 == 0
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT COUNT(*) FROM buildings").fetchone()[0] == 38
    finally:
        copy.close()
    assert not list((tmp_path / "backups").glob("*.partial"))


def test_backup_command_writes_a_dated_file_into_a_directory(tmp_path: Path, monkeypatch, capsys) -> None:
    source = tmp_path / "bot.sqlite3"

    async def prepare() -> None:
        async with Database(source) as db:
            await db.migrate()

    asyncio.run(prepare())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_DB_PATH", str(source))
    (tmp_path / "nightly").mkdir()
    assert main(["backup", str(tmp_path / "nightly")]) == 0
    [written] = (tmp_path / "nightly").glob("bot-*.sqlite3")
    assert "integrity ok" in capsys.readouterr().out
    assert sqlite3.connect(written).execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    monkeypatch.setenv("BOT_DB_PATH", str(tmp_path / "missing.sqlite3"))
    assert main(["backup", str(tmp_path / "x.sqlite3")]) == 1
    assert "no database" in capsys.readouterr().err


def test_backup_name_in_a_directory_is_time_stamped(tmp_path: Path) -> None:
    from bot.storage.maintenance import backup_path

    moment = datetime(2026, 11, 23, 1, 30, 5, tzinfo=UTC)
    assert backup_path(tmp_path, moment) == tmp_path / "bot-20261123T013005Z.sqlite3"
    assert backup_path(tmp_path / "a.db", moment) == tmp_path / "a.db"


async def test_doctor_reports_token_database_migrations_and_staff_chats(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with Emulator() as emu:
        emu.group(-1002, "Tier 2 platform")
        async with Database(path) as db:
            await db.migrate()
            async with db.tx() as conn:
                now = datetime(2026, 11, 23, tzinfo=UTC)
                await roles_repo.bind_chat(conn, -1002, "Tier 2 platform", 2, None, 1, now)
                await roles_repo.bind_chat(conn, -4040, "Gone group", 3, None, 1, now)
        settings = Settings.from_mapping(
            {"TELEGRAM_BOT_TOKEN": emu.token, "TELEGRAM_API_URL": emu.api_url, "BOT_DB_PATH": str(path)}
        )
        checks = await run_checks(settings)
        by = {(c.area, c.status) for c in checks}
        text = "\n".join(f"{c.status} {c.area} {c.detail}" for c in checks)
        assert ("token", "ok") in by, text
        assert ("database", "ok") in by and "integrity_check: ok" in text
        assert ("migrations", "ok") in by
        assert any(c.area == "staff chats" and c.status == "ok" and "-1002" in c.detail for c in checks)
        assert any(c.area == "staff chats" and c.status == "fail" and "-4040" in c.detail for c in checks)
        assert any(c.status == "warn" and "BOT_ADMIN_IDS" in c.detail for c in checks)

        bad = Settings.from_mapping(
            {"TELEGRAM_BOT_TOKEN": "1:wrong", "TELEGRAM_API_URL": emu.api_url, "BOT_DB_PATH": str(path)}
        )
        assert any(c.area == "token" and c.status == "fail" for c in await run_checks(bad))


async def test_doctor_sees_pending_migrations_and_a_missing_database(tmp_path: Path) -> None:
    missing = await run_checks(Settings.from_mapping({"BOT_DB_PATH": str(tmp_path / "none.sqlite3")}))
    assert any(c.area == "database" and c.status == "warn" for c in missing)
    assert any(c.area == "token" and c.status == "fail" for c in missing)
    path = tmp_path / "old.sqlite3"
    async with Database(path) as db:
        await db.migrate()
        async with db.tx() as conn:  # as if the code was upgraded after the last start
            await conn.execute("PRAGMA user_version = 4")
    checks = await run_checks(Settings.from_mapping({"BOT_DB_PATH": str(path)}))
    assert any(c.area == "migrations" and c.status == "warn" and "pending" in c.detail for c in checks)


def test_webhook_options_follow_the_url_and_listen_address() -> None:
    settings = Settings.from_mapping(
        {
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg/hook",
            "BOT_WEBHOOK_LISTEN": "[::1]:8443",
            "BOT_WEBHOOK_SECRET": "s3cret_token_of_some_length",
        }
    )
    assert webhook_options(settings) == {
        "listen": "::1",
        "port": 8443,
        "url_path": "tg/hook",
        "webhook_url": "https://bot.example.org/tg/hook",
        "secret_token": "s3cret_token_of_some_length",
    }
    with pytest.raises(SettingsError, match="BOT_WEBHOOK_LISTEN"):
        webhook_options(
            Settings.from_mapping(
                {"TELEGRAM_WEBHOOK_URL": "https://x.org/", "BOT_WEBHOOK_LISTEN": "localhost:https"}
            )
        )
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_URL"):
        webhook_options(Settings.from_mapping({"TELEGRAM_WEBHOOK_URL": "bot.example.org"}))
    with pytest.raises(SettingsError, match="BOT_WEBHOOK_SECRET"):
        Settings.from_mapping({"BOT_WEBHOOK_SECRET": "has spaces"})


def test_run_webhook_is_available_in_this_install() -> None:
    """PTB's run_webhook needs the `webhooks` extra (tornado); without it the bot dies at start."""
    from telegram.ext._updater import WEBHOOKS_AVAILABLE

    assert WEBHOOKS_AVAILABLE


def test_json_logs_are_one_object_per_line(capsys) -> None:
    configure_logging("INFO", "json")
    try:
        log = logging.getLogger("bot.test")
        log.info("outbox message %s to %s dead: %s", 7, 1001, "Forbidden: bot was blocked\nby the user")
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("tick %s failed", "requests")
        lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(lines) == 2
        first, second = (json.loads(line) for line in lines)
        assert first["level"] == "INFO" and first["logger"] == "bot.test"
        assert first["message"] == "outbox message 7 to 1001 dead: Forbidden: bot was blocked\nby the user"
        assert second["level"] == "ERROR" and "ValueError: boom" in second["exception"]
        assert isinstance(JsonFormatter(), logging.Formatter)
    finally:
        configure_logging("INFO", "text")

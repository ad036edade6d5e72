"""Secrets stay secret: the real `python -m bot` process, its logs, its crash message, its webhook.

These run the bot as an operator does (a subprocess started with environment variables) against
the emulator in the test's event loop, and read what it prints: with BOT_LOG_LEVEL=DEBUG through
a real request cycle the token never appears; a token Telegram rejects is not printed in the
crash message; `doctor` proves the redaction; webhook mode does not start without a secret, and
its real webhook server refuses an update without the secret header (403) and changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from bot.app import build_application, on_shutdown, on_startup
from bot.cli.ops import webhook_options
from bot.clock import ManualClock
from bot.sandbox.emulator import Emulator, Limits
from tests.conftest import ADMIN_ID, START, settings_for

ROOT = Path(__file__).resolve().parents[2]
# A token shaped like @BotFather's (the emulator accepts any "<digits>:<secret>").
TOKEN = "7004219921:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET_PART = TOKEN.partition(":")[2]
WEBHOOK_SECRET = "w3bhook-secret-for-the-test-0123456789"


def bot_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """The process environment without the caller's bot settings, plus `values`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update(
        {"BOT_DB_PATH": str(tmp_path / "bot.sqlite3"), "BOT_TICK_SECONDS": "3600", "PYTHONUNBUFFERED": "1"}
    )
    env.update(values)
    return env


async def run_bot(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.slow
async def test_the_token_never_appears_in_debug_logs(tmp_path: Path) -> None:
    async with Emulator(TOKEN, limits=Limits(enabled=False)) as emu:
        env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=emu.api_url, BOT_LOG_LEVEL="DEBUG")
        process = await run_bot(env, "run")
        # Read its output while it runs: DEBUG fills a pipe's buffer within seconds, and a bot
        # writing to a full pipe stops dead.
        output = asyncio.create_task(process.communicate())
        try:
            person = emu.user(1001, "Ana", language_code="en")
            await person.send("/start")
            # A full request cycle: the update in, the reply (with its language buttons) out.
            await person.wait_for(lambda m: "English" in m.buttons, timeout=60)
            emu.faults.fail_next(1, "502", methods=["getUpdates"])  # and an error, with its traceback
            await person.send("/help")
            await person.wait_for("/start", timeout=30)
        finally:
            process.send_signal(signal.SIGINT)
            out, err = await asyncio.wait_for(output, 30)
    logs = err.decode("utf-8", "replace") + out.decode("utf-8", "replace")
    assert " DEBUG " in logs and "getUpdates" in logs  # the debug lines were there ...
    assert f"/bot{TOKEN.partition(':')[0]}:***" in logs  # ... including URLs that carry the token ...
    assert SECRET_PART not in logs  # ... and the token never shows
    assert process.returncode == 0


@pytest.mark.slow
async def test_a_token_telegram_rejects_is_not_printed_when_the_bot_stops(tmp_path: Path) -> None:
    async with Emulator("7004219921:AAGanotherTokenTheServerKnowsAbout12") as emu:
        env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=emu.api_url)
        process = await run_bot(env, "run")
        out, err = await asyncio.wait_for(process.communicate(), 60)
    printed = err.decode("utf-8", "replace") + out.decode("utf-8", "replace")
    assert process.returncode == 1
    assert "Telegram refused TELEGRAM_BOT_TOKEN (bot 7004219921)" in printed
    assert SECRET_PART not in printed
    assert printed.strip().splitlines()[-1].startswith("Telegram refused TELEGRAM_BOT_TOKEN")


@pytest.mark.slow
async def test_doctor_proves_the_token_is_hidden(tmp_path: Path) -> None:
    async with Emulator(TOKEN) as emu:
        env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=emu.api_url)
        process = await run_bot(env, "doctor")
        out, err = await asyncio.wait_for(process.communicate(), 60)
    printed = out.decode() + err.decode()
    assert "OK    logging      the bot token is hidden in logs" in printed
    assert "probe 7004219921:*** at /bot7004219921:***/getMe" in printed
    assert SECRET_PART not in printed


# ---------------------------------------------------------------------------- webhook


@pytest.mark.slow
async def test_webhook_mode_does_not_start_without_a_secret(tmp_path: Path) -> None:
    env = bot_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL="http://127.0.0.1:9",
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/tg/hook",
    )
    process = await run_bot(env, "run")
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("configuration error: BOT_WEBHOOK_SECRET: required")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bindchat_update(update_id: int, chat_id: int) -> dict[str, object]:
    """What an attacker posts: the administrator typing /bindchat 1 in the attacker's group."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1790000000,
            "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin"},
            "chat": {"id": chat_id, "type": "supergroup", "title": "Not a staff group"},
            "text": "/bindchat 1",
            "entities": [{"type": "bot_command", "offset": 0, "length": 9}],
        },
    }


async def staff_chats(app) -> list[int]:
    async with app.bot_data["services"].db.read() as conn:
        cur = await conn.execute("SELECT chat_id FROM staff_chats")
        return [row[0] for row in await cur.fetchall()]


async def test_the_webhook_refuses_updates_without_the_secret_and_changes_nothing(tmp_path: Path) -> None:
    port = free_port()
    async with AsyncExitStack() as stack:
        emu = await stack.enter_async_context(Emulator(limits=Limits(enabled=False)))
        attacker_group = emu.group(-1009999, "Not a staff group")
        settings = settings_for(
            emu,
            tmp_path / "bot.sqlite3",
            TELEGRAM_WEBHOOK_URL=f"https://bot.example.org/tg/{port}",
            BOT_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
            BOT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        )
        app = build_application(settings, ManualClock(START, frozen=True))
        await app.initialize()
        stack.push_async_callback(app.shutdown)
        await on_startup(app)
        stack.push_async_callback(on_shutdown, app)
        assert app.updater is not None
        options = webhook_options(settings)
        await app.updater.start_webhook(
            listen=options["listen"],
            port=options["port"],
            url_path=options["url_path"],
            webhook_url=options["webhook_url"],
            secret_token=options["secret_token"],
        )
        stack.push_async_callback(app.updater.stop)
        await app.start()
        stack.push_async_callback(app.stop)
        assert emu.webhook_url == settings.webhook_url  # registered with setWebhook ...
        local = f"http://127.0.0.1:{port}/{options['url_path']}"

        async with httpx.AsyncClient() as client:
            forged = [
                {},  # no header at all
                {"X-Telegram-Bot-Api-Secret-Token": "guessed-secret-0123456789"},
            ]
            for number, headers in enumerate(forged, start=1):
                body = json.dumps(bindchat_update(number, attacker_group.id))
                reply = await client.post(
                    local, content=body, headers={"Content-Type": "application/json", **headers}
                )
                assert reply.status_code == 403
            await asyncio.sleep(0.2)
            assert await staff_chats(app) == [] and attacker_group.inbox == []

            # The same update with Telegram's header is taken (so the refusals above were the secret's).
            body = json.dumps(bindchat_update(3, attacker_group.id))
            headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
            reply = await client.post(local, content=body, headers=headers)
            assert reply.status_code == 200
            renderer = app.bot_data["services"].renderer
            await attacker_group.wait_for(
                renderer.gettext("zh", "Only staff can press the buttons on the cards.")
            )
        assert await staff_chats(app) == [attacker_group.id]

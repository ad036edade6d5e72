"""Operations: `python -m bot backup DEST`, `python -m bot doctor`, and the webhook options of `run`.

See docs/operations.md for how an operator uses them (systemd, backups, webhook behind a proxy).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.cli.registry import command
from bot.settings import Settings, SettingsError

# ---------------------------------------------------------------------------- webhook


#: A webhook secret shorter than this is guessable (Telegram allows 1-256 of A-Z a-z 0-9 _ -).
WEBHOOK_SECRET_MIN = 16


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Arguments for Application.run_webhook, from TELEGRAM_WEBHOOK_URL and BOT_WEBHOOK_LISTEN.

    The local server listens on BOT_WEBHOOK_LISTEN (usually 127.0.0.1 behind a TLS reverse proxy)
    and serves the URL's path, so the proxy can forward https://host/<path> unchanged.

    BOT_WEBHOOK_SECRET is required: setWebhook registers it, Telegram sends it in the
    X-Telegram-Bot-Api-Secret-Token header of every update, and python-telegram-bot's webhook
    server answers 403 to a request without it. Without a secret, anyone who learns the URL can
    post updates "from" any user (an attacker bound their own group as a staff chat "as" the
    administrator). We refuse to start rather than generate one at each start: a secret the
    operator sets survives restarts (updates Telegram is retrying keep the same header), can be
    checked by the reverse proxy too, and `doctor` can say whether it is there.
    """
    url = settings.webhook_url or ""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise SettingsError(f"TELEGRAM_WEBHOOK_URL: expected an https:// URL, got {url!r}")
    host, _, port = settings.webhook_listen.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(
            f"BOT_WEBHOOK_LISTEN: expected host:port such as 127.0.0.1:8443, got {settings.webhook_listen!r}"
        )
    secret = settings.webhook_secret or ""
    if len(secret) < WEBHOOK_SECRET_MIN:
        raise SettingsError(
            f"BOT_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL, at least {WEBHOOK_SECRET_MIN} characters"
            " of A-Z, a-z, 0-9, _ and - (for instance the output of"
            " `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`); without it anyone who finds"
            " the webhook URL can send the bot updates as any user"
        )
    return {
        "listen": host,
        "port": int(port),
        "url_path": parts.path.lstrip("/"),
        "webhook_url": url,
        "secret_token": secret,
    }


# ---------------------------------------------------------------------------- backup


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dest", type=Path, help="backup file, or a directory for a time-stamped file")


@command(
    "backup", "copy the database consistently while the bot runs (sqlite3 backup API)", _backup_arguments
)
def backup(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage.maintenance import online_backup

    try:
        result = online_backup(Path(settings.db_path), args.dest)
    except (FileNotFoundError, RuntimeError, OSError) as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return 1
    print(
        f"backup written: {result.path} ({result.size} bytes, schema {result.schema_version}, integrity ok)"
    )
    return 0


# ---------------------------------------------------------------------------- doctor


@dataclass(frozen=True)
class Check:
    area: str
    status: str  # "ok", "warn" or "fail"
    detail: str


async def run_checks(settings: Settings) -> list[Check]:
    """Everything an operator should know before (or while) running the bot, without changing it."""
    checks: list[Check] = [Check("settings", "ok", "environment read and validated")]
    if not settings.admin_ids:
        checks.append(Check("settings", "warn", "BOT_ADMIN_IDS is empty: nobody can invite staff"))
    if settings.webhook_url:
        try:
            options = webhook_options(settings)
            scheme = urlsplit(settings.webhook_url).scheme
            checks.append(
                Check(
                    "webhook",
                    "ok" if scheme == "https" else "warn",
                    f"listening on {options['listen']}:{options['port']}/{options['url_path']}"
                    + ("" if scheme == "https" else " (Telegram only calls https:// webhooks)")
                    + "; updates without BOT_WEBHOOK_SECRET's header are refused",
                )
            )
        except SettingsError as error:
            checks.append(Check("webhook", "fail", str(error)))
    checks.append(_redaction_check(settings))
    database, chats = await _database_checks(settings)
    checks.extend(database)
    checks.extend(await _telegram_checks(settings, chats))
    return checks


#: Stands for the token when none is set: the probe still shows whether token-shaped text is hidden.
_SAMPLE_TOKEN = "123456789:AAHsampleSampleSampleSampleSampleSam"


def _redaction_check(settings: Settings) -> Check:
    """Log a probe carrying the token through the configured handlers and look at what came out."""
    from bot.logging_setup import probe_redaction

    hidden, line = probe_redaction(settings.token or _SAMPLE_TOKEN)
    if not hidden:  # never print `line` then: it holds the token
        return Check(
            "logging", "fail", "a probe log line carrying the bot token came out with the token in it"
        )
    return Check(
        "logging", "ok", f"the bot token is hidden in logs at every level; a probe came out as {line[:90]!r}"
    )


Chat = tuple[int, int, int | None, str]  # chat id, tier, building id, title


async def _database_checks(settings: Settings) -> tuple[list[Check], list[Chat]]:
    from bot.storage import roles as roles_repo
    from bot.storage.db import Database, migrations
    from bot.storage.maintenance import integrity_check

    path = Path(settings.db_path)
    if not path.is_file():
        return [
            Check("database", "warn", f"{path} does not exist yet (created by `migrate` or at start)")
        ], []
    checks = []
    async with Database(path) as db:
        async with db.read() as conn:
            integrity = await integrity_check(conn)
        checks.append(
            Check("database", "ok" if integrity == "ok" else "fail", f"integrity_check: {integrity}")
        )
        version = await db.schema_version()
        known = migrations()[-1][0] if migrations() else 0
        pending = await db.pending_migrations()
        if version > known:
            checks.append(Check("migrations", "fail", f"schema {version} is newer than this code ({known})"))
        elif pending:
            names = ", ".join(p.name for _, p in pending)
            checks.append(Check("migrations", "warn", f"{len(pending)} pending (applied at start): {names}"))
        else:
            checks.append(Check("migrations", "ok", f"schema version {version}, none pending"))
        if version >= 1:
            async with db.read() as conn:
                chats = await roles_repo.all_staff_chats(conn)
            bound: list[Chat] = [(c.chat_id, c.tier, c.building_id, c.title) for c in chats]
        else:
            bound = []
    district = {tier for _, tier, building, _ in bound if building is None}
    missing = [t for t in (1, 2, 3, 4) if t not in district]
    if missing:
        tiers = ", ".join(str(t) for t in missing)
        checks.append(
            Check("staff chats", "warn", f"no district-wide group bound for tier(s) {tiers} (/bindchat)")
        )
    else:
        checks.append(Check("staff chats", "ok", f"{len(bound)} group(s) bound"))
    return checks, bound


async def _telegram_checks(settings: Settings, chats: list[Chat]) -> list[Check]:
    """getMe proves the token; getChat on every bound group proves the bot is still in it."""
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    if not settings.token:
        return [Check("token", "fail", "TELEGRAM_BOT_TOKEN is not set")]
    checks = []
    try:
        async with Bot(
            settings.token, base_url=settings.base_url, base_file_url=settings.base_file_url
        ) as bot:
            me = await bot.get_me()
            checks.append(Check("token", "ok", f"getMe: @{me.username} (id {me.id}) at {settings.api_url}"))
            for chat_id, tier, _building, title in chats:
                try:
                    await bot.get_chat(chat_id)
                    checks.append(
                        Check("staff chats", "ok", f"tier {tier} group {title!r} ({chat_id}) reachable")
                    )
                except TelegramError as error:
                    checks.append(
                        Check(
                            "staff chats", "fail", f"tier {tier} group {title!r} ({chat_id}): {error.message}"
                        )
                    )
    except InvalidToken:  # its message quotes the whole token: never print it
        bot_id = settings.token.partition(":")[0]
        checks.append(Check("token", "fail", f"Telegram refused the token of bot {bot_id} (see @BotFather)"))
    except TelegramError as error:
        checks.append(Check("token", "fail", f"cannot reach {settings.api_url}: {error.message}"))
    return checks


@command("doctor", "check settings, database integrity, migrations, staff chats and the bot token")
def doctor(settings: Settings, args: argparse.Namespace) -> int:
    checks = asyncio.run(run_checks(settings))
    for c in checks:
        print(f"{c.status.upper():<5} {c.area:<12} {c.detail}")
    failed = sum(c.status == "fail" for c in checks)
    print(f"{len(checks)} checks, {failed} failed" if failed else f"{len(checks)} checks, all passed")
    return 1 if failed else 0

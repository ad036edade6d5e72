"""Environment variables -> one validated Settings object.

The variable names are a public interface (operators' systemd units and .env files use them):
never rename one. Validation happens once at start-up so a typo fails loudly with the
variable's name instead of surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from bot.domain.risk import FollowUpRule, ReminderRule

LANGUAGES = ("zh", "en", "fr")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A bad environment value; the message names the variable and says what is expected."""


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    api_url: str = "https://api.telegram.org"
    db_path: Path = Path("data/bot.sqlite3")
    admin_ids: frozenset[int] = frozenset()
    timezone: str = "Asia/Shanghai"
    default_language: str = "zh"
    log_level: str = "INFO"
    log_format: str = "text"
    send_rate: float = 25.0
    send_limit_scale: float = 1.0  # BOT_SEND_LIMIT_SCALE: only for the sped-up emulator (tests, bench)
    tick_seconds: float = 30.0
    sla_clock: str = "working"
    sla_tiers: tuple[str, str, str, str] = ("1d", "3d", "5d", "1d")
    sla_first_response: str = "2h"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1:8443"
    webhook_secret: str | None = None  # BOT_WEBHOOK_SECRET: Telegram echoes it in a header we check
    invite_hours: float = 48.0  # BOT_INVITE_HOURS: how long a staff invitation link stays valid
    demo_port: int = 8080
    flood_limit: int = (
        30  # BOT_FLOOD_LIMIT: messages a person may send in 10 s (a group: twice that a minute); 0: off
    )
    # Volunteering (BOT_VOL_*): see the README's settings table.
    vol_cutoff: timedelta = timedelta(hours=12)
    vol_offer_window: timedelta = timedelta(hours=2)
    vol_offer_lead: timedelta = timedelta(hours=1)
    vol_fill_ahead: timedelta = timedelta(hours=24)
    vol_team_release: timedelta = timedelta(hours=24)
    vol_team_warning: timedelta = timedelta(
        hours=24
    )  # BOT_VOL_TEAM_WARNING: liaison told this long before release
    board_font: Path | None = None  # BOT_BOARD_FONT: a font with Chinese glyphs for /board pictures
    # BOT_ENTERPRISE_FOLLOWUP: visit interval per colour (missing colours keep their defaults).
    enterprise_followup: Mapping[str, FollowUpRule] = field(default_factory=lambda: _followup(None))
    # The staff desk (BOT_PROMPT_TIMEOUT, BOT_WAIT_*, BOT_PAUSE_*): see the README's settings table.
    prompt_timeout: timedelta = timedelta(minutes=15)  # how long a reply prompt waits for its answer
    wait_nudge: str = "2d"  # waiting on the requester: nudge after this (SLA clock: working days)
    wait_close: str = "5d"  # ...and close the request without an answer after this
    pause_limit: int = 3  # pauses a request may have (the next one is refused: escalate instead)
    pause_max: str = "10d"  # the furthest expected date a department or third party may be given
    # The staff Mini App (BOT_WEBAPP_*): served by the bot's own process; off without a URL.
    webapp_url: str | None = None  # BOT_WEBAPP_URL: the public HTTPS base the reverse proxy serves
    webapp_listen: str = "127.0.0.1:8081"  # BOT_WEBAPP_LISTEN: where its web server listens
    webapp_link: str | None = None  # BOT_WEBAPP_LINK: its t.me direct link, for buttons in groups
    webapp_max_age: timedelta = timedelta(hours=12)  # BOT_WEBAPP_MAX_AGE: how long initData is honoured
    # BOT_ENTERPRISE_REMINDERS: how often a late visit is reminded, per colour (until it is logged).
    enterprise_reminders: Mapping[str, ReminderRule] = field(default_factory=lambda: _reminders(None))
    # BOT_ENTERPRISE_REMINDER_CLIMB: after this many reminders a late visit climbs to the next tier.
    enterprise_reminder_climb: int = 3
    # BOT_IMPORT_DELETE_SHARE: a guide or projects import deleting more than this share needs a confirmation.
    import_delete_share: float = 0.2

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/file/bot"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
        """Read the process environment, falling back to `.env` for variables not set there."""
        merged: dict[str, str] = {}
        if dotenv is not None and dotenv.is_file():
            merged.update(read_dotenv(dotenv))
        merged.update(os.environ if env is None else env)
        return cls.from_mapping(merged)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() != "" else None

        token = get("TELEGRAM_BOT_TOKEN")
        if token is not None and (":" not in token or not token.split(":", 1)[0].isdigit()):
            raise SettingsError("TELEGRAM_BOT_TOKEN: expected '<digits>:<secret>' as given by @BotFather")

        api_url = get("TELEGRAM_API_URL") or "https://api.telegram.org"
        if not api_url.startswith(("http://", "https://")):
            raise SettingsError(f"TELEGRAM_API_URL: expected an http(s) URL, got {api_url!r}")

        admin_ids: set[int] = set()
        for part in (get("BOT_ADMIN_IDS") or "").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.lstrip("-").isdigit():
                raise SettingsError(
                    f"BOT_ADMIN_IDS: expected comma-separated Telegram user ids, got {part!r}"
                )
            admin_ids.add(int(part))

        timezone = get("BOT_TIMEZONE") or "Asia/Shanghai"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(f"BOT_TIMEZONE: unknown IANA time zone {timezone!r}") from None

        language = (get("BOT_DEFAULT_LANGUAGE") or "zh").lower()
        if language not in LANGUAGES:
            raise SettingsError(
                f"BOT_DEFAULT_LANGUAGE: expected one of {', '.join(LANGUAGES)}, got {language!r}"
            )

        log_level = (get("BOT_LOG_LEVEL") or "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise SettingsError(f"BOT_LOG_LEVEL: expected one of {', '.join(LOG_LEVELS)}, got {log_level!r}")

        log_format = (get("BOT_LOG_FORMAT") or "text").lower()
        if log_format not in ("text", "json"):
            raise SettingsError(f"BOT_LOG_FORMAT: expected 'text' or 'json', got {log_format!r}")

        send_rate = _positive_float(get("BOT_SEND_RATE"), "BOT_SEND_RATE", 25.0)
        send_limit_scale = _positive_float(get("BOT_SEND_LIMIT_SCALE"), "BOT_SEND_LIMIT_SCALE", 1.0)
        tick_seconds = _positive_float(get("BOT_TICK_SECONDS"), "BOT_TICK_SECONDS", 30.0)

        sla_clock = (get("BOT_SLA_CLOCK") or "working").lower()
        if sla_clock not in ("working", "wall"):
            raise SettingsError(f"BOT_SLA_CLOCK: expected 'working' or 'wall', got {sla_clock!r}")
        tiers = (
            _duration(get("BOT_SLA_TIER1"), "BOT_SLA_TIER1", "1d"),
            _duration(get("BOT_SLA_TIER2"), "BOT_SLA_TIER2", "3d"),
            _duration(get("BOT_SLA_TIER3"), "BOT_SLA_TIER3", "5d"),
            _duration(get("BOT_SLA_TIER4"), "BOT_SLA_TIER4", "1d"),
        )
        first_response = _duration(get("BOT_SLA_FIRST_RESPONSE"), "BOT_SLA_FIRST_RESPONSE", "2h")

        invite_hours = _positive_float(get("BOT_INVITE_HOURS"), "BOT_INVITE_HOURS", 48.0)
        webhook_secret = get("BOT_WEBHOOK_SECRET")
        if webhook_secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret):
            raise SettingsError("BOT_WEBHOOK_SECRET: expected 1-256 characters of A-Z, a-z, 0-9, _ and -")

        demo_port_raw = get("BOT_DEMO_PORT") or "8080"
        if not demo_port_raw.isdigit() or not 0 <= int(demo_port_raw) <= 65535:
            raise SettingsError(f"BOT_DEMO_PORT: expected a TCP port number, got {demo_port_raw!r}")

        flood_raw = get("BOT_FLOOD_LIMIT") or "30"
        if not flood_raw.isdigit():
            raise SettingsError(
                f"BOT_FLOOD_LIMIT: expected a whole number of messages (0: no limit), got {flood_raw!r}"
            )

        wait_nudge = _duration(get("BOT_WAIT_NUDGE"), "BOT_WAIT_NUDGE", "2d")
        wait_close = _duration(get("BOT_WAIT_CLOSE"), "BOT_WAIT_CLOSE", "5d")
        if _sla_length(wait_close, sla_clock) <= _sla_length(wait_nudge, sla_clock):
            raise SettingsError(
                f"BOT_WAIT_CLOSE: must be longer than BOT_WAIT_NUDGE ({wait_nudge}), got {wait_close!r}"
            )
        pause_limit_raw = get("BOT_PAUSE_LIMIT") or "3"
        if not pause_limit_raw.isdigit() or not 1 <= int(pause_limit_raw) <= 50:
            raise SettingsError(
                f"BOT_PAUSE_LIMIT: expected a whole number of pauses from 1 to 50, got {pause_limit_raw!r}"
            )

        vol = {
            name: _positive_duration(get(f"BOT_VOL_{name.upper()}"), f"BOT_VOL_{name.upper()}", default)
            for name, default in (
                ("cutoff", "12h"),
                ("offer_window", "2h"),
                ("offer_lead", "1h"),
                ("fill_ahead", "24h"),
                ("team_release", "24h"),
                ("team_warning", "24h"),
            )
        }

        webapp_listen = _listen(get("BOT_WEBAPP_LISTEN") or "127.0.0.1:8081", "BOT_WEBAPP_LISTEN")
        if (
            get("BOT_WEBAPP_URL")
            and get("TELEGRAM_WEBHOOK_URL")
            and webapp_listen == (get("BOT_WEBHOOK_LISTEN") or "127.0.0.1:8443")
        ):
            raise SettingsError(
                "BOT_WEBAPP_LISTEN: the Mini App needs its own port, not BOT_WEBHOOK_LISTEN's"
            )

        climb_raw = get("BOT_ENTERPRISE_REMINDER_CLIMB") or "3"
        if not climb_raw.isdigit() or int(climb_raw) < 1:
            raise SettingsError(
                f"BOT_ENTERPRISE_REMINDER_CLIMB: expected a whole number of reminders (1 or more), got {climb_raw!r}"
            )

        return cls(
            token=token,
            api_url=api_url,
            db_path=Path(get("BOT_DB_PATH") or "data/bot.sqlite3"),
            admin_ids=frozenset(admin_ids),
            timezone=timezone,
            default_language=language,
            log_level=log_level,
            log_format=log_format,
            send_rate=send_rate,
            send_limit_scale=send_limit_scale,
            tick_seconds=tick_seconds,
            sla_clock=sla_clock,
            sla_tiers=tiers,
            sla_first_response=first_response,
            webhook_url=get("TELEGRAM_WEBHOOK_URL"),
            webhook_listen=get("BOT_WEBHOOK_LISTEN") or "127.0.0.1:8443",
            webhook_secret=webhook_secret,
            invite_hours=invite_hours,
            demo_port=int(demo_port_raw),
            flood_limit=int(flood_raw),
            vol_cutoff=vol["cutoff"],
            vol_offer_window=vol["offer_window"],
            vol_offer_lead=vol["offer_lead"],
            vol_fill_ahead=vol["fill_ahead"],
            vol_team_release=vol["team_release"],
            vol_team_warning=vol["team_warning"],
            enterprise_followup=_followup(get("BOT_ENTERPRISE_FOLLOWUP")),
            enterprise_reminders=_reminders(get("BOT_ENTERPRISE_REMINDERS")),
            enterprise_reminder_climb=int(climb_raw),
            import_delete_share=_share(get("BOT_IMPORT_DELETE_SHARE")),
            board_font=_font(get("BOT_BOARD_FONT")),
            prompt_timeout=_positive_duration(get("BOT_PROMPT_TIMEOUT"), "BOT_PROMPT_TIMEOUT", "15m"),
            wait_nudge=wait_nudge,
            wait_close=wait_close,
            pause_limit=int(pause_limit_raw),
            pause_max=_duration(get("BOT_PAUSE_MAX"), "BOT_PAUSE_MAX", "10d"),
            webapp_url=_webapp_url(get("BOT_WEBAPP_URL")),
            webapp_listen=webapp_listen,
            webapp_link=_webapp_link(get("BOT_WEBAPP_LINK")),
            webapp_max_age=_positive_duration(get("BOT_WEBAPP_MAX_AGE"), "BOT_WEBAPP_MAX_AGE", "12h"),
        )

    @property
    def webapp_listen_address(self) -> tuple[str, int]:
        """BOT_WEBAPP_LISTEN as (host, port), IPv6 brackets removed."""
        host, _, port = self.webapp_listen.rpartition(":")
        return host.strip("[]"), int(port)


def _positive_float(raw: str | None, name: str, default: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a positive number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name}: expected a positive number, got {raw!r}")
    return value


def _duration(raw: str | None, name: str, default: str) -> str:
    """Keep the text (the SLA clock decides what a 'd' means) but reject what cannot be parsed."""
    from bot.domain.worktime import parse_duration

    value = (raw or default).strip().lower()
    try:
        ok = parse_duration(value).total_seconds() > 0
    except ValueError:
        ok = False
    if not ok:
        raise SettingsError(f"{name}: expected a duration such as 90s, 15m, 8h or 3d, got {raw!r}")
    return value


def _sla_length(text: str, clock_mode: str) -> timedelta:
    from bot.domain.worktime import parse_sla

    return parse_sla(text, clock_mode)


def _positive_duration(raw: str | None, name: str, default: str) -> timedelta:
    """A wall-clock duration such as 90s, 15m, 2h or 1d."""
    from bot.domain.worktime import parse_duration

    try:
        value = parse_duration(raw or default)
    except ValueError:
        raise SettingsError(f"{name}: expected a duration such as 15m, 2h or 1d, got {raw!r}") from None
    if value <= timedelta(0):
        raise SettingsError(f"{name}: expected a positive duration, got {raw!r}")
    return value


def _webapp_url(raw: str | None) -> str | None:
    """The Mini App's public base: HTTPS (Telegram opens nothing else), except http on this machine,
    which only the local demo, the tests and Telegram's test environment accept."""
    if raw is None:
        return None
    parts = urlsplit(raw)
    local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if (parts.scheme != "https" and not local) or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(
            f"BOT_WEBAPP_URL: expected the public https:// address of the Mini App, e.g. "
            f"https://bot.example.org/station, got {raw!r}"
        )
    return raw.rstrip("/")


def _webapp_link(raw: str | None) -> str | None:
    """t.me/<bot>/<app> (an app made with BotFather's /newapp) or t.me/<bot> (the bot's main Mini App)."""
    if raw is None:
        return None
    if not re.fullmatch(r"https://t\.me/[A-Za-z][A-Za-z0-9_]{3,31}(/[A-Za-z0-9_]{3,64})?", raw.rstrip("/")):
        raise SettingsError(
            f"BOT_WEBAPP_LINK: expected the Mini App's direct link, e.g. https://t.me/jingan_bot/station, got {raw!r}"
        )
    return raw.rstrip("/")


def _listen(raw: str, name: str) -> str:
    host, _, port = raw.rpartition(":")
    if not host.strip("[]") or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"{name}: expected host:port such as 127.0.0.1:8081, got {raw!r}")
    return raw


def _font(raw: str | None) -> Path | None:
    if raw is None:
        return None
    path = Path(raw).expanduser()
    if not path.is_file():
        raise SettingsError(f"BOT_BOARD_FONT: no such font file {raw!r}")
    return path


def _followup(raw: str | None) -> Mapping[str, FollowUpRule]:
    from bot.domain.risk import parse_rules

    try:
        return parse_rules(raw)
    except ValueError as error:
        raise SettingsError(f"BOT_ENTERPRISE_FOLLOWUP: {error}") from None


def _reminders(raw: str | None) -> Mapping[str, ReminderRule]:
    from bot.domain.risk import parse_reminders

    try:
        return parse_reminders(raw)
    except ValueError as error:
        raise SettingsError(f"BOT_ENTERPRISE_REMINDERS: {error}") from None


def _share(raw: str | None) -> float:
    """A percentage such as 20 or 20% (of the entries an import may delete without a confirmation)."""
    text = (raw or "20").removesuffix("%").strip()
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise SettingsError(f"BOT_IMPORT_DELETE_SHARE: expected a percentage from 0 to 100, got {raw!r}")
    return value / 100


def read_dotenv(path: Path) -> dict[str, str]:
    """Minimal KEY=VALUE reader (comments, blank lines, optional quotes, optional 'export ')."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values

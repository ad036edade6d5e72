"""Telegram's Mini App `initData`, checked the way Telegram specifies it.

When Telegram opens a Mini App it hands the page a query string (`Telegram.WebApp.initData`, in
the URL's `#tgWebAppData=`) describing who opened it, signed with the bot's token:

    secret_key = HMAC-SHA-256(key="WebAppData", message=bot token)
    hash       = hex(HMAC-SHA-256(key=secret_key, message=data_check_string))

where the data-check-string is every received field except `hash`, as `key=value` (values
URL-decoded), sorted by key and joined with line feeds. Only Telegram and this bot know the
token, so a valid hash proves Telegram issued exactly these fields; `auth_date` (when Telegram
issued them) bounds how long a captured string can be used.

Pure functions on plain values: the web server passes the token and the injected clock's now.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

MAX_LENGTH = 8192  # Telegram's strings are well under 1 kB; anything longer is not theirs
CLOCK_SKEW = timedelta(minutes=5)  # a little drift between Telegram's clock and ours
_HASH = re.compile(r"[0-9a-f]{64}")


class InitDataError(ValueError):
    """Why a string is refused: missing, malformed, forged (bad signature) or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class InitData:
    """The fields of a valid initData the bot uses."""

    user_id: int
    first_name: str
    language_code: str | None
    auth_date: datetime
    hash: str  # unique per issued string: the replay guard's key
    start_param: str | None  # ?startapp= of a direct link
    chat_type: str | None  # where a direct link was opened: sender, private, group, supergroup...


def secret_key(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def verify(raw: str | None, token: str, now: datetime, max_age: timedelta) -> InitData:
    """The person Telegram vouches for, or InitDataError; nothing of an unverified string is used."""
    if not raw:
        raise InitDataError("missing")
    if len(raw) > MAX_LENGTH:
        raise InitDataError("malformed")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise InitDataError("malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a key given twice: which one did Telegram sign?
        raise InitDataError("malformed")
    received = fields.pop("hash", "")
    if not _HASH.fullmatch(received):
        raise InitDataError("malformed")
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    expected = hmac.new(secret_key(token), check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, received):
        raise InitDataError("forged")
    # Signed by Telegram from here on; still check the shape before trusting it.
    try:
        issued = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise InitDataError("malformed") from None
    if not isinstance(user, dict) or user_id <= 0:
        raise InitDataError("malformed")
    if issued > now + CLOCK_SKEW or now - issued > max_age:
        raise InitDataError("expired")
    language = user.get("language_code")
    return InitData(
        user_id=user_id,
        first_name=str(user.get("first_name") or ""),
        language_code=language if isinstance(language, str) else None,
        auth_date=issued,
        hash=received,
        start_param=fields.get("start_param"),
        chat_type=fields.get("chat_type"),
    )


def claimed_language(raw: str | None) -> str | None:
    """The language an *unverified* string claims: only to word a refusal of that very string."""
    try:
        user = json.loads(dict(parse_qsl(raw or "")).get("user", "{}"))
        language = user.get("language_code") if isinstance(user, dict) else None
    except (ValueError, TypeError):
        return None
    return language if isinstance(language, str) else None

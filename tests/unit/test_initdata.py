"""Telegram's initData is accepted exactly when Telegram signed it, recently, for one person.

The signature is recomputed here from Telegram's own description (not with the module's helper),
so a mistake in the checker's algorithm cannot hide behind the same mistake in the test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest

from bot.webapp.initdata import InitDataError, claimed_language, verify

TOKEN = "123456:TEST-token"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
USER = {"id": 2001, "first_name": "珊", "language_code": "zh-hans", "allows_write_to_pm": True}


def signed(fields: dict[str, str], token: str = TOKEN) -> str:
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    key = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    return urlencode(
        {**fields, "hash": hmac.new(key, check.encode(), hashlib.sha256).hexdigest()}, quote_via=quote
    )


def fields(**extra: str) -> dict[str, str]:
    base = {
        "user": json.dumps(USER, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int((NOW - timedelta(minutes=3)).timestamp())),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
    }
    return {**base, **extra}


def test_a_string_telegram_signed_is_accepted() -> None:
    opened = verify(signed(fields(start_param="ent-7", chat_type="supergroup")), TOKEN, NOW, DAY)
    assert (opened.user_id, opened.first_name, opened.language_code) == (2001, "珊", "zh-hans")
    assert (opened.start_param, opened.chat_type) == ("ent-7", "supergroup")
    assert opened.auth_date == NOW - timedelta(minutes=3)
    assert len(opened.hash) == 64


@pytest.mark.parametrize(
    ("name", "raw", "reason"),
    [
        ("nothing", "", "missing"),
        ("another bot's token", signed(fields(), token="654321:OTHER"), "forged"),
        ("a changed user id", signed(fields()).replace("2001", "2002"), "forged"),
        ("an added field", signed(fields()) + "&chat_type=private", "forged"),
        ("a changed hash", signed(fields())[:-1] + ("0" if signed(fields())[-1] != "0" else "1"), "forged"),
        ("no hash", urlencode(fields()), "malformed"),
        ("a key twice", signed(fields()) + "&user=%7B%22id%22%3A1%7D", "malformed"),
        ("not a query string", "%%%garbage", "malformed"),
        ("no user", signed({"auth_date": fields()["auth_date"]}), "malformed"),
        ("a user without an id", signed(fields(user='{"first_name":"x"}')), "malformed"),
        ("no auth_date", signed({"user": fields()["user"]}), "malformed"),
        (
            "older than the limit",
            signed(fields(auth_date=str(int((NOW - DAY - timedelta(seconds=1)).timestamp())))),
            "expired",
        ),
        (
            "from the future",
            signed(fields(auth_date=str(int((NOW + timedelta(hours=1)).timestamp())))),
            "expired",
        ),
        ("absurdly long", "a=" + "x" * 9000, "malformed"),
    ],
)
def test_anything_else_is_refused_with_its_reason(name: str, raw: str, reason: str) -> None:
    with pytest.raises(InitDataError) as refused:
        verify(raw, TOKEN, NOW, DAY)
    assert refused.value.reason == reason, name


def test_the_limit_is_the_setting() -> None:
    raw = signed(fields(auth_date=str(int((NOW - timedelta(hours=2)).timestamp()))))
    assert verify(raw, TOKEN, NOW, timedelta(hours=3)).user_id == 2001
    with pytest.raises(InitDataError, match="expired"):
        verify(raw, TOKEN, NOW, timedelta(hours=1))


def test_only_the_claimed_language_is_read_from_a_refused_string() -> None:
    assert claimed_language(signed(fields(), token="654321:OTHER")) == "zh-hans"
    assert claimed_language("%%%") is None
    assert claimed_language(None) is None

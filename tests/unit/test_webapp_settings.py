"""The Mini App's settings are validated at start, with the variable's name in every error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import Settings, SettingsError


def test_defaults_leave_the_mini_app_off() -> None:
    s = Settings.from_mapping({})
    assert s.webapp_url is None and s.webapp_link is None
    assert s.webapp_listen == "127.0.0.1:8081" and s.webapp_listen_address == ("127.0.0.1", 8081)
    assert s.webapp_max_age == timedelta(hours=12)


def test_valid_values() -> None:
    s = Settings.from_mapping(
        {
            "BOT_WEBAPP_URL": "https://bot.example.org/station/",
            "BOT_WEBAPP_LISTEN": "[::1]:9000",
            "BOT_WEBAPP_LINK": "https://t.me/jingan_bot/station",
            "BOT_WEBAPP_MAX_AGE": "2h",
        }
    )
    assert s.webapp_url == "https://bot.example.org/station"
    assert s.webapp_listen_address == ("::1", 9000)
    assert s.webapp_link == "https://t.me/jingan_bot/station"
    assert s.webapp_max_age == timedelta(hours=2)
    assert (
        Settings.from_mapping({"BOT_WEBAPP_URL": "http://127.0.0.1:8081"}).webapp_url
        == "http://127.0.0.1:8081"
    )
    assert (
        Settings.from_mapping({"BOT_WEBAPP_LINK": "https://t.me/jingan_bot"}).webapp_link
        == "https://t.me/jingan_bot"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_WEBAPP_URL", "http://bot.example.org/station"),  # Telegram opens HTTPS only
        ("BOT_WEBAPP_URL", "bot.example.org"),
        ("BOT_WEBAPP_URL", "https://"),
        ("BOT_WEBAPP_URL", "https://bot.example.org/app?x=1"),
        ("BOT_WEBAPP_LISTEN", "8081"),
        ("BOT_WEBAPP_LISTEN", "127.0.0.1:0"),
        ("BOT_WEBAPP_LISTEN", "127.0.0.1:99999"),
        ("BOT_WEBAPP_LINK", "https://example.org/jingan_bot/station"),
        ("BOT_WEBAPP_LINK", "http://t.me/jingan_bot/station"),
        ("BOT_WEBAPP_LINK", "https://t.me/jingan_bot/station?startapp=x"),
        ("BOT_WEBAPP_MAX_AGE", "0s"),
        ("BOT_WEBAPP_MAX_AGE", "soon"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_mapping({name: value})


def test_the_mini_app_and_the_webhook_need_two_ports() -> None:
    both = {
        "BOT_WEBAPP_URL": "https://bot.example.org/station",
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg",
    }
    with pytest.raises(SettingsError, match="BOT_WEBAPP_LISTEN"):
        Settings.from_mapping({**both, "BOT_WEBAPP_LISTEN": "127.0.0.1:8443"})
    assert (
        Settings.from_mapping({**both, "BOT_WEBAPP_LISTEN": "127.0.0.1:8081"}).webapp_listen
        == "127.0.0.1:8081"
    )

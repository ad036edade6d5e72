"""Each bad value gives one clear error naming the variable; good values are parsed."""

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError


def test_defaults() -> None:
    s = Settings.from_mapping({})
    assert s.token is None
    assert s.api_url == "https://api.telegram.org"
    assert s.base_url == "https://api.telegram.org/bot"
    assert s.db_path == Path("data/bot.sqlite3")
    assert s.timezone == "Asia/Shanghai"
    assert s.default_language == "zh"
    assert s.log_level == "INFO"
    assert s.send_rate == 25.0


def test_values_are_parsed() -> None:
    s = Settings.from_mapping(
        {
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "BOT_ADMIN_IDS": " 1, 2 ,3",
            "BOT_DEFAULT_LANGUAGE": "FR",
            "BOT_LOG_LEVEL": "debug",
            "BOT_SLA_TIER1": "5s",
        }
    )
    assert s.base_url == "http://127.0.0.1:8081/bot"
    assert s.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert s.admin_ids == {1, 2, 3}
    assert s.default_language == "fr"
    assert s.log_level == "DEBUG"
    assert s.sla_tiers[0] == "5s"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_API_URL", "ftp://example"),
        ("BOT_ADMIN_IDS", "12,abc"),
        ("BOT_TIMEZONE", "Shanghai"),
        ("BOT_DEFAULT_LANGUAGE", "de"),
        ("BOT_LOG_LEVEL", "LOUD"),
        ("BOT_LOG_FORMAT", "xml"),
        ("BOT_SEND_RATE", "-1"),
        ("BOT_SEND_RATE", "fast"),
        ("BOT_TICK_SECONDS", "0"),
        ("BOT_SLA_CLOCK", "lunar"),
        ("BOT_SLA_TIER2", "3 weeks"),
        ("BOT_DEMO_PORT", "99999"),
        ("BOT_VOL_CUTOFF", "soon"),
        ("BOT_VOL_OFFER_WINDOW", "0h"),
        ("BOT_ENTERPRISE_FOLLOWUP", "purple=3d"),
        ("BOT_ENTERPRISE_FOLLOWUP", "red=often"),
        ("BOT_BOARD_FONT", "/no/such/font.ttf"),
        ("BOT_FLOOD_LIMIT", "lots"),
        ("BOT_ENTERPRISE_REMINDERS", "red=hourly"),
        ("BOT_ENTERPRISE_REMINDERS", "violet=1wd"),
        ("BOT_ENTERPRISE_REMINDER_CLIMB", "0"),
        ("BOT_ENTERPRISE_REMINDER_CLIMB", "three"),
        ("BOT_IMPORT_DELETE_SHARE", "120"),
        ("BOT_IMPORT_DELETE_SHARE", "some"),
    ],
)
def test_bad_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_mapping({name: value})
    message = str(caught.value)
    assert message.startswith(f"{name}:")
    assert "\n" not in message


def test_feature_tuning_is_parsed_at_start_up() -> None:
    s = Settings.from_mapping({"BOT_VOL_CUTOFF": "6h", "BOT_ENTERPRISE_FOLLOWUP": "red=1wd"})
    assert s.vol_cutoff.total_seconds() == 6 * 3600
    assert s.vol_offer_window.total_seconds() == 2 * 3600
    assert (s.enterprise_followup["red"].interval, s.enterprise_followup["red"].working_days) == (1, True)
    assert s.enterprise_followup["green"].interval == 365


def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\nBOT_DEFAULT_LANGUAGE=fr\nexport BOT_LOG_LEVEL='WARNING'\nBOT_DB_PATH=\"x.db\"\n"
    )
    s = Settings.from_env({"BOT_DEFAULT_LANGUAGE": "en"}, dotenv=dotenv)
    assert s.default_language == "en"
    assert s.log_level == "WARNING"
    assert s.db_path == Path("x.db")


def test_stewardship_settings() -> None:
    s = Settings.from_mapping(
        {
            "BOT_ENTERPRISE_REMINDERS": "red=2wd",
            "BOT_ENTERPRISE_REMINDER_CLIMB": "5",
            "BOT_IMPORT_DELETE_SHARE": "35%",
        }
    )
    assert (s.enterprise_reminders["red"].interval, s.enterprise_reminders["orange"].interval) == (2, 2)
    assert s.enterprise_reminders["yellow"].interval == 5  # weekly, in working days
    assert (s.enterprise_reminder_climb, s.import_delete_share) == (5, 0.35)
    defaults = Settings.from_mapping({})
    assert (defaults.enterprise_reminder_climb, defaults.import_delete_share) == (3, 0.2)
    assert defaults.enterprise_reminders["red"].describe() == "1wd"

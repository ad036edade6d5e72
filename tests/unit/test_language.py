import pytest

from bot.services.users import pick_language


@pytest.mark.parametrize(
    ("saved", "telegram", "default", "expected"),
    [
        ("fr", "zh-hans", "zh", "fr"),  # a saved choice always wins
        (None, "en-GB", "zh", "en"),
        (None, "fr", "zh", "fr"),
        (None, "zh-hant", "en", "zh"),
        (None, "de", "zh", "zh"),  # a language we do not speak: the station's default
        (None, None, "en", "en"),
        ("xx", None, "fr", "fr"),
    ],
)
def test_pick_language(saved, telegram, default, expected) -> None:
    assert pick_language(saved, telegram, default) == expected

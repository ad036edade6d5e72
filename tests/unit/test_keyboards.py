"""Inline keyboards: python-telegram-bot's objects (answers) and plain JSON (the outbox sender)
must say the same to Telegram, including leaving out a link Telegram would refuse."""

from __future__ import annotations

from bot.context import Buttons, keyboard, keyboard_json

BUTTONS: Buttons = [
    [
        {"text": "✅ 我来", "callback_data": "1|vol|coming|42"},
        {"text": "Map", "url": "https://maps.example.com/x"},
    ],
    [{"text": "Desk", "web_app": "https://desk.example.com/station/"}],
    [{"text": "broken", "url": "http://localhost/x"}],  # no dot in the host: Telegram refuses it
]


def test_the_json_keyboard_is_what_python_telegram_bot_would_send() -> None:
    markup = keyboard(BUTTONS)
    assert markup is not None
    assert keyboard_json(BUTTONS) == markup.to_dict()


def test_a_refused_link_is_left_out_and_an_emptied_row_dropped() -> None:
    sent = keyboard_json(BUTTONS)
    assert sent is not None
    assert [[b["text"] for b in row] for row in sent["inline_keyboard"]] == [["✅ 我来", "Map"], ["Desk"]]


def test_no_buttons_is_no_keyboard() -> None:
    assert keyboard_json(None) is None
    assert keyboard_json([[{"text": "x", "url": "http://intranet/"}]]) is None
    assert keyboard(None) is None

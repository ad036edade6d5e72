"""The emulator refuses Mini App buttons where Telegram does, and opens Mini Apps as Telegram does.

Telegram: a web_app button is "available only in private chats between a user and the bot"
(BUTTON_TYPE_INVALID elsewhere); a Web App URL must be HTTPS ("Only HTTPS links are allowed"),
except in the test environment. Opening one hands the page initData signed with the bot's token.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonWebApp,
    ReplyKeyboardMarkup,
    WebAppInfo,
)
from telegram.error import BadRequest

from bot.sandbox.emulator import Emulator
from bot.sandbox.people import Person
from bot.webapp.initdata import verify

APP = "https://station.example.org/app/"


def web_app_button(url: str = APP) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Open", web_app=WebAppInfo(url))]])


def init_data(launch_url: str) -> str:
    return parse_qs(urlsplit(launch_url).fragment)["tgWebAppData"][0]


async def test_a_web_app_button_is_refused_in_a_group(emu: Emulator, bot: Bot, alice: Person) -> None:
    group = emu.group(-100777, "Staff", [alice])
    with pytest.raises(BadRequest, match=r"(?i)button_type_invalid"):
        await bot.send_message(group.id, "board", reply_markup=web_app_button())
    with pytest.raises(BadRequest, match=r"(?i)button_type_invalid"):
        await bot.send_message(
            group.id,
            "board",
            reply_markup=ReplyKeyboardMarkup([[KeyboardButton("Open", web_app=WebAppInfo(APP))]]),
        )
    sent = await bot.send_message(group.id, "board")
    with pytest.raises(BadRequest, match=r"(?i)button_type_invalid"):
        await bot.edit_message_reply_markup(group.id, sent.message_id, reply_markup=web_app_button())
    assert [m.plain for m in emu.inbox(group.id)] == ["board"]


async def test_a_web_app_url_must_be_https(emu: Emulator, bot: Bot, alice: Person) -> None:
    with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
        await bot.send_message(
            alice.id, "board", reply_markup=web_app_button("http://station.example.org/app/")
        )
    with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
        await bot.set_chat_menu_button(
            alice.id, MenuButtonWebApp("Station", WebAppInfo("http://127.0.0.1:8081/"))
        )
    await bot.send_message(alice.id, "board", reply_markup=web_app_button())
    assert emu.inbox(alice.id)[-1].button_rows[0][0]["web_app"] == {"url": APP}


async def test_the_test_environment_accepts_http(make_emu) -> None:
    emu = await make_emu(test_environment=True)
    alice = emu.user(1001, "Alice")
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        await bot.send_message(alice.id, "board", reply_markup=web_app_button("http://127.0.0.1:8081/"))
        group = emu.group(-100777, "Staff", [alice])
        with pytest.raises(BadRequest, match=r"(?i)button_type_invalid"):  # still only in private chats
            await bot.send_message(group.id, "board", reply_markup=web_app_button("http://127.0.0.1:8081/"))


async def test_the_menu_button_belongs_to_a_private_chat(emu: Emulator, bot: Bot, alice: Person) -> None:
    group = emu.group(-100777, "Staff", [alice])
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_chat_menu_button(group.id, MenuButtonWebApp("Station", WebAppInfo(APP)))
    await bot.set_chat_menu_button(alice.id, MenuButtonWebApp("Station", WebAppInfo(APP)))
    button = await bot.get_chat_menu_button(alice.id)
    assert isinstance(button, MenuButtonWebApp) and button.web_app.url == APP


async def test_opening_a_mini_app_signs_initdata_with_the_bot_token(
    emu: Emulator, bot: Bot, alice: Person
) -> None:
    await bot.send_message(alice.id, "board", reply_markup=web_app_button())
    url = await alice.open_app("Open")
    assert url.startswith(APP + "#tgWebAppData=")
    opened = verify(init_data(url), emu.token, emu.now(), timedelta(minutes=1))
    assert opened.user_id == alice.id and opened.language_code == "zh" and opened.start_param is None
    with pytest.raises(ValueError, match="forged"):
        verify(init_data(url), "654321:OTHER", emu.now(), timedelta(minutes=1))
    await bot.set_chat_menu_button(alice.id, MenuButtonWebApp("Station", WebAppInfo(APP)))
    assert (
        verify(init_data(alice.open_menu_app()), emu.token, emu.now(), timedelta(minutes=1)).user_id
        == alice.id
    )


async def test_a_direct_link_opens_the_app_registered_with_botfather(emu: Emulator, alice: Person) -> None:
    group = emu.group(-100777, "Staff", [alice])
    emu.mini_apps["station"] = APP
    url = alice.open_link(f"https://t.me/{emu.bot_username}/station?startapp=req-12", chat=group)
    assert url.startswith(APP + "#") and "tgWebAppStartParam=req-12" in url
    opened = verify(init_data(url), emu.token, emu.now(), timedelta(minutes=1))
    assert (opened.start_param, opened.chat_type) == ("req-12", "supergroup")
    with pytest.raises(AssertionError, match="not a direct link"):
        alice.open_link("https://t.me/another_bot/station?startapp=req-12")

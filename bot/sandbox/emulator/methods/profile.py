"""Bot API methods about the bot itself: getMe, commands, descriptions and name, the menu button,
close and logOut.

Why together: they set or read what Telegram shows about the bot (the command menu per scope and
language, the profile texts), which the demo's chat window and the onboarding tests read back.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator import checks, webapps
from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.params import Params
from bot.sandbox.emulator.records import JSON

if TYPE_CHECKING:
    from bot.sandbox.emulator.emulator import Emulator
    from bot.sandbox.emulator.methods import Method

__all__ = ["METHODS", "scope_key"]


def scope_key(scope: Any) -> str:
    """A BotCommandScope as a dictionary key (no scope is the default scope)."""
    if not scope:
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True, ensure_ascii=False)


async def get_me(emu: Emulator, p: Params) -> JSON:
    return {
        **emu.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": emu.main_mini_app is not None,
    }


async def close(emu: Emulator, p: Params) -> bool:
    return True


async def log_out(emu: Emulator, p: Params) -> bool:
    return True


async def set_my_commands(emu: Emulator, p: Params) -> bool:
    commands = checks.check_commands(p.json("commands"))
    emu.commands[(scope_key(p.json("scope")), p.string("language_code") or "")] = commands
    return True


async def get_my_commands(emu: Emulator, p: Params) -> list[JSON]:
    return emu.get_commands(p.json("scope"), p.string("language_code") or "")


async def delete_my_commands(emu: Emulator, p: Params) -> bool:
    emu.commands.pop((scope_key(p.json("scope")), p.string("language_code") or ""), None)
    return True


def _store_description(emu: Emulator, p: Params, kind: str) -> bool:
    value = checks.check_description(kind, p.string(kind) or "")
    emu.descriptions[(kind, p.string("language_code") or "")] = value
    return True


async def set_my_description(emu: Emulator, p: Params) -> bool:
    return _store_description(emu, p, "description")


async def set_my_short_description(emu: Emulator, p: Params) -> bool:
    return _store_description(emu, p, "short_description")


async def set_my_name(emu: Emulator, p: Params) -> bool:
    return _store_description(emu, p, "name")


async def get_my_description(emu: Emulator, p: Params) -> JSON:
    lang = p.string("language_code") or ""
    return {"description": emu.descriptions.get(("description", lang), "")}


async def get_my_short_description(emu: Emulator, p: Params) -> JSON:
    lang = p.string("language_code") or ""
    return {"short_description": emu.descriptions.get(("short_description", lang), "")}


async def get_my_name(emu: Emulator, p: Params) -> JSON:
    lang = p.string("language_code") or ""
    return {"name": emu.descriptions.get(("name", lang), emu.bot_first_name)}


async def set_chat_menu_button(emu: Emulator, p: Params) -> bool:
    """A private chat's menu button (or, without chat_id, every chat's default): the button is
    read before the chat, as telegram-bot-api does; a Web App one follows the Web App rules."""
    button = p.json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise ApiError(400, "Bad Request: can't parse menu button: Unsupported menu button type")
    if button["type"] == "web_app":
        if not isinstance(button.get("text"), str) or not button["text"].strip():
            raise ApiError(400, "Bad Request: can't parse menu button: Text must be non-empty")
        webapps.check_web_app(
            button.get("web_app"), where="menu button", private=True, test_environment=emu.test_environment
        )
    chat_id = emu.store.resolve(p.raw("chat_id")) if p.has("chat_id") else None
    if chat_id is not None and chat_id < 0:  # the menu button belongs to a person's chat with the bot
        raise ApiError(400, "Bad Request: chat not found")
    emu.menu_buttons[chat_id] = button
    return True


async def get_chat_menu_button(emu: Emulator, p: Params) -> JSON:
    chat_id = emu.store.resolve(p.raw("chat_id")) if p.has("chat_id") else None
    return (
        emu.menu_button_of(chat_id)
        if chat_id is not None
        else emu.menu_buttons.get(None) or {"type": "commands"}
    )


METHODS: dict[str, Method] = {
    "getMe": get_me,
    "close": close,
    "logOut": log_out,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": set_my_description,
    "setMyShortDescription": set_my_short_description,
    "setMyName": set_my_name,
    "getMyDescription": get_my_description,
    "getMyShortDescription": get_my_short_description,
    "getMyName": get_my_name,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
}

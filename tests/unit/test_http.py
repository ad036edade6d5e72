"""The Bot API's HTTP adapter (bot/http.py): what python-telegram-bot's own HTTPXRequest promised.

A plain aiohttp server stands for Telegram, so each test sees the bytes the bot sent and can
answer late, reset the connection or refuse.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.http import AiohttpRequest, telegram_request

MESSAGE = {
    "message_id": 5,
    "date": 1_700_000_000,
    "chat": {"id": 7, "type": "private", "first_name": "Ana"},
    "text": "ok",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def server() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """`await server(handler)` -> the base URL of a Bot API answering with `handler`."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/bot"

    yield start
    for runner in runners:
        await runner.cleanup()


def _bot(base_url: str, request: AiohttpRequest | None = None) -> Bot:
    return Bot("123:ABC", base_url=base_url, request=request or telegram_request(4))


async def test_a_message_goes_as_one_json_body_with_its_text_and_keyboard_intact(server: Any) -> None:
    seen: list[tuple[str, Any]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.content_type, await request.json()))
        return web.json_response({"ok": True, "result": MESSAGE})

    bot = _bot(await server(handler))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("确认 ✅", callback_data="1|x|y")]])
    message = await bot.send_message(7, "<b>王小明 & Co</b> 你好", parse_mode="HTML", reply_markup=keyboard)
    await bot.request.shutdown()
    assert message.message_id == 5
    content_type, body = seen[0]
    assert content_type == "application/json"
    assert body["chat_id"] == 7
    assert body["text"] == "<b>王小明 & Co</b> 你好"
    assert body["reply_markup"] == {"inline_keyboard": [[{"text": "确认 ✅", "callback_data": "1|x|y"}]]}


async def test_a_file_goes_as_multipart_with_its_name_and_caption(server: Any) -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        seen["type"] = request.content_type
        form = await request.post()
        upload = form["document"]
        assert isinstance(upload, web.FileField)
        seen.update(
            caption=form["caption"], chat=form["chat_id"], name=upload.filename, data=upload.file.read()
        )
        return web.json_response({"ok": True, "result": MESSAGE})

    bot = _bot(await server(handler))
    await bot.send_document(7, InputFile(b"a,b\n1,2\n", filename="企业.csv"), caption="导出 <i>ok</i>")
    await bot.request.shutdown()
    assert seen == {
        "type": "multipart/form-data",
        "caption": "导出 <i>ok</i>",
        "chat": "7",
        "name": "企业.csv",
        "data": b"a,b\n1,2\n",
    }


async def test_an_answer_later_than_the_read_timeout_is_timed_out(server: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return web.json_response({"ok": True, "result": MESSAGE})

    bot = _bot(await server(handler), telegram_request(2, read_timeout=0.2))
    with pytest.raises(TimedOut):
        await bot.send_message(7, "late")
    # A per-call read timeout wins over the default (python-telegram-bot's long polls need it).
    message = await bot.send_message(7, "waits", read_timeout=3.0)
    await bot.request.shutdown()
    assert message.message_id == 5


async def test_a_reset_connection_is_a_network_error_and_not_retried_behind_our_back(server: Any) -> None:
    calls = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        await request.read()
        assert request.transport is not None
        request.transport.close()
        return web.Response(status=500)

    bot = _bot(await server(handler))
    with pytest.raises(NetworkError) as raised:
        await bot.send_message(7, "hello")
    await bot.request.shutdown()
    assert not isinstance(raised.value, TimedOut)
    assert calls == 1  # a POST may have been delivered: only the outbox decides to try again


async def test_telegram_s_refusal_reaches_the_caller_as_python_telegram_bot_raises_it(server: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        body = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
        return web.Response(status=400, text=json.dumps(body), content_type="application/json")

    bot = _bot(await server(handler))
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(7, "hello")
    await bot.request.shutdown()


async def test_a_closed_request_object_opens_again_for_a_restarted_application(server: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": MESSAGE})

    request = telegram_request(2)
    bot = _bot(await server(handler), request)
    await request.initialize()
    await request.shutdown()
    await request.initialize()
    assert (await bot.send_message(7, "again")).message_id == 5
    await request.shutdown()


async def test_the_environment_s_proxy_is_used_unless_no_proxy_names_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "local.example")
    request = AiohttpRequest(1)
    assert request._proxy("https://api.telegram.org/bot1:x/getMe") == "http://proxy.example:3128"
    assert request._proxy("https://local.example/bot1:x/getMe") is None
    assert request._proxy("http://127.0.0.1:8081/bot1:x/getMe") is None  # no HTTP_PROXY set

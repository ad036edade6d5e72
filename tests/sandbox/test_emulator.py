"""The emulator through a real python-telegram-bot ``Bot``: protocol, Telegram's checks, faults."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import struct
import time
import zlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

import aiohttp
import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.sandbox.emulator import Emulator, Limits
from bot.sandbox.people import Person

EmuFactory = Callable[..., Awaitable[Emulator]]  # the make_emu fixture (conftest.py)


def png(width: int, height: int) -> bytes:
    """A valid (tiny, grey) PNG of the given size."""
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def ci(pattern: str) -> re.Pattern[str]:
    """PTB strips "Bad Request: " and capitalises the rest, so match case-insensitively."""
    return re.compile(re.escape(pattern), re.IGNORECASE)


async def test_get_me(bot: Bot, emu: Emulator) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (123456, "jingan_bot", "Jing'an Bot", True)
    assert emu.stats.calls["getMe"] >= 1


async def test_wrong_token_and_unknown_method(emu: Emulator) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=emu.base_url) as wrong:
            await wrong.get_me()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emu.base_url}{emu.token}/fooBar") as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.post(f"{emu.base_url}999:WRONG/getMe") as resp:
            assert (resp.status, (await resp.json())["description"]) == (401, "Unauthorized")


SERVED_METHODS = """
    getMe getUpdates setWebhook deleteWebhook getWebhookInfo close logOut
    setMyCommands getMyCommands deleteMyCommands setMyDescription getMyDescription
    setMyShortDescription getMyShortDescription setMyName getMyName setChatMenuButton getChatMenuButton
    sendMessage sendPhoto sendDocument sendLocation sendVenue
    editMessageText editMessageCaption editMessageReplyMarkup deleteMessage answerCallbackQuery getFile
    getChat getChatMember getChatAdministrators getChatMemberCount leaveChat sendChatAction
    pinChatMessage unpinChatMessage unpinAllChatMessages
""".split()


@pytest.mark.parametrize("method", SERVED_METHODS)
async def test_every_method_the_bot_may_call_is_served(emu: Emulator, method: str) -> None:
    """Called without parameters, each answers (often a 400), never "method not found"."""
    async with aiohttp.ClientSession() as http:
        for name in (method, method.lower()):  # Telegram matches method names case-insensitively
            async with http.post(f"{emu.base_url}{emu.token}/{name}") as resp:
                body = await resp.json()
                assert resp.status != 404, (name, body)
                assert body["ok"] or body["error_code"] == 400, (name, body)


async def test_json_and_form_bodies(emu: Emulator, alice: Person) -> None:
    url = f"{emu.base_url}{emu.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"chat_id": alice.id, "text": "json", "reply_markup": markup}) as resp:
            body = await resp.json()
        assert body["ok"] and body["result"]["reply_markup"] == markup
        form = {"chat_id": str(alice.id), "text": "form", "reply_markup": '{"remove_keyboard": true}'}
        async with http.post(url, data=form) as resp:
            assert (await resp.json())["result"]["text"] == "form"
    assert [m.plain for m in alice.inbox] == ["json", "form"]
    assert alice.inbox[1].reply_markup == {"remove_keyboard": True}


async def test_html_accepted_with_entities(bot: Bot, alice: Person) -> None:
    text = '<b>粗体</b> &amp; <a href="https://example.com">链接</a> <span class="tg-spoiler">秘密</span>'
    message = await bot.send_message(alice.id, text, parse_mode=ParseMode.HTML)
    assert message.text == "粗体 & 链接 秘密"
    assert [e.type for e in message.entities] == ["bold", "text_link", "spoiler"]
    assert message.text_html.startswith("<b>粗体</b> &amp; <a href")
    sent = alice.last
    assert sent is not None
    assert (sent.text, sent.parse_mode, sent.plain) == (text, "HTML", "粗体 & 链接 秘密")
    assert message.from_user is not None and message.from_user.username == "jingan_bot"
    assert message.chat.type == "private" and message.chat.first_name == "Alice"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("Tom & Jerry", "Character entity expected at byte offset 4"),
        ("第一行<br>第二行", 'Unsupported start tag "br" at byte offset 9'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ],
)
async def test_html_rejected(bot: Bot, emu: Emulator, alice: Person, text: str, reason: str) -> None:
    with pytest.raises(BadRequest, match=ci("Can't parse entities: " + reason)):
        await bot.send_message(alice.id, text, parse_mode="HTML")
    assert emu.error_log[-1].description == "Bad Request: can't parse entities: " + reason
    assert alice.inbox == []
    # without parse_mode the very same text is fine
    await bot.send_message(alice.id, text)


async def test_text_length_is_measured_after_entity_parsing(bot: Bot, alice: Person) -> None:
    await bot.send_message(alice.id, "字" * 4096)
    with pytest.raises(BadRequest, match=ci("Message is too long")):
        await bot.send_message(alice.id, "字" * 4097)
    await bot.send_message(alice.id, "<b>" + "字" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(alice.id, "&amp;" * 4096, parse_mode="HTML")  # 20480 characters sent, 4096 shown
    with pytest.raises(BadRequest, match=ci("Message is too long")):
        await bot.send_message(alice.id, "<i>" + "&lt;" * 4097 + "</i>", parse_mode="HTML")
    for empty in ("   \n", "<b></b>"):
        with pytest.raises(BadRequest, match=ci("Message text is empty")):
            await bot.send_message(alice.id, empty, parse_mode="HTML")
    assert [len(m.plain) for m in alice.inbox] == [4096, 4096, 4096]


async def test_caption_limit(bot: Bot, alice: Person) -> None:
    await bot.send_photo(alice.id, png(10, 10), caption="c" * 1024)
    with pytest.raises(BadRequest, match=ci("Message caption is too long")):
        await bot.send_photo(alice.id, png(10, 10), caption="<b>" + "c" * 1025 + "</b>", parse_mode="HTML")


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, alice: Person) -> None:
    sixty_four = "字" * 21 + "x"  # 22 characters, 64 bytes
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data=sixty_four)]])
    await bot.send_message(alice.id, "fits", reply_markup=markup)
    too_long = "字" * 22  # only 22 characters, but 66 bytes
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data=too_long)]])
    with pytest.raises(BadRequest, match=ci("Button_data_invalid")):
        await bot.send_message(alice.id, "does not fit", reply_markup=markup)
    assert alice.inbox[0].callback_data == [sixty_four]
    assert len(alice.inbox) == 1


async def test_invalid_keyboards(bot: Bot, alice: Person) -> None:
    with pytest.raises(BadRequest, match=ci("Text buttons are unallowed")):
        await bot.send_message(alice.id, "x", reply_markup={"inline_keyboard": [[{"text": "plain"}]]})  # type: ignore[arg-type]
    with pytest.raises(BadRequest, match=ci("URL 'http://' is invalid: URL host is empty")):
        await bot.send_message(
            alice.id, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("u", url="http://")]])
        )


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter's wait in seconds (a timedelta with PTB_TIMEDELTA, which the bot opts into)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def test_private_chat_flood_limit(make_emu: EmuFactory) -> None:
    emu = await make_emu(limits=Limits(private_burst=3, private_per_second=1))
    alice = emu.user(1001, "Alice")
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        for i in range(3):
            await bot.send_message(alice.id, f"burst {i}")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(alice.id, "one too many")
        assert retry_seconds(caught.value) == 1
        assert (emu.stats.rate_limited, emu.stats.too_many_requests, emu.stats.errors[429]) == (1, 1, 1)
        assert emu.error_log[-1].description == "Too Many Requests: retry after 1"
        emu.limits.scale = 50  # limits apply live: 50 messages/s from now on, a token every 20 ms
        await asyncio.sleep(0.05)
        await bot.send_message(alice.id, "after waiting")
    assert len(alice.inbox) == 4


async def test_group_flood_limit_and_retry_after_rounding(make_emu: EmuFactory) -> None:
    emu = await make_emu(limits=Limits(group_burst=2, group_per_minute=20))
    alice = emu.user(1001, "Alice")
    staff = emu.group(-100123, "Staff", [alice])
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        await bot.send_message(staff.id, "1")
        await bot.send_message(staff.id, "2")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(staff.id, "3")
        assert retry_seconds(caught.value) == 3  # one token per 3 s at 20/min
        assert emu.error_log[-1].description == "Too Many Requests: retry after 3"
        await bot.send_message(alice.id, "private chats are counted separately")


async def test_answers_to_people_are_held_to_their_chat_but_not_to_the_bulk_limit(
    make_emu: EmuFactory,
) -> None:
    """Telegram's ~30/s is for bulk notifications: a reminder fan-out and people's answers at once
    must not make the answers wait, but each chat keeps its own pace."""
    emu = await make_emu(limits=Limits(overall_per_second=2, private_burst=3, private_per_second=1))
    quiet = [emu.user(2000 + i, f"Quiet {i}") for i in range(3)]
    talking = emu.user(2100, "Talking")
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        await bot.send_message(quiet[0].id, "reminder")
        await bot.send_message(quiet[1].id, "reminder")
        with pytest.raises(RetryAfter):
            await bot.send_message(quiet[2].id, "a third reminder in the same instant")
        await talking.send("/menu")
        for i in range(3):
            await bot.send_message(talking.id, f"answer {i}")
        with pytest.raises(RetryAfter):
            await bot.send_message(talking.id, "a fourth message to the same person at once")
        with pytest.raises(RetryAfter):
            await bot.send_message(quiet[2].id, "still a reminder: the bulk allowance is spent")
    assert [len(p.inbox) for p in (*quiet, talking)] == [1, 1, 0, 3]


async def test_blocked_and_unknown_chats(bot: Bot, emu: Emulator, alice: Person) -> None:
    alice.block()
    with pytest.raises(Forbidden, match=ci("bot was blocked by the user")):
        await bot.send_message(alice.id, "hello?")
    alice.unblock()
    await bot.send_message(alice.id, "hello again")
    with pytest.raises(BadRequest, match=ci("Chat not found")):
        await bot.send_message(424242, "nobody")
    group = emu.group(-100777, "Gone", [alice])
    emu.faults.block(group)
    with pytest.raises(Forbidden, match=ci("bot was kicked from the supergroup chat")):
        await bot.send_message(group.id, "x")


async def test_network_faults(bot: Bot, emu: Emulator, alice: Person) -> None:
    emu.faults.fail_next(1, "502")
    with pytest.raises(NetworkError, match=ci("Bad Gateway")):
        await bot.send_message(alice.id, "a")
    emu.faults.fail_next(1, "reset")
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "b")
    emu.faults.fail_next(1, "429")
    with pytest.raises(RetryAfter):
        await bot.send_message(alice.id, "c")
    assert alice.inbox == []  # none of those were delivered
    emu.faults.fail_next(1, "reset_after")
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "d")
    assert [m.plain for m in alice.inbox] == ["d"]  # delivered, although the bot saw an error
    await bot.send_message(alice.id, "e")
    assert emu.stats.injected == {"502": 1, "reset": 1, "429": 1, "reset_after": 1}
    assert all(e.injected for e in emu.error_log)


async def test_faults_target_only_message_creating_methods(bot: Bot, emu: Emulator, alice: Person) -> None:
    emu.faults.fail_next(2, "502")
    await bot.get_me()  # not affected
    await bot.send_chat_action(alice.id, "typing")
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "x")
    emu.faults.clear()
    emu.faults.fail_next(1, "502", methods={"getMe"})
    with pytest.raises(NetworkError):
        await bot.get_me()


async def test_random_faults_are_reproducible_and_bounded(bot: Bot, emu: Emulator, alice: Person) -> None:
    async def run() -> list[str]:
        outcome = []
        for i in range(12):
            try:
                await bot.send_message(alice.id, str(i))
                outcome.append("ok")
            except RetryAfter:
                outcome.append("429")
            except NetworkError:
                outcome.append("net")
        return outcome

    emu.faults.fail_randomly(0.5, seed=7, until=10)
    first = await run()
    emu.faults.fail_randomly(0.5, seed=7, until=10)
    assert await run() == first
    assert "ok" in first and set(first) - {"ok"}
    assert first[10:] == ["ok", "ok"]  # 'until' = 10 requests
    emu.faults.fail_randomly(1.0, kinds=("502",), until=time.monotonic() - 1)  # deadline already passed
    await bot.send_message(alice.id, "fine")


async def test_photo_and_document_round_trip(bot: Bot, emu: Emulator, alice: Person) -> None:
    picture = png(640, 480)
    message = await bot.send_photo(alice.id, picture, caption="<b>平面图</b>", parse_mode="HTML")
    assert message.caption == "平面图"
    largest = message.photo[-1]
    assert (largest.width, largest.height, largest.file_size) == (640, 480, len(picture))
    assert len(message.photo) == 2 and message.photo[0].width < 640  # a thumbnail comes first
    downloaded = await (await bot.get_file(largest.file_id)).download_as_bytearray()
    assert bytes(downloaded) == picture
    assert alice.last is not None and alice.last.photo == picture and alice.last.plain == "平面图"

    pdf = b"%PDF-1.4 fake"
    doc = await bot.send_document(alice.id, pdf, filename="报告.pdf")
    assert doc.document is not None
    assert (doc.document.file_name, doc.document.mime_type) == ("报告.pdf", "application/pdf")
    file = await bot.get_file(doc.document.file_id)
    assert file.file_path is not None and file.file_path.startswith(emu.base_file_url)
    assert bytes(await file.download_as_bytearray()) == pdf

    again = await bot.send_document(alice.id, doc.document.file_id)  # re-send by file_id
    assert again.document is not None and again.document.file_id == doc.document.file_id
    assert alice.last is not None and alice.last.document == pdf
    await bot.send_document(alice.id, "https://example.com/form.pdf")
    assert alice.last.file_url == "https://example.com/form.pdf"
    with pytest.raises(BadRequest, match=ci("Wrong file identifier")):
        await bot.send_document(alice.id, "no-such-file-id")


async def test_files_people_send_can_be_downloaded(bot: Bot, alice: Person) -> None:
    await alice.send_document(b"id card scan", "身份证.jpg", caption="材料")
    await alice.send_photo(png(100, 50))
    updates = await bot.get_updates()
    document = updates[0].message.document
    assert document is not None and document.mime_type == "image/jpeg"
    assert bytes(await (await bot.get_file(document.file_id)).download_as_bytearray()) == b"id card scan"
    photo = updates[1].message.photo[-1]
    assert (photo.width, photo.height) == (100, 50)
    assert bytes(await (await bot.get_file(photo.file_id)).download_as_bytearray()) == png(100, 50)


async def test_long_polling_returns_as_soon_as_someone_writes(bot: Bot, alice: Person) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await alice.send("/start")
    updates = await poll
    assert time.monotonic() - started < 1
    message = updates[0].message
    assert message.text == "/start" and message.from_user.id == alice.id
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    # acknowledging by offset
    assert len(await bot.get_updates(offset=updates[0].update_id, timeout=0)) == 1
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_a_second_poller_terminates_the_first(bot: Bot, emu: Emulator) -> None:
    """Two bot instances on one token: Telegram answers the older long poll with 409."""
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.05)
    async with Bot(emu.token, base_url=emu.base_url) as second:
        await second.get_updates(timeout=0)
    with pytest.raises(Conflict, match=ci("terminated by other getUpdates request")):
        await first


async def test_edits_and_deletes(bot: Bot, alice: Person) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="yes")]])
    message = await bot.send_message(alice.id, "<b>待确认</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match=ci("Message is not modified")):
        await bot.edit_message_text(
            "<b>待确认</b>", alice.id, message.message_id, parse_mode="HTML", reply_markup=markup
        )
    # different markup on the same visible text is a change; omitting reply_markup drops the keyboard
    edited = await bot.edit_message_text("<b>待确认</b>", alice.id, message.message_id, parse_mode="HTML")
    assert edited.reply_markup is None and edited.edit_date is not None
    await bot.edit_message_text("已确认", alice.id, message.message_id)
    sent = alice.inbox[0]
    assert sent.edited and sent.plain == "已确认" and len(sent.history) == 3
    assert [r.plain for r in sent.history] == ["待确认", "待确认", "已确认"]
    await bot.edit_message_reply_markup(alice.id, message.message_id, reply_markup=markup)
    assert sent.buttons == ["确认"]
    with pytest.raises(BadRequest, match=ci("Message to edit not found")):
        await bot.edit_message_text("x", alice.id, 999)
    assert await bot.delete_message(alice.id, message.message_id)
    assert sent.deleted and alice.last is None and len(alice.inbox) == 1
    with pytest.raises(BadRequest, match=ci("Message to delete not found")):
        await bot.delete_message(alice.id, message.message_id)
    with pytest.raises(BadRequest, match=ci("Message to edit not found")):
        await bot.edit_message_text("x", alice.id, message.message_id)


async def test_a_force_reply_prompt_cannot_be_edited_like_on_telegram(bot: Bot, alice: Person) -> None:
    """Telegram edits only messages without reply_markup or with an inline keyboard."""
    from telegram import ForceReply, ReplyKeyboardMarkup

    prompt = await bot.send_message(alice.id, "Reply to this", reply_markup=ForceReply(selective=True))
    with pytest.raises(BadRequest, match=ci("Message can't be edited")):
        await bot.edit_message_text("Answered", alice.id, prompt.message_id)
    keyboard = await bot.send_message(alice.id, "Choose", reply_markup=ReplyKeyboardMarkup([["A"]]))
    with pytest.raises(BadRequest, match=ci("Message can't be edited")):
        await bot.edit_message_text("Chosen", alice.id, keyboard.message_id)
    plain = await bot.send_message(alice.id, "Plain")
    assert (await bot.edit_message_text("Edited", alice.id, plain.message_id)).text == "Edited"


async def test_commands_per_scope_and_language(bot: Bot, emu: Emulator, alice: Person) -> None:
    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")], language_code="zh")
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("queue", "Queue")], scope=BotCommandScopeChat(alice.id))
    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start", "help"]
    assert [c.description for c in await bot.get_my_commands()] == ["Start"]
    assert emu.get_commands({"type": "chat", "chat_id": alice.id}) == [
        {"command": "queue", "description": "Queue"}
    ]
    with pytest.raises(BadRequest, match=ci("Bot_command_invalid")):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    await bot.delete_my_commands(language_code="zh")
    assert await bot.get_my_commands(language_code="zh") == ()


async def test_chats_members_and_misc_methods(bot: Bot, emu: Emulator, alice: Person, bob: Person) -> None:
    group = emu.group(-100200, "静安寺街道志愿者", [alice, bob], admins=[alice])
    assert (await bot.get_chat_member(group.id, alice.id)).status == "administrator"
    assert (await bot.get_chat_member(group.id, bob.id)).status == "member"
    group.remove(bob)
    assert (await bot.get_chat_member(group.id, bob.id)).status == "left"
    assert (await bot.get_chat_member(group.id, emu.bot_id)).status == "administrator"
    chat = await bot.get_chat(group.id)
    assert (chat.type, chat.title) == ("supergroup", "静安寺街道志愿者")
    assert (await bot.get_chat(alice.id)).username == "alice"

    await bot.send_chat_action(alice.id, "typing")
    assert emu.chat_actions == [(alice.id, "typing")]
    venue = await bot.send_venue(alice.id, 31.2235, 121.4456, "党群服务站", "南京西路 1515 号")
    assert venue.venue is not None and venue.venue.title == "党群服务站"
    assert alice.last is not None and alice.last.plain == "党群服务站\n南京西路 1515 号"
    location = await bot.send_location(alice.id, 31.2235, 121.4456)
    assert await bot.pin_chat_message(alice.id, location.message_id)
    assert (
        alice.last is not None
        and alice.last.pinned
        and alice.last.location
        == {
            "latitude": 31.2235,
            "longitude": 121.4456,
        }
    )
    assert await bot.set_my_description("描述", language_code="zh")
    assert await bot.set_my_short_description("简介")
    assert await bot.set_my_name("静安机器人", language_code="zh")
    assert (await bot.get_my_description(language_code="zh")).description == "描述"
    assert await bot.set_chat_menu_button()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.set_webhook("https://example.com/hook")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    await bot.delete_webhook()


async def test_clock_and_subscription(make_emu: EmuFactory) -> None:
    moment = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    emu = await make_emu(clock=lambda: moment)
    alice = emu.user(1001, "Alice")
    events = emu.subscribe()
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        message = await bot.send_message(alice.id, "hi")
        await alice.send("ok")
    assert message.date == moment and alice.inbox[0].date == moment
    kinds = [events.get_nowait().kind for _ in range(events.qsize())]
    assert kinds == ["message", "user_message"]
    emu.unsubscribe(events)

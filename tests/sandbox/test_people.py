"""People and groups driving a real PTB Application through the emulator (polling, handlers, buttons)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox.emulator import Emulator
from bot.sandbox.people import Person

AppFactory = Callable[[Iterable[BaseHandler]], Awaitable[Application]]  # make_app fixture (conftest.py)

MENU = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("预约办事", callback_data="book"),
            InlineKeyboardButton("咨询", callback_data="ask"),
        ],
        [InlineKeyboardButton("官网", url="https://www.jingan.gov.cn")],
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    await update.effective_message.reply_html(
        f"欢迎，<b>{update.effective_user.first_name}</b>！请选择：", reply_markup=MENU, do_quote=True
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    if query.data == "silent":
        return  # a bug: never answered
    await query.answer(f"收到 {query.data}", show_alert=query.data == "ask")
    if query.data in ("book", "ask"):
        await query.edit_message_text(f"已选择：{query.data}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    if message.contact:
        await message.reply_text(f"电话 {message.contact.phone_number}")
    elif message.location:
        await message.reply_text(f"位置 {message.location.latitude:.4f},{message.location.longitude:.4f}")
    elif message.photo:
        data = await (await message.photo[-1].get_file()).download_as_bytearray()
        await message.reply_text(f"照片 {len(data)} 字节")
    elif message.document:
        data = await (await message.document.get_file()).download_as_bytearray()
        await message.reply_text(f"文件 {message.document.file_name} {len(data)} 字节")
    elif message.text == "菜单":
        keyboard = ReplyKeyboardMarkup([[KeyboardButton("共享电话", request_contact=True), "帮助"]])
        await message.reply_text("请选择", reply_markup=keyboard)
    else:
        await message.reply_text(f"你说：{message.text}")


HANDLERS = [
    CommandHandler("start", start),
    CallbackQueryHandler(on_button),
    MessageHandler(~filters.COMMAND, echo),
]


@pytest.fixture
async def app(make_app: AppFactory) -> None:
    await make_app(HANDLERS)


@pytest.mark.usefixtures("app")
async def test_start_command_gets_a_reply(emu: Emulator, alice: Person) -> None:
    await alice.send("/start")
    reply = await alice.wait_for("欢迎")
    assert reply.plain == "欢迎，Alice！请选择："
    assert reply.text == "欢迎，<b>Alice</b>！请选择："
    assert alice.buttons(reply) == ["预约办事", "咨询", "官网"]
    assert emu.message(alice.id, reply.message_id)["reply_to_message"]["text"] == "/start"


@pytest.mark.usefixtures("app")
async def test_press_returns_the_callback_answer(emu: Emulator, alice: Person) -> None:
    await alice.send("/start")
    await alice.wait_for("欢迎")
    answer = await alice.press("预约")  # substring match when no label is exactly equal
    assert answer is not None and (answer.text, answer.show_alert, answer.data) == (
        "收到 book",
        False,
        "book",
    )
    edited = await alice.wait_for("已选择：book")
    assert edited.edited and edited.reply_markup is None
    assert [r.plain for r in edited.history] == ["欢迎，Alice！请选择：", "已选择：book"]

    await alice.send("/start")
    await alice.wait_for("欢迎")
    answer = await alice.press("咨询")
    assert answer is not None and answer.show_alert
    assert [a.data for a in emu.callback_answers] == ["book", "ask"]


@pytest.mark.usefixtures("app")
async def test_press_explains_what_is_there_when_the_button_is_missing(alice: Person) -> None:
    await alice.send("/start")
    await alice.wait_for("欢迎")
    with pytest.raises(AssertionError, match=r"(?s)no inline button '退出'.*预约办事"):
        await alice.press("退出", timeout=0.2)
    with pytest.raises(AssertionError, match="is a url button"):
        await alice.press("官网")


@pytest.mark.usefixtures("app")
async def test_press_waits_for_the_reply_it_targets(alice: Person) -> None:
    await alice.send("/start")
    first = await alice.press("预约办事")  # no wait_for in between: press waits for the button
    assert first is not None and first.data == "book"
    await alice.wait_for("已选择：book")
    await alice.send("/start")
    await alice.press("咨询")  # the new menu, not the (now button-less) old one
    await alice.wait_for("已选择：ask")
    assert [m.plain for m in alice.inbox] == ["已选择：book", "已选择：ask"]


@pytest.mark.usefixtures("app")
async def test_forged_and_unanswered_callbacks(alice: Person) -> None:
    await alice.send("/start")
    await alice.wait_for("欢迎")
    answer = await alice.press_data("forged:../../admin")
    assert answer is not None and answer.text == "收到 forged:../../admin"
    assert await alice.press_data("silent", timeout=0.3) is None


@pytest.mark.usefixtures("app")
async def test_wait_for_only_sees_what_follows_the_last_action(emu: Emulator, alice: Person) -> None:
    await alice.send("一")
    await emu.wait_idle()  # the reply has arrived before wait_for is even called...
    assert (await alice.wait_for("你说")).plain == "你说：一"  # ...and is still found
    await alice.send("二")
    assert (await alice.wait_for("你说")).plain == "你说：二"  # not the answer to "一"
    with pytest.raises(AssertionError, match=r"(?s)no bot message matching '不存在'.*你说：二"):
        await alice.wait_for("不存在", timeout=0.2)
    assert (await alice.wait_for(lambda m: m.plain.endswith("一"), since=0)).plain == "你说：一"


@pytest.mark.usefixtures("app")
async def test_sharing_contact_location_photo_and_document(alice: Person) -> None:
    await alice.send("菜单")
    await alice.wait_for("请选择")
    assert alice.keyboard == ["共享电话", "帮助"]
    await alice.share_contact("+8613800138000")
    await alice.wait_for("电话 +8613800138000")
    await alice.share_location(31.2235, 121.4456)
    await alice.wait_for("位置 31.2235,121.4456")
    await alice.send_photo(b"\xff\xd8not really a jpeg", caption="门牌")
    await alice.wait_for("照片 19 字节")
    await alice.send_document(b"%PDF-1.4", "申请表.pdf")
    await alice.wait_for("文件 申请表.pdf 8 字节")


@pytest.mark.usefixtures("app")
async def test_groups(emu: Emulator, alice: Person, bob: Person) -> None:
    group = emu.group(-100300, "楼宇志愿者群", [alice, bob])
    await bob.send("/start@jingan_bot", chat=group)
    reply = await group.wait_for("欢迎，Bob")
    assert reply.chat_id == group.id and group.last is reply
    assert alice.inbox == [] and bob.inbox == []
    answer = await alice.press("咨询", chat=group)
    assert answer is not None and answer.user_id == alice.id
    await alice.wait_for("已选择：ask", chat=group)
    stranger = emu.user(1003, "Carol")
    with pytest.raises(AssertionError, match="not a member"):
        await stranger.send("hi", chat=group)


async def test_wait_idle_needs_a_polling_bot(emu: Emulator, alice: Person, make_app: AppFactory) -> None:
    await alice.send("早")
    with pytest.raises(TimeoutError, match="1 update"):
        await emu.wait_idle(timeout=0.2)
    await make_app(HANDLERS)
    await emu.wait_idle()
    assert alice.last is not None and alice.last.plain == "你说：早"
    assert emu.stats.updates_delivered == 1


async def test_many_people_at_once(emu: Emulator, make_app: AppFactory) -> None:
    await make_app(HANDLERS)
    people = [emu.user(2000 + i, f"居民{i}") for i in range(20)]
    await asyncio.gather(*(p.send("/start") for p in people))
    replies = await asyncio.gather(*(p.wait_for("欢迎") for p in people))
    assert [r.plain for r in replies] == [f"欢迎，居民{i}！请选择：" for i in range(20)]
    await emu.wait_idle()
    assert emu.stats.calls["sendMessage"] == 20

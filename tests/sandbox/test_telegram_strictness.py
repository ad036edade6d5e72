"""Where a bot breaks in production, the emulator refuses what Telegram refuses, in Telegram's words.

Each behaviour was checked against the Bot API documentation and tdlib/telegram-bot-api's source
(see the docstrings of bot/domain/links.py and of the emulator modules that apply it):
URL buttons with links Telegram rejects, the per-chat flood limit applied to edits, button presses
answered too late, and a group upgraded to a supergroup. All of it over HTTP with a real
python-telegram-bot ``Bot``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, RetryAfter

from bot.sandbox.emulator import Emulator, Limits
from bot.sandbox.people import Person

EmuFactory = Callable[..., Awaitable[Emulator]]


def link_button(url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("open", url=url)]])


# ---------------------------------------------------------------------------- URL buttons


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://localhost", "Wrong HTTP URL"),
        ("http://intranet/guide", "Wrong HTTP URL"),
        ("https://localhost:8443/x", "Wrong HTTP URL"),
        ("not-a-url", "Wrong HTTP URL"),
        ("ftp://example.com", "Unsupported URL protocol"),
        ("javascript://example.com/alert", "Unsupported URL protocol"),
        ("https://example.com:0/", "Wrong port number specified in the URL"),
        ("https://example.com:65536/", "Wrong port number specified in the URL"),
        ("https://example.com:/", "Wrong port number specified in the URL"),
        ("https:///path", "URL host is empty"),
        ("https://exa mple.com/", "Wrong URL host"),
        ("https://[::zz]/", "Wrong IPv6 address specified in the URL"),
        ("tg://resolve.me?domain=x", "Unallowed characters in URL host"),
        ("tg://resolve:80?domain=x", "Wrong tg URL"),
    ],
)
async def test_url_buttons_telegram_refuses(
    bot: Bot, emu: Emulator, alice: Person, url: str, reason: str
) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(alice.id, "link", reply_markup=link_button(url))
    assert emu.error_log[-1].description == (
        f"Bad Request: inline keyboard button URL '{url}' is invalid: {reason}"
    )
    assert alice.inbox == []  # the whole message is refused, not just the button


@pytest.mark.parametrize(
    "url",
    [
        "https://zwdt.sh.gov.cn/",
        "http://example.com:8080/a b",  # spaces in the path are percent-encoded by Telegram
        "https://10.0.0.1/",  # an IPv4 address has dots
        "https://[2001:db8::1]/",  # an IPv6 literal needs none
        "example.com/no-scheme",  # no scheme means http
        "tg://resolve?domain=jingan_bot",
        "tg:resolve?domain=jingan_bot",
        "HTTPS://Example.COM/Path",
        "https://静安.中国/",
    ],
)
async def test_url_buttons_telegram_accepts(bot: Bot, alice: Person, url: str) -> None:
    await bot.send_message(alice.id, "link", reply_markup=link_button(url))
    assert alice.inbox[-1].button("open") == {"text": "open", "url": url}


async def test_edits_with_a_bad_url_button_are_refused_too(bot: Bot, alice: Person) -> None:
    sent = await bot.send_message(alice.id, "card")
    with pytest.raises(BadRequest, match=r"(?i)wrong http url"):
        await bot.edit_message_text(
            "card, edited",
            chat_id=alice.id,
            message_id=sent.message_id,
            reply_markup=link_button("http://intranet"),
        )
    assert alice.inbox[0].plain == "card"


# ---------------------------------------------------------------------------- edits are flood-limited


async def test_edits_in_a_group_share_its_twenty_a_minute(make_emu: EmuFactory) -> None:
    emu = await make_emu(limits=Limits(group_burst=20, group_per_minute=20))
    alice = emu.user(1001, "Alice")
    staff = emu.group(-100123, "Staff", [alice])
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        card = await bot.send_message(staff.id, "card v0")
        for version in range(1, 20):  # 1 message + 19 edits = the group's 20 a minute
            await bot.edit_message_text(f"card v{version}", chat_id=staff.id, message_id=card.message_id)
        with pytest.raises(RetryAfter) as caught:
            await bot.edit_message_text("card v20", chat_id=staff.id, message_id=card.message_id)
        assert caught.value.retry_after in (3, timedelta(seconds=3))  # one token per 3 s at 20/min
        assert emu.error_log[-1].method == "editMessageText"
        assert emu.error_log[-1].description == "Too Many Requests: retry after 3"
        with pytest.raises(RetryAfter):  # new messages wait for the same allowance
            await bot.send_message(staff.id, "another card")
        with pytest.raises(RetryAfter):
            await bot.edit_message_reply_markup(chat_id=staff.id, message_id=card.message_id)
        await bot.delete_message(staff.id, card.message_id)  # deleting is not limited
        await bot.send_message(alice.id, "another chat has its own allowance")
    assert staff.inbox[0].plain == "card v19"
    assert emu.stats.rate_limited == 3


async def test_edits_in_a_private_chat_are_limited_like_messages(make_emu: EmuFactory) -> None:
    emu = await make_emu(limits=Limits(private_burst=3, private_per_second=1))
    alice = emu.user(1001, "Alice")
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        menu = await bot.send_message(alice.id, "page 1")
        await bot.edit_message_text("page 2", chat_id=alice.id, message_id=menu.message_id)
        await bot.edit_message_text("page 3", chat_id=alice.id, message_id=menu.message_id)
        with pytest.raises(RetryAfter):
            await bot.edit_message_text("page 4", chat_id=alice.id, message_id=menu.message_id)
    assert alice.inbox[0].plain == "page 3"


# ---------------------------------------------------------------------------- presses expire


class Clock:
    """A clock the test moves by hand (the emulator's ``clock=``)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 23, 1, 30, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def _pressed(bot: Bot, alice: Person, label: str) -> tuple[asyncio.Task[object], str]:
    """Alice presses ``label`` on the newest message; the press task and the query id the bot got."""
    press = asyncio.create_task(alice.press(label, timeout=2))
    updates = []
    while not updates:
        updates = [u for u in await bot.get_updates(timeout=1) if u.callback_query]
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)  # acknowledge
    query = updates[-1].callback_query
    assert query is not None
    return press, query.id


async def test_a_press_answered_after_fifteen_seconds_is_refused(make_emu: EmuFactory) -> None:
    clock = Clock()
    emu = await make_emu(limits=Limits(enabled=False), clock=clock)
    alice = emu.user(1001, "Alice")
    buttons = InlineKeyboardMarkup(
        [[InlineKeyboardButton("slow", callback_data="s"), InlineKeyboardButton("quick", callback_data="q")]]
    )
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        await bot.send_message(alice.id, "choose", reply_markup=buttons)

        press, query_id = await _pressed(bot, alice, "slow")
        clock.advance(15.5)
        with pytest.raises(BadRequest, match=r"(?i)query is too old and response timeout expired"):
            await bot.answer_callback_query(query_id, "done!")
        assert await press is None  # the person saw the spinner stop without a word
        assert emu.callbacks.expired == [query_id]

        press, query_id = await _pressed(bot, alice, "quick")
        clock.advance(14)
        await bot.answer_callback_query(query_id, "done!")
        answer = await press
        assert answer is not None and answer.text == "done!"
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # a second answer neither
            await bot.answer_callback_query(query_id, "again")
    assert emu.error_log[-1].description == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )


# ---------------------------------------------------------------------------- group -> supergroup


async def test_a_group_upgraded_to_a_supergroup(bot: Bot, emu: Emulator, alice: Person, bob: Person) -> None:
    group = emu.group(-4001, "Staff tier 1", [alice, bob], type="group", admins=[alice])
    card = await bot.send_message(group.id, "card")

    supergroup = await group.upgrade(by=alice)

    assert supergroup.id == -1004001 and supergroup.type == "supergroup"
    assert supergroup.title == "Staff tier 1" and supergroup.admins == {alice.id}
    assert {p.id for p in supergroup.members} == {alice.id, bob.id}
    updates = await bot.get_updates(timeout=0)
    service = [u.message for u in updates if u.message is not None]
    assert [(m.chat.id, m.migrate_to_chat_id, m.migrate_from_chat_id) for m in service] == [
        (group.id, supergroup.id, None),
        (supergroup.id, None, group.id),
    ]
    assert service[1].chat.type == "supergroup" and service[0].from_user is not None
    assert service[0].from_user.id == alice.id

    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "a new card")
    assert caught.value.new_chat_id == supergroup.id
    assert emu.error_log[-1].description == "Bad Request: group chat was upgraded to a supergroup chat"
    with pytest.raises(ChatMigrated):
        await bot.edit_message_text("card, edited", chat_id=group.id, message_id=card.message_id)
    with pytest.raises(ChatMigrated):
        await bot.send_chat_action(group.id, "typing")
    assert (await bot.get_chat(group.id)).title == "Staff tier 1"  # reading still works

    await bot.send_message(supergroup.id, "a new card")
    assert [m.plain for m in supergroup.inbox] == ["a new card"]
    assert [m.plain for m in group.inbox] == ["card"]
    await bob.send("hello", chat=supergroup)
    with pytest.raises(AssertionError, match="supergroup"):
        await bob.send("hello", chat=group)
    with pytest.raises(ValueError, match="basic group"):
        await supergroup.upgrade(by=alice)


# ---------------------------------------------------------------------------- injected refusals


async def test_any_refusal_can_be_injected(bot: Bot, emu: Emulator, alice: Person) -> None:
    emu.faults.refuse_next("Bad Request: message text is empty", methods=["sendMessage"])
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(alice.id, "hello")
    await bot.send_message(alice.id, "hello again")
    assert [m.plain for m in alice.inbox] == ["hello again"]
    assert emu.stats.injected == {"400": 1}
    assert emu.error_log[-1].injected and emu.error_log[-1].params["text"] == "hello"


async def test_a_text_link_telegram_refuses_is_plain_text(bot: Bot, alice: Person) -> None:
    await bot.send_message(
        alice.id,
        'See <a href="http://intranet/guide">the guide</a> or <a href="https://x.org">x</a>',
        parse_mode="HTML",
    )
    message = alice.inbox[-1]
    assert message.plain == "See the guide or x"
    assert [e.get("url") for e in message.entities] == ["https://x.org"]

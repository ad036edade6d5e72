"""Privacy on Telegram: /privacy (the notice and one's choices), /mydata (a JSON file), /forgetme
(with a confirmation), and sharing one's phone number with Telegram's contact button.

These commands answer in private chats only: one's data never lands in a group.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.context import BotContext, Buttons
from bot.handlers import registry
from bot.handlers.common import TemplateRouter
from bot.handlers.routing import NoSuchPart, Press, PressHandler, message_of, sender_id
from bot.msgids import N_
from bot.render import LANGUAGES
from bot.services.base import InvalidInput

NOT_NOW = N_("Not now")
PRIVATE = filters.ChatType.PRIVATE

# A refused phone number is explained, and the keyboard that asked for it goes away.
router = TemplateRouter(
    "prv",
    {"private_only": N_("Please use this in your private chat with the bot.")},
    templates={"not_own_contact": "privacy/phone_refused.html", "bad_phone": "privacy/phone_refused.html"},
    markup=ReplyKeyboardRemove(),
)
SHOW = router.action("show")
DOWNLOAD = router.action("data")
SHARE_PHONE = router.action("phone")
REMOVE_PHONE = router.action("nophone")
FORGET = router.action("forget")
FORGET_YES = router.action("forget_yes")
FORGET_NO = router.action("forget_no")


def notice_buttons(context: BotContext, has_phone: bool) -> Buttons:
    phone = (
        REMOVE_PHONE.button(context.gettext("Remove my phone number"))
        if has_phone
        else SHARE_PHONE.button(context.gettext("Share my phone number"))
    )
    return [
        [DOWNLOAD.button(context.gettext("Download my data")), phone],
        [FORGET.button(context.gettext("Erase my data"))],
    ]


def in_private(handler: PressHandler) -> PressHandler:
    """The buttons act on the presser's own data: never in a group, where others would see it."""

    @functools.wraps(handler)
    async def checked(press: Press, context: BotContext) -> object:
        chat = press.update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            raise InvalidInput("private_only")
        return await handler(press, context)

    return checked


async def privacy_command(update: Update, context: BotContext) -> None:
    status = await context.services.privacy.status(sender_id(update))
    await context.reply(
        update, "privacy/notice.html", notice_buttons(context, status.has_phone), status=status
    )


async def private_only(update: Update, context: BotContext) -> None:
    await context.reply(update, "privacy/private_only.html")


async def mydata_command(update: Update, context: BotContext) -> None:
    data = await context.services.privacy.export(sender_id(update))
    if data["summaries"]:
        await context.reply(update, "privacy/summary.html", summaries=data["summaries"])
    document = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    await context.send_file(
        update, document, "my-data.json", caption="privacy/mydata.html", tables=sorted(data["tables"])
    )


async def forgetme_command(update: Update, context: BotContext) -> None:
    await context.reply(
        update,
        "privacy/forget_confirm.html",
        [
            [FORGET_YES.button(context.gettext("Yes, erase my data"))],
            [FORGET_NO.button(context.gettext("No, keep my data"))],
        ],
    )


async def ask_phone(update: Update, context: BotContext) -> None:
    """Telegram's contact button is the only way a phone number reaches us."""
    keyboard = ReplyKeyboardMarkup(
        [
            [KeyboardButton(context.gettext("📱 Share my phone number"), request_contact=True)],
            [context.gettext(NOT_NOW)],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await context.reply(update, "privacy/ask_phone.html", markup=keyboard)


@router.message
async def contact_shared(update: Update, context: BotContext) -> None:
    contact = message_of(update).contact
    if contact is None:
        raise NoSuchPart(f"update {update.update_id} has no contact")
    await context.services.privacy.set_phone(
        sender_id(update), contact.phone_number, contact_user_id=contact.user_id
    )
    await context.reply(update, "privacy/phone_saved.html", markup=ReplyKeyboardRemove())


async def not_now(update: Update, context: BotContext) -> None:
    await context.reply(update, "privacy/phone_not_now.html", markup=ReplyKeyboardRemove())


# ------------------------------------------------------------------ the buttons (own data only)


def opens(show: Callable[[Update, BotContext], Awaitable[None]]) -> PressHandler:
    """A button that shows, in a new message, what its command shows."""

    @in_private
    async def pressed(press: Press, context: BotContext) -> None:
        await press.answer()
        await show(press.update, context)

    return pressed


router.on(SHOW)(opens(privacy_command))
router.on(DOWNLOAD)(opens(mydata_command))
router.on(SHARE_PHONE)(opens(ask_phone))
router.on(FORGET)(opens(forgetme_command))


@router.on(REMOVE_PHONE)
@in_private
async def remove_phone_pressed(press: Press, context: BotContext) -> None:
    await context.services.privacy.clear_phone(press.user_id)
    await press.answer(context.gettext("Your phone number was removed."))
    status = await context.services.privacy.status(press.user_id)
    await context.reply(
        press.update,
        "privacy/notice.html",
        notice_buttons(context, status.has_phone),
        edit=True,
        status=status,
    )


@router.on(FORGET_YES)
@in_private
async def forget_confirmed(press: Press, context: BotContext) -> None:
    erasure = await context.services.privacy.forget(press.user_id)
    if erasure.again:  # a second tap: the message already says so, and editing it would fail
        await press.answer(context.gettext("Your personal data has been erased."))
        return
    await press.answer()
    await context.reply(press.update, "privacy/forgotten.html", edit=True, erasure=erasure)


@router.on(FORGET_NO)
@in_private
async def forget_declined(press: Press, context: BotContext) -> None:
    await press.answer()
    await context.reply(press.update, "privacy/kept.html", edit=True)


def register(app: Application) -> None:
    renderer = app.bot_data["services"].renderer
    not_now_labels = sorted({renderer.gettext(lang, NOT_NOW) for lang in LANGUAGES})
    app.add_handler(CommandHandler("privacy", privacy_command, PRIVATE))
    app.add_handler(CommandHandler("mydata", mydata_command, PRIVATE))
    app.add_handler(CommandHandler("forgetme", forgetme_command, PRIVATE))
    app.add_handler(CommandHandler(["privacy", "mydata", "forgetme"], private_only, ~PRIVATE))
    app.add_handler(MessageHandler(filters.CONTACT & PRIVATE, contact_shared))
    app.add_handler(MessageHandler(filters.Text(not_now_labels) & PRIVATE, not_now))
    app.add_handler(router.handler())
    registry.menu_item(N_("Privacy"), SHOW.data(), order=95)
    registry.command("privacy", N_("How we use your data, and your rights"), order=80, private=True)
    registry.command("mydata", N_("Download everything the bot keeps about you"), order=81, private=True)
    registry.command("forgetme", N_("Erase your personal data"), order=82, private=True)

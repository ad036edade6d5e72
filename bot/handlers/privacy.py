"""Privacy on Telegram: /privacy (the notice and one's choices), /mydata (a JSON file), /forgetme
(with a confirmation), and sharing one's phone number with Telegram's contact button.

These commands answer in private chats only: one's data never lands in a group.
"""

from __future__ import annotations

import json

from telegram import InputFile, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callbacks import BadCallback, button, pack, pattern, unpack
from bot.context import BotContext
from bot.handlers import registry
from bot.msgids import N_
from bot.render import LANGUAGES
from bot.services.base import InvalidInput

FEATURE = "prv"
NOT_NOW = N_("Not now")
PRIVATE = filters.ChatType.PRIVATE


def notice_buttons(context: BotContext, has_phone: bool) -> list[list[dict[str, str]]]:
    phone = (
        button(context.gettext("Remove my phone number"), FEATURE, "nophone")
        if has_phone
        else button(context.gettext("Share my phone number"), FEATURE, "phone")
    )
    return [
        [button(context.gettext("Download my data"), FEATURE, "data"), phone],
        [button(context.gettext("Erase my data"), FEATURE, "forget")],
    ]


async def privacy_command(update: Update, context: BotContext) -> None:
    status = await context.services.privacy.status(update.effective_user.id)
    await context.reply(
        update, "privacy/notice.html", notice_buttons(context, status.has_phone), status=status
    )


async def private_only(update: Update, context: BotContext) -> None:
    await context.reply(update, "privacy/private_only.html")


async def mydata_command(update: Update, context: BotContext) -> None:
    data = await context.services.privacy.export(update.effective_user.id)
    document = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(document, filename="my-data.json"),
        caption=context.render("privacy/mydata.html", tables=sorted(data["tables"])),
        parse_mode=ParseMode.HTML,
    )


async def forgetme_command(update: Update, context: BotContext) -> None:
    await context.reply(
        update,
        "privacy/forget_confirm.html",
        [
            [button(context.gettext("Yes, erase my data"), FEATURE, "forget_yes")],
            [button(context.gettext("No, keep my data"), FEATURE, "forget_no")],
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
    await context.bot.send_message(
        update.effective_chat.id, context.render("privacy/ask_phone.html"), reply_markup=keyboard
    )


async def contact_shared(update: Update, context: BotContext) -> None:
    contact = update.message.contact
    try:
        await context.services.privacy.set_phone(
            update.effective_user.id, contact.phone_number, contact_user_id=contact.user_id
        )
    except InvalidInput as problem:
        await context.bot.send_message(
            update.effective_chat.id,
            context.render("privacy/phone_refused.html", code=problem.code),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    await context.bot.send_message(
        update.effective_chat.id,
        context.render("privacy/phone_saved.html"),
        reply_markup=ReplyKeyboardRemove(),
    )


async def not_now(update: Update, context: BotContext) -> None:
    await context.bot.send_message(
        update.effective_chat.id,
        context.render("privacy/phone_not_now.html"),
        reply_markup=ReplyKeyboardRemove(),
    )


async def pressed(update: Update, context: BotContext) -> None:
    """The buttons of /privacy and /forgetme: each acts on the presser's own data only."""
    query = update.callback_query
    try:
        action = unpack(query.data).action
    except BadCallback:
        action = ""
    user_id = update.effective_user.id
    if update.effective_chat is None or update.effective_chat.type != "private":
        await context.alert(update, N_("Please use this in your private chat with the bot."))
        return
    if action == "show":
        await query.answer()
        await privacy_command(update, context)
    elif action == "data":
        await query.answer()
        await mydata_command(update, context)
    elif action == "phone":
        await query.answer()
        await ask_phone(update, context)
    elif action == "nophone":
        await context.services.privacy.clear_phone(user_id)
        await query.answer(context.gettext("Your phone number was removed."))
        status = await context.services.privacy.status(user_id)
        await context.reply(
            update, "privacy/notice.html", notice_buttons(context, status.has_phone), edit=True, status=status
        )
    elif action == "forget":
        await query.answer()
        await forgetme_command(update, context)
    elif action == "forget_yes":
        erasure = await context.services.privacy.forget(user_id)
        await query.answer()
        await context.reply(update, "privacy/forgotten.html", edit=True, erasure=erasure)
    elif action == "forget_no":
        await query.answer()
        await context.reply(update, "privacy/kept.html", edit=True)
    else:
        await context.alert(update, N_("This button is no longer valid."))


def register(app: Application) -> None:
    renderer = app.bot_data["services"].renderer
    not_now_labels = sorted({renderer.gettext(lang, NOT_NOW) for lang in LANGUAGES})
    app.add_handler(CommandHandler("privacy", privacy_command, PRIVATE))
    app.add_handler(CommandHandler("mydata", mydata_command, PRIVATE))
    app.add_handler(CommandHandler("forgetme", forgetme_command, PRIVATE))
    app.add_handler(CommandHandler(["privacy", "mydata", "forgetme"], private_only, ~PRIVATE))
    app.add_handler(MessageHandler(filters.CONTACT & PRIVATE, contact_shared))
    app.add_handler(MessageHandler(filters.Text(not_now_labels) & PRIVATE, not_now))
    app.add_handler(CallbackQueryHandler(pressed, pattern=pattern(FEATURE)))
    registry.menu_item(N_("Privacy"), pack(FEATURE, "show"), order=95)
    registry.command("privacy", N_("How we use your data, and your rights"), order=80)
    registry.command("mydata", N_("Download everything the bot keeps about you"), order=81)
    registry.command("forgetme", N_("Erase your personal data"), order=82)

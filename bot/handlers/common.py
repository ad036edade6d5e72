"""Shared handlers: profile loading before every update, menu, help, language, cancel, fallbacks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telegram import BotCommand, BotCommandScopeDefault, Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import BotContext, OtherMarkup
from bot.handlers import groups, registry
from bot.handlers.routing import STALE, NoSuchPart, Press, Router, chat_of, sender_id
from bot.msgids import N_
from bot.render import LANGUAGES
from bot.services.base import InvalidInput

LANGUAGE_LABELS = {"zh": "中文", "en": "English", "fr": "Français"}

language_router = Router("lang")
SET_LANGUAGE = language_router.action("set")
menu_router = Router("menu")
SHOW_MENU = menu_router.action("show")


class TemplateRouter(Router):
    """A feature's router whose typed answers, when bad, are answered with the feature's templates.

    `templates` picks a template by problem code (`default` for the other codes; without one the
    router's plain PROBLEMS text is used). The template gets `code`, `details` and each detail by
    name; `markup` goes with the message (e.g. removing a keyboard that asked for the answer).
    A bad button press is still answered with a pop-up of the PROBLEMS text.
    """

    def __init__(
        self,
        feature: str,
        problems: Mapping[str, str] | None = None,
        *,
        templates: Mapping[str, str] | None = None,
        default: str | None = None,
        markup: OtherMarkup | None = None,
    ) -> None:
        super().__init__(feature, problems)
        self.templates: Mapping[str, str] = templates or {}
        self.default = default
        self.markup = markup

    async def show_problem(
        self, update: Update, context: BotContext, problem: InvalidInput, press: Press | None
    ) -> None:
        template = self.templates.get(problem.code, self.default)
        if press is not None or template is None:
            await super().show_problem(update, context, problem, press)
            return
        details: dict[str, Any] = dict(problem.details)  # each detail is also a template variable
        await context.reply(
            update, template, markup=self.markup, code=problem.code, details=details, **details
        )


def user_data(context: BotContext) -> dict[Any, Any]:
    """What a conversation keeps about the person between updates (python-telegram-bot's user_data).

    Every update our handlers take has a sender, so it is always there.
    """
    if context.user_data is None:
        raise NoSuchPart("an update without a sender has no user_data")
    return context.user_data


async def load_profile(update: Update, context: BotContext) -> None:
    """Runs before every handler: who is this and which language do they read."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    services = context.services
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        context.profile = await services.users.seen(
            user.id, user.first_name, user.username, user.language_code
        )
    else:
        context.profile = await services.users.get(user.id)
    context.lang = services.users.language_of(context.profile, user.language_code)


def main_menu_buttons(context: BotContext) -> list[list[dict[str, str]]]:
    items = [{"text": context.gettext(m.label), "callback_data": m.callback_data} for m in registry.menu()]
    return [items[i : i + 2] for i in range(0, len(items), 2)]


async def show_menu(update: Update, context: BotContext, *, edit: bool = False) -> None:
    await context.reply(
        update, "common/menu.html", main_menu_buttons(context), edit=edit, profile=context.profile
    )


async def menu_command(update: Update, context: BotContext) -> int:
    await show_menu(update, context)
    return ConversationHandler.END


async def help_command(update: Update, context: BotContext) -> None:
    """What this person's roles allow (in a group too: private-only commands say so)."""
    access = await context.services.access.of(sender_id(update))
    await context.reply(
        update,
        "common/help.html",
        commands=registry.commands(access),
        in_group=chat_of(update).type != ChatType.PRIVATE,
    )


async def private_only(update: Update, context: BotContext) -> None:
    """A private-only command typed in a group: where it works, with a button to go there."""
    link = f"https://t.me/{context.bot.username}"
    button = {"text": context.gettext("💬 Open a private chat with me"), "url": link}
    await context.reply(update, "common/private_only.html", [[button]])


def language_buttons() -> list[list[dict[str, str]]]:
    return [[SET_LANGUAGE.button(LANGUAGE_LABELS[lang], lang) for lang in LANGUAGES]]


async def language_command(update: Update, context: BotContext) -> None:
    await context.reply(update, "common/choose_language.html", language_buttons())


@language_router.on(SET_LANGUAGE)
async def language_chosen(press: Press, context: BotContext) -> None:
    lang = press.str_arg(0)
    await context.services.users.set_language(press.user_id, lang)
    context.lang = lang
    await press.answer()
    await context.reply(press.update, "common/language_set.html", edit=True, language=LANGUAGE_LABELS[lang])
    await show_menu(press.update, context)


async def cancel_command(update: Update, context: BotContext) -> int:
    """Outside a conversation /cancel has nothing to leave, but still answers."""
    await context.reply(update, "common/cancelled.html")
    return ConversationHandler.END


async def unknown_command(update: Update, context: BotContext) -> None:
    await context.reply(update, "common/unknown_command.html")


async def unexpected_text(update: Update, context: BotContext) -> None:
    await context.reply(update, "common/hint.html")


async def stale_button(update: Update, context: BotContext) -> None:
    """A press no handler claimed: an old menu, another version's button, or forged data."""
    await context.alert(update, STALE)


@menu_router.on(SHOW_MENU)
async def menu_pressed(press: Press, context: BotContext) -> None:
    await press.answer()
    await show_menu(press.update, context)


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, load_profile), group=groups.PROFILE)
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("menu", menu_command))
    app.add_handler(CommandHandler("language", language_command))
    app.add_handler(language_router.handler())
    app.add_handler(menu_router.handler())
    registry.command("menu", N_("Main menu"), order=2)


def register_fallbacks(app: Application) -> None:
    """Added last to group 0, so they answer only what no feature handler claimed.

    (A handler in another group would run *in addition* to the feature's handler.)
    """
    app.add_handler(CommandHandler("cancel", cancel_command))
    app.add_handler(CommandHandler(registry.private_commands(), private_only, ~filters.ChatType.PRIVATE))
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, unexpected_text
        )
    )
    app.add_handler(CallbackQueryHandler(stale_button))


async def set_commands(app: Application) -> None:
    """The command menu in Telegram's UI, in each language (staff commands are not advertised)."""
    services = app.bot_data["services"]
    for lang in LANGUAGES:
        commands = [
            BotCommand(c.name, services.renderer.gettext(lang, c.description)) for c in registry.commands()
        ]
        await app.bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=lang)
    default = [
        BotCommand(c.name, services.renderer.gettext(services.settings.default_language, c.description))
        for c in registry.commands()
    ]
    await app.bot.set_my_commands(default, scope=BotCommandScopeDefault())

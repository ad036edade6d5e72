"""/start: greet, ask once for language, name, building and company, then show the menu."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import BadCallback, button, pattern, unpack
from bot.context import BotContext
from bot.handlers import registry
from bot.handlers.common import LANGUAGE_LABELS, cancel_command, show_menu
from bot.msgids import N_
from bot.render import LANGUAGES
from bot.services.base import InvalidInput

LANGUAGE, NAME, BUILDING, COMPANY = range(4)
FEATURE = "ob"


async def start(update: Update, context: BotContext) -> int:
    payload = context.args[0] if context.args else ""
    for prefix, handler in registry.START_PAYLOADS.items():
        if payload.startswith(prefix):
            await handler(update, context, payload[len(prefix) :])
            return ConversationHandler.END
    if context.profile and context.profile.onboarded_at:
        await show_menu(update, context)
        return ConversationHandler.END
    buttons = [[button(LANGUAGE_LABELS[lang], FEATURE, "lang", lang) for lang in LANGUAGES]]
    await context.reply(
        update, "onboarding/welcome.html", buttons, first_name=update.effective_user.first_name
    )
    return LANGUAGE


async def language_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    try:
        lang = unpack(query.data).str_arg(0)
        if lang not in LANGUAGES:
            raise BadCallback(lang)
    except BadCallback:
        await query.answer()
        return LANGUAGE
    await context.services.users.set_language(update.effective_user.id, lang)
    context.lang = lang
    await query.answer()
    first_name = update.effective_user.first_name
    await context.reply(
        update,
        "onboarding/ask_name.html",
        [[button(context.gettext("Use “%(name)s”", name=first_name[:40]), FEATURE, "samename")]],
        edit=True,
        first_name=first_name,
    )
    return NAME


async def name_given(update: Update, context: BotContext) -> int:
    if update.callback_query:
        await update.callback_query.answer()
        name = update.effective_user.first_name
    else:
        name = update.message.text or ""
    try:
        name = await context.services.users.set_name(update.effective_user.id, name)
    except InvalidInput as problem:
        await context.reply(update, "onboarding/bad_name.html", **problem.details)
        return NAME
    await ask_building(update, context, name)
    return BUILDING


async def ask_building(update: Update, context: BotContext, name: str) -> None:
    buildings = await context.services.users.buildings()
    rows = [
        [button(b.name(context.lang)[:30], FEATURE, "bld", b.id) for b in buildings[i : i + 2]]
        for i in range(0, len(buildings), 2)
    ]
    rows.append([button(context.gettext("Other / not in a building"), FEATURE, "bld", 0)])
    await context.reply(update, "onboarding/ask_building.html", rows, name=name)


async def building_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    try:
        building_id = unpack(query.data).int_arg(0) or None
        await context.services.users.set_building(update.effective_user.id, building_id)
    except (BadCallback, InvalidInput):
        await context.alert(update, N_("This button is no longer valid."))
        return BUILDING
    await query.answer()
    building = await context.services.users.building(building_id)
    await context.reply(
        update,
        "onboarding/ask_company.html",
        [[button(context.gettext("Skip"), FEATURE, "nocompany")]],
        edit=True,
        building=building.name(context.lang) if building else None,
    )
    return COMPANY


async def company_given(update: Update, context: BotContext) -> int:
    if update.callback_query:
        await update.callback_query.answer()
        company = None
    else:
        company = update.message.text
    try:
        context.profile = await context.services.users.finish_onboarding(update.effective_user.id, company)
    except InvalidInput as problem:
        await context.reply(update, "onboarding/bad_company.html", **problem.details)
        return COMPANY
    await context.reply(update, "onboarding/done.html", profile=context.profile)
    await show_menu(update, context)
    return ConversationHandler.END


async def expected_button(update: Update, context: BotContext) -> None:
    """Typed text where a button was expected: say so instead of staying silent."""
    await context.reply(update, "onboarding/use_buttons.html")


def register(app: Application) -> None:
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("start", start, filters.ChatType.PRIVATE)],
            states={
                LANGUAGE: [
                    CallbackQueryHandler(language_chosen, pattern=pattern(FEATURE)),
                    MessageHandler(text, expected_button),
                ],
                NAME: [
                    MessageHandler(text, name_given),
                    CallbackQueryHandler(name_given, pattern=f"^{pattern(FEATURE).pattern[1:]}samename$"),
                ],
                BUILDING: [
                    CallbackQueryHandler(building_chosen, pattern=pattern(FEATURE)),
                    MessageHandler(text, expected_button),
                ],
                COMPANY: [
                    MessageHandler(text, company_given),
                    CallbackQueryHandler(company_given, pattern=f"^{pattern(FEATURE).pattern[1:]}nocompany$"),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel_command), CommandHandler("start", start)],
            name="onboarding",
            allow_reentry=True,
        )
    )

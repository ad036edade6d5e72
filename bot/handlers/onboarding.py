"""/start: greet, ask once for language, name, building and company, then show the menu."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from bot.handlers import registry
from bot.handlers.common import LANGUAGE_LABELS, TemplateRouter, cancel_command, show_menu
from bot.handlers.routing import NoSuchPart, Press, sender_id, text_of
from bot.render import LANGUAGES

LANGUAGE, NAME, BUILDING, COMPANY = range(4)

# A typed answer that does not fit is explained and asked again; a bad press is a stale button.
router = TemplateRouter(
    "ob",
    templates={"name_length": "onboarding/bad_name.html", "company_length": "onboarding/bad_company.html"},
)
LANGUAGE_CHOSEN = router.action("lang")
SAME_NAME = router.action("samename")
BUILDING_CHOSEN = router.action("bld")
NO_COMPANY = router.action("nocompany")


def first_name(update: Update) -> str:
    if update.effective_user is None:
        raise NoSuchPart(f"update {update.update_id} has no sender")
    return update.effective_user.first_name


async def start(update: Update, context: BotContext) -> int:
    payload = context.args[0] if context.args else ""
    for prefix, handler in registry.START_PAYLOADS.items():
        if payload.startswith(prefix):
            await handler(update, context, payload[len(prefix) :])
            return ConversationHandler.END
    if context.profile and context.profile.onboarded_at:
        await show_menu(update, context)
        return ConversationHandler.END
    buttons = [[LANGUAGE_CHOSEN.button(LANGUAGE_LABELS[lang], lang) for lang in LANGUAGES]]
    await context.reply(update, "onboarding/welcome.html", buttons, first_name=first_name(update))
    return LANGUAGE


async def language_chosen(press: Press, context: BotContext) -> int | None:
    lang = press.str_arg(0)
    if lang not in LANGUAGES:
        return None  # not one of ours: the press is answered, the question stays
    await context.services.users.set_language(press.user_id, lang)
    context.lang = lang
    await press.answer()
    name = first_name(press.update)
    await context.reply(
        press.update,
        "onboarding/ask_name.html",
        [[SAME_NAME.button(context.gettext("Use “%(name)s”", name=name[:40]))]],
        edit=True,
        first_name=name,
    )
    return NAME


@router.message
async def save_name(update: Update, context: BotContext, name: str) -> int:
    name = await context.services.users.set_name(sender_id(update), name)
    await ask_building(update, context, name)
    return BUILDING


async def name_typed(update: Update, context: BotContext) -> int | None:
    return await save_name(update, context, text_of(update))


async def same_name_pressed(press: Press, context: BotContext) -> int | None:
    await press.answer()
    return await save_name(press.update, context, first_name(press.update))


async def ask_building(update: Update, context: BotContext, name: str) -> None:
    buildings = await context.services.users.buildings()
    rows = [
        [BUILDING_CHOSEN.button(b.name(context.lang)[:30], b.id) for b in buildings[i : i + 2]]
        for i in range(0, len(buildings), 2)
    ]
    rows.append([BUILDING_CHOSEN.button(context.gettext("Other / not in a building"), 0)])
    await context.reply(update, "onboarding/ask_building.html", rows, name=name)


async def building_chosen(press: Press, context: BotContext) -> int:
    building_id = press.int_arg(0) or None
    await context.services.users.set_building(press.user_id, building_id)
    await press.answer()
    building = await context.services.users.building(building_id)
    await context.reply(
        press.update,
        "onboarding/ask_company.html",
        [[NO_COMPANY.button(context.gettext("Skip"))]],
        edit=True,
        building=building.name(context.lang) if building else None,
    )
    return COMPANY


@router.message
async def save_company(update: Update, context: BotContext, company: str | None) -> int:
    context.profile = await context.services.users.finish_onboarding(sender_id(update), company)
    await context.reply(update, "onboarding/done.html", profile=context.profile)
    await show_menu(update, context)
    return ConversationHandler.END


async def company_typed(update: Update, context: BotContext) -> int | None:
    return await save_company(update, context, text_of(update))


async def no_company_pressed(press: Press, context: BotContext) -> int | None:
    await press.answer()
    return await save_company(press.update, context, None)


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
                    router.press(LANGUAGE_CHOSEN, language_chosen),
                    MessageHandler(text, expected_button),
                ],
                NAME: [MessageHandler(text, name_typed), router.press(SAME_NAME, same_name_pressed)],
                BUILDING: [
                    router.press(BUILDING_CHOSEN, building_chosen),
                    MessageHandler(text, expected_button),
                ],
                COMPANY: [MessageHandler(text, company_typed), router.press(NO_COMPANY, no_company_pressed)],
            },
            fallbacks=[CommandHandler("cancel", cancel_command), CommandHandler("start", start)],
            name="onboarding",
            allow_reentry=True,
        )
    )

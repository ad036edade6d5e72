"""/events, /subscribe and /publish: Telegram's side of announcements and events.

Buttons ("1|ev|<action>|<args>") are only requests: the service checks the event, the person's
answer and (for publishing) their role at the moment of the press.
"""

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
from bot.handlers.common import cancel_command
from bot.handlers.guards import organiser_only, refuse
from bot.msgids import N_
from bot.services.access import NotAllowed
from bot.services.base import InvalidInput
from bot.services.events import GOING_LABEL, LEAVE_LABEL, TAKE_LABEL, Draft, EventView

FEATURE = "ev"
FLOW = "evp"  # buttons of the /publish conversation (stale outside it)
TOPIC, TITLE, WHEN, PLACE, CAPACITY, DESCRIPTION = range(6)
STALE = N_("This button is no longer valid.")
LANG_NAMES = {"zh": "中文", "en": "English", "fr": "Français"}


def card_buttons(context: BotContext, view: EventView) -> list[list[dict[str, str]]]:
    if view.my_status == "offered":
        return [
            [button(context.gettext(TAKE_LABEL), FEATURE, "go", view.id)],
            [button(context.gettext(LEAVE_LABEL), FEATURE, "leave", view.id)],
        ]
    if view.my_status in ("going", "waiting"):
        return [[button(context.gettext(LEAVE_LABEL), FEATURE, "leave", view.id)]]
    return [[button(context.gettext(GOING_LABEL), FEATURE, "go", view.id)]]


# ------------------------------------------------------------------------------ /events, cards


async def events_command(update: Update, context: BotContext) -> None:
    views = await context.services.events.upcoming(update.effective_user.id, context.lang)
    await context.reply(update, "events/list.html", list_buttons(views), views=views)


def list_buttons(views: list[EventView]) -> list[list[dict[str, str]]]:
    return [[button(f"{i}. {v.title[:40]}", FEATURE, "card", v.id)] for i, v in enumerate(views, 1)]


async def on_button(update: Update, context: BotContext) -> None:
    """Every 'ev' button outside the /publish flow."""
    query = update.callback_query
    user_id = update.effective_user.id
    events = context.services.events
    try:
        cb = unpack(query.data)
        action = cb.action
        if action == "list":
            views = await events.upcoming(user_id, context.lang)
            await query.answer()
            await context.reply(update, "events/list.html", list_buttons(views), views=views)
        elif action == "card":
            view = await events.event(user_id, cb.int_arg(0), context.lang)
            await query.answer()
            await context.reply(
                update, "events/card.html", card_buttons(context, view), edit=True, view=view, outcome=None
            )
        elif action in ("go", "leave"):
            method = events.rsvp if action == "go" else events.leave
            result = await method(user_id, cb.int_arg(0), context.lang)
            await query.answer()
            await context.reply(
                update,
                "events/card.html",
                card_buttons(context, result.view),
                edit=True,
                view=result.view,
                outcome=result.outcome,
            )
        elif action == "sub":
            view = await events.toggle(user_id, cb.str_arg(0))
            await query.answer()
            await context.reply(
                update,
                "events/subscribe.html",
                topic_buttons(context, view),
                edit=True,
                subscribed=view.subscribed,
            )
        elif action == "unsub":
            topic = await events.unsubscribe(user_id, cb.str_arg(0))
            await query.answer()
            await context.reply(update, "events/unsubscribed.html", topic=topic.name(context.lang))
        elif action == "pub":
            await publish_pressed(update, context, cb.int_arg(0), None)
        elif action == "pubok":
            await publish_pressed(update, context, cb.int_arg(0), cb.int_arg(1))
        elif action == "drop":
            await events.discard(user_id, cb.int_arg(0))
            await query.answer()
            await context.reply(update, "events/discarded.html", edit=True)
        else:
            raise BadCallback(action)
    except (BadCallback, InvalidInput):
        await context.alert(update, STALE)
    except NotAllowed as refused:
        await refuse(update, context, refused.message)


# ---------------------------------------------------------------------------------- /subscribe


def topic_buttons(context: BotContext, view) -> list[list[dict[str, str]]]:
    return [
        [button(("✅ " if t.key in view.subscribed else "▫️ ") + t.name(context.lang), FEATURE, "sub", t.key)]
        for t in view.topics
    ]


async def subscribe_command(update: Update, context: BotContext) -> None:
    view = await context.services.events.subscriptions(update.effective_user.id)
    await context.reply(
        update, "events/subscribe.html", topic_buttons(context, view), subscribed=view.subscribed
    )


# ----------------------------------------------------------------------------------- /publish


@organiser_only
async def publish_start(update: Update, context: BotContext) -> int:
    context.user_data["publish"] = {}
    topics = await context.services.events.topics()
    rows = [[button(t.name(context.lang), FLOW, "topic", t.key)] for t in topics]
    await context.reply(update, "events/publish_topic.html", rows)
    return TOPIC


async def topic_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    try:
        key = unpack(query.data).str_arg(0)
    except BadCallback:
        await context.alert(update, STALE)
        return TOPIC
    if key not in {t.key for t in await context.services.events.topics()}:
        await context.alert(update, STALE)
        return TOPIC
    context.user_data.setdefault("publish", {})["topic"] = key
    await query.answer()
    await context.reply(update, "events/publish_title.html", edit=True)
    return TITLE


async def _step(
    update: Update, context: BotContext, parse, field: str, state: int, nxt: int, template: str, buttons=None
) -> int:
    """Validate one typed answer with the service; ask again on bad input, else go on."""
    try:
        value = parse(update.message.text or "")
    except InvalidInput as problem:
        await context.reply(update, "events/bad_input.html", code=problem.code, details=problem.details)
        return state
    context.user_data.setdefault("publish", {})[field] = value
    await context.reply(update, template, buttons)
    return nxt


async def title_given(update: Update, context: BotContext) -> int:
    events = context.services.events
    return await _step(
        update,
        context,
        lambda t: events.parse_titles(t, context.lang),
        "titles",
        TITLE,
        WHEN,
        "events/publish_when.html",
    )


async def when_given(update: Update, context: BotContext) -> int:
    return await _step(
        update,
        context,
        context.services.events.parse_when,
        "starts_at",
        WHEN,
        PLACE,
        "events/publish_place.html",
    )


async def place_given(update: Update, context: BotContext) -> int:
    rows = [[button(context.gettext(N_("No limit")), FLOW, "nocap")]]
    return await _step(
        update,
        context,
        context.services.events.parse_place,
        "place",
        PLACE,
        CAPACITY,
        "events/publish_capacity.html",
        rows,
    )


async def capacity_given(update: Update, context: BotContext) -> int:
    rows = [[button(context.gettext(N_("Skip")), FLOW, "nodesc")]]
    if update.callback_query:
        await update.callback_query.answer()
        context.user_data.setdefault("publish", {})["capacity"] = None
        await context.reply(update, "events/publish_description.html", rows)
        return DESCRIPTION
    return await _step(
        update,
        context,
        context.services.events.parse_capacity,
        "capacity",
        CAPACITY,
        DESCRIPTION,
        "events/publish_description.html",
        rows,
    )


async def description_given(update: Update, context: BotContext) -> int:
    events = context.services.events
    data = context.user_data.get("publish", {})
    if update.callback_query:
        await update.callback_query.answer()
        descriptions: dict[str, str] = {}
    else:
        try:
            descriptions = events.parse_descriptions(update.message.text or "", context.lang)
        except InvalidInput as problem:
            await context.reply(update, "events/bad_input.html", code=problem.code, details=problem.details)
            return DESCRIPTION
    try:
        draft = Draft(
            topic=data["topic"],
            titles=data["titles"],
            starts_at=data["starts_at"],
            place=data["place"],
            capacity=data.get("capacity"),
            descriptions=descriptions,
        )
        preview = await events.create_draft(update.effective_user.id, draft, context.lang)
    except KeyError:
        await context.reply(update, "events/bad_input.html", code="event", details={})
        return ConversationHandler.END
    except InvalidInput as problem:
        await context.reply(update, "events/bad_input.html", code=problem.code, details=problem.details)
        return ConversationHandler.END
    except NotAllowed as refused:
        await refuse(update, context, refused.message)
        return ConversationHandler.END
    context.user_data.pop("publish", None)
    event_id = preview.view.id
    rows = [
        [button(context.gettext(N_("Publish")), FEATURE, "pub", event_id)],
        [button(context.gettext(N_("Discard")), FEATURE, "drop", event_id)],
    ]
    langs = " · ".join(LANG_NAMES[lang] for lang in ("zh", "en", "fr") if lang in preview.view.event.titles)
    await context.reply(
        update, "events/preview.html", rows, view=preview.view, recipients=preview.recipients, languages=langs
    )
    return ConversationHandler.END


async def publish_pressed(update: Update, context: BotContext, event_id: int, confirmed: int | None) -> None:
    result = await context.services.events.publish(
        update.effective_user.id, event_id, context.lang, confirmed
    )
    await update.callback_query.answer()
    if result.outcome == "confirm":
        rows = [
            [
                button(
                    context.gettext(N_("Send to %(n)s people"), n=result.recipients),
                    FEATURE,
                    "pubok",
                    event_id,
                    result.recipients,
                )
            ],
            [button(context.gettext(N_("Discard")), FEATURE, "drop", event_id)],
        ]
        await context.reply(
            update, "events/confirm_count.html", rows, edit=True, recipients=result.recipients
        )
        return
    await context.reply(
        update,
        "events/published.html",
        edit=True,
        view=result.view,
        recipients=result.recipients,
        outcome=result.outcome,
    )


async def expected_button(update: Update, context: BotContext) -> None:
    await context.reply(update, "events/use_buttons.html")


def register(app: Application) -> None:
    text = filters.TEXT & ~filters.COMMAND
    flow = f"^{pattern(FLOW).pattern[1:]}"
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("publish", publish_start, filters.ChatType.PRIVATE)],
            states={
                TOPIC: [
                    CallbackQueryHandler(topic_chosen, pattern=flow + "topic\\|"),
                    MessageHandler(text, expected_button),
                ],
                TITLE: [MessageHandler(text, title_given)],
                WHEN: [MessageHandler(text, when_given)],
                PLACE: [MessageHandler(text, place_given)],
                CAPACITY: [
                    MessageHandler(text, capacity_given),
                    CallbackQueryHandler(capacity_given, pattern=flow + "nocap$"),
                ],
                DESCRIPTION: [
                    MessageHandler(text, description_given),
                    CallbackQueryHandler(description_given, pattern=flow + "nodesc$"),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel_command)],
            name="publish",
            allow_reentry=True,
        )
    )
    app.add_handler(CommandHandler("events", events_command))
    app.add_handler(CommandHandler("subscribe", subscribe_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=pattern(FEATURE)))
    registry.command("events", N_("Upcoming events and sign-up"), order=40)
    registry.command("subscribe", N_("Choose which announcements you receive"), order=41)
    registry.command("publish", N_("Publish an event to a topic's subscribers"), staff_only=True, order=60)
    registry.menu_item(N_("Events"), "1|ev|list", order=40)

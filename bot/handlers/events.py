"""/events, /subscribe and /publish: Telegram's side of announcements and events.

Buttons ("1|ev|<action>|<args>") are only requests: the service checks the event, the person's
answer and (for publishing) their role at the moment of the press. Every problem with a press
reads "This button is no longer valid."; a bad typed answer in /publish is explained
(events/bad_input.html) and asked again.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.callbacks import BadCallback
from bot.context import BotContext, Buttons
from bot.handlers import registry
from bot.handlers.common import TemplateRouter, cancel_command, user_data
from bot.handlers.guards import allowed_if
from bot.handlers.routing import Press, Router, sender_id, text_of
from bot.msgids import N_
from bot.services.access import NOT_ORGANISER, may_publish
from bot.services.base import InvalidInput
from bot.services.events.browsing import SubscriptionView
from bot.services.events.places import RsvpResult
from bot.services.events.publishing import Draft, Publishing
from bot.services.events.views import (
    FEATURE,
    GO,
    GOING_LABEL,
    LEAVE_LABEL,
    TAKE_LABEL,
    UNSUBSCRIBE,
    EventView,
)

TOPIC, TITLE, WHEN, PLACE, CAPACITY, DESCRIPTION = range(6)
LANG_NAMES = {"zh": "中文", "en": "English", "fr": "Français"}
DRAFT = "publish"  # user_data key of the /publish answers so far

router = Router(FEATURE)
LIST = router.action("list")
CARD = router.action("card")
LEAVE = router.action("leave")
SUBSCRIBE = router.action("sub")
PUBLISH = router.action("pub")
CONFIRM = router.action("pubok")
DISCARD = router.action("drop")

# Buttons of the /publish conversation (stale outside it); a bad typed answer is explained.
flow = TemplateRouter("evp", default="events/bad_input.html")
TOPIC_CHOSEN = flow.action("topic")
NO_LIMIT = flow.action("nocap")
NO_DESCRIPTION = flow.action("nodesc")


def card_buttons(context: BotContext, view: EventView) -> Buttons:
    if view.my_status == "offered":
        return [
            [GO.button(context.gettext(TAKE_LABEL), view.id)],
            [LEAVE.button(context.gettext(LEAVE_LABEL), view.id)],
        ]
    if view.my_status in ("going", "waiting"):
        return [[LEAVE.button(context.gettext(LEAVE_LABEL), view.id)]]
    return [[GO.button(context.gettext(GOING_LABEL), view.id)]]


# ------------------------------------------------------------------------------ /events, cards


def list_buttons(views: list[EventView]) -> Buttons:
    return [[CARD.button(f"{i}. {v.title[:40]}", v.id)] for i, v in enumerate(views, 1)]


async def events_command(update: Update, context: BotContext) -> None:
    views = await context.services.events.browsing.upcoming(sender_id(update), context.lang)
    await context.reply(update, "events/list.html", list_buttons(views), views=views)


@router.on(LIST)
async def list_pressed(press: Press, context: BotContext) -> None:
    views = await context.services.events.browsing.upcoming(press.user_id, context.lang)
    await press.answer()
    await context.reply(press.update, "events/list.html", list_buttons(views), views=views)


@router.on(CARD)
async def card_pressed(press: Press, context: BotContext) -> None:
    view = await context.services.events.browsing.event(press.user_id, press.int_arg(0), context.lang)
    await press.answer()
    await context.reply(
        press.update, "events/card.html", card_buttons(context, view), edit=True, view=view, outcome=None
    )


async def _show_answer(press: Press, context: BotContext, result: RsvpResult) -> None:
    await press.answer()
    await context.reply(
        press.update,
        "events/card.html",
        card_buttons(context, result.view),
        edit=True,
        view=result.view,
        outcome=result.outcome,
    )


@router.on(GO)
async def go_pressed(press: Press, context: BotContext) -> None:
    result = await context.services.events.places.rsvp(press.user_id, press.int_arg(0), context.lang)
    await _show_answer(press, context, result)


@router.on(LEAVE)
async def leave_pressed(press: Press, context: BotContext) -> None:
    result = await context.services.events.places.leave(press.user_id, press.int_arg(0), context.lang)
    await _show_answer(press, context, result)


# ---------------------------------------------------------------------------------- /subscribe


def topic_buttons(context: BotContext, view: SubscriptionView) -> Buttons:
    return [
        [SUBSCRIBE.button(("✅ " if t.key in view.subscribed else "▫️ ") + t.name(context.lang), t.key)]
        for t in view.topics
    ]


async def subscribe_command(update: Update, context: BotContext) -> None:
    view = await context.services.events.browsing.subscriptions(sender_id(update))
    await context.reply(
        update, "events/subscribe.html", topic_buttons(context, view), subscribed=view.subscribed
    )


@router.on(SUBSCRIBE)
async def subscribe_pressed(press: Press, context: BotContext) -> None:
    view = await context.services.events.browsing.toggle(press.user_id, press.str_arg(0))
    await press.answer()
    await context.reply(
        press.update,
        "events/subscribe.html",
        topic_buttons(context, view),
        edit=True,
        subscribed=view.subscribed,
    )


@router.on(UNSUBSCRIBE)
async def unsubscribe_pressed(press: Press, context: BotContext) -> None:
    topic = await context.services.events.browsing.unsubscribe(press.user_id, press.str_arg(0))
    await press.answer()
    await context.reply(press.update, "events/unsubscribed.html", topic=topic.name(context.lang))


# ----------------------------------------------------------------------------------- /publish


def publishing(context: BotContext) -> Publishing:
    return context.services.events.publishing


def answers(context: BotContext) -> dict[str, Any]:
    """The /publish answers so far."""
    data: dict[str, Any] = user_data(context).setdefault(DRAFT, {})
    return data


@allowed_if(may_publish, NOT_ORGANISER)
async def publish_start(update: Update, context: BotContext) -> int:
    user_data(context)[DRAFT] = {}
    topics = await publishing(context).topics()
    rows = [[TOPIC_CHOSEN.button(t.name(context.lang), t.key)] for t in topics]
    await context.reply(update, "events/publish_topic.html", rows)
    return TOPIC


async def topic_chosen(press: Press, context: BotContext) -> int:
    key = press.str_arg(0)
    if key not in {t.key for t in await publishing(context).topics()}:
        raise BadCallback(key)
    answers(context)["topic"] = key
    await press.answer()
    await context.reply(press.update, "events/publish_title.html", edit=True)
    return TITLE


async def _ask_next(
    update: Update, context: BotContext, template: str, state: int, buttons: Buttons | None = None
) -> int:
    await context.reply(update, template, buttons)
    return state


@flow.message
async def title_given(update: Update, context: BotContext) -> int:
    answers(context)["titles"] = publishing(context).parse_titles(text_of(update), context.lang)
    return await _ask_next(update, context, "events/publish_when.html", WHEN)


@flow.message
async def when_given(update: Update, context: BotContext) -> int:
    answers(context)["starts_at"] = publishing(context).parse_when(text_of(update))
    return await _ask_next(update, context, "events/publish_place.html", PLACE)


@flow.message
async def place_given(update: Update, context: BotContext) -> int:
    answers(context)["place"] = publishing(context).parse_place(text_of(update))
    rows = [[NO_LIMIT.button(context.gettext(N_("No limit")))]]
    return await _ask_next(update, context, "events/publish_capacity.html", CAPACITY, rows)


def _description_buttons(context: BotContext) -> Buttons:
    return [[NO_DESCRIPTION.button(context.gettext(N_("Skip")))]]


@flow.message
async def capacity_given(update: Update, context: BotContext) -> int:
    answers(context)["capacity"] = publishing(context).parse_capacity(text_of(update))
    return await _ask_next(
        update, context, "events/publish_description.html", DESCRIPTION, _description_buttons(context)
    )


async def no_limit_pressed(press: Press, context: BotContext) -> int:
    await press.answer()
    answers(context)["capacity"] = None
    return await _ask_next(
        press.update, context, "events/publish_description.html", DESCRIPTION, _description_buttons(context)
    )


@flow.message
async def description_given(update: Update, context: BotContext) -> int:
    descriptions = publishing(context).parse_descriptions(text_of(update), context.lang)
    await finish(update, context, descriptions)
    return ConversationHandler.END


async def no_description_pressed(press: Press, context: BotContext) -> int:
    await press.answer()
    await finish(press.update, context, {})
    return ConversationHandler.END


@flow.message
async def finish(update: Update, context: BotContext, descriptions: dict[str, str]) -> None:
    """Store the draft and show its preview; the conversation ends whatever the service says."""
    data = answers(context)
    if not {"topic", "titles", "starts_at", "place"} <= data.keys():
        raise InvalidInput("event")
    draft = Draft(
        topic=data["topic"],
        titles=data["titles"],
        starts_at=data["starts_at"],
        place=data["place"],
        capacity=data.get("capacity"),
        descriptions=descriptions,
    )
    preview = await publishing(context).create_draft(sender_id(update), draft, context.lang)
    user_data(context).pop(DRAFT, None)
    event_id = preview.view.id
    rows = [
        [PUBLISH.button(context.gettext(N_("Publish")), event_id)],
        [DISCARD.button(context.gettext(N_("Discard")), event_id)],
    ]
    langs = " · ".join(LANG_NAMES[lang] for lang in ("zh", "en", "fr") if lang in preview.view.event.titles)
    await context.reply(
        update, "events/preview.html", rows, view=preview.view, recipients=preview.recipients, languages=langs
    )


async def _publish(press: Press, context: BotContext, confirmed: int | None) -> None:
    event_id = press.int_arg(0)
    result = await publishing(context).publish(press.user_id, event_id, context.lang, confirmed)
    await press.answer()
    if result.outcome == "confirm":
        rows = [
            [
                CONFIRM.button(
                    context.gettext(N_("Send to %(n)s people"), n=result.recipients),
                    event_id,
                    result.recipients,
                )
            ],
            [DISCARD.button(context.gettext(N_("Discard")), event_id)],
        ]
        await context.reply(
            press.update, "events/confirm_count.html", rows, edit=True, recipients=result.recipients
        )
        return
    await context.reply(
        press.update,
        "events/published.html",
        edit=True,
        view=result.view,
        recipients=result.recipients,
        outcome=result.outcome,
    )


@router.on(PUBLISH)
async def publish_pressed(press: Press, context: BotContext) -> None:
    await _publish(press, context, None)


@router.on(CONFIRM)
async def confirm_pressed(press: Press, context: BotContext) -> None:
    """The count shown to the sender rides on the button: a grown audience is asked again."""
    await _publish(press, context, press.int_arg(1))


@router.on(DISCARD)
async def discard_pressed(press: Press, context: BotContext) -> None:
    await publishing(context).discard(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(press.update, "events/discarded.html", edit=True)


async def expected_button(update: Update, context: BotContext) -> None:
    await context.reply(update, "events/use_buttons.html")


def register(app: Application) -> None:
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("publish", publish_start, filters.ChatType.PRIVATE)],
            states={
                TOPIC: [flow.press(TOPIC_CHOSEN, topic_chosen), MessageHandler(text, expected_button)],
                TITLE: [MessageHandler(text, title_given)],
                WHEN: [MessageHandler(text, when_given)],
                PLACE: [MessageHandler(text, place_given)],
                CAPACITY: [MessageHandler(text, capacity_given), flow.press(NO_LIMIT, no_limit_pressed)],
                DESCRIPTION: [
                    MessageHandler(text, description_given),
                    flow.press(NO_DESCRIPTION, no_description_pressed),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel_command)],
            name="publish",
            allow_reentry=True,
        )
    )
    app.add_handler(CommandHandler("events", events_command))
    app.add_handler(CommandHandler("subscribe", subscribe_command, filters.ChatType.PRIVATE))
    app.add_handler(router.handler())
    registry.command("events", N_("Upcoming events and sign-up"), order=40)
    registry.command("subscribe", N_("Choose which announcements you receive"), order=41, private=True)
    registry.command(
        "publish", N_("Publish an event to a topic's subscribers"), when=may_publish, order=60, private=True
    )
    registry.menu_item(N_("Events"), LIST.data(), order=40)

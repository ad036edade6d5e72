"""The service guide in Telegram: /guide [words], free text typed outside any conversation, browsing
by audience and topic, entry cards, and "Still need help" into the request intake.

"Still need help" is the requests feature's own intake entry point (callback data
`pack("req", "new", <category>)`), so the intake starts with the category chosen; the summary we
would like pre-filled is left in `context.user_data["request_prefill"]` for the intake to use.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import BadCallback, button, pack, pattern, unpack
from bot.context import BotContext, Buttons
from bot.domain.guide_catalogue import AUDIENCES, Entry
from bot.handlers import registry
from bot.msgids import N_
from bot.services.base import InvalidInput

FEATURE = "guide"
PREFILL = "request_prefill"
QUESTION = "guide_question"
TITLE_MAX = 60

AUDIENCE_LABELS = {
    "individual": N_("👤 For individuals"),
    "enterprise": N_("🏢 For enterprises"),
    "organisation": N_("🏛 For Party and social organisations"),
}
KIND_LABELS = {
    "on-site": N_("On-site service"),
    "self-service": N_("Self-service"),
    "online": N_("Online service"),
}
TOPIC_LABELS = {
    "party": N_("Party affairs"),
    "gov": N_("Government affairs"),
    "tax": N_("Tax"),
    "registration": N_("Company registration"),
    "office": N_("Rooms and office space"),
    "hr": N_("Social insurance and housing fund"),
    "talent": N_("Residence permits, talent and courses"),
    "counselling": N_("Pressure relief and counselling"),
    "community": N_("Volunteering and community"),
    "other": N_("Other services"),
}
STALE = N_("This button is no longer valid.")
GONE = N_("This service is no longer in the guide. Send /guide to search again.")


def _title(entry: Entry, lang: str) -> str:
    title = entry.title.in_(lang)
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def _ask_station(context: BotContext, category: str, summary: str) -> dict[str, str]:
    """The button into the request intake, with the summary left for it to pre-fill."""
    context.user_data[PREFILL] = {"category": category, "summary": summary[:2000]}
    return button(context.gettext("🙋 Still need help? Ask the station"), "req", "new", category)


def _home_buttons(context: BotContext) -> Buttons:
    return [[button(context.gettext(AUDIENCE_LABELS[a]), FEATURE, "aud", a)] for a in AUDIENCES]


# --------------------------------------------------------------------------- searching


async def search(update: Update, context: BotContext, text: str) -> None:
    result = await context.services.guide.search(text)
    if not result.understood:
        await context.reply(update, "guide/home.html", _home_buttons(context), unclear=bool(text.strip()))
        return
    context.user_data[QUESTION] = result.question
    if not result.entries:
        summary = result.question
        rows = [
            [_ask_station(context, "other", summary)],
            [button(context.gettext("📚 Browse the guide"), FEATURE, "home")],
        ]
        await context.reply(update, "guide/nothing.html", rows, question=result.question)
        return
    rows = [[button(_title(e, context.lang), FEATURE, "open", e.id)] for e in result.entries]
    rows.append([button(context.gettext("📚 Browse the guide"), FEATURE, "home")])
    await context.reply(
        update,
        "guide/results.html",
        rows,
        question=result.question,
        entries=[(e.title.in_(context.lang), context.gettext(KIND_LABELS[e.kind])) for e in result.entries],
    )


async def guide_command(update: Update, context: BotContext) -> None:
    words = " ".join(context.args or [])
    if not words:
        await context.reply(update, "guide/home.html", _home_buttons(context), unclear=False)
        return
    await search(update, context, words)


async def free_text(update: Update, context: BotContext) -> None:
    await search(update, context, update.message.text or "")


class FreeText(MessageHandler):
    """Private text typed outside any conversation.

    Yields to every ConversationHandler that wants the update, wherever it was registered, so a
    feature added after this one still gets the answers to its own questions.
    """

    def __init__(self, app: Application) -> None:
        super().__init__(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, free_text)
        self._app = app

    def check_update(self, update: object) -> Any:
        result = super().check_update(update)
        if not result:
            return result
        for group in self._app.handlers.values():
            for handler in group:
                if isinstance(handler, ConversationHandler) and handler.check_update(update):
                    return None
        return result


# --------------------------------------------------------------------------- browsing and cards


async def pressed(update: Update, context: BotContext) -> None:
    """Every guide button: home, audience, topic page, entry card, map."""
    query = update.callback_query
    try:
        cb = unpack(query.data)
        if cb.action == "home":
            await query.answer()
            await context.reply(update, "guide/home.html", _home_buttons(context), edit=True, unclear=False)
        elif cb.action == "aud":
            await show_topics(update, context, cb.str_arg(0))
        elif cb.action == "top":
            await show_topic(update, context, cb.str_arg(0), cb.str_arg(1), cb.int_arg(2))
        elif cb.action == "open":
            await show_card(update, context, cb.str_arg(0))
        elif cb.action == "map":
            await send_map(update, context, cb.str_arg(0))
        else:
            raise BadCallback(cb.action)
    except BadCallback:
        await context.alert(update, STALE)
    except InvalidInput as problem:
        refusal = GONE if problem.code == "entry" else STALE
        await context.alert(update, refusal)


async def show_topics(update: Update, context: BotContext, audience: str) -> None:
    topics = await context.services.guide.topics(audience)
    await update.callback_query.answer()
    labels = [
        button(
            context.gettext("%(topic)s (%(count)s)", topic=context.gettext(TOPIC_LABELS[c]), count=n),
            FEATURE,
            "top",
            audience,
            c,
            0,
        )
        for c, n in topics
    ]
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    rows.append([button(context.gettext("« Back"), FEATURE, "home")])
    await context.reply(
        update, "guide/topics.html", rows, edit=True, audience=context.gettext(AUDIENCE_LABELS[audience])
    )


async def show_topic(update: Update, context: BotContext, audience: str, category: str, page: int) -> None:
    listing = await context.services.guide.topic(audience, category, page)
    await update.callback_query.answer()
    rows = [[button(_title(e, context.lang), FEATURE, "open", e.id)] for e in listing.entries]
    paging = []
    if listing.page > 0:
        paging.append(
            button(context.gettext("‹ Previous"), FEATURE, "top", audience, category, listing.page - 1)
        )
    if listing.page + 1 < listing.pages:
        paging.append(button(context.gettext("Next ›"), FEATURE, "top", audience, category, listing.page + 1))
    if paging:
        rows.append(paging)
    rows.append([button(context.gettext("« Back"), FEATURE, "aud", audience)])
    await context.reply(
        update,
        "guide/topic.html",
        rows,
        edit=True,
        audience=context.gettext(AUDIENCE_LABELS[audience]),
        topic=context.gettext(TOPIC_LABELS[category]),
        page=listing.page + 1,
        pages=listing.pages,
    )


async def show_card(update: Update, context: BotContext, key: str) -> None:
    entry = await context.services.guide.entry(key)
    await update.callback_query.answer()
    title = entry.title.in_(context.lang)
    question = context.user_data.get(QUESTION)
    summary = (
        context.gettext(
            "I searched the service guide for “%(question)s” and read “%(title)s”, but I still need help.",
            question=question,
            title=title,
        )
        if question
        else context.gettext("I read “%(title)s” in the service guide, but I still need help.", title=title)
    )
    rows: Buttons = [[_ask_station(context, entry.category, summary)]]
    extra = []
    if entry.link:
        extra.append({"text": context.gettext("🌐 Open online"), "url": entry.link})
    if entry.where and entry.where.has_map:
        extra.append(button(context.gettext("📍 Map"), FEATURE, "map", entry.id))
    if extra:
        rows.append(extra)
    rows.append(
        [
            button(
                context.gettext("« More: %(topic)s", topic=context.gettext(TOPIC_LABELS[entry.category])),
                FEATURE,
                "top",
                entry.audience,
                entry.category,
                0,
            ),
            button(context.gettext("📚 Guide"), FEATURE, "home"),
        ]
    )
    await context.reply(
        update,
        "guide/card.html",
        rows,
        edit=True,
        entry=entry,
        kind=context.gettext(KIND_LABELS[entry.kind]),
        audience=context.gettext(AUDIENCE_LABELS[entry.audience]),
        topic=context.gettext(TOPIC_LABELS[entry.category]),
    )


async def send_map(update: Update, context: BotContext, key: str) -> None:
    entry = await context.services.guide.entry(key)
    if not entry.where or not entry.where.has_map:
        raise BadCallback(key)
    await update.callback_query.answer()
    where = entry.where
    parts = [t.in_(context.lang) for t in (where.address, where.floor) if t is not None]
    address = " · ".join(parts) or where.place.in_(context.lang)
    await context.bot.send_venue(
        update.effective_chat.id,
        latitude=where.lat,
        longitude=where.lon,
        title=where.place.in_(context.lang)[:200],
        address=address[:200],
    )


def register(app: Application) -> None:
    app.add_handler(CommandHandler("guide", guide_command))
    app.add_handler(CallbackQueryHandler(pressed, pattern=pattern(FEATURE)))
    app.add_handler(FreeText(app))
    registry.command("guide", N_("Search the service guide"), order=5)
    registry.menu_item(N_("📚 Service guide"), pack(FEATURE, "home"), order=5)

"""The service guide in Telegram: /guide [words], free text typed outside any conversation, browsing
by audience and section, entry cards, "Still need help" into the request intake, and for staff
/unanswered: the questions that found nothing, grouped, attached to an entry in one tap.

"Still need help" is the requests feature's own intake entry point (callback data
`pack("req", "new", <category>)`), so the intake starts with the category chosen; the summary we
would like pre-filled is left in `context.user_data["request_prefill"]` for the intake to use.
"""

from __future__ import annotations

from typing import Any

from telegram import ForceReply, Update
from telegram.ext import Application, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.callbacks import Action, BadCallback
from bot.context import BotContext, Buttons
from bot.domain.guide_catalogue import AUDIENCES, Entry
from bot.handlers import registry
from bot.handlers.common import user_data
from bot.handlers.guards import staff_only
from bot.handlers.routing import Press, Router, message_of, sender_id, text_of
from bot.msgids import N_
from bot.services.guide import MissGroup

PREFILL = "request_prefill"
QUESTION = "guide_question"
PICKING = "guide_picking"  # (miss id, prompt message id, question): staff typing an entry's words
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
# The station's sections (bot/domain/guide_catalogue.py SECTIONS), as browsed.
TOPIC_LABELS = {
    "party": N_("Party affairs"),
    "machines": N_("Self-service machines and the city portal"),
    "gov": N_("Government affairs"),
    "tax": N_("Tax"),
    "registration": N_("Company registration and changes"),
    "insurance": N_("Social insurance and housing fund"),
    "talent": N_("Talent and residence"),
    "hr": N_("Employment and labour rights"),
    "counselling": N_("Pressure relief and counselling"),
    "community": N_("Volunteering and community"),
    "office": N_("Rooms and office space"),
    "other": N_("Other services"),
}
GONE = N_("This service is no longer in the guide. Send /guide to search again.")
MISS_GONE = N_("This question is no longer in the list: it was answered or dismissed meanwhile.")

# Any other problem: "This button is no longer valid."
router = Router("guide", {"entry": GONE, "miss_gone": MISS_GONE})
HOME = router.action("home")
AUDIENCE = router.action("aud")
TOPIC = router.action("top")
OPEN = router.action("open")
MAP = router.action("map")
MISSES = router.action("misses")
MISS = router.action("miss")
ATTACH = router.action("att")
OTHER = router.action("other")
DISMISS = router.action("dismiss")
# The requests feature's intake, started with a category chosen (routed by bot/handlers/requests.py).
ASK_STATION = Action("req", "new")


def _title(entry: Entry, lang: str) -> str:
    title = entry.title.in_(lang)
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def _ask_station(context: BotContext, category: str, summary: str) -> dict[str, str]:
    """The button into the request intake, with the summary left for it to pre-fill."""
    user_data(context)[PREFILL] = {"category": category, "summary": summary[:2000]}
    return ASK_STATION.button(context.gettext("🙋 Still need help? Ask the station"), category)


def _home_buttons(context: BotContext) -> Buttons:
    return [[AUDIENCE.button(context.gettext(AUDIENCE_LABELS[a]), a)] for a in AUDIENCES]


# --------------------------------------------------------------------------- searching


async def search(update: Update, context: BotContext, text: str) -> None:
    result = await context.services.guide.search(text)
    if not result.understood:
        await context.reply(update, "guide/home.html", _home_buttons(context), unclear=bool(text.strip()))
        return
    user_data(context)[QUESTION] = result.question
    if not result.entries:
        summary = result.question
        rows = [
            [_ask_station(context, "other", summary)],
            [HOME.button(context.gettext("📚 Browse the guide"))],
        ]
        await context.reply(update, "guide/nothing.html", rows, question=result.question)
        return
    rows = [[OPEN.button(_title(e, context.lang), e.id)] for e in result.entries]
    rows.append([HOME.button(context.gettext("📚 Browse the guide"))])
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
    picking = user_data(context).get(PICKING)
    reply = message_of(update).reply_to_message
    if picking and reply is not None and reply.message_id == picking[1]:
        await pick_entry(update, context, picking)
        return
    await search(update, context, text_of(update))


class FreeText(MessageHandler[BotContext, None]):
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


@router.on(HOME)
async def home_pressed(press: Press, context: BotContext) -> None:
    await press.answer()
    await context.reply(press.update, "guide/home.html", _home_buttons(context), edit=True, unclear=False)


@router.on(AUDIENCE)
async def show_topics(press: Press, context: BotContext) -> None:
    audience = press.str_arg(0)
    topics = await context.services.guide.topics(audience)
    await press.answer()
    labels = [
        TOPIC.button(
            context.gettext(
                "%(topic)s (%(count)s)",
                topic=context.gettext(TOPIC_LABELS.get(c, TOPIC_LABELS["other"])),
                count=n,
            ),
            audience,
            c,
            0,
        )
        for c, n in topics
    ]
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    rows.append([HOME.button(context.gettext("« Back"))])
    await context.reply(
        press.update,
        "guide/topics.html",
        rows,
        edit=True,
        audience=context.gettext(AUDIENCE_LABELS[audience]),
    )


@router.on(TOPIC)
async def show_topic(press: Press, context: BotContext) -> None:
    audience, section, page = press.str_arg(0), press.str_arg(1), press.int_arg(2)
    listing = await context.services.guide.topic(audience, section, page)
    await press.answer()
    rows = [[OPEN.button(_title(e, context.lang), e.id)] for e in listing.entries]
    paging = []
    if listing.page > 0:
        paging.append(TOPIC.button(context.gettext("‹ Previous"), audience, section, listing.page - 1))
    if listing.page + 1 < listing.pages:
        paging.append(TOPIC.button(context.gettext("Next ›"), audience, section, listing.page + 1))
    if paging:
        rows.append(paging)
    rows.append([AUDIENCE.button(context.gettext("« Back"), audience)])
    await context.reply(
        press.update,
        "guide/topic.html",
        rows,
        edit=True,
        audience=context.gettext(AUDIENCE_LABELS[audience]),
        topic=context.gettext(TOPIC_LABELS[listing.section]),
        page=listing.page + 1,
        pages=listing.pages,
    )


@router.on(OPEN)
async def show_card(press: Press, context: BotContext) -> None:
    entry = await context.services.guide.entry(press.str_arg(0))
    await press.answer()
    title = entry.title.in_(context.lang)
    question = user_data(context).get(QUESTION)
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
        extra.append(MAP.button(context.gettext("📍 Map"), entry.id))
    if extra:
        rows.append(extra)
    rows.append(
        [
            TOPIC.button(
                context.gettext("« More: %(topic)s", topic=context.gettext(TOPIC_LABELS[entry.shelf])),
                entry.audience,
                entry.shelf,
                0,
            ),
            HOME.button(context.gettext("📚 Guide")),
        ]
    )
    await context.reply(
        press.update,
        "guide/card.html",
        rows,
        edit=True,
        entry=entry,
        kind=context.gettext(KIND_LABELS[entry.kind]),
        audience=context.gettext(AUDIENCE_LABELS[entry.audience]),
        topic=context.gettext(TOPIC_LABELS[entry.shelf]),
    )


@router.on(MAP)
async def send_map(press: Press, context: BotContext) -> None:
    key = press.str_arg(0)
    entry = await context.services.guide.entry(key)
    where = entry.where
    if where is None or not where.has_map or where.lat is None or where.lon is None:
        raise BadCallback(key)
    await press.answer()
    parts = [t.in_(context.lang) for t in (where.address, where.floor) if t is not None]
    address = " · ".join(parts) or where.place.in_(context.lang)
    await context.send_venue(
        press.update,
        latitude=where.lat,
        longitude=where.lon,
        title=where.place.in_(context.lang)[:200],
        address=address[:200],
    )


# --------------------------------------------------------------------------- learning from misses (staff)


def _list_buttons(context: BotContext, groups: list[MissGroup]) -> Buttons:
    return [[MISS.button(f"{n}. {_short(g.shown)} ({g.count})", g.id)] for n, g in enumerate(groups, start=1)]


def _short(text: str) -> str:
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


async def _show_list(
    update: Update, context: BotContext, listing: tuple[list[MissGroup], int], *, edit: bool
) -> None:
    groups, total = listing
    await context.reply(
        update,
        "guide/misses.html",
        _list_buttons(context, groups),
        edit=edit,
        groups=groups,
        more=total - len(groups),
    )


@router.message
@staff_only
async def unanswered_command(update: Update, context: BotContext) -> None:
    listing = await context.services.guide.unanswered(sender_id(update))
    await _show_list(update, context, listing, edit=False)


@router.on(MISSES)
async def misses_pressed(press: Press, context: BotContext) -> None:
    listing = await context.services.guide.unanswered(press.user_id)
    await press.answer()
    await _show_list(press.update, context, listing, edit=True)


def _group_buttons(context: BotContext, group: MissGroup) -> Buttons:
    rows: Buttons = [
        [ATTACH.button("➕ " + _title(e, context.lang), group.id, e.id)] for e in group.suggestions
    ]
    rows.append(
        [
            OTHER.button(context.gettext("🔎 Other entry"), group.id),
            DISMISS.button(context.gettext("🗑 Dismiss"), group.id),
        ]
    )
    rows.append([MISSES.button(context.gettext("« Back"))])
    return rows


@router.on(MISS)
async def miss_pressed(press: Press, context: BotContext) -> None:
    group = await context.services.guide.miss_group(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(
        press.update, "guide/miss.html", _group_buttons(context, group), edit=True, group=group
    )


async def _done(press: Press, context: BotContext, template: str, group: MissGroup, title: str = "") -> None:
    """What became of a group (attached, dismissed), with the way back to the list."""
    await press.answer()
    back = [[MISSES.button(context.gettext("« Back"))]]
    await context.reply(press.update, template, back, edit=True, group=group, title=title)


@router.on(ATTACH)
async def attach_pressed(press: Press, context: BotContext) -> None:
    group, entry = await context.services.guide.attach(press.user_id, press.int_arg(0), press.str_arg(1))
    user_data(context).pop(PICKING, None)
    await _done(press, context, "guide/attached.html", group, entry.title.in_(context.lang))


@router.on(DISMISS)
async def dismiss_pressed(press: Press, context: BotContext) -> None:
    group = await context.services.guide.dismiss(press.user_id, press.int_arg(0))
    await _done(press, context, "guide/dismissed.html", group)


@router.on(OTHER)
async def other_pressed(press: Press, context: BotContext) -> None:
    group = await context.services.guide.miss_group(press.user_id, press.int_arg(0))
    await press.answer()
    prompt = await context.reply(
        press.update,
        "guide/pick_prompt.html",
        markup=ForceReply(
            selective=True, input_field_placeholder=context.gettext("a few words of the entry")
        ),
        question=group.shown,
    )
    assert prompt is not None, "a new message, not an edit"
    user_data(context)[PICKING] = (group.id, prompt.message_id, group.shown)


async def pick_entry(update: Update, context: BotContext, picking: tuple[int, int, str]) -> None:
    """Staff replied to "which entry?" with a few words: the entries to attach the question to."""
    miss_id, _, question = picking
    words = text_of(update)
    entries = await context.services.guide.find_for_staff(sender_id(update), words)
    rows: Buttons = [[ATTACH.button("➕ " + _title(e, context.lang), miss_id, e.id)] for e in entries]
    rows.append([MISS.button(context.gettext("« Back"), miss_id)])
    await context.reply(update, "guide/pick.html", rows, entries=entries, question=question, words=words)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("guide", guide_command))
    app.add_handler(CommandHandler("unanswered", unanswered_command))
    app.add_handler(router.handler())
    app.add_handler(FreeText(app))
    registry.command("guide", N_("Search the service guide"), order=5)
    registry.command(
        "unanswered",
        N_("Questions the guide could not answer: attach them to an entry"),
        staff_only=True,
        order=60,
    )
    registry.menu_item(N_("📚 Service guide"), HOME.data(), order=5)

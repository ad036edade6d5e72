# i18n-domain: requests
"""Running the day from Telegram: /queue, /find, /req and /bindchat, in a staff chat or in private.

/queue shows the chat's scope (or, in private, what the person may handle) in sections with
counts, ten a page; /find searches by reference, company, requester or words. Each line's button
opens the full card here (a reply to that card writes to the requester, like a reply to the
posted one). The lists are the plain data of services.requests.queue/search, rendered here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.callbacks import BadCallback
from bot.context import BotContext, Buttons
from bot.handlers import registry
from bot.handlers.requests import PROBLEMS
from bot.handlers.routing import Press, Router, chat_of, sender_id
from bot.msgids import N_
from bot.services.access import may_bind_staff_chat, may_look_up_requests, may_see_queue
from bot.services.requests.queue import SECTIONS, QueueItem, QueuePage
from bot.services.requests.search import SearchPage
from bot.services.requests.views import RequestView

router = Router("rqd", PROBLEMS)
QUEUE = router.action("q")
FIND = router.action("f")
OPEN = router.action("open")
FIND_KEY = "requests_find"  # the chat's latest search: (its message id, the words)


def item_buttons(items: Sequence[QueueItem], rows: Buttons) -> None:
    """One button per line (two a row), each opening the full card."""
    labels = [OPEN.button(f"{n}. {item.reference[-9:]}", item.id) for n, item in enumerate(items, 1)]
    rows.extend(labels[i : i + 2] for i in range(0, len(labels), 2))


def pager(
    action_button: Callable[..., dict[str, str]], page: int, pages: int, context: BotContext, *args: object
) -> list[dict[str, str]]:
    """◀ Previous / Next ▶ for a paged list; the page number is the action's last argument."""
    nav = []
    if page > 0:
        nav.append(action_button(context.gettext("◀ Previous"), *args, page - 1))
    if page + 1 < pages:
        nav.append(action_button(context.gettext("Next ▶"), *args, page + 1))
    return nav


def queue_buttons(context: BotContext, page: QueuePage) -> Buttons:
    rows: Buttons = []
    item_buttons(page.items, rows)
    tabs = [
        QUEUE.button(
            f"{'• ' if key == page.section else ''}{context.gettext(page.label(key))} {page.counts[key]}",
            key,
            0,
        )
        for key in SECTIONS
    ]
    rows.extend(tabs[i : i + 3] for i in range(0, len(tabs), 3))
    nav = pager(QUEUE.button, page.page, page.pages, context, page.section)
    if nav:
        rows.append(nav)
    return rows


@router.message
async def queue_command(update: Update, context: BotContext) -> None:
    page = await context.services.requests.queue.page(
        sender_id(update), chat_of(update).id, "open", 0, context.lang
    )
    await context.reply(update, "requests/queue.html", queue_buttons(context, page), page=page)


@router.on(QUEUE)
async def queue_pressed(press: Press, context: BotContext) -> None:
    queue = context.services.requests.queue
    page = await queue.page(
        press.user_id, chat_of(press.update).id, press.str_arg(0), press.int_arg(1), context.lang
    )
    await press.answer()
    await context.reply(
        press.update, "requests/queue.html", queue_buttons(context, page), edit=True, page=page
    )


def search_buttons(context: BotContext, page: SearchPage) -> Buttons:
    rows: Buttons = []
    item_buttons(page.items, rows)
    nav = pager(FIND.button, page.page, page.pages, context)
    if nav:
        rows.append(nav)
    return rows


@router.message
async def find_command(update: Update, context: BotContext) -> None:
    words = " ".join(context.args or [])
    page = await context.services.requests.search.find(
        sender_id(update), words, 0, context.lang, chat_id=chat_of(update).id
    )
    sent = await context.reply(update, "requests/search.html", search_buttons(context, page), page=page)
    if sent is not None and context.chat_data is not None:
        context.chat_data[FIND_KEY] = (sent.message_id, page.query)


@router.on(FIND)
async def find_pressed(press: Press, context: BotContext) -> None:
    latest = (context.chat_data or {}).get(FIND_KEY)
    if not isinstance(latest, tuple) or latest[0] != press.message_id:
        raise BadCallback("an older search: send /find again")
    page = await context.services.requests.search.find(
        press.user_id, latest[1], press.int_arg(0), context.lang, chat_id=chat_of(press.update).id
    )
    await press.answer()
    await context.reply(
        press.update, "requests/search.html", search_buttons(context, page), edit=True, page=page
    )


async def show_card(update: Update, context: BotContext, view: RequestView, buttons: Buttons | None) -> None:
    """The full card, here; a reply to it writes to the requester like a reply to the posted card."""
    sent = await context.reply(
        update, "requests/card.html", buttons, card=view, passed_to=None, moved_to=None
    )
    if sent is not None:
        await context.services.requests.conversation.shown(chat_of(update).id, sent.message_id, view.id)


@router.on(OPEN)
async def open_pressed(press: Press, context: BotContext) -> None:
    view, buttons = await context.services.requests.staff.card(
        press.user_id, press.int_arg(0), context.lang, chat_id=chat_of(press.update).id
    )
    await press.answer()
    await show_card(press.update, context, view, buttons)


@router.message
async def req_command(update: Update, context: BotContext) -> None:
    view, buttons = await context.services.requests.staff.history(
        sender_id(update), " ".join(context.args or []), context.lang, chat_id=chat_of(update).id
    )
    await show_card(update, context, view, buttons)


@router.message
async def bindchat_command(update: Update, context: BotContext) -> None:
    chat = chat_of(update)
    tier, building = await context.services.requests.staff.bind_chat(
        sender_id(update), chat.id, chat.title or "", list(context.args or [])
    )
    await context.reply(update, "requests/bound.html", tier=tier, building=building)


def register(app: Application) -> None:
    app.add_handler(router.handler())
    app.add_handler(CommandHandler("queue", queue_command))
    app.add_handler(CommandHandler("find", find_command))
    app.add_handler(CommandHandler("req", req_command))
    app.add_handler(CommandHandler("bindchat", bindchat_command))
    registry.command(
        "queue", N_("The work queue: open, overdue, waiting, mine"), when=may_see_queue, order=55
    )
    registry.command(
        "find",
        N_("Find requests: /find company, person, words or reference"),
        when=may_look_up_requests,
        order=56,
    )
    registry.command(
        "req",
        N_("A request's card and full history: /req JA-2026-000123"),
        when=may_look_up_requests,
        order=60,
    )
    registry.command(
        "bindchat", N_("In a staff group: receive the cards of tier 1-4"), when=may_bind_staff_chat, order=61
    )

# i18n-domain: requests
"""The staff card's buttons, in the staff groups (and in private, for administrators).

The card's own buttons are defined where the card is built (bot/services/requests/cards.py);
"⋯ More" opens the routing menu defined here (assign, hand over, unclaim, waiting on a department
or a third party, category, building, duplicate, out of scope). Button data is only a wish: the
service checks the presser at the moment of the press. A button that needs words sends a reply
prompt (ForceReply, selective, naming the presser) and remembers it in SQLite; only that person's
reply to that prompt, in that chat, in time, is taken (bot/handlers/replies.py). Nothing typed
in the group is ever guessed to be the answer.
"""

from __future__ import annotations

from telegram.ext import Application

from bot.callbacks import Action
from bot.context import BotContext
from bot.domain.requests import CATEGORIES, CATEGORY_LABELS
from bot.handlers.replies import ask_for_words
from bot.handlers.requests import PROBLEMS
from bot.handlers.routing import Press, Router
from bot.handlers.staff_desk import pager
from bot.msgids import N_
from bot.services.requests.presenter import ASK, CLAIM, ESCALATE, MESSAGE, MORE, NOTE, RESOLVE, RESUME
from bot.services.requests.views import Outcome

router = Router("rq", PROBLEMS)
ASSIGN = router.action("assign")
ASSIGN_TO = router.action("assignto")
HAND_OVER = router.action("handover")
HAND_OVER_TO = router.action("hoto")
UNCLAIM = router.action("unclaim")
CATEGORY = router.action("cat")
CATEGORY_TO = router.action("catto")
BUILDING = router.action("bld")
BUILDING_TO = router.action("bldto")
DUPLICATE = router.action("dup")
OUT_OF_SCOPE = router.action("oos")
WAIT_DEPARTMENT = router.action("dept")
WAIT_THIRD_PARTY = router.action("third")
BUILDINGS_PAGE = 12

MORE_MENU: list[list[tuple[Action, str]]] = [
    [(ASSIGN, N_("👤 Assign")), (HAND_OVER, N_("🤝 Hand over")), (UNCLAIM, N_("↩️ Unclaim"))],
    [(WAIT_DEPARTMENT, N_("⏸ Waiting: department")), (WAIT_THIRD_PARTY, N_("⏸ Waiting: third party"))],
    [(CATEGORY, N_("🏷 Category")), (BUILDING, N_("🏢 Building"))],
    [(DUPLICATE, N_("🔁 Duplicate")), (OUT_OF_SCOPE, N_("🚫 Out of scope"))],
]


@router.on(ASK, NOTE, RESOLVE, ESCALATE, MESSAGE, DUPLICATE, OUT_OF_SCOPE, WAIT_DEPARTMENT, WAIT_THIRD_PARTY)
async def words_needed(press: Press, context: BotContext) -> None:
    await ask_for_words(press, context, press.action, press.int_arg(0))


@router.on(CLAIM)
async def claim_pressed(press: Press, context: BotContext) -> None:
    outcome = await context.services.requests.staff.claim(press.user_id, press.int_arg(0))
    await press.answer(context.gettext("✋ You are handling %(reference)s.", reference=outcome.reference))


@router.on(RESUME)
async def resume_pressed(press: Press, context: BotContext) -> None:
    outcome = await context.services.requests.pauses.resume(press.user_id, press.int_arg(0))
    await press.answer(
        context.gettext("▶️ %(reference)s: the clock is running again.", reference=outcome.reference)
    )


@router.on(MORE)
async def more_pressed(press: Press, context: BotContext) -> None:
    request_id = press.int_arg(0)
    reference = await context.services.requests.staff.may_act(press.user_id, request_id)
    await press.answer()
    rows = [[action.button(context.gettext(label), request_id) for action, label in row] for row in MORE_MENU]
    await context.reply(
        press.update, "requests/more.html", rows, reply_to=press.message_id, reference=reference
    )


async def done(press: Press, context: BotContext, outcome: Outcome) -> None:
    """The menu message says what was done (and loses its buttons)."""
    await press.answer()
    await context.reply(
        press.update,
        "requests/taken.html",
        edit=True,
        kind="done",
        outcome=outcome,
        reference=outcome.reference,
    )


# --------------------------------------------------------------------------- who handles it


async def colleagues_menu(press: Press, context: BotContext, choose: Action, title: str) -> None:
    request_id = press.int_arg(0)
    reference, colleagues = await context.services.requests.routing.colleagues(press.user_id, request_id)
    await pick(
        press,
        context,
        title,
        reference,
        [choose.button(c.name[:30], request_id, c.user_id) for c in colleagues],
    )


@router.on(ASSIGN)
async def assign_pressed(press: Press, context: BotContext) -> None:
    await colleagues_menu(press, context, ASSIGN_TO, N_("Assign %(reference)s to:"))


@router.on(HAND_OVER)
async def hand_over_pressed(press: Press, context: BotContext) -> None:
    await colleagues_menu(press, context, HAND_OVER_TO, N_("Hand %(reference)s over to:"))


@router.on(ASSIGN_TO)
async def assign_to_pressed(press: Press, context: BotContext) -> None:
    outcome = await context.services.requests.routing.assign(
        press.user_id, press.int_arg(0), press.int_arg(1)
    )
    await done(press, context, outcome)


@router.on(HAND_OVER_TO)
async def hand_over_to_pressed(press: Press, context: BotContext) -> None:
    request_id, colleague_id = press.int_arg(0), press.int_arg(1)
    colleagues = (await context.services.requests.routing.colleagues(press.user_id, request_id))[1]
    name = next((c.name for c in colleagues if c.user_id == colleague_id), str(colleague_id))
    await ask_for_words(press, context, "handover", request_id, arg=str(colleague_id), colleague=name)


@router.on(UNCLAIM)
async def unclaim_pressed(press: Press, context: BotContext) -> None:
    await done(
        press, context, await context.services.requests.routing.unclaim(press.user_id, press.int_arg(0))
    )


# --------------------------------------------------------------------------- where it belongs


async def pick(
    press: Press,
    context: BotContext,
    title: str,
    reference: str,
    labels: list[dict[str, str]],
    *,
    nav: list[dict[str, str]] | None = None,
) -> None:
    """The menu message becomes a list to pick from (two a row, then the page buttons), under `title`."""
    await press.answer()
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)] + ([nav] if nav else [])
    await context.reply(
        press.update,
        "requests/pick.html",
        rows,
        edit=True,
        reference=reference,
        title=title,
        empty=not labels,
    )


@router.on(CATEGORY)
async def category_pressed(press: Press, context: BotContext) -> None:
    request_id = press.int_arg(0)
    reference = await context.services.requests.staff.may_act(press.user_id, request_id)
    labels = [
        CATEGORY_TO.button(context.gettext(CATEGORY_LABELS[key]), request_id, key) for key in CATEGORIES
    ]
    await pick(press, context, N_("New category for %(reference)s:"), reference, labels)


@router.on(CATEGORY_TO)
async def category_to_pressed(press: Press, context: BotContext) -> None:
    routing = context.services.requests.routing
    await done(press, context, await routing.recategorise(press.user_id, press.int_arg(0), press.str_arg(1)))


@router.on(BUILDING)
async def building_pressed(press: Press, context: BotContext) -> None:
    request_id = press.int_arg(0)
    page = press.int_arg(1) if len(press.args) > 1 else 0
    reference = await context.services.requests.staff.may_act(press.user_id, request_id)
    buildings = await context.services.requests.routing.buildings()
    pages = max(1, -(-len(buildings) // BUILDINGS_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = buildings[page * BUILDINGS_PAGE : (page + 1) * BUILDINGS_PAGE]
    labels = [BUILDING_TO.button(b.name(context.lang)[:30], request_id, b.id) for b in shown]
    nav = pager(BUILDING.button, page, pages, context, request_id)
    await pick(press, context, N_("Move %(reference)s to:"), reference, labels, nav=nav)


@router.on(BUILDING_TO)
async def building_to_pressed(press: Press, context: BotContext) -> None:
    routing = context.services.requests.routing
    await done(press, context, await routing.move(press.user_id, press.int_arg(0), press.int_arg(1)))


def register(app: Application) -> None:
    app.add_handler(router.handler())

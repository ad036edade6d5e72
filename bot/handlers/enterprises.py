"""/ent (card, colour with reason, visit log, liaison link), /board, /coverage, suggestion buttons,
the stability tags of a request (from its staff card), and the liaison deep link `/start ent-<code>`.

Staff only except the deep link; every press is re-checked by the service for the person pressing.
Typed answers (a colour's reason, visit notes, a dismissal's reason) are collected by one
ConversationHandler whose state is the step being asked. A problem with the typed text itself
asks for it again; any other problem ends the conversation with its explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.callbacks import BadCallback
from bot.context import BotContext, Buttons
from bot.domain import risk
from bot.domain.enterprise_csv import INDUSTRY_LABELS
from bot.handlers import registry
from bot.handlers.guards import staff_only
from bot.handlers.routing import Press, Router, sender_id, text_of
from bot.handlers.webapp import app_row, with_app
from bot.msgids import N_
from bot.services.base import InvalidInput
from bot.services.enterprises.actions import FEATURE
from bot.services.enterprises.cards import OPEN_CARD, Card
from bot.services.enterprises.suggestions import ACCEPT, DISMISS
from bot.services.enterprises.tags import TAG, TOGGLE, Tagged
from bot.services.miniapp.links import OPEN_APP, OPEN_BOARD, route

REASON, VISIT_OUTCOME, VISIT_NOTES, VISIT_NEXT, DISMISS_REASON = range(5)
END = ConversationHandler.END

OUTCOMES = {
    "stable": N_("Stable"),
    "needs_help": N_("Needs help"),
    "may_move": N_("May move out"),
    "not_met": N_("Could not meet"),
}

# What a person reads for each problem the feature's services report (any other code: the
# router's "This button is no longer valid.").
PROBLEMS = {
    "ent_usage": N_(
        "Send /ent followed by part of an enterprise's name (Chinese or English) or its number, e.g. /ent InterBridge."
    ),
    "ent_query_long": N_("That search is too long: use a few words of the name."),
    "ent_unknown": N_("There is no such enterprise (any more)."),
    "ent_same_colour": N_("The enterprise is already %(colour)s: nothing changed."),
    "ent_reason_missing": N_("A reason is required: send it as text, or /cancel."),
    "ent_reason_long": N_("Please keep the reason under %(max)s characters and send it again."),
    "ent_notes_missing": N_("The notes are empty: send what happened at the visit, or /cancel."),
    "ent_notes_long": N_("Please keep the notes under %(max)s characters and send them again."),
    "ent_visit_date": N_("The visit's date must be today or in the past year."),
    "ent_next_format": N_(
        "Send the next step as “YYYY-MM-DD what to do”, e.g. “2026-12-01 call about the new office”, or press “No next step”."
    ),
    "ent_next_long": N_("Please keep the next step under %(max)s characters."),
    "ent_next_past": N_("The next step's date is in the past: send a date from today on."),
    "ent_code_bad": N_(
        "This link code is unknown, already used or expired. Ask the station staff for a new one."
    ),
    "ent_suggestion_closed": N_("This suggestion has already been decided or replaced."),
    "ent_unknown_building": N_("No building matches “%(building)s”. Use a code such as GOHIGH or PARKPL."),
}


class EnterpriseRouter(Router):
    """The feature's buttons; a problem that names a colour shows its label in the reader's language."""

    def problem_text(self, context: BotContext, problem: InvalidInput) -> str:
        colour = problem.details.get("colour")
        if isinstance(colour, str) and colour in risk.LABELS:
            problem = InvalidInput(
                problem.code, **{**problem.details, "colour": context.gettext(risk.LABELS[colour])}
            )
        return super().problem_text(context, problem)


router = EnterpriseRouter(FEATURE, PROBLEMS)
COLOUR = router.action("c")  # 1|ent|c|<enterprise id>|<colour>
VISIT = router.action("v")  # 1|ent|v|<enterprise id>
OUTCOME = router.action("vo")  # 1|ent|vo|<enterprise id>|<outcome>
NO_NEXT_STEP = router.action("vn")
LINK = router.action("l")  # 1|ent|l|<enterprise id>


@dataclass
class Pending:
    """What the person's conversation with this feature has collected so far."""

    enterprise_id: int = 0
    colour: str = ""
    reason: str = ""
    outcome: str = ""
    notes: str = ""
    next_step: str | None = None
    next_step_on: date | None = None
    suggestion_id: int = 0


def _begin(context: BotContext, pending: Pending) -> None:
    if context.user_data is not None:
        context.user_data[FEATURE] = pending


def _pending(context: BotContext) -> Pending:
    found = context.user_data.get(FEATURE) if context.user_data is not None else None
    return found if isinstance(found, Pending) else Pending()


def _forget(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(FEATURE, None)


def _values(**values: Any) -> dict[str, Any]:
    return {
        "emoji": risk.EMOJI,
        "labels": risk.LABELS,
        "outcomes": OUTCOMES,
        "industries": INDUSTRY_LABELS,
        **values,
    }


def card_buttons(context: BotContext, card: Card) -> Buttons:
    e = card.enterprise
    colours = [COLOUR.button(("✓" if c == e.colour else "") + risk.EMOJI[c], e.id, c) for c in risk.COLOURS]
    return [
        colours,
        [
            VISIT.button(context.gettext("📝 Log a visit"), e.id),
            LINK.button(context.gettext("🔗 Liaison link"), e.id),
        ],
    ]


async def _show_card(
    update: Update, context: BotContext, card: Card, template: str = "enterprises/card.html", **extra: Any
) -> None:
    buttons = with_app(
        card_buttons(context, card), app_row(update, context, OPEN_APP, route("ent", card.enterprise.id))
    )
    await context.reply(update, template, buttons, **_values(card=card, **extra))


# ---------------------------------------------------------------------- /ent and the card


@staff_only
@router.message
async def ent_command(update: Update, context: BotContext) -> None:
    query = " ".join(context.args or [])
    found = await context.services.enterprises.registry.find(sender_id(update), query)
    if found.card is not None:
        await _show_card(update, context, found.card)
        return
    buttons = [
        [OPEN_CARD.button(f"{risk.EMOJI[e.colour]} {e.id} {e.name}"[:60], e.id)] for e in found.matches
    ]
    await context.reply(
        update,
        "enterprises/matches.html",
        buttons,
        **_values(matches=found.matches, buildings=found.buildings, query=query),
    )


@router.on(OPEN_CARD)
async def open_pressed(press: Press, context: BotContext) -> None:
    card = await context.services.enterprises.registry.card(press.user_id, press.int_arg(0))
    await press.answer()
    await _show_card(press.update, context, card)


# ---------------------------------------------------------------------- colour with a reason


async def colour_pressed(press: Press, context: BotContext) -> int:
    enterprise_id, colour = press.int_arg(0), press.str_arg(1)
    enterprise = await context.services.enterprises.colours.check_colour(press.user_id, enterprise_id, colour)
    await press.answer()
    _begin(context, Pending(enterprise_id=enterprise_id, colour=colour))
    await context.reply(
        press.update, "enterprises/ask_reason.html", **_values(enterprise=enterprise, colour=colour)
    )
    return REASON


@router.message
async def reason_given(update: Update, context: BotContext) -> int:
    # A missing or too long reason raises here: the reason is asked again.
    _pending(context).reason = context.services.enterprises.colours.clean_reason(text_of(update))
    await _set_colour(update, context)
    return END


@router.message
async def _set_colour(update: Update, context: BotContext) -> None:
    pending = _pending(context)
    result = await context.services.enterprises.colours.set_colour(
        sender_id(update), pending.enterprise_id, pending.colour, pending.reason
    )
    _forget(context)
    await _show_card(update, context, result.card, "enterprises/colour_set.html", tier=result.alerted_tier)


# ---------------------------------------------------------------------- visits


async def visit_pressed(press: Press, context: BotContext) -> int:
    enterprise_id = press.int_arg(0)
    enterprise = await context.services.enterprises.visits.check_visit(press.user_id, enterprise_id)
    await press.answer()
    _begin(context, Pending(enterprise_id=enterprise_id))
    outcomes = list(OUTCOMES.items())
    buttons = [
        [OUTCOME.button(context.gettext(label), enterprise_id, key) for key, label in outcomes[i : i + 2]]
        for i in (0, 2)
    ]
    await context.reply(press.update, "enterprises/ask_outcome.html", buttons, enterprise=enterprise)
    return VISIT_OUTCOME


async def outcome_pressed(press: Press, context: BotContext) -> int:
    pending = _pending(context)
    outcome = press.str_arg(1)
    if outcome not in OUTCOMES or press.int_arg(0) != pending.enterprise_id:
        raise BadCallback(outcome)  # another visit's button: the question stays
    await press.answer()
    pending.outcome = outcome
    await context.reply(press.update, "enterprises/ask_notes.html", edit=True)
    return VISIT_NOTES


@router.message
async def notes_given(update: Update, context: BotContext) -> int:
    _pending(context).notes = context.services.enterprises.visits.take_notes(text_of(update))
    await context.reply(
        update, "enterprises/ask_next.html", [[NO_NEXT_STEP.button(context.gettext("No next step"))]]
    )
    return VISIT_NEXT


@router.message
async def next_given(update: Update, context: BotContext) -> int:
    # A next step without a date, too long or in the past raises here: it is asked again.
    when, step = context.services.enterprises.visits.parse_next_step(text_of(update))
    pending = _pending(context)
    pending.next_step, pending.next_step_on = step, when
    await _log_visit(update, context)
    return END


async def no_next_step(press: Press, context: BotContext) -> int:
    await press.answer()
    pending = _pending(context)
    pending.next_step, pending.next_step_on = None, None
    await _log_visit(press.update, context)
    return END


@router.message
async def _log_visit(update: Update, context: BotContext) -> None:
    pending = _pending(context)
    card = await context.services.enterprises.visits.log_visit(
        sender_id(update),
        pending.enterprise_id,
        pending.outcome,
        pending.notes,
        pending.next_step,
        pending.next_step_on,
    )
    _forget(context)
    await _show_card(update, context, card, "enterprises/visit_logged.html")


# ---------------------------------------------------------------------- suggestions


@router.on(ACCEPT)
async def accept_pressed(press: Press, context: BotContext) -> None:
    result = await context.services.enterprises.suggestions.accept(press.user_id, press.int_arg(0))
    await press.answer()
    await _show_card(
        press.update,
        context,
        result.card,
        "enterprises/suggestion_accepted.html",
        who=press.query.from_user.first_name,
    )


async def dismiss_pressed(press: Press, context: BotContext) -> int:
    suggestion_id = press.int_arg(0)
    enterprise = await context.services.enterprises.suggestions.check(press.user_id, suggestion_id)
    await press.answer()
    _begin(context, Pending(suggestion_id=suggestion_id))
    await context.reply(press.update, "enterprises/ask_dismiss_reason.html", name=enterprise.name)
    return DISMISS_REASON


@router.message
async def dismiss_reason_given(update: Update, context: BotContext) -> int:
    # A missing or too long reason raises here: the reason is asked again.
    _pending(context).reason = context.services.enterprises.colours.clean_reason(text_of(update))
    await _dismiss(update, context)
    return END


@router.message
async def _dismiss(update: Update, context: BotContext) -> None:
    pending = _pending(context)
    await context.services.enterprises.suggestions.dismiss(
        sender_id(update), pending.suggestion_id, pending.reason
    )
    _forget(context)
    await context.reply(update, "enterprises/suggestion_dismissed.html", reason=pending.reason)


async def cancel(update: Update, context: BotContext) -> int:
    _forget(context)
    await context.reply(update, "common/cancelled.html")
    return END


# ---------------------------------------------------------------------- stability tags of a request


def tag_buttons(context: BotContext, tagged: Tagged) -> Buttons:
    tags = [
        TOGGLE.button(("✓ " if tag in tagged.tags else "") + context.gettext(label), tagged.request.id, tag)
        for tag, label in risk.TAG_LABELS.items()
    ]
    return [tags[i : i + 2] for i in range(0, len(tags), 2)]


async def _show_tags(press: Press, context: BotContext, tagged: Tagged, **how: Any) -> None:
    await press.answer()
    await context.reply(
        press.update,
        "enterprises/tags.html",
        tag_buttons(context, tagged),
        tagged=tagged,
        tag_labels=risk.TAG_LABELS,
        **how,
    )


@router.on(TAG)
async def tag_pressed(press: Press, context: BotContext) -> None:
    """The chooser, under the request's card (a reply to it)."""
    tagged = await context.services.enterprises.tags.show(press.user_id, press.int_arg(0))
    await _show_tags(press, context, tagged, reply_to=press.message_id)


@router.on(TOGGLE)
async def toggle_pressed(press: Press, context: BotContext) -> None:
    tagged = await context.services.enterprises.tags.toggle(press.user_id, press.int_arg(0), press.str_arg(1))
    await _show_tags(press, context, tagged, edit=True)


# ---------------------------------------------------------------------- liaisons


@router.on(LINK)
async def link_pressed(press: Press, context: BotContext) -> None:
    made = await context.services.enterprises.registry.link_code(press.user_id, press.int_arg(0))
    await press.answer()
    link = f"https://t.me/{context.bot.username}?start=ent-{made.code}"
    await context.reply(
        press.update,
        "enterprises/link_code.html",
        enterprise=made.enterprise,
        code=made.code,
        link=link,
        expires_at=made.expires_at,
    )


async def liaison_link(update: Update, context: BotContext, code: str) -> None:
    """`/start ent-<code>` (registered with registry.start_payload)."""

    @router.message
    async def redeem(update: Update, context: BotContext) -> None:
        enterprise = await context.services.enterprises.registry.redeem(sender_id(update), code)
        await context.reply(update, "enterprises/linked.html", enterprise=enterprise)

    await redeem(update, context)


# ---------------------------------------------------------------------- /board and /coverage


@staff_only
@router.message
async def board_command(update: Update, context: BotContext) -> None:
    picture = await context.services.enterprises.board.picture(
        sender_id(update), " ".join(context.args or [])
    )
    name = picture.building.code if picture.building else "district"
    await context.send_file(
        update,
        picture.png,
        f"board-{name}.png",
        caption="enterprises/board_caption.html",
        photo=True,
        buttons=with_app(
            None,
            app_row(
                update,
                context,
                OPEN_BOARD,
                route("bld", picture.building.id) if picture.building else "board",
            ),
        ),
        building=picture.building,
        counts=picture.counts,
        total=picture.total,
        overdue=picture.overdue,
    )


@staff_only
@router.message
async def coverage_command(update: Update, context: BotContext) -> None:
    coverage = await context.services.enterprises.board.coverage(sender_id(update))
    await context.reply(
        update, "enterprises/coverage.html", district=coverage.district, lines=coverage.buildings
    )


def register(app: Application) -> None:
    text = filters.TEXT & ~filters.COMMAND
    conversation = ConversationHandler(
        entry_points=[
            router.press(COLOUR, colour_pressed),
            router.press(VISIT, visit_pressed),
            router.press(DISMISS, dismiss_pressed),
        ],
        states={
            REASON: [MessageHandler(text, reason_given)],
            VISIT_OUTCOME: [router.press(OUTCOME, outcome_pressed)],
            VISIT_NOTES: [MessageHandler(text, notes_given)],
            VISIT_NEXT: [MessageHandler(text, next_given), router.press(NO_NEXT_STEP, no_next_step)],
            DISMISS_REASON: [MessageHandler(text, dismiss_reason_given)],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        allow_reentry=True,
        name="enterprises",
    )
    app.add_handler(conversation)
    app.add_handler(CommandHandler("ent", ent_command))
    app.add_handler(CommandHandler("board", board_command))
    app.add_handler(CommandHandler("coverage", coverage_command))
    app.add_handler(router.handler())
    registry.command("ent", N_("Find an enterprise: card, colour, visits"), staff_only=True, order=60)
    registry.command(
        "board", N_("The five-colour board of the district, or of one building"), staff_only=True, order=61
    )
    registry.command(
        "coverage", N_("Coverage: base data, visits, requests in time"), staff_only=True, order=62
    )
    registry.start_payload("ent-", liaison_link)

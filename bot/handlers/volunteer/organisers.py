# i18n-domain: volunteer
"""The organisers' desk in the chat: /roster (a shift's volunteers, attendance marks, cancelling
the shift), /shiftmsg, /poster and /attendance.

Who may do what is checked by the service at the moment of the press or command; a refusal comes
back as the person's words through the router.
"""

from __future__ import annotations

import re

from babel.numbers import format_decimal
from telegram import ForceReply, Update

from bot.certificates import qr_png
from bot.context import BotContext, Buttons
from bot.domain.finder import shorten
from bot.handlers.routing import Press, sender_id, text_of
from bot.handlers.volunteer.router import remember_prompt, router, when
from bot.render import BABEL_LOCALE
from bot.services.base import InvalidInput
from bot.services.volunteer.changes import DECIDE, KEEP
from bot.services.volunteer.organisers import Roster

SHIFTS = router.action("rl")
ROSTER = router.action("r")  # shift, page
MARK = router.action("m")
HOURS = router.action("h")  # the choices of credited time for one volunteer
CREDIT = router.action("cr")  # sign-up, minutes
CODE = router.action("code")  # the rotating check-in code on the organiser's screen
MESSAGE = router.action("msg")  # asks for a message to everyone on the shift
MOVE_PLACE = router.action("mp")
MOVE_TIME = router.action("mt")
PLACES = router.action("cap")  # shift, new capacity
CANCEL_SHIFT = router.action("x")  # asks first
CANCEL_SHIFT_SURE = router.action("xy")
POSTER_PROJECTS = router.action("qp")  # page
POSTER_SHIFTS = router.action("qs")  # project
POSTER = router.action("qr")  # shift
CREDIT_CHOICES = (0, 30, 60, 90, 120, 180)

_SHIFTMSG = re.compile(r"^/\S+\s+(\d{1,9})\s+(.+)$", re.S)
_MONTH = re.compile(r"\d{4}-\d{2}")


async def roster_command(update: Update, context: BotContext) -> None:
    """/roster: the coming week's shifts of the projects this person runs."""
    cards = await context.services.volunteer.organisers.organiser_shifts(sender_id(update))
    rows = [
        [
            ROSTER.button(
                f"{when(context, c.shift.starts_at)} · {c.project.title_in(context.lang)[:24]}"
                f" · {c.confirmed}/{c.shift.capacity}",
                c.id,
            )
        ]
        for c in cards[:20]
    ]
    await context.reply(
        update, "volunteer/organiser_shifts.html", rows, edit=update.callback_query is not None, cards=cards
    )


@router.on(SHIFTS)
async def shifts(press: Press, context: BotContext) -> None:
    """« Shifts: back from a roster (answered after, so a lost role is refused with a pop-up)."""
    await roster_command(press.update, context)


def _roster_buttons(context: BotContext, roster: Roster) -> Buttons:
    rows = []
    for line in roster.lines:
        if line.status != "confirmed":
            continue
        name = line.name[:18]
        present = (
            context.gettext("Confirm: %(name)s", name=name)
            if line.verified is False and not line.attended
            else context.gettext("Present: %(name)s", name=name)
        )
        rows.append([
            MARK.button(("✅ " if line.attended else "") + present, line.signup_id, 1),
            MARK.button(("❌ " if line.attended is False else "") + context.gettext("Absent"), line.signup_id, 0),
            HOURS.button("⏱", line.signup_id),
        ])  # fmt: skip
    card = roster.card
    nav = []
    if roster.page > 0:
        nav.append(ROSTER.button(context.gettext("‹ Back"), card.id, roster.page - 1))
    if roster.more:
        nav.append(ROSTER.button(context.gettext("More ›"), card.id, roster.page + 1))
    if nav:
        rows.append(nav)
    rows.append([
        CODE.button(context.gettext("🔑 Check-in code"), card.id),
        POSTER.button(context.gettext("🖨 Poster"), card.id),
    ])  # fmt: skip
    rows.append([MESSAGE.button(context.gettext("✉️ Message everyone on this shift"), card.id)])
    rows.append([
        MOVE_PLACE.button(context.gettext("📍 Change place"), card.id),
        MOVE_TIME.button(context.gettext("🕒 Change time"), card.id),
    ])  # fmt: skip
    rows.append([
        PLACES.button(context.gettext("− 1 place"), card.id, card.shift.capacity - 1),
        PLACES.button(context.gettext("+ 1 place"), card.id, card.shift.capacity + 1),
    ])  # fmt: skip
    rows.append([CANCEL_SHIFT.button(context.gettext("Cancel this shift"), card.id)])
    rows.append([SHIFTS.button(context.gettext("« Shifts"))])
    return rows


@router.on(ROSTER)
async def show_roster(press: Press, context: BotContext) -> None:
    page = press.int_arg(1) if len(press.args) > 1 else 0
    roster = await context.services.volunteer.organisers.roster(press.user_id, press.int_arg(0), page)
    await press.answer()
    await context.reply(
        press.update,
        "volunteer/roster.html",
        _roster_buttons(context, roster),
        edit=True,
        roster=roster,
        card=roster.card,
    )


async def _saved(press: Press, context: BotContext, roster: Roster) -> None:
    await press.answer(context.gettext("Saved."))
    await context.reply(
        press.update,
        "volunteer/roster.html",
        _roster_buttons(context, roster),
        edit=True,
        roster=roster,
        card=roster.card,
    )


@router.on(MARK)
async def mark(press: Press, context: BotContext) -> None:
    organisers = context.services.volunteer.organisers
    await _saved(
        press, context, await organisers.mark(press.user_id, press.int_arg(0), press.int_arg(1) == 1)
    )


@router.on(HOURS)
async def hours_choices(press: Press, context: BotContext) -> None:
    """The time to credit one volunteer (the shift's length unless corrected)."""
    signup_id = press.int_arg(0)
    await press.answer()
    rows = [[
        CREDIT.button(context.gettext("%(hours)s h", hours=format_decimal(m / 60, locale=BABEL_LOCALE[context.lang])), signup_id, m)
        for m in CREDIT_CHOICES
    ]]  # fmt: skip
    await context.reply(press.update, "volunteer/credit_choose.html", rows)


@router.on(CREDIT)
async def credit(press: Press, context: BotContext) -> None:
    organisers = context.services.volunteer.organisers
    await _saved(press, context, await organisers.credit(press.user_id, press.int_arg(0), press.int_arg(1)))


@router.on(CODE)
async def code_screen(press: Press, context: BotContext) -> None:
    """The check-in code of this minute, as digits and as a QR code volunteers scan."""
    await press.answer()  # before drawing the QR code: a press must be answered within seconds
    screen = await context.services.volunteer.checkin.code_screen(press.user_id, press.int_arg(0))
    picture = qr_png(f"https://t.me/{context.bot.username}?start={screen.link_payload}")
    await context.send_file(
        press.update, picture, "checkin.png", caption="volunteer/code_screen.html", photo=True,
        buttons=[[CODE.button(context.gettext("🔄 Refresh"), screen.card.id)]], screen=screen, card=screen.card,
    )  # fmt: skip


@router.on(MOVE_PLACE, MOVE_TIME, MESSAGE)
async def move_pressed(press: Press, context: BotContext) -> None:
    """Asks for the new place or time, or a message (a reply to the question, so it is never mistaken)."""
    shift_id = press.int_arg(0)
    await context.services.volunteer.organisers.roster(press.user_id, shift_id)  # may they? (refused here)
    await press.answer()
    kind = {MOVE_PLACE.name: "place", MOVE_TIME.name: "time"}.get(press.action, "message")
    prompt = await context.reply(
        press.update,
        f"volunteer/move_{kind}_prompt.html",
        markup=ForceReply(selective=True),
        reply_to=press.message_id,
    )
    remember_prompt(context, prompt, kind, shift_id)


async def move_typed(update: Update, context: BotContext, kind: str, shift_id: int, text: str) -> None:
    if kind == "message":
        told = await context.services.volunteer.organisers.message_shift(sender_id(update), shift_id, text)
        await context.reply(update, "volunteer/message_sent.html", told=told)
        return
    changes = context.services.volunteer.changes
    change = changes.change_place if kind == "place" else changes.change_time
    card, told = await change(sender_id(update), shift_id, text)
    await context.reply(update, "volunteer/moved.html", card=card, told=told, what=kind)


@router.on(PLACES)
async def places(press: Press, context: BotContext) -> None:
    await context.services.volunteer.changes.set_capacity(press.user_id, press.int_arg(0), press.int_arg(1))
    await show_roster(press, context)


@router.on(KEEP)
async def keep(press: Press, context: BotContext) -> None:
    cut = await context.services.volunteer.changes.toggle_keep(press.user_id, press.int_arg(0))
    await press.answer()
    buttons = context.services.volunteer.changes.cut_buttons(context.lang, cut)
    await context.reply(
        press.update, "volunteer/cut_ask.html", buttons, edit=True, cut=cut, card=cut.card, due=None
    )


@router.on(DECIDE)
async def decide(press: Press, context: BotContext) -> None:
    cut, told = await context.services.volunteer.changes.decide(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(press.update, "volunteer/cut_done.html", edit=True, card=cut.card, told=told)


@router.on(CANCEL_SHIFT)
async def confirm_cancel_shift(press: Press, context: BotContext) -> None:
    shift_id = press.int_arg(0)
    roster = await context.services.volunteer.organisers.roster(press.user_id, shift_id)
    await press.answer()
    rows = [
        [CANCEL_SHIFT_SURE.button(context.gettext("Yes, cancel it and tell everyone"), shift_id)],
        [ROSTER.button(context.gettext("No, keep this shift"), shift_id)],
    ]
    await context.reply(
        press.update,
        "volunteer/cancel_shift_confirm.html",
        rows,
        edit=True,
        card=roster.card,
        people=len(roster.lines),
    )


@router.on(CANCEL_SHIFT_SURE)
async def cancel_shift(press: Press, context: BotContext) -> None:
    card, told = await context.services.volunteer.organisers.cancel_shift(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(press.update, "volunteer/shift_cancel_done.html", edit=True, card=card, told=told)


async def shift_message_command(update: Update, context: BotContext) -> None:
    """/shiftmsg <shift number> <text>: write to everyone on the shift."""
    match = _SHIFTMSG.match(text_of(update))
    if not match:
        raise InvalidInput("shiftmsg_usage")
    told = await context.services.volunteer.organisers.message_shift(
        sender_id(update), int(match.group(1)), match.group(2)
    )
    await context.reply(update, "volunteer/message_sent.html", told=told)


async def poster_command(update: Update, context: BotContext, page: int = 0) -> None:
    """/poster: a project, then one of its shifts: a printable poster whose code works in that shift only."""
    projects, more = await context.services.volunteer.organisers.organised_projects(sender_id(update), page)
    rows = [[POSTER_SHIFTS.button(shorten(p.title_in(context.lang), 60), p.id)] for p in projects]
    nav = []
    if page > 0:
        nav.append(POSTER_PROJECTS.button(context.gettext("‹ Back"), page - 1))
    if more:
        nav.append(POSTER_PROJECTS.button(context.gettext("More ›"), page + 1))
    if nav:
        rows.append(nav)
    await context.reply(update, "volunteer/poster_choose.html", rows, edit=update.callback_query is not None)


@router.on(POSTER_PROJECTS)
async def poster_projects(press: Press, context: BotContext) -> None:
    await press.answer()
    await poster_command(press.update, context, max(0, press.int_arg(0)))


@router.on(POSTER_SHIFTS)
async def poster_shifts(press: Press, context: BotContext) -> None:
    project, cards = await context.services.volunteer.organisers.project_shifts(
        press.user_id, press.int_arg(0)
    )
    await press.answer()
    rows = [[POSTER.button(when(context, c.shift.starts_at), c.id)] for c in cards]
    rows.append([POSTER_PROJECTS.button(context.gettext("« Projects"), 0)])
    await context.reply(
        press.update, "volunteer/poster_shift.html", rows, edit=True, project=project, cards=cards
    )


@router.on(POSTER)
async def send_poster(press: Press, context: BotContext) -> None:
    await press.answer()  # before drawing the poster: a press must be answered within seconds
    data, name = await context.services.volunteer.organisers.poster(
        press.user_id, press.int_arg(0), context.bot.username
    )
    await context.send_file(press.update, data, name, caption="volunteer/poster_caption.html")


async def attendance_command(update: Update, context: BotContext) -> None:
    """/attendance YYYY-MM: the month's attendance as CSV (for the national volunteer platform)."""
    month = context.args[0] if context.args else ""
    if not _MONTH.fullmatch(month):
        raise InvalidInput("attendance_usage")
    data, name = await context.services.volunteer.attendance.attendance_csv(sender_id(update), month)
    await context.send_file(update, data, name, caption="volunteer/attendance_caption.html", month=month)

# i18n-domain: volunteer
"""The organisers' desk in the chat: /roster (a shift's volunteers, attendance marks, cancelling
the shift), /shiftmsg, /poster, /attendance, and /claim for a company liaison's team.

Who may do what is checked by the service at the moment of the press or command; a refusal comes
back as the person's words through the router.
"""

from __future__ import annotations

import re

from telegram import Update

from bot.context import BotContext, Buttons
from bot.handlers.routing import Press, sender_id, text_of
from bot.handlers.volunteer.router import router, when
from bot.services.base import InvalidInput
from bot.services.volunteer.organisers import Roster

SHIFTS = router.action("rl")
ROSTER = router.action("r")
MARK = router.action("m")
CANCEL_SHIFT = router.action("x")  # asks first
CANCEL_SHIFT_SURE = router.action("xy")
POSTER = router.action("qr")

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
        rows.append([
            MARK.button(("✅ " if line.attended else "") + context.gettext("Present: %(name)s", name=name), line.signup_id, 1),
            MARK.button(("❌ " if line.attended is False else "") + context.gettext("Absent"), line.signup_id, 0),
        ])  # fmt: skip
    rows.append([CANCEL_SHIFT.button(context.gettext("Cancel this shift"), roster.card.id)])
    rows.append([SHIFTS.button(context.gettext("« Shifts"))])
    return rows


@router.on(ROSTER)
async def show_roster(press: Press, context: BotContext) -> None:
    roster = await context.services.volunteer.organisers.roster(press.user_id, press.int_arg(0))
    await press.answer()
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
    roster = await context.services.volunteer.organisers.mark(
        press.user_id, press.int_arg(0), press.int_arg(1) == 1
    )
    await press.answer(context.gettext("Saved."))
    await context.reply(
        press.update,
        "volunteer/roster.html",
        _roster_buttons(context, roster),
        edit=True,
        roster=roster,
        card=roster.card,
    )


@router.on(CANCEL_SHIFT)
async def confirm_cancel_shift(press: Press, context: BotContext) -> None:
    shift_id = press.int_arg(0)
    roster = await context.services.volunteer.organisers.roster(press.user_id, shift_id)
    await press.answer()
    rows = [
        [CANCEL_SHIFT_SURE.button(context.gettext("Yes, cancel it and tell everyone"), shift_id)],
        [ROSTER.button(context.gettext("No, keep it"), shift_id)],
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


async def poster_command(update: Update, context: BotContext) -> None:
    projects = await context.services.volunteer.organisers.organised_projects(sender_id(update))
    rows = [[POSTER.button(p.title_in(context.lang)[:60], p.id)] for p in projects]
    await context.reply(update, "volunteer/poster_choose.html", rows)


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


async def claim_command(update: Update, context: BotContext) -> None:
    """/claim <shift number> <headcount>: a company liaison holds places for their team."""
    args = context.args or []
    if len(args) != 2 or not all(a.isdigit() for a in args):
        raise InvalidInput("claim_usage")
    team, card = await context.services.volunteer.teams.claim(sender_id(update), int(args[0]), int(args[1]))
    link = f"https://t.me/{context.bot.username}?start=vt-{team.code}"
    await context.reply(update, "volunteer/team_claimed.html", team=team, card=card, link=link)

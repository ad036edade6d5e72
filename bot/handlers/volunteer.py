"""Volunteering in the chat: /volunteer, /myshifts, /myhours, reminders' buttons, offers, check-in,
and the organisers' roster, messages, shift cancellation, posters and attendance export.

Thin: each handler parses the update, calls one VolunteerService method, renders one template.
Permissions are checked by the service at the moment of the press (callback data is only a
request); a refusal or bad input gets a clear answer in the person's language.
"""

from __future__ import annotations

import re
from datetime import datetime

from babel.dates import format_datetime
from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callbacks import BadCallback, button, pack, pattern, unpack
from bot.context import BotContext
from bot.handlers import registry
from bot.handlers.guards import refuse
from bot.msgids import N_
from bot.render import BABEL_LOCALE
from bot.services.access import NotAllowed
from bot.services.base import InvalidInput
from bot.services.volunteer.browse import PAGE
from bot.services.volunteer.cards import ShiftCard

FEATURE = "vol"
SLOT_LABELS = {
    "early": N_("Before work (06:00-08:00)"),
    "lunch": N_("Lunch break"),
    "evening": N_("Evenings"),
    "weekend": N_("Weekends"),
}


def _when(context: BotContext, moment: datetime) -> str:
    """A short local date and time for a button label (plain text)."""
    local = moment.astimezone(context.services.settings.tz)
    return format_datetime(local, format="EEE MM-dd HH:mm", locale=BABEL_LOCALE[context.lang])


def _shift_label(context: BotContext, card: ShiftCard) -> str:
    when = _when(context, card.shift.starts_at)
    if card.my_status == "confirmed":
        return context.gettext("✅ %(when)s · you're on it", when=when)
    if card.my_status in ("waitlisted", "offered"):
        return context.gettext("⏳ %(when)s · on the waitlist", when=when)
    if card.free > 0:
        return context.gettext(
            "%(when)s · %(free)s of %(capacity)s left",
            when=when,
            free=card.free,
            capacity=card.shift.capacity,
        )
    return context.gettext("%(when)s · full, join the waitlist", when=when)


async def _problem(update: Update, context: BotContext, problem: InvalidInput) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()
    await context.reply(update, "volunteer/problem.html", code=problem.code, d=problem.details)


# ------------------------------------------------------------------ browsing and signing up


async def volunteer_command(update: Update, context: BotContext) -> None:
    projects = await context.services.volunteer.browse.projects()
    rows = [[button(p.title_in(context.lang)[:60], FEATURE, "p", p.id, 0)] for p in projects]
    rows.append([button(context.gettext("When I'm free"), FEATURE, "av", "-")])
    await context.reply(
        update, "volunteer/projects.html", rows, edit=update.callback_query is not None, projects=projects
    )


async def show_project(update: Update, context: BotContext, project_id: int, page: int) -> None:
    project, cards, more = await context.services.volunteer.browse.project_page(
        update.effective_user.id, project_id, page
    )
    rows = [[button(_shift_label(context, c), FEATURE, "s", c.id)] for c in cards]
    nav = []
    if page > 0:
        nav.append(button(context.gettext("‹ Earlier"), FEATURE, "p", project_id, page - 1))
    if more:
        nav.append(button(context.gettext("Later ›"), FEATURE, "p", project_id, page + 1))
    if nav:
        rows.append(nav)
    rows.append([button(context.gettext("« All projects"), FEATURE, "list")])
    await context.reply(
        update,
        "volunteer/project.html",
        rows,
        edit=True,
        project=project,
        cards=cards,
        page=page,
        per_page=PAGE,
    )


def _signed_up_buttons(context: BotContext, card: ShiftCard) -> list[list[dict[str, str]]]:
    return [
        [button(context.gettext("📅 Add to calendar"), FEATURE, "ics", card.id)],
        [button(context.gettext("Cancel my place"), FEATURE, "c", card.id)],
    ]


async def sign_up(update: Update, context: BotContext, shift_id: int) -> None:
    result = await context.services.volunteer.signups.sign_up(update.effective_user.id, shift_id)
    await update.callback_query.answer()
    await context.reply(
        update,
        "volunteer/signed_up.html",
        _signed_up_buttons(context, result.card),
        result=result,
        card=result.card,
    )
    project = result.card.project
    if result.status == "confirmed" and project.latitude is not None and project.longitude is not None:
        await context.bot.send_venue(
            update.effective_chat.id,
            latitude=project.latitude,
            longitude=project.longitude,
            title=project.place_in(context.lang)[:100] or project.title_in(context.lang)[:100],
            address=project.address or project.place_in(context.lang),
        )


async def cancel(update: Update, context: BotContext, shift_id: int, *, from_reminder: bool = False) -> None:
    card, late = await context.services.volunteer.signups.cancel(update.effective_user.id, shift_id)
    await update.callback_query.answer()
    await context.reply(
        update, "volunteer/cancelled.html", edit=True, card=card, late=late, from_reminder=from_reminder
    )


async def coming(update: Update, context: BotContext, shift_id: int) -> None:
    card = await context.services.volunteer.signups.coming(update.effective_user.id, shift_id)
    await update.callback_query.answer(context.gettext("Thank you! See you there."))
    await context.reply(
        update,
        "volunteer/coming.html",
        [[button(context.gettext("Check in"), FEATURE, "in", card.id)]],
        card=card,
    )


async def take(update: Update, context: BotContext, shift_id: int) -> None:
    result = await context.services.volunteer.signups.take(update.effective_user.id, shift_id)
    await update.callback_query.answer()
    await context.reply(
        update,
        "volunteer/signed_up.html",
        _signed_up_buttons(context, result.card),
        edit=True,
        result=result,
        card=result.card,
    )


async def pass_offer(update: Update, context: BotContext, shift_id: int) -> None:
    card = await context.services.volunteer.signups.pass_offer(update.effective_user.id, shift_id)
    await update.callback_query.answer()
    await context.reply(update, "volunteer/passed.html", edit=True, card=card)


async def send_ics(update: Update, context: BotContext, shift_id: int | None) -> None:
    data, name = await context.services.volunteer.browse.ics(update.effective_user.id, shift_id)
    if update.callback_query is not None:
        await update.callback_query.answer()
    await context.bot.send_document(
        update.effective_chat.id,
        document=data,
        filename=name,
        caption=context.gettext("Open this file to add it to your calendar."),
    )


# ------------------------------------------------------------------ my shifts, hours


async def my_shifts_command(update: Update, context: BotContext) -> None:
    cards = await context.services.volunteer.browse.my_shifts(update.effective_user.id)
    rows = [
        [
            button(
                context.gettext("Cancel %(when)s", when=_when(context, c.shift.starts_at)), FEATURE, "c", c.id
            )
        ]
        for c in cards[:10]
    ]
    if cards:
        rows.append([button(context.gettext("📅 All in my calendar"), FEATURE, "icsall")])
    await context.reply(update, "volunteer/my_shifts.html", rows, cards=cards)


async def my_hours_command(update: Update, context: BotContext) -> None:
    hours = await context.services.volunteer.checkin.hours(update.effective_user.id)
    rows = [[button(context.gettext("📄 Send my certificate"), FEATURE, "cert")]] if hours.shifts else None
    await context.reply(update, "volunteer/hours.html", rows, hours=hours)


async def send_certificate(update: Update, context: BotContext) -> None:
    data, name = await context.services.volunteer.checkin.certificate(update.effective_user.id)
    await update.callback_query.answer()
    await context.bot.send_document(
        update.effective_chat.id,
        document=data,
        filename=name,
        caption=context.gettext("Your volunteer certificate. Thank you!"),
    )


async def availability(update: Update, context: BotContext, slot: str) -> None:
    service = context.services.volunteer
    chosen = await (
        service.browse.availability(update.effective_user.id)
        if slot == "-"
        else service.browse.toggle_availability(update.effective_user.id, slot)
    )
    rows = [
        [button(("✅ " if s in chosen else "▫️ ") + context.gettext(label), FEATURE, "av", s)]
        for s, label in SLOT_LABELS.items()
    ]
    rows.append([button(context.gettext("« All projects"), FEATURE, "list")])
    await update.callback_query.answer()
    await context.reply(
        update, "volunteer/availability.html", rows, edit=True, chosen=[SLOT_LABELS[s] for s in chosen]
    )


# ------------------------------------------------------------------ check-in


def _location_keyboard(context: BotContext) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(context.gettext("📍 Share my location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def _checked_in(update: Update, context: BotContext, result) -> None:
    text = context.render("volunteer/checked_in.html", result=result, card=result.card)
    markup = None if result.already or result.card.project.latitude is None else _location_keyboard(context)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def check_in_button(update: Update, context: BotContext, shift_id: int) -> None:
    result = await context.services.volunteer.checkin.check_in(update.effective_user.id, shift_id)
    await update.callback_query.answer()
    await _checked_in(update, context, result)


async def check_in_link(update: Update, context: BotContext, code: str) -> None:
    """`/start in-<code>` from the QR poster at the place."""
    try:
        result = await context.services.volunteer.checkin.check_in_code(update.effective_user.id, code)
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return
    await _checked_in(update, context, result)


async def location_shared(update: Update, context: BotContext) -> None:
    loc = update.message.location
    check = await context.services.volunteer.checkin.location_shared(
        update.effective_user.id, loc.latitude, loc.longitude
    )
    if check is None:
        await context.bot.send_message(
            update.effective_chat.id,
            context.render("volunteer/problem.html", code="no_recent_checkin", d={}),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    await context.bot.send_message(
        update.effective_chat.id,
        context.render("volunteer/location.html", card=check.card, ok=check.ok, distance=check.distance_m),
        reply_markup=ReplyKeyboardRemove(),
    )


# ------------------------------------------------------------------ organisers


async def roster_command(update: Update, context: BotContext) -> None:
    try:
        cards = await context.services.volunteer.organisers.organiser_shifts(update.effective_user.id)
    except NotAllowed as refused:
        await refuse(update, context, refused.message)
        return
    rows = [
        [
            button(
                f"{_when(context, c.shift.starts_at)} · {c.project.title_in(context.lang)[:24]} · {c.confirmed}/{c.shift.capacity}",
                FEATURE,
                "r",
                c.id,
            )
        ]
        for c in cards[:20]
    ]
    await context.reply(
        update, "volunteer/organiser_shifts.html", rows, edit=update.callback_query is not None, cards=cards
    )


def _roster_buttons(context: BotContext, roster) -> list[list[dict[str, str]]]:
    rows = []
    for line in roster.lines:
        if line.status != "confirmed":
            continue
        name = line.name[:18]
        rows.append([
            button(("✅ " if line.attended else "") + context.gettext("Present: %(name)s", name=name), FEATURE, "m", line.signup_id, 1),
            button(("❌ " if line.attended is False else "") + context.gettext("Absent"), FEATURE, "m", line.signup_id, 0),
        ])  # fmt: skip
    rows.append([button(context.gettext("Cancel this shift"), FEATURE, "x", roster.card.id)])
    rows.append([button(context.gettext("« Shifts"), FEATURE, "rl")])
    return rows


async def show_roster(update: Update, context: BotContext, shift_id: int) -> None:
    roster = await context.services.volunteer.organisers.roster(update.effective_user.id, shift_id)
    await update.callback_query.answer()
    await context.reply(
        update,
        "volunteer/roster.html",
        _roster_buttons(context, roster),
        edit=True,
        roster=roster,
        card=roster.card,
    )


async def mark(update: Update, context: BotContext, signup_id: int, present: bool) -> None:
    roster = await context.services.volunteer.organisers.mark(update.effective_user.id, signup_id, present)
    await update.callback_query.answer(context.gettext("Saved."))
    await context.reply(
        update,
        "volunteer/roster.html",
        _roster_buttons(context, roster),
        edit=True,
        roster=roster,
        card=roster.card,
    )


async def confirm_cancel_shift(update: Update, context: BotContext, shift_id: int) -> None:
    roster = await context.services.volunteer.organisers.roster(update.effective_user.id, shift_id)
    await update.callback_query.answer()
    rows = [
        [button(context.gettext("Yes, cancel it and tell everyone"), FEATURE, "xy", shift_id)],
        [button(context.gettext("No, keep it"), FEATURE, "r", shift_id)],
    ]
    await context.reply(
        update,
        "volunteer/cancel_shift_confirm.html",
        rows,
        edit=True,
        card=roster.card,
        people=len(roster.lines),
    )


async def cancel_shift(update: Update, context: BotContext, shift_id: int) -> None:
    card, told = await context.services.volunteer.organisers.cancel_shift(update.effective_user.id, shift_id)
    await update.callback_query.answer()
    await context.reply(update, "volunteer/shift_cancel_done.html", edit=True, card=card, told=told)


_SHIFTMSG = re.compile(r"^/\S+\s+(\d{1,9})\s+(.+)$", re.S)


async def shift_message_command(update: Update, context: BotContext) -> None:
    """/shiftmsg <shift number> <text>: write to everyone on the shift."""
    match = _SHIFTMSG.match(update.message.text or "")
    if not match:
        await context.reply(update, "volunteer/problem.html", code="shiftmsg_usage", d={})
        return
    try:
        told = await context.services.volunteer.organisers.message_shift(
            update.effective_user.id, int(match.group(1)), match.group(2)
        )
    except NotAllowed as refused:
        await refuse(update, context, refused.message)
        return
    await context.reply(update, "volunteer/message_sent.html", told=told)


async def poster_command(update: Update, context: BotContext) -> None:
    try:
        projects = await context.services.volunteer.organisers.organised_projects(update.effective_user.id)
    except NotAllowed as refused:
        await refuse(update, context, refused.message)
        return
    rows = [[button(p.title_in(context.lang)[:60], FEATURE, "qr", p.id)] for p in projects]
    await context.reply(update, "volunteer/poster_choose.html", rows)


async def send_poster(update: Update, context: BotContext, project_id: int) -> None:
    data, name = await context.services.volunteer.organisers.poster(
        update.effective_user.id, project_id, context.bot.username
    )
    await update.callback_query.answer()
    await context.bot.send_document(
        update.effective_chat.id,
        document=data,
        filename=name,
        caption=context.gettext("Print this poster and put it up at the place."),
    )


async def attendance_command(update: Update, context: BotContext) -> None:
    """/attendance YYYY-MM: the month's attendance as CSV (for the national volunteer platform)."""
    month = context.args[0] if context.args else ""
    if not re.fullmatch(r"\d{4}-\d{2}", month):
        await context.reply(update, "volunteer/problem.html", code="attendance_usage", d={})
        return
    try:
        data, name = await context.services.volunteer.attendance.attendance_csv(
            update.effective_user.id, month
        )
    except NotAllowed as refused:
        await refuse(update, context, refused.message)
        return
    await context.bot.send_document(
        update.effective_chat.id,
        document=data,
        filename=name,
        caption=context.gettext("Attendance for %(month)s.", month=month),
    )


async def claim_command(update: Update, context: BotContext) -> None:
    """/claim <shift number> <headcount>: a company liaison holds places for their team."""
    args = context.args or []
    if len(args) != 2 or not all(a.isdigit() for a in args):
        await context.reply(update, "volunteer/problem.html", code="claim_usage", d={})
        return
    try:
        team, card = await context.services.volunteer.teams.claim(
            update.effective_user.id, int(args[0]), int(args[1])
        )
    except NotAllowed as refused:
        await refuse(update, context, refused.message)
        return
    link = f"https://t.me/{context.bot.username}?start=vt-{team.code}"
    await context.reply(update, "volunteer/team_claimed.html", team=team, card=card, link=link)


async def join_team_link(update: Update, context: BotContext, code: str) -> None:
    try:
        result = await context.services.volunteer.teams.join(update.effective_user.id, code)
    except InvalidInput as problem:
        await _problem(update, context, problem)
        return
    await context.reply(
        update,
        "volunteer/signed_up.html",
        _signed_up_buttons(context, result.card),
        result=result,
        card=result.card,
    )


async def join_team_command(update: Update, context: BotContext) -> None:
    await join_team_link(update, context, context.args[0] if context.args else "")


# ------------------------------------------------------------------ dispatch


async def on_button(update: Update, context: BotContext) -> None:
    """Every volunteer button: parse, then one service call; forged data and refusals answered clearly."""
    try:
        cb = unpack(update.callback_query.data)
        action = cb.action
        if action == "list":
            await update.callback_query.answer()
            await volunteer_command(update, context)
        elif action == "p":
            await update.callback_query.answer()
            await show_project(update, context, cb.int_arg(0), cb.int_arg(1))
        elif action == "s":
            await sign_up(update, context, cb.int_arg(0))
        elif action in ("c", "no"):
            await cancel(update, context, cb.int_arg(0), from_reminder=action == "no")
        elif action == "ok":
            await coming(update, context, cb.int_arg(0))
        elif action == "take":
            await take(update, context, cb.int_arg(0))
        elif action == "pass":
            await pass_offer(update, context, cb.int_arg(0))
        elif action == "ics":
            await send_ics(update, context, cb.int_arg(0))
        elif action == "icsall":
            await send_ics(update, context, None)
        elif action == "in":
            await check_in_button(update, context, cb.int_arg(0))
        elif action == "cert":
            await send_certificate(update, context)
        elif action == "av":
            await availability(update, context, cb.str_arg(0))
        elif action == "rl":
            await update.callback_query.answer()
            await roster_command(update, context)
        elif action == "r":
            await show_roster(update, context, cb.int_arg(0))
        elif action == "m":
            await mark(update, context, cb.int_arg(0), cb.int_arg(1) == 1)
        elif action == "x":
            await confirm_cancel_shift(update, context, cb.int_arg(0))
        elif action == "xy":
            await cancel_shift(update, context, cb.int_arg(0))
        elif action == "qr":
            await send_poster(update, context, cb.int_arg(0))
        else:
            raise BadCallback(action)
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
    except NotAllowed as refused:
        await context.alert(update, refused.message)
    except InvalidInput as problem:
        await _problem(update, context, problem)


def _wrap(handler):
    async def wrapped(update: Update, context: BotContext) -> None:
        try:
            await handler(update, context)
        except InvalidInput as problem:
            await _problem(update, context, problem)

    return wrapped


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("volunteer", _wrap(volunteer_command), private))
    app.add_handler(CommandHandler("myshifts", _wrap(my_shifts_command), private))
    app.add_handler(CommandHandler("myhours", _wrap(my_hours_command), private))
    app.add_handler(CommandHandler("roster", _wrap(roster_command), private))
    app.add_handler(CommandHandler("shiftmsg", _wrap(shift_message_command), private))
    app.add_handler(CommandHandler("poster", _wrap(poster_command), private))
    app.add_handler(CommandHandler("attendance", _wrap(attendance_command), private))
    app.add_handler(CommandHandler("claim", _wrap(claim_command), private))
    app.add_handler(CommandHandler("jointeam", _wrap(join_team_command), private))
    app.add_handler(CallbackQueryHandler(on_button, pattern=pattern(FEATURE)))
    app.add_handler(MessageHandler(private & filters.LOCATION, location_shared))
    registry.start_payload("in-", check_in_link)
    registry.start_payload("vt-", join_team_link)
    registry.command("volunteer", N_("Volunteer: projects and shifts"), order=30)
    registry.command("myshifts", N_("My volunteer shifts"), order=31)
    registry.command("myhours", N_("My volunteer hours and certificate"), order=32)
    registry.command("roster", N_("Organisers: shift rosters and attendance"), staff_only=True, order=70)
    registry.command("poster", N_("Organisers: check-in QR posters"), staff_only=True, order=71)
    registry.command("attendance", N_("Organisers: a month's attendance as CSV"), staff_only=True, order=72)
    registry.menu_item(N_("Volunteer"), pack(FEATURE, "list"), order=30)

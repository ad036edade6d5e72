# i18n-domain: volunteer
"""Volunteers in the chat: /volunteer, a project's shifts, signing up, reminders' and offers'
buttons, /myshifts (and calendar files), /myhours and the certificate, when I'm free, check-in
(button, QR poster link, shared location) and joining a company team."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.context import BotContext, Buttons
from bot.handlers.routing import NoSuchPart, Press, message_of, sender_id
from bot.handlers.volunteer.router import router, when
from bot.msgids import N_
from bot.services.volunteer.browse import PAGE
from bot.services.volunteer.cards import ShiftCard
from bot.services.volunteer.checkin import CheckIn
from bot.services.volunteer.notices import CANT_COME, CHECK_IN, COMING, PASS, SIGN_UP, TAKE

LIST = router.action("list")
PROJECT = router.action("p")
CANCEL = router.action("c")
CALENDAR = router.action("ics")
CALENDAR_ALL = router.action("icsall")
CERTIFICATE = router.action("cert")
AVAILABILITY = router.action("av")

SLOT_LABELS = {
    "early": N_("Before work (06:00-08:00)"),
    "lunch": N_("Lunch break"),
    "evening": N_("Evenings"),
    "weekend": N_("Weekends"),
}


def _shift_label(context: BotContext, card: ShiftCard) -> str:
    moment = when(context, card.shift.starts_at)
    if card.my_status == "confirmed":
        return context.gettext("✅ %(when)s · you're on it", when=moment)
    if card.my_status in ("waitlisted", "offered"):
        return context.gettext("⏳ %(when)s · on the waitlist", when=moment)
    if card.free > 0:
        return context.gettext(
            "%(when)s · %(free)s of %(capacity)s left",
            when=moment,
            free=card.free,
            capacity=card.shift.capacity,
        )
    return context.gettext("%(when)s · full, join the waitlist", when=moment)


def _signed_up_buttons(context: BotContext, card: ShiftCard) -> Buttons:
    return [
        [CALENDAR.button(context.gettext("📅 Add to calendar"), card.id)],
        [CANCEL.button(context.gettext("Cancel my place"), card.id)],
    ]


# ------------------------------------------------------------------ browsing and signing up


async def volunteer_command(update: Update, context: BotContext) -> None:
    projects = await context.services.volunteer.browse.projects()
    rows = [[PROJECT.button(p.title_in(context.lang)[:60], p.id, 0)] for p in projects]
    rows.append([AVAILABILITY.button(context.gettext("When I'm free"), "-")])
    await context.reply(
        update, "volunteer/projects.html", rows, edit=update.callback_query is not None, projects=projects
    )


@router.on(LIST)
async def all_projects(press: Press, context: BotContext) -> None:
    await press.answer()
    await volunteer_command(press.update, context)


@router.on(PROJECT)
async def show_project(press: Press, context: BotContext) -> None:
    project_id, page = press.int_arg(0), press.int_arg(1)
    await press.answer()
    project, cards, more = await context.services.volunteer.browse.project_page(
        press.user_id, project_id, page
    )
    rows = [[SIGN_UP.button(_shift_label(context, c), c.id)] for c in cards]
    nav = []
    if page > 0:
        nav.append(PROJECT.button(context.gettext("‹ Earlier"), project_id, page - 1))
    if more:
        nav.append(PROJECT.button(context.gettext("Later ›"), project_id, page + 1))
    if nav:
        rows.append(nav)
    rows.append([LIST.button(context.gettext("« All projects"))])
    await context.reply(
        press.update,
        "volunteer/project.html",
        rows,
        edit=True,
        project=project,
        cards=cards,
        page=page,
        per_page=PAGE,
    )


@router.on(SIGN_UP)
async def sign_up(press: Press, context: BotContext) -> None:
    result = await context.services.volunteer.signups.sign_up(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(
        press.update,
        "volunteer/signed_up.html",
        _signed_up_buttons(context, result.card),
        result=result,
        card=result.card,
    )
    project = result.card.project
    if result.status == "confirmed" and project.latitude is not None and project.longitude is not None:
        await context.send_venue(
            press.update,
            latitude=project.latitude,
            longitude=project.longitude,
            title=project.place_in(context.lang)[:100] or project.title_in(context.lang)[:100],
            address=project.address or project.place_in(context.lang),
        )


@router.on(CANCEL, CANT_COME)
async def cancel(press: Press, context: BotContext) -> None:
    """'Cancel my place', or 'I can't come' from a reminder."""
    card, late = await context.services.volunteer.signups.cancel(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(
        press.update,
        "volunteer/cancelled.html",
        edit=True,
        card=card,
        late=late,
        from_reminder=press.action == CANT_COME.name,
    )


@router.on(COMING)
async def coming(press: Press, context: BotContext) -> None:
    card = await context.services.volunteer.signups.coming(press.user_id, press.int_arg(0))
    await press.answer(context.gettext("Thank you! See you there."))
    await context.reply(
        press.update,
        "volunteer/coming.html",
        [[CHECK_IN.button(context.gettext("Check in"), card.id)]],
        card=card,
    )


@router.on(TAKE)
async def take(press: Press, context: BotContext) -> None:
    result = await context.services.volunteer.signups.take(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(
        press.update,
        "volunteer/signed_up.html",
        _signed_up_buttons(context, result.card),
        edit=True,
        result=result,
        card=result.card,
    )


@router.on(PASS)
async def pass_offer(press: Press, context: BotContext) -> None:
    card = await context.services.volunteer.signups.pass_offer(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(press.update, "volunteer/passed.html", edit=True, card=card)


# ------------------------------------------------------------------ my shifts, calendar, hours


async def my_shifts_command(update: Update, context: BotContext) -> None:
    cards = await context.services.volunteer.browse.my_shifts(sender_id(update))
    rows = [
        [CANCEL.button(context.gettext("Cancel %(when)s", when=when(context, c.shift.starts_at)), c.id)]
        for c in cards[:10]
    ]
    if cards:
        rows.append([CALENDAR_ALL.button(context.gettext("📅 All in my calendar"))])
    await context.reply(update, "volunteer/my_shifts.html", rows, cards=cards)


@router.on(CALENDAR)
async def shift_calendar(press: Press, context: BotContext) -> None:
    await _send_calendar(press, context, press.int_arg(0))


@router.on(CALENDAR_ALL)
async def all_shifts_calendar(press: Press, context: BotContext) -> None:
    await _send_calendar(press, context, None)


async def _send_calendar(press: Press, context: BotContext, shift_id: int | None) -> None:
    data, name = await context.services.volunteer.browse.ics(press.user_id, shift_id)
    await press.answer()
    await context.send_file(press.update, data, name, caption="volunteer/calendar_caption.html")


async def my_hours_command(update: Update, context: BotContext) -> None:
    hours = await context.services.volunteer.checkin.hours(sender_id(update))
    rows = [[CERTIFICATE.button(context.gettext("📄 Send my certificate"))]] if hours.certifiable else None
    await context.reply(update, "volunteer/hours.html", rows, hours=hours)


@router.on(CERTIFICATE)
async def send_certificate(press: Press, context: BotContext) -> None:
    data, name = await context.services.volunteer.checkin.certificate(press.user_id)
    await press.answer()
    await context.send_file(press.update, data, name, caption="volunteer/certificate_caption.html")


@router.on(AVAILABILITY)
async def availability(press: Press, context: BotContext) -> None:
    """When I'm free: '-' shows the choice, a slot toggles it."""
    browse, slot = context.services.volunteer.browse, press.str_arg(0)
    chosen = await (
        browse.availability(press.user_id) if slot == "-" else browse.toggle_availability(press.user_id, slot)
    )
    rows = [
        [AVAILABILITY.button(("✅ " if s in chosen else "▫️ ") + context.gettext(label), s)]
        for s, label in SLOT_LABELS.items()
    ]
    rows.append([LIST.button(context.gettext("« All projects"))])
    await press.answer()
    await context.reply(
        press.update, "volunteer/availability.html", rows, edit=True, chosen=[SLOT_LABELS[s] for s in chosen]
    )


# ------------------------------------------------------------------ check-in


async def _checked_in(update: Update, context: BotContext, result: CheckIn) -> None:
    """Checked in; where the project has a place on the map, offer to share one's location."""
    markup = None
    if not result.already and result.card.project.latitude is not None:
        markup = ReplyKeyboardMarkup(
            [[KeyboardButton(context.gettext("📍 Share my location"), request_location=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    await context.reply(update, "volunteer/checked_in.html", markup=markup, result=result, card=result.card)


@router.on(CHECK_IN)
async def check_in(press: Press, context: BotContext) -> None:
    result = await context.services.volunteer.checkin.check_in(press.user_id, press.int_arg(0))
    await press.answer()
    await _checked_in(press.update, context, result)


async def check_in_link(update: Update, context: BotContext, code: str) -> None:
    """`/start in-<code>` from the QR poster at the place."""
    result = await context.services.volunteer.checkin.check_in_code(sender_id(update), code)
    await _checked_in(update, context, result)


async def location_shared(update: Update, context: BotContext) -> None:
    """A location shared after checking in: near the place or not; the location keyboard goes away."""
    location = message_of(update).location
    if location is None:
        raise NoSuchPart(f"update {update.update_id} has no location")
    check = await context.services.volunteer.checkin.location_shared(
        sender_id(update), location.latitude, location.longitude
    )
    if check is None:
        await context.reply(
            update, "volunteer/problem.html", markup=ReplyKeyboardRemove(), code="no_recent_checkin", d={}
        )
        return
    await context.reply(
        update,
        "volunteer/location.html",
        markup=ReplyKeyboardRemove(),
        card=check.card,
        ok=check.ok,
        distance=check.distance_m,
    )


# ------------------------------------------------------------------ company teams


async def join_team_link(update: Update, context: BotContext, code: str) -> None:
    """`/start vt-<code>` (the link a company liaison shares) or `/jointeam <code>`."""
    result = await context.services.volunteer.teams.join(sender_id(update), code)
    await context.reply(
        update,
        "volunteer/signed_up.html",
        _signed_up_buttons(context, result.card),
        result=result,
        card=result.card,
    )


async def join_team_command(update: Update, context: BotContext) -> None:
    await join_team_link(update, context, context.args[0] if context.args else "")

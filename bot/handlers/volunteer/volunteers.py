# i18n-domain: volunteer
"""Volunteers in the chat: /volunteer (filters, search and pages, whatever the number of projects),
signing up (one shift or a series), reminders' and offers' buttons, /myshifts (and calendar
files), /myhours with certificates and /verify, check-in (a code typed or scanned, a location,
or without proof for the organiser to confirm) and joining a company team."""

from __future__ import annotations

from telegram import ForceReply, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.context import BotContext, Buttons
from bot.domain import finder
from bot.domain.checkin import looks_like_code
from bot.handlers.routing import NoSuchPart, Press, message_of, sender_id
from bot.handlers.volunteer.router import remember_prompt, router, when
from bot.msgids import N_
from bot.services.base import InvalidInput
from bot.services.volunteer.cards import ShiftCard
from bot.services.volunteer.checkin import CheckIn
from bot.services.volunteer.finder import FinderPage
from bot.services.volunteer.notices import CANT_COME, CHECK_IN, COMING, PASS, SIGN_UP, TAKE
from bot.services.volunteer.signups import SignUpResult

LIST = router.action("list")  # the finder's first page (the main menu's Volunteer)
PROJECT = router.action("p")  # a project's dates (older messages: project id, page)
FIND = router.action("f")  # a result page: filter, page
TOGGLE = router.action("ft")  # a filter chip: filter, what
TOPICS = router.action("tp")  # the topic menu: filter
SEARCH = router.action("q")  # asks for words to search
SERIES = router.action("sr")  # every week at this time: shift, how many
SERIES_STOP = router.action("srx")  # cancel a series
CANCEL = router.action("c")
CALENDAR = router.action("ics")
CALENDAR_ALL = router.action("icsall")
CERTIFICATE = router.action("cert")
AVAILABILITY = router.action("av")
NO_PROOF = router.action("np")  # check in without proof (the organiser confirms)

SLOT_LABELS = finder.AVAILABILITY
SERIES_COUNTS = (4, 8)
LABEL = 40  # characters of a result button (phones show about this much on one line)


def _shift_label(context: BotContext, card: ShiftCard, title: bool) -> str:
    moment = when(context, card.shift.starts_at)
    if title:
        moment = f"{moment} · {finder.shorten(card.project.title_in(context.lang), LABEL - len(moment) - 3)}"
    if card.my_status == "confirmed":
        return context.gettext("✅ %(when)s · you're on it", when=moment)
    if card.my_status in ("waitlisted", "offered"):
        return context.gettext("⏳ %(when)s · on the waitlist", when=moment)
    if title:
        return moment
    if card.free > 0:
        return context.gettext(
            "%(when)s · %(free)s of %(capacity)s left",
            when=moment,
            free=card.free,
            capacity=card.shift.capacity,
        )
    return context.gettext("%(when)s · full, join the waitlist", when=moment)


# ------------------------------------------------------------------ finding a shift


def _chip(context: BotContext, chosen: bool, label: str, flt: finder.Filter, what: str) -> dict[str, str]:
    return TOGGLE.button(("✅ " if chosen else "") + context.gettext(label), flt.encode(), what)


def _finder_buttons(context: BotContext, view: FinderPage) -> Buttons:
    flt = view.filter
    rows: Buttons = []
    if not flt.project_id:
        rows += [
            [
                _chip(context, flt.near, N_("📍 Near my building"), flt, "near"),
                _chip(context, flt.week, N_("🗓 This week"), flt, "week"),
            ],
            [_chip(context, flt.slot == k, finder.SLOT_LABELS[k], flt, k) for k in ("e", "l")],
            [_chip(context, flt.slot == k, finder.SLOT_LABELS[k], flt, k) for k in ("v", "k")],
            [
                TOPICS.button(
                    context.gettext(finder.TOPICS[flt.topic]) if flt.topic else context.gettext("🏷 Topics"),
                    flt.encode(),
                ),
                SEARCH.button(context.gettext("🔎 Search")),
            ],
        ]
    rows += [
        [SIGN_UP.button(_shift_label(context, r.card, not flt.project_id), r.card.id)] for r in view.results
    ]
    nav = []
    if view.page > 0:
        nav.append(FIND.button(context.gettext("‹ Back"), flt.encode(), view.page - 1))
    if view.more:
        nav.append(FIND.button(context.gettext("More ›"), flt.encode(), view.page + 1))
    if nav:
        rows.append(nav)
    if flt.project_id:
        rows.append([LIST.button(context.gettext("« All projects"))])
    else:
        rows.append([
            AVAILABILITY.button(context.gettext("When I'm free"), "-"),
            TOGGLE.button(context.gettext("Clear filters"), flt.encode(), "clear"),
        ])  # fmt: skip
    return rows


async def _show(update: Update, context: BotContext, flt: finder.Filter, page: int = 0) -> None:
    view = await context.services.volunteer.finder.page(sender_id(update), flt, page)
    chosen = []
    if flt.near and view.building is not None:
        chosen.append(context.gettext("near %(building)s", building=view.building.name(context.lang)))
    chosen.append(context.gettext("this week") if flt.week else context.gettext("the next 4 weeks"))
    if flt.slot:
        chosen.append(context.gettext(finder.SLOT_LABELS[flt.slot]))
    if flt.topic:
        chosen.append(context.gettext(finder.TOPICS[flt.topic]))
    if view.query:
        chosen.append(f"“{view.query}”")
    await context.reply(
        update,
        "volunteer/finder.html",
        _finder_buttons(context, view),
        edit=update.callback_query is not None,
        view=view,
        chosen=chosen,
        per_page=finder.PAGE,
    )


def _filter(press: Press) -> finder.Filter:
    try:
        return finder.Filter.decode(press.str_arg(0))
    except ValueError:
        raise InvalidInput("stale") from None


async def volunteer_command(update: Update, context: BotContext) -> None:
    """/volunteer: this week's shifts (near my building when I gave one); `/volunteer words` searches."""
    if context.args:
        flt = await context.services.volunteer.finder.search(sender_id(update), " ".join(context.args))
        await _show(update, context, flt)
        return
    near = context.profile is not None and context.profile.building_id is not None
    await _show(update, context, finder.Filter(near=near))


@router.on(LIST)
async def first_page(press: Press, context: BotContext) -> None:
    await press.answer()
    await volunteer_command(press.update, context)


@router.on(FIND)
async def find(press: Press, context: BotContext) -> None:
    await _show(press.update, context, _filter(press), press.int_arg(1))


@router.on(TOGGLE)
async def toggle(press: Press, context: BotContext) -> None:
    try:
        flt = _filter(press).toggled(press.str_arg(1))
    except ValueError:
        raise InvalidInput("stale") from None
    await _show(press.update, context, flt)


@router.on(PROJECT)
async def project_dates(press: Press, context: BotContext) -> None:
    await _show(
        press.update, context, finder.Filter(week=False, project_id=press.int_arg(0)), press.int_arg(1)
    )


@router.on(TOPICS)
async def topics(press: Press, context: BotContext) -> None:
    flt = _filter(press)
    counts = await context.services.volunteer.finder.topics()
    rows = [
        [
            FIND.button(
                f"{context.gettext(label)} ({counts.get(key, 0)})",
                flt.toggled(key).encode() if flt.topic != key else flt.encode(),
                0,
            )
        ]
        for key, label in finder.TOPICS.items()
        if counts.get(key)
    ]
    rows.append([FIND.button(context.gettext("« Back"), flt.encode(), 0)])
    await press.answer()
    await context.reply(press.update, "volunteer/topics.html", rows, edit=True)


@router.on(SEARCH)
async def search_pressed(press: Press, context: BotContext) -> None:
    await press.answer()
    prompt = await context.reply(
        press.update,
        "volunteer/search_prompt.html",
        markup=ForceReply(
            selective=True, input_field_placeholder=context.gettext("hospital, 老人, jogging…")
        ),
    )
    remember_prompt(context, prompt, "search", 0)


async def search_typed(update: Update, context: BotContext, text: str) -> None:
    flt = await context.services.volunteer.finder.search(sender_id(update), text)
    await _show(update, context, flt)


# ------------------------------------------------------------------ signing up


def _signed_up_buttons(context: BotContext, card: ShiftCard) -> Buttons:
    rows = [
        [CALENDAR.button(context.gettext("📅 Add to calendar"), card.id)],
        [CANCEL.button(context.gettext("Cancel my place"), card.id)],
    ]
    if card.shift.schedule_id is not None and card.my_status == "confirmed":
        rows.insert(1, [
            SERIES.button(context.gettext("🔁 Every %(weekday)s %(time)s: next %(n)s", weekday=when(context, card.shift.starts_at, "EEEE"), time=when(context, card.shift.starts_at, "HH:mm"), n=n), card.id, n)
            for n in SERIES_COUNTS
        ])  # fmt: skip
    rows.append([PROJECT.button(context.gettext("More dates of this project"), card.project.id, 0)])
    return rows


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
            title=finder.shorten(project.place_in(context.lang) or project.title_in(context.lang), 100),
            address=finder.shorten(project.address_in(context.lang) or project.place_in(context.lang), 100),
        )


@router.on(SERIES)
async def series(press: Press, context: BotContext) -> None:
    outcome = await context.services.volunteer.series.sign_up(
        press.user_id, press.int_arg(0), press.int_arg(1)
    )
    await press.answer()
    rows = [[SERIES_STOP.button(context.gettext("Cancel the whole series"), outcome.series_id)]]
    await context.reply(press.update, "volunteer/series.html", rows, outcome=outcome)


@router.on(SERIES_STOP)
async def series_stop(press: Press, context: BotContext) -> None:
    cards = await context.services.volunteer.series.cancel(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(press.update, "volunteer/series_cancelled.html", edit=True, cards=cards)


@router.on(CANCEL, CANT_COME)
async def cancel(press: Press, context: BotContext) -> None:
    """'Cancel my place', or 'I can't come' from a reminder (never late: the bot asked)."""
    from_reminder = press.action == CANT_COME.name
    card, late = await context.services.volunteer.signups.cancel(
        press.user_id, press.int_arg(0), from_reminder=from_reminder
    )
    await press.answer()
    await context.reply(
        press.update,
        "volunteer/cancelled.html",
        edit=True,
        card=card,
        late=late,
        from_reminder=from_reminder,
        cutoff=context.services.settings.vol_cutoff,
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
    await context.reply(
        update,
        "volunteer/my_shifts.html",
        rows,
        cards=cards[:20],
        cutoff=context.services.settings.vol_cutoff,
    )


@router.on(CALENDAR)
async def shift_calendar(press: Press, context: BotContext) -> None:
    await _send_calendar(press, context, press.int_arg(0))


@router.on(CALENDAR_ALL)
async def all_shifts_calendar(press: Press, context: BotContext) -> None:
    await _send_calendar(press, context, None)


async def _send_calendar(press: Press, context: BotContext, shift_id: int | None) -> None:
    await press.answer()  # before building the file: a press must be answered within seconds
    data, name = await context.services.volunteer.browse.ics(press.user_id, shift_id)
    await context.send_file(press.update, data, name, caption="volunteer/calendar_caption.html")


async def my_hours_command(update: Update, context: BotContext) -> None:
    hours = await context.services.volunteer.hours.hours(sender_id(update))
    rows = [[CERTIFICATE.button(context.gettext("📄 Send my certificate"))]] if hours.certifiable else None
    await context.reply(update, "volunteer/hours.html", rows, hours=hours)


@router.on(CERTIFICATE)
async def send_certificate(press: Press, context: BotContext) -> None:
    await press.answer()  # before drawing the PDF and the PNG: a press must be answered within seconds
    issued = await context.services.volunteer.hours.certificate(press.user_id, context.bot.username)
    caption = "volunteer/certificate_caption.html"
    await context.send_file(
        press.update,
        issued.png,
        "certificate.png",
        caption=caption,
        photo=True,
        serial=issued.serial,
        link=issued.link,
    )
    await context.send_file(
        press.update, issued.pdf, f"volunteer-certificate-{issued.serial}.pdf", caption=caption,
        serial=issued.serial, link=issued.link,
    )  # fmt: skip


async def verify_command(update: Update, context: BotContext) -> None:
    """/verify <serial>: anyone checks a certificate."""
    await verify_link(update, context, context.args[0] if context.args else "")


async def verify_link(update: Update, context: BotContext, serial: str) -> None:
    """`/start cert-<serial>`, the link printed on every certificate."""
    cert = await context.services.volunteer.hours.verify(serial)
    await context.reply(update, "volunteer/verify.html", cert=cert)


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


def _location_keyboard(context: BotContext) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(context.gettext("📍 Share my location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def _checked_in(update: Update, context: BotContext, result: CheckIn) -> None:
    markup = None if result.proof.verified or result.already else _location_keyboard(context)
    await context.reply(
        update,
        "volunteer/checked_in.html",
        markup=markup or ReplyKeyboardRemove(),
        result=result,
        card=result.card,
    )


@router.on(CHECK_IN)
async def check_in(press: Press, context: BotContext) -> None:
    """The reminder's Check in: asks for a code or a location (a press alone proves nothing)."""
    card = await context.services.volunteer.checkin.window(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(
        press.update, "volunteer/checkin_ask.html", markup=_location_keyboard(context), card=card
    )
    await context.reply(
        press.update,
        "volunteer/checkin_no_proof.html",
        [[NO_PROOF.button(context.gettext("Check in without proof"), card.id)]],
    )


@router.on(NO_PROOF)
async def no_proof(press: Press, context: BotContext) -> None:
    result = await context.services.volunteer.checkin.without_proof(press.user_id, press.int_arg(0))
    await press.answer()
    await _checked_in(press.update, context, result)


async def check_in_link(update: Update, context: BotContext, payload: str) -> None:
    """`/start in-<shift>-<code>`: the QR code of the organiser's screen or of the shift's poster."""
    shift, _, code = payload.partition("-")
    if not shift.isdigit() or not looks_like_code(code):
        raise InvalidInput("bad_code")
    result = await context.services.volunteer.checkin.with_code(sender_id(update), code, int(shift))
    await _checked_in(update, context, result)


async def code_typed(update: Update, context: BotContext, text: str) -> None:
    result = await context.services.volunteer.checkin.with_code(sender_id(update), text)
    await _checked_in(update, context, result)


async def location_shared(update: Update, context: BotContext) -> None:
    """A location shared to check in: within the radius, or unverified with the distance."""
    message = message_of(update)
    if message.location is None:
        raise NoSuchPart(f"update {update.update_id} has no location")
    if message.forward_origin is not None:
        raise InvalidInput("forwarded_location")
    result = await context.services.volunteer.checkin.with_location(
        sender_id(update), message.location.latitude, message.location.longitude
    )
    await _checked_in(update, context, result)


async def signed_up(update: Update, context: BotContext, result: SignUpResult) -> None:
    """The answer to a sign-up made by a link (a team's), not a button: a new message."""
    await context.reply(
        update,
        "volunteer/signed_up.html",
        _signed_up_buttons(context, result.card),
        result=result,
        card=result.card,
    )

# i18n-domain: volunteer
"""Volunteer shifts as iCalendar (.ics) files, so they land in the phone's calendar.

Why the `icalendar` library: RFC 5545 escaping, line folding and VALARM are easy to get subtly
wrong by hand, and phones reject a calendar file silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from icalendar import Alarm, Calendar, Event, vGeo

from bot.msgids import N_

if TYPE_CHECKING:
    from bot.render import Renderer
    from bot.services.volunteer.cards import ShiftCard

PRODID = "-//Jing'an Temple service station//volunteer shifts//EN"
ALARM_BEFORE = timedelta(minutes=60)


def shifts_ics(cards: Iterable[ShiftCard], lang: str, renderer: Renderer, now: datetime) -> bytes:
    """One VEVENT per shift (UTC times; the phone shows them in its own zone), each with an alarm."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", renderer.gettext(lang, N_("Volunteer shifts")))
    for card in cards:
        project = card.project
        event = Event()
        event.add("uid", f"shift-{card.shift.id}@jingan-bot")
        event.add("dtstamp", now)
        event.add("dtstart", card.shift.starts_at)
        event.add("dtend", card.shift.ends_at)
        event.add("summary", project.title_in(lang))
        event.add("location", f"{project.place_in(lang)}, {project.address}".strip(", "))
        description = project.description_in(lang)
        if project.requirements_in(lang):
            description += "\n\n" + project.requirements_in(lang)
        event.add("description", description)
        if project.latitude is not None and project.longitude is not None:
            event.add("geo", vGeo((project.latitude, project.longitude)))
        if card.my_status == "waitlisted":
            event.add("status", "TENTATIVE")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", project.title_in(lang))
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()

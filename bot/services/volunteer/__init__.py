"""Volunteering: browse projects and shifts, sign up (waitlist and held offers), reminders,
check-in and hours, the organisers' desk, company teams, the projects file, and the tick.

Callers write `services.volunteer.<part>.<method>`, e.g. `services.volunteer.signups.sign_up(...)`.
Parts talk to each other the same way at run time. Every message sent on the bot's own initiative
(reminders, offers, notices) goes through `notices`, in the transaction of the change that causes
it; cancelling a sign-up withdraws its queued messages with one `outbox.cancel_prefix`.

Used by other features: `attendance.figures(since, until)` (stats), `imports.import_projects(text)`
(`python -m bot import projects FILE.yaml`), `attendance.attendance_csv(actor_id, month)` (export).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.services.privacy import register_section
from bot.services.volunteer.attendance import Attendance
from bot.services.volunteer.browse import Browse
from bot.services.volunteer.changes import Changes
from bot.services.volunteer.checkin import CheckIns
from bot.services.volunteer.finder import Finder
from bot.services.volunteer.hours import Recognition
from bot.services.volunteer.imports import Imports
from bot.services.volunteer.mydata import volunteering_section
from bot.services.volunteer.notices import Notices
from bot.services.volunteer.organisers import Organisers
from bot.services.volunteer.reminders import Reminders
from bot.services.volunteer.series import Series
from bot.services.volunteer.signups import Signups
from bot.services.volunteer.teams import Teams
from bot.services.volunteer.ticks import Ticks

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Volunteer:
    notices: Notices  # the feature's outbox messages (offers, asks, notices) and their buttons
    reminders: Reminders  # reminder rows, rendered by the tick when due
    browse: Browse  # projects, a project's shifts, my shifts (and as .ics), when I'm free
    finder: Finder  # finding a shift among thousands: filters, search, pages
    changes: Changes  # a shift's new time or place, places cut below the confirmed count
    signups: Signups  # sign up, cancel, "I'm coming", the waitlist and held offers
    checkin: CheckIns  # check-in with proof: a code of the shift or a location, else unverified
    hours: Recognition  # /myhours, certificates (PDF, PNG, serial) and /verify
    series: Series  # every week at this time: the next N shifts in one step
    organisers: Organisers  # rosters, attendance marks, messages, cancelling a shift, posters
    attendance: Attendance  # the month's CSV, figures for the stats feature
    teams: Teams  # company teams holding places
    imports: Imports  # the projects file
    ticks: Ticks  # generation, offer expiry, team release, asking free people to fill a shift


def build(services: Services) -> Volunteer:
    register_section("volunteering", volunteering_section)
    return Volunteer(
        notices=Notices(services),
        reminders=Reminders(services),
        browse=Browse(services),
        finder=Finder(services),
        changes=Changes(services),
        signups=Signups(services),
        checkin=CheckIns(services),
        hours=Recognition(services),
        series=Series(services),
        organisers=Organisers(services),
        attendance=Attendance(services),
        teams=Teams(services),
        imports=Imports(services),
        ticks=Ticks(services),
    )

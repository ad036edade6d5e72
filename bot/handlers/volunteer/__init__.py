# i18n-domain: volunteer
"""Volunteering in the chat, for volunteers (volunteers.py) and organisers (organisers.py).

Thin: each handler parses the update, calls one use case of services.volunteer, renders one
template. Buttons go through one table (router.py); permissions are checked by the service at
the moment of the press (callback data is only a request); a refusal or bad input gets a clear
answer in the person's language.
"""

from __future__ import annotations

from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.handlers import registry
from bot.handlers.volunteer import organisers, volunteers
from bot.handlers.volunteer.router import router
from bot.msgids import N_
from bot.services.access import may_export_attendance, may_open_organiser_desk

COMMANDS = {
    "volunteer": volunteers.volunteer_command,
    "myshifts": volunteers.my_shifts_command,
    "myhours": volunteers.my_hours_command,
    "roster": organisers.roster_command,
    "shiftmsg": organisers.shift_message_command,
    "poster": organisers.poster_command,
    "attendance": organisers.attendance_command,
    "claim": organisers.claim_command,
    "jointeam": volunteers.join_team_command,
}


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    for name, handler in COMMANDS.items():
        app.add_handler(CommandHandler(name, router.message(handler), private))
    app.add_handler(router.handler())
    app.add_handler(MessageHandler(private & filters.LOCATION, router.message(volunteers.location_shared)))
    registry.start_payload("in-", router.message(volunteers.check_in_link))
    registry.start_payload("vt-", router.message(volunteers.join_team_link))
    registry.command("volunteer", N_("Volunteer: projects and shifts"), order=30, private=True)
    registry.command("myshifts", N_("My volunteer shifts"), order=31, private=True)
    registry.command("myhours", N_("My volunteer hours and certificate"), order=32, private=True)
    desk, export = may_open_organiser_desk, may_export_attendance
    registry.command(
        "roster", N_("Organisers: shift rosters and attendance"), when=desk, order=70, private=True
    )
    registry.command("poster", N_("Organisers: check-in QR posters"), when=desk, order=71, private=True)
    registry.command(
        "attendance", N_("Organisers: a month's attendance as CSV"), when=export, order=72, private=True
    )
    registry.menu_item(N_("Volunteer"), volunteers.LIST.data(), order=30)

# i18n-domain: volunteer
"""Volunteering in the chat, for volunteers (volunteers.py) and organisers (organisers.py).

Thin: each handler parses the update, calls one use case of services.volunteer, renders one
template. Buttons go through one table (router.py); permissions are checked by the service at
the moment of the press (callback data is only a request); a refusal or bad input gets a clear
answer in the person's language.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.domain.checkin import looks_like_code
from bot.handlers import groups, registry
from bot.handlers.routing import chat_of, message_of
from bot.handlers.volunteer import organisers, teams, volunteers
from bot.handlers.volunteer.router import PROMPT, prompt_answered, router
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
    "claim": teams.claim_command,
    "myteams": teams.my_teams_command,
    "jointeam": teams.join_command,
    "verify": volunteers.verify_command,
}


async def typed(update: Update, context: BotContext) -> None:
    """Runs before other handlers on private text: the answer to one of our prompts (a search, a
    shift's new place or time), or a check-in code typed during one's shift. Anything else goes on
    to the other handlers untouched."""
    message = message_of(update)
    text = message.text or ""
    prompt = prompt_answered(context, message)
    if prompt is not None:
        if context.user_data is not None:
            context.user_data.pop(PROMPT, None)
        if prompt.kind == "search":
            await router.message(volunteers.search_typed)(update, context, text)
        else:
            await router.message(organisers.move_typed)(update, context, prompt.kind, prompt.arg, text)
        raise ApplicationHandlerStop
    if looks_like_code(text) and await context.services.volunteer.checkin.happening(chat_of(update).id):
        await router.message(volunteers.code_typed)(update, context, text)
        raise ApplicationHandlerStop


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    for name, handler in COMMANDS.items():
        app.add_handler(CommandHandler(name, router.message(handler), private))
    # Its own group: a group runs only its first matching handler, and the staff desk's replies
    # (group -2) match any reply, which an answer to our prompts also is.
    app.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, typed), group=groups.VOLUNTEER_PROMPTS
    )
    app.add_handler(router.handler())
    app.add_handler(MessageHandler(private & filters.LOCATION, router.message(volunteers.location_shared)))
    registry.start_payload("in-", router.message(volunteers.check_in_link))
    registry.start_payload("cert-", router.message(volunteers.verify_link))
    registry.start_payload("vt-", router.message(teams.join_link))
    registry.command("volunteer", N_("Volunteer: projects and shifts"), order=30, private=True)
    registry.command("myshifts", N_("My volunteer shifts"), order=31, private=True)
    registry.command("myhours", N_("My volunteer hours and certificate"), order=32, private=True)
    registry.command("verify", N_("Check a volunteer certificate's serial number"), order=33)
    registry.command(
        "claim", N_("Company liaisons: hold volunteer places for your team"), order=34, private=True
    )
    registry.command("myteams", N_("Company liaisons: your teams and who joined"), order=35, private=True)
    desk, export = may_open_organiser_desk, may_export_attendance
    registry.command(
        "roster", N_("Organisers: shift rosters and attendance"), when=desk, order=70, private=True
    )
    registry.command("poster", N_("Organisers: check-in QR posters"), when=desk, order=71, private=True)
    registry.command(
        "attendance", N_("Organisers: a month's attendance as CSV"), when=export, order=72, private=True
    )
    registry.menu_item(N_("Volunteer"), volunteers.LIST.data(), order=30)

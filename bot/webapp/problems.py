# i18n-domain: webapp
"""What a person reads when the Mini App cannot do what they asked, and the HTTP status it goes with.

The features' own refusals (a colour without a reason, a request already claimed) keep the words
the chat uses for them: their PROBLEMS maps are merged here, so a problem reads the same in the
chat and in the Mini App.
"""

from __future__ import annotations

from bot.handlers.enterprises import PROBLEMS as ENTERPRISE_PROBLEMS
from bot.handlers.requests import PROBLEMS as REQUEST_PROBLEMS
from bot.msgids import N_

# Why initData was refused (401): what to do about it.
UNAUTHORIZED = {
    "missing": N_("Open the station app from the bot in Telegram: its menu button, or a button in the chat."),
    "malformed": N_(
        "Telegram's signature on this window does not match. Close it and open it again from the bot."
    ),
    "forged": N_(
        "Telegram's signature on this window does not match. Close it and open it again from the bot."
    ),
    "expired": N_("This window has been open too long. Close it and open it again from the bot."),
    "replayed": N_(
        "This change had already been sent once: it was not applied again. Reload to see where things stand."
    ),
}

APP_PROBLEMS = {
    "app_bad_filter": N_("This filter is not valid. Go back and choose it again."),
    "app_query_long": N_("That search is too long: use a few words of the name."),
    "app_unknown_building": N_("There is no such building."),
    "app_bad_form": N_("Something in the form is missing or not valid. Please check it and send it again."),
    "app_unknown_screen": N_("There is no such screen."),
}

PROBLEMS: dict[str, str] = {**REQUEST_PROBLEMS, **ENTERPRISE_PROBLEMS, **APP_PROBLEMS}
NOT_FOUND = {"ent_unknown", "app_unknown_building", "app_unknown_screen"}
SERVER_ERROR = N_("Sorry, something went wrong on our side. Please try again in a moment.")
UNAVAILABLE = N_("The station's records cannot be reached right now. Please try again in a few minutes.")
FALLBACK = N_("This cannot be done as asked. Please reload and try again.")

"""Telegram-facing code only: each module parses updates, calls a service, renders a template.

`register_all` wires every feature's handlers; features that need to come before others (the
conversations) are listed first, and the catch-all fallbacks always last.
"""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import (
    admin,
    chats,
    common,
    data,
    enterprises,
    errors,
    events,
    guide,
    onboarding,
    privacy,
    replies,
    requests,
    staff_cards,
    staff_desk,
    stats,
    volunteer,
    webapp,
)

# Order matters: conversations first; the guide last of all, because free text typed outside any
# conversation searches it (only the generic fallbacks come after).
FEATURES = [
    onboarding,
    admin,
    privacy,
    events,
    requests,
    replies,
    staff_cards,
    staff_desk,
    stats,
    volunteer,
    enterprises,
    webapp,
    data,
    guide,
]


def register_all(app: Application) -> None:
    common.register(app)
    chats.register(app)
    for feature in FEATURES:
        feature.register(app)
    common.register_fallbacks(app)
    app.add_error_handler(errors.on_error)

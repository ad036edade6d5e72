"""Telegram's service messages about a group that changed id (upgraded to a supergroup).

Telegram sends two: `migrate_to_chat_id` in the old group and `migrate_from_chat_id` in the new
supergroup. Either moves the group's staff binding, queued messages and cards to the new id
(`services.chats.upgraded`, idempotent). Nobody asked anything, so nothing is answered here; a
staff group is told through the outbox that it keeps its cards.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot.context import BotContext
from bot.handlers import groups
from bot.handlers.routing import message_of


async def chat_upgraded(update: Update, context: BotContext) -> None:
    message = message_of(update)
    if message.migrate_to_chat_id is not None:
        await context.services.chats.upgraded(message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id is not None:
        await context.services.chats.upgraded(message.migrate_from_chat_id, message.chat.id)


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chat_upgraded), group=groups.CHAT_MOVES)

"""Permission guards for handlers: refuse early, in the person's language.

The rules live in bot/services/access.py (the one place roles are checked); these wrappers are
the Telegram-facing courtesy on top: a worker pressing a staff button gets a pop-up, a command a
message, and a `NotAllowed` raised by a service inside the handler gets the same refusal.

A guarded button handler (`async def f(press: Press, context)`, routed by a `Router`) leaves the
refusal to its router; a guarded command handler (`async def f(update, context)`) answers it here.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update

from bot.context import BotContext
from bot.handlers.routing import Press
from bot.services.access import NOT_ADMIN, NOT_ORGANISER, NOT_STAFF, Access, NotAllowed, ensure

H = TypeVar("H", bound=Callable[..., Awaitable[Any]])


async def refuse(update: Update, context: BotContext, message: str) -> None:
    """Say no in the person's language: a pop-up for a button press, a message otherwise."""
    if update.callback_query is not None:
        await context.alert(update, message)
    elif update.effective_chat is not None:
        await context.say(update, context.gettext(message))


def allowed_if(check: Callable[[Access], bool], message: str = NOT_STAFF) -> Callable[[H], H]:
    """Wrap a handler: run it only if `check(access)` holds for the person, else refuse.

    A `NotAllowed` raised inside a command handler (by its service) is answered the same way, so a
    permission lost between the guard and the service's own check is still a clear refusal; inside
    a button handler it goes on to the router, which answers the press with it.
    """

    def decorate(handler: H) -> H:
        @functools.wraps(handler)
        async def guarded(subject: Update | Press, context: BotContext, *args: Any, **kwargs: Any) -> Any:
            if isinstance(subject, Press):
                ensure(check(await context.services.access.of(subject.user_id)), message)
                return await handler(subject, context, *args, **kwargs)
            user = subject.effective_user
            access = await context.services.access.of(user.id) if user is not None else None
            if access is None or not check(access):
                await refuse(subject, context, message)
                return None
            try:
                return await handler(subject, context, *args, **kwargs)
            except NotAllowed as refused:
                await refuse(subject, context, refused.message)
                return None

        return guarded  # type: ignore[return-value]  # same signature as `handler` (functools.wraps)

    return decorate


staff_only = allowed_if(lambda a: a.is_staff, NOT_STAFF)
admin_only = allowed_if(lambda a: a.is_admin, NOT_ADMIN)
organiser_only = allowed_if(lambda a: a.is_organiser, NOT_ORGANISER)

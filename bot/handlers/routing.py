# i18n-domain: common
"""One way to route and answer a button, and one way to turn a refusal or bad input into words.

A feature declares a `Router` with the texts of its `InvalidInput` codes, names its buttons with
`router.action("claim")` (or an `Action` defined by the service that builds outbox buttons), and
registers a handler per action:

    router = Router("rq", PROBLEMS)
    CLAIM = router.action("claim")

    @router.on(CLAIM)
    async def claim(press: Press, context: BotContext) -> None:
        outcome = await context.services.requests.claim(press.user_id, press.int_arg(0))
        await press.answer(context.gettext("✋ You are handling %(reference)s.", reference=...))

    def register(app):
        app.add_handler(router.handler())          # every action registered with @router.on

Inside a ConversationHandler, `router.press(ACTION, fn)` is the CallbackQueryHandler of one action
and `router.message(fn)` wraps a MessageHandler/CommandHandler callback. Every press is answered
exactly once (Telegram shows a spinner until it is): by the handler (`press.answer(text)`) or else
by the router when the handler returns. `BadCallback`, `NotAllowed` and `InvalidInput` raised by
the handler (usually by the service it calls) become the person's message: a pop-up for a press,
a message for typed text; nothing was changed. (A feature whose problems are a template rather
than plain msgids overrides `Router.show_problem`.) Returning None keeps a conversation where it was.

python-telegram-bot's arbitrarycallbackdatabot.py and aiogram's CallbackAnswerMiddleware show the
idea: a button is data plus one answer, never a hand-written regular expression.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar

from telegram import CallbackQuery, Chat, MaybeInaccessibleMessage, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.callbacks import Action, BadCallback, Callback, pattern, unpack
from bot.context import BotContext
from bot.msgids import N_
from bot.services.access import NotAllowed
from bot.services.base import InvalidInput

log = logging.getLogger(__name__)

STALE = N_("This button is no longer valid.")

T = TypeVar("T")
P = ParamSpec("P")
PressHandler = Callable[["Press", BotContext], Awaitable[Any]]
# A command or message handler, a coroutine function as python-telegram-bot requires.
UpdateHandler = Callable[[Update, BotContext], Coroutine[Any, Any, T]]


class NoSuchPart(LookupError):
    """An update without the part a handler was registered for (a filter/handler mismatch)."""


def sender_id(update: Update) -> int:
    """Who sent the update (every update our handlers are registered for has a sender)."""
    if update.effective_user is None:
        raise NoSuchPart(f"update {update.update_id} has no sender")
    return update.effective_user.id


def chat_of(update: Update) -> Chat:
    if update.effective_chat is None:
        raise NoSuchPart(f"update {update.update_id} has no chat")
    return update.effective_chat


def message_of(update: Update) -> Message:
    """The message of a message update (a command, typed text, a photo, a location...)."""
    if update.effective_message is None:
        raise NoSuchPart(f"update {update.update_id} has no message")
    return update.effective_message


def text_of(update: Update) -> str:
    """The typed text of a message update ('' for a message without text)."""
    return message_of(update).text or ""


async def answer_press(update: Update, context: BotContext, text: str | None, *, alert: bool) -> None:
    """answerCallbackQuery; when Telegram says the press is too old, the text goes to the chat."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text[:200] if text else None, show_alert=alert)
    except BadRequest as error:
        if "query is too old" not in error.message.lower():
            raise
        log.info("update %s: the press expired before it was answered", update.update_id)
        if text:
            await context.say(update, text)


class Press:
    """One button press: who pressed what, where; answered at most once."""

    def __init__(self, update: Update, query: CallbackQuery, callback: Callback, context: BotContext) -> None:
        self.update = update
        self.query = query
        self.callback = callback
        self.context = context
        self.user_id = query.from_user.id
        self.answered = False

    @property
    def action(self) -> str:
        return self.callback.action

    @property
    def args(self) -> tuple[str, ...]:
        return self.callback.args

    def int_arg(self, index: int = 0) -> int:
        return self.callback.int_arg(index)

    def str_arg(self, index: int = 0) -> str:
        return self.callback.str_arg(index)

    @property
    def message(self) -> MaybeInaccessibleMessage | None:
        """The message that carried the button (None for an inline-mode button)."""
        return self.query.message

    @property
    def chat_id(self) -> int | None:
        return self.query.message.chat.id if self.query.message is not None else None

    @property
    def message_id(self) -> int | None:
        return self.query.message.message_id if self.query.message is not None else None

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Stop the spinner, optionally with a short toast (or a pop-up with `alert`); only once.

        Handlers with slow work (a file to build) answer first. A press Telegram no longer lets
        us answer (older than ~15 s: it waited behind the person's earlier updates, or the bot was
        away) gets its text as a message in the chat instead, so the person never meets silence.
        """
        if self.answered:
            return
        self.answered = True
        await answer_press(self.update, self.context, text, alert=alert)

    async def refuse(self, text: str) -> None:
        """Say no: a pop-up if the press is not answered yet, else a message in the chat."""
        if not self.answered:
            await self.answer(text, alert=True)
        else:
            await self.context.say(self.update, text)


class Router:
    """A feature's buttons: a table from action name to handler, and the feature's problem texts."""

    def __init__(self, feature: str, problems: Mapping[str, str] | None = None) -> None:
        self.feature = feature
        self.problems: Mapping[str, str] = problems or {}
        self._table: dict[str, PressHandler] = {}

    def action(self, name: str) -> Action:
        return Action(self.feature, name)

    def on(self, *actions: Action | str) -> Callable[[PressHandler], PressHandler]:
        """Route these actions (outside any conversation) to the decorated handler."""

        def register(handler: PressHandler) -> PressHandler:
            for action in actions:
                name = self._name(action)
                if name in self._table:
                    raise ValueError(f"{self.feature}|{name} is routed twice")
                self._table[name] = handler
            return handler

        return register

    def handler(self) -> CallbackQueryHandler[BotContext, Any]:
        """The one CallbackQueryHandler for every action registered with `on`."""
        if not self._table:
            raise ValueError(f"no actions routed for {self.feature}")
        return CallbackQueryHandler(self._dispatch, pattern=pattern(self.feature, self._table))

    def press(self, action: Action | str, handler: PressHandler) -> CallbackQueryHandler[BotContext, Any]:
        """The CallbackQueryHandler of one action, for a ConversationHandler's entry points or states."""
        name = self._name(action)

        async def callback(update: Update, context: BotContext) -> Any:
            return await self.run(handler, update, context)

        return CallbackQueryHandler(callback, pattern=pattern(self.feature, (name,)))

    def message(
        self, handler: Callable[Concatenate[Update, BotContext, P], Awaitable[T]]
    ) -> Callable[Concatenate[Update, BotContext, P], Coroutine[Any, Any, T | None]]:
        """Wrap a command or typed-text handler (or a /start payload's, which also takes the code):
        refusals and bad input become a reply."""

        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext, *args: P.args, **kwargs: P.kwargs) -> T | None:
            try:
                return await handler(update, context, *args, **kwargs)
            except NotAllowed as refused:
                await context.say(update, context.gettext(refused.message))
            except InvalidInput as problem:
                await self.show_problem(update, context, problem, None)
            return None

        return guarded

    def problem_text(self, context: BotContext, problem: InvalidInput) -> str:
        """What the person reads for an `InvalidInput` of this feature's services (plain text)."""
        return context.gettext(self.problems.get(problem.code, STALE), **problem.details)

    async def show_problem(
        self, update: Update, context: BotContext, problem: InvalidInput, press: Press | None
    ) -> None:
        """Bad input, in the person's words: the feature's PROBLEMS text, a pop-up for a press and a
        message for typed text. A feature whose problems need a template (values to format, a
        message that stays in the chat) overrides this."""
        text = self.problem_text(context, problem)
        if press is not None:
            await press.refuse(text)
        else:
            await context.say(update, text)

    async def run(self, handler: PressHandler, update: Update, context: BotContext) -> Any:
        query = update.callback_query
        if query is None:
            return None
        try:
            press = Press(update, query, unpack(query.data), context)
        except BadCallback:
            await answer_press(update, context, context.gettext(STALE), alert=True)
            return None
        try:
            result = await handler(press, context)
        except BadCallback:
            await press.refuse(context.gettext(STALE))
        except NotAllowed as refused:
            await press.refuse(context.gettext(refused.message))
        except InvalidInput as problem:
            await self.show_problem(press.update, context, problem, press)
        else:
            await press.answer()
            return result
        return None

    async def _dispatch(self, update: Update, context: BotContext) -> Any:
        query = update.callback_query
        try:
            handler = self._table[unpack(query.data if query else None).action]
        except (BadCallback, KeyError):
            handler = _stale
        return await self.run(handler, update, context)

    def _name(self, action: Action | str) -> str:
        if isinstance(action, Action):
            if action.feature != self.feature:
                raise ValueError(f"{action.feature}|{action.name} routed by the {self.feature} router")
            return action.name
        return action


async def _stale(press: Press, context: BotContext) -> None:
    raise BadCallback(press.callback.action)

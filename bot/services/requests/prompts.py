"""Typed answers are never guessed: a button that needs words sends a reply prompt, and only a
reply to that prompt, by the person who pressed, in that chat, before it expires, is taken.

A prompt is a row keyed by (chat, person, prompt message id) with an expiry (BOT_PROMPT_TIMEOUT),
so a restart keeps it and two prompts of one person in two chats never mix. Any other reply in a
chat is either about a request (a reply to its card or to a message relayed from it: the
conversation) or not ours (ignored). `take` is the one use case behind every reply the bot gets.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.services.base import InvalidInput
from bot.services.requests.base import RequestUseCases
from bot.services.requests.conversation import Media
from bot.services.requests.views import Outcome
from bot.storage import request_desk as desk_repo
from bot.storage import requests as repo
from bot.storage.request_desk import PromptRow

# Problems with the words themselves: the prompt stays open and the person replies again.
RETRY = frozenset(
    {
        "note_length",
        "message_length",
        "too_short",
        "too_long",
        "expected_format",
        "expected_too_far",
        "party_length",
        "reference",
        "unknown_reference",
        "same_request",
        "referral_length",
    }
)
CANCEL_WORDS = frozenset({"/cancel", "取消", "cancel", "annuler"})

Act = Callable[[int, PromptRow, str | None, Media | None], Awaitable[Outcome]]


@dataclass(frozen=True)
class Taken:
    """What a reply did: `kind` is 'done' (the prompt's action), 'cancelled', or the conversation's
    'relayed' / 'answered' / 'reopened'."""

    kind: str
    action: str | None
    outcome: Outcome | None
    reference: str | None = None


class Prompts(RequestUseCases):
    """Reply prompts: checked before they are sent, remembered, and answered only by their owner."""

    def actions(self) -> dict[str, Act]:
        """The prompts' actions: what the words are for (staff on a card; the requester's Reply)."""
        r = self.requests

        def staff(method: Callable[[int, int, str | None], Awaitable[Outcome]]) -> Act:
            return lambda user_id, p, text, media: method(user_id, p.request_id, text)

        return {
            "note": staff(r.staff.note),
            "ask": staff(r.staff.ask),
            "res": staff(r.staff.resolve),
            "esc": staff(r.staff.escalate),
            "dup": staff(r.routing.close_duplicate),
            "oos": staff(r.routing.close_out_of_scope),
            "dept": lambda user_id, p, text, media: r.pauses.wait_on(
                user_id, p.request_id, "department", text
            ),
            "third": lambda user_id, p, text, media: r.pauses.wait_on(
                user_id, p.request_id, "third_party", text
            ),
            "handover": lambda user_id, p, text, media: r.routing.hand_over(
                user_id, p.request_id, int(p.arg or 0), text
            ),
            "msg": lambda user_id, p, text, media: r.conversation.to_requester(
                user_id, p.request_id, text, media
            ),
            "reply": lambda user_id, p, text, media: r.conversation.from_requester(
                user_id, p.request_id, text, media
            ),
        }

    async def check(self, user_id: int, action: str, request_id: int, arg: str | None = None) -> str:
        """Before the prompt is sent: may this person do this now? Returns the request's reference."""
        r = self.requests
        if action not in self.actions():
            raise InvalidInput("stale")
        if action == "reply":
            return await r.conversation.check_requester(user_id, request_id)
        if action == "msg":
            return await r.conversation.check_staff(user_id, request_id)
        if action == "handover":
            colleagues = (await r.routing.colleagues(user_id, request_id))[1]
            if not any(str(c.user_id) == arg for c in colleagues):
                raise InvalidInput("stale")
        return await r.staff.may_act(user_id, request_id)

    async def open(
        self, chat_id: int, user_id: int, prompt_id: int, action: str, request_id: int, arg: str | None = None
    ) -> None:
        """The prompt was sent: from now until it expires, a reply to it by this person is its answer."""
        now = self.now()
        async with self.db.tx() as conn:
            await desk_repo.add_prompt(
                conn,
                chat_id=chat_id,
                user_id=user_id,
                prompt_id=prompt_id,
                action=action,
                request_id=request_id,
                arg=arg,
                now=now,
                expires_at=now + self.settings.prompt_timeout,
            )

    async def take(
        self,
        chat_id: int,
        user_id: int,
        replied_to: int,
        text: str | None,
        media: Media | None,
        private: bool,
    ) -> Taken | None:
        """A reply: to this person's prompt (its action), or to a message about a request (the
        conversation), or to anything else (None: not ours, ignored in a group)."""
        async with self.db.read() as conn:
            pending = await desk_repo.prompt(conn, chat_id, user_id, replied_to)
            about = (
                None if pending else await self.requests.conversation.request_of(conn, chat_id, replied_to)
            )
            request = await repo.get(conn, about) if about is not None else None
        if pending is not None:
            return await self._answer(pending, user_id, text, media)
        if request is None:
            return None
        conversation = self.requests.conversation
        if private and request.requester_id == user_id:
            outcome = await conversation.from_requester(user_id, request.id, text, media)
        else:
            outcome = await conversation.to_requester(user_id, request.id, text, media)
        return Taken(outcome.result, None, outcome, outcome.reference)

    async def _answer(self, pending: PromptRow, user_id: int, text: str | None, media: Media | None) -> Taken:
        if (text or "").strip().casefold().split("@")[0] in CANCEL_WORDS and media is None:
            reference = await self._drop(pending)
            return Taken("cancelled", pending.action, None, reference)
        if pending.expires_at <= self.now():
            await self._drop(pending)
            raise InvalidInput("prompt_expired")
        try:
            outcome = await self.actions()[pending.action](user_id, pending, text, media)
        except InvalidInput as problem:
            if problem.code not in RETRY:
                await self._drop(pending)
            raise
        except Exception:
            await self._drop(pending)
            raise
        await self._drop(pending)
        return Taken("done", pending.action, outcome, outcome.reference)

    async def _drop(self, pending: PromptRow) -> str | None:
        async with self.db.tx() as conn:
            await desk_repo.drop_prompt(conn, pending.chat_id, pending.user_id, pending.prompt_id)
            r = await repo.get(conn, pending.request_id)
        return r.reference if r else None

    async def cancel(self, chat_id: int, user_id: int) -> str | None:
        """/cancel typed in the chat: the person's newest prompt there ends. Returns its reference."""
        async with self.db.read() as conn:
            found = await desk_repo.prompts_of(conn, chat_id, user_id)
        return await self._drop(found[0]) if found else None

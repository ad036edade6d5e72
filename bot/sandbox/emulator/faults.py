"""Fault injection: the failures of Telegram and of the network that a bot must survive.

Why apart from the server: tests arm faults (``emu.faults.fail_next(...)``) without knowing how
requests are served; the server only asks, per request, which fault (if any) to play.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.records import MESSAGE_CREATING_METHODS

if TYPE_CHECKING:
    from bot.sandbox.people import Group, Person

__all__ = ["Faults"]


class Faults:
    """Injects the failures a bot must survive.

    Kinds: ``"429"`` (Too Many Requests, retry_after=1), ``"500"``, ``"502"`` (nginx HTML page,
    not JSON — python-telegram-bot raises NetworkError), ``"reset"`` (connection closed before
    anything is processed: nothing delivered), ``"reset_after"`` (the message IS delivered, then
    the connection drops: the bot cannot know, so a retry duplicates it).
    :meth:`refuse_next` plays any refusal of Telegram's instead (e.g. a "Bad Request" the bot
    did not foresee). Unless ``methods`` is given, faults hit only :data:`MESSAGE_CREATING_METHODS`.
    """

    KINDS = ("429", "500", "502", "reset", "reset_after")

    def __init__(self) -> None:
        self.blocked: set[int] = set()
        self._queue: deque[tuple[str | ApiError, frozenset[str]]] = deque()
        self._random: _RandomRule | None = None

    @staticmethod
    def _methods(methods: Iterable[str] | None) -> frozenset[str]:
        return frozenset(methods) if methods is not None else MESSAGE_CREATING_METHODS

    def _check_kind(self, kind: str) -> str:
        kind = str(kind)
        if kind not in self.KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {self.KINDS}")
        return kind

    def block(self, chat: int | Person | Group) -> None:
        """The user blocked the bot (private chat) / the bot was removed (group): 403 from now on."""
        self.blocked.add(_chat_id(chat))

    def unblock(self, chat: int | Person | Group) -> None:
        self.blocked.discard(_chat_id(chat))

    def is_blocked(self, chat_id: int) -> bool:
        return chat_id in self.blocked

    def fail_next(self, n: int = 1, kind: str = "429", *, methods: Iterable[str] | None = None) -> None:
        """The next ``n`` matching requests fail with ``kind`` (queued after earlier fail_next)."""
        kind = self._check_kind(kind)
        ms = self._methods(methods)
        self._queue.extend((kind, ms) for _ in range(n))

    def refuse_next(
        self, description: str, n: int = 1, *, code: int = 400, methods: Iterable[str] | None = None
    ) -> None:
        """The next ``n`` matching requests are refused with Telegram's ``code`` and ``description``.

        E.g. ``refuse_next("Bad Request: message text is empty", methods=["sendMessage"])``: what
        python-telegram-bot raises for it (BadRequest, a NetworkError) is what the bot must survive.
        """
        ms = self._methods(methods)
        self._queue.extend((ApiError(code, description), ms) for _ in range(n))

    def fail_randomly(
        self,
        probability: float,
        kinds: Iterable[str] = ("429", "502", "reset"),
        *,
        seed: int | None = None,
        until: int | float | None = None,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Fail each matching request with ``probability``, picking a kind uniformly.

        ``until``: an ``int`` is a number of matching requests to consider (then it stops); a
        ``float`` is a ``time.monotonic()`` deadline; ``None`` means until :meth:`clear`.
        """
        ks = tuple(self._check_kind(k) for k in kinds)
        if not ks:
            raise ValueError("kinds must not be empty")
        self._random = _RandomRule(float(probability), ks, random.Random(seed), until, self._methods(methods))

    def clear(self) -> None:
        """Stop all injection (blocked chats stay blocked; use :meth:`unblock`)."""
        self._queue.clear()
        self._random = None

    def take(self, method: str) -> str | ApiError | None:
        """The fault to play for this request of ``method`` (consumed): a kind, a refusal, or None."""
        for idx, (kind, ms) in enumerate(self._queue):
            if method in ms:
                del self._queue[idx]
                return kind
        rule = self._random
        if rule is None or method not in rule.methods:
            return None
        if isinstance(rule.until, float) and time.monotonic() >= rule.until:
            self._random = None
            return None
        if isinstance(rule.until, int):
            if rule.until <= 0:
                self._random = None
                return None
            rule.until -= 1
        if rule.rng.random() < rule.probability:
            return rule.rng.choice(rule.kinds)
        return None


def _chat_id(chat: int | Person | Group) -> int:
    return chat if isinstance(chat, int) else chat.id


@dataclass
class _RandomRule:
    probability: float
    kinds: tuple[str, ...]
    rng: random.Random
    until: int | float | None
    methods: frozenset[str]

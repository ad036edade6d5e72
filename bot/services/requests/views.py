"""A request as people read it, and what an action did: templates get these, never a storage row.

Plain data without Telegram or rendering, so the Mini App can show the same queue and search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain import requests as rules
from bot.domain.worktime import Span
from bot.storage.enterprises import Enterprise


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str | None
    kind: str
    tier: int
    note: str | None
    media_kind: str | None = None

    @property
    def label(self) -> str:
        return rules.EVENT_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Wait:
    """On whom a paused request waits: the reason, who exactly, by when, and the question asked."""

    reason: str  # requester, department, third_party
    party: str | None
    expected_on: date | None
    since: datetime
    question: str | None = None

    @property
    def label(self) -> str:
        return rules.WAIT_LABELS[self.reason]


@dataclass(frozen=True)
class RequestView:
    """A request as people read it: a staff card, a line of /myrequests, a notice to the requester."""

    id: int
    reference: str
    category: str
    status: str
    tier: int
    enterprise: str | None
    building: str | None
    requester: str
    description: str
    attachment_kind: str | None
    created_at: datetime
    age: Span
    resolve_by: datetime | None
    left: Span | None  # working time left (or overdue by, see `overdue`) while the clock runs
    overdue: bool
    claimed_by: str | None
    question: str | None
    resolution: str | None
    rating: int | None
    rating_comment: str | None
    reopenable: bool
    history: list[HistoryLine] = field(default_factory=list)
    earlier_cards: list[tuple[int, str | None]] = field(default_factory=list)
    resolved_by: str | None = None
    wait: Wait | None = None
    close_reason: str | None = None
    duplicate_of: str | None = None  # the reference of the request it duplicates
    referral: str | None = None
    unbound_tier: int | None = None  # the request's tier has no staff chat: its card is elsewhere
    withdrawable: bool = False

    @property
    def status_label(self) -> str:
        if self.status == "waiting" and self.wait is not None:
            return self.wait.label
        if self.status == "closed" and self.close_reason:
            return rules.CLOSE_LABELS[self.close_reason]
        return rules.STATUS_LABELS[self.status]

    @property
    def tier_label(self) -> str:
        return rules.TIER_LABELS[self.tier]

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN_STATUSES


@dataclass(frozen=True)
class Outcome:
    """What a staff or requester action did, for the handler's one-line answer."""

    reference: str
    result: str  # 'claimed', 'noted', 'asked', 'resolved', 'escalated', 'reopened', 'answered', ...
    tier: int
    name: str | None = None  # the colleague a request was assigned or handed to, a category, a building

    @property
    def tier_label(self) -> str:
        return rules.TIER_LABELS[self.tier]


def enterprise_name(enterprise: Enterprise | None, typed: str | None, lang: str) -> str | None:
    """The registry's name in the reader's language (Chinese, else the English name), else as typed."""
    if enterprise is None:
        return typed
    return enterprise.name_en if lang != "zh" and enterprise.name_en else enterprise.name

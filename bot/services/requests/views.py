"""A request as people read it, and what an action did: templates get these, never a storage row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import requests as rules
from bot.storage.enterprises import Enterprise


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str | None
    kind: str
    tier: int
    note: str | None

    @property
    def label(self) -> str:
        return rules.EVENT_LABELS.get(self.kind, self.kind)


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
    age: tuple[int, int, int]
    resolve_by: datetime | None
    left: tuple[int, int, int] | None
    overdue: bool
    claimed_by: str | None
    question: str | None
    resolution: str | None
    rating: int | None
    rating_comment: str | None
    reopenable: bool
    history: list[HistoryLine] = field(default_factory=list)
    earlier_cards: list[tuple[int, str | None]] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def tier_label(self) -> str:
        return rules.TIER_LABELS[self.tier]


@dataclass(frozen=True)
class Outcome:
    """What a staff or requester action did, for the handler's one-line answer."""

    reference: str
    result: str  # 'claimed', 'noted', 'asked', 'resolved', 'escalated', 'reopened', 'answered', ...
    tier: int

    @property
    def tier_label(self) -> str:
        return rules.TIER_LABELS[self.tier]


def enterprise_name(enterprise: Enterprise | None, typed: str | None, lang: str) -> str | None:
    """The registry's name in the reader's language (Chinese, else the English name), else as typed."""
    if enterprise is None:
        return typed
    return enterprise.name_en if lang != "zh" and enterprise.name_en else enterprise.name

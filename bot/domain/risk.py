# i18n-domain: enterprises
"""The five-colour stability method: what each colour demands, and which colour the facts suggest.

The station marks every enterprise green (stable), blue (normal), yellow (needs attention), orange
(at risk) or red (unstable, likely to leave). A colour is a workload, not a label: it sets how
soon staff must visit, which staff chat hears about it at once, and the tier a new request from
that enterprise starts at. The rules are here, in one pure module, so they can be read, configured
and tested as tables; storage and services only gather the facts and act on the answer.

No I/O, no reading of the clock: "today" and "now" are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypedDict

from bot.domain.worktime import WORKING_DAY, WorkCalendar, add_working_time
from bot.msgids import N_

COLOURS: tuple[str, ...] = ("green", "blue", "yellow", "orange", "red")
SEVERITY: dict[str, int] = {c: i for i, c in enumerate(COLOURS)}

# A square of the colour for chat messages (phones show these everywhere; words follow them).
EMOJI = {"green": "🟢", "blue": "🔵", "yellow": "🟡", "orange": "🟠", "red": "🔴"}
LABELS = {
    "green": N_("green · stable"),
    "blue": N_("blue · normal"),
    "yellow": N_("yellow · needs attention"),
    "orange": N_("orange · at risk"),
    "red": N_("red · unstable"),
}
# The board's fill colours (RGB): the conventional traffic colours, dark enough for white text.
RGB = {
    "green": (46, 160, 67),
    "blue": (31, 111, 235),
    "yellow": (230, 180, 0),
    "orange": (240, 110, 20),
    "red": (210, 30, 40),
}

# Accepted spellings of a colour in a CSV or a command (English, Chinese, French).
ALIASES = {
    **{c: c for c in COLOURS},
    "绿": "green",
    "绿色": "green",
    "蓝": "blue",
    "蓝色": "blue",
    "黄": "yellow",
    "黄色": "yellow",
    "橙": "orange",
    "橙色": "orange",
    "红": "red",
    "红色": "red",
    "vert": "green",
    "bleu": "blue",
    "jaune": "yellow",
    "rouge": "red",
}


def parse_colour(text: str | None) -> str | None:
    """A colour's name in any of our languages -> its key, or None when it is not a colour."""
    if text is None:
        return None
    return ALIASES.get(text.strip().lower())


def worse(a: str, b: str) -> bool:
    """Whether colour `a` is less stable than colour `b`."""
    return SEVERITY[a] > SEVERITY[b]


# --------------------------------------------------------------------------- follow-up rules


@dataclass(frozen=True)
class FollowUpRule:
    """How soon a visit is due after the last visit (or the colour change), and who hears at once."""

    colour: str
    interval: int
    working_days: bool  # counted in the station's working days (else calendar days)
    alert_tier: int | None  # the staff chat alerted when an enterprise turns this colour

    def due(self, since: datetime, cal: WorkCalendar) -> datetime:
        if self.working_days:
            return add_working_time(since, WORKING_DAY * self.interval, cal)
        return since + timedelta(days=self.interval)

    def describe(self) -> str:
        return f"{self.interval}{'wd' if self.working_days else 'd'}"


DEFAULT_RULES: dict[str, FollowUpRule] = {
    "green": FollowUpRule("green", 365, False, None),  # visit yearly
    "blue": FollowUpRule("blue", 91, False, None),  # each quarter
    "yellow": FollowUpRule("yellow", 15, True, None),  # within 15 working days
    "orange": FollowUpRule("orange", 5, True, 2),  # within 5 working days, tier-2 chat alerted
    "red": FollowUpRule("red", 2, True, 3),  # within 2 working days, tier-3 chat alerted at once
}
DEFAULT_RULES_TEXT = "green=365d,blue=91d,yellow=15wd,orange=5wd,red=2wd"

# An overdue visit of these colours is escalated to this tier's chat besides the building's reminder.
ESCALATE_OVERDUE = {"orange": 3, "red": 3}


def parse_rules(text: str | None) -> dict[str, FollowUpRule]:
    """BOT_ENTERPRISE_FOLLOWUP, e.g. "yellow=10wd,red=1wd" (d = calendar days, wd = working days).

    Colours not mentioned keep their defaults. Raises ValueError naming the bad part.
    """
    rules = dict(DEFAULT_RULES)
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        colour, sep, value = part.partition("=")
        colour = colour.strip().lower()
        value = value.strip().lower()
        if not sep or colour not in SEVERITY:
            raise ValueError(f"expected colour=interval (colours: {', '.join(COLOURS)}), got {part!r}")
        working = value.endswith("wd")
        number = value[:-2] if working else value.removesuffix("d")
        if not number.isdigit() or int(number) <= 0:
            raise ValueError(f"expected a positive number of days such as 90d or 5wd, got {part!r}")
        rules[colour] = FollowUpRule(colour, int(number), working, DEFAULT_RULES[colour].alert_tier)
    return rules


# --------------------------------------------------------------------------- signals


@dataclass(frozen=True)
class Facts:
    """What the bot knows about one enterprise that bears on its stability."""

    today: date
    colour: str
    lease_end: date | None = None
    follow_up_overdue: bool = False  # no visit within the colour's interval
    office_requests: int = 0  # open relocation / office-space requests
    high_tier_requests: int = 0  # open requests escalated to tier 3 or 4
    overdue_requests: int = 0  # open requests past their deadline
    lowest_rating: int | None = None  # lowest satisfaction rating (1-5) in the last 90 days


class SignalRecord(TypedDict):
    """A signal as stored with a suggestion (JSON), to explain it when it is shown or accepted."""

    code: str
    colour: str
    params: dict[str, str]


@dataclass(frozen=True)
class Signal:
    code: str
    colour: str  # the colour this signal alone points to
    params: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> SignalRecord:
        return {"code": self.code, "colour": self.colour, "params": dict(self.params)}


@dataclass(frozen=True)
class Suggestion:
    colour: str
    signals: tuple[Signal, ...] = field(default_factory=tuple)

    @property
    def signature(self) -> str:
        return ",".join(sorted({s.code for s in self.signals}))


# What each signal means to the person reading the notice (params are filled in when shown).
REASONS = {
    "lease_ended": N_("the lease ended on %(date)s"),
    "lease_3m": N_("the lease ends on %(date)s, within 3 months"),
    "lease_6m": N_("the lease ends on %(date)s, within 6 months"),
    "relocation": N_("%(count)s open request(s) for office space or relocation"),
    "high_tier": N_("%(count)s open request(s) escalated to tier 3 or above"),
    "overdue": N_("%(count)s request(s) past their deadline"),
    "no_visit": N_("no visit within the colour's follow-up interval"),
    "low_rating": N_("a low satisfaction rating (%(rating)s/5)"),
    "leaving": N_("the lease is ending and the company is looking for offices: likely to leave"),
    "several": N_("several risks at once"),
}

LEASE_SOON = 92  # days: "within 3 months"
LEASE_LATER = 183  # days: "within 6 months"


def signals(f: Facts) -> list[Signal]:
    """Each fact that points away from stability, with the colour it alone points to."""
    found: list[Signal] = []
    if f.lease_end is not None:
        left = (f.lease_end - f.today).days
        when = (("date", f.lease_end.isoformat()),)
        if left < 0:
            found.append(Signal("lease_ended", "orange", when))
        elif left <= LEASE_SOON:
            found.append(Signal("lease_3m", "orange", when))
        elif left <= LEASE_LATER:
            found.append(Signal("lease_6m", "yellow", when))
    if f.office_requests > 0:
        found.append(Signal("relocation", "orange", (("count", str(f.office_requests)),)))
    if f.high_tier_requests > 0:
        found.append(Signal("high_tier", "orange", (("count", str(f.high_tier_requests)),)))
    if f.overdue_requests > 0:
        colour = "orange" if f.overdue_requests >= 3 else "yellow"
        found.append(Signal("overdue", colour, (("count", str(f.overdue_requests)),)))
    if f.follow_up_overdue:
        found.append(Signal("no_visit", "yellow"))
    if f.lowest_rating is not None and f.lowest_rating <= 2:
        colour = "orange" if f.lowest_rating <= 1 else "yellow"
        found.append(Signal("low_rating", colour, (("rating", str(f.lowest_rating)),)))
    return found


def suggest(f: Facts) -> Suggestion | None:
    """The colour the facts point to, with its reasons; None when nothing points anywhere.

    The worst single signal sets the colour; two combinations go further: a lease ending (or
    ended) together with a search for offices is the IBG case — red; three or more signals at
    once push one step beyond the worst of them.
    """
    found = signals(f)
    if not found:
        return None
    colour = max((s.colour for s in found), key=SEVERITY.__getitem__)
    codes = {s.code for s in found}
    if codes & {"lease_ended", "lease_3m", "lease_6m"} and "relocation" in codes:
        found.append(Signal("leaving", "red"))
        colour = "red"
    elif len(found) >= 3:
        colour = COLOURS[min(SEVERITY[colour] + 1, len(COLOURS) - 1)]
        found.append(Signal("several", colour))
    return Suggestion(colour, tuple(found))


def worth_notice(
    suggestion: Suggestion | None, current: str, dismissed_signature: str | None, open_signature: str | None
) -> bool:
    """Whether a suggestion deserves a (new) notice in the building's staff chat.

    Only a colour worse than the current one; not again while the same notice is open; and after a
    dismissal only when a signal appears that the dismissed notice did not have.
    """
    if suggestion is None or not worse(suggestion.colour, current):
        return False
    if open_signature is not None and set(suggestion.signature.split(",")) <= set(open_signature.split(",")):
        return False
    if dismissed_signature is not None:
        return not set(suggestion.signature.split(",")) <= set(dismissed_signature.split(","))
    return True

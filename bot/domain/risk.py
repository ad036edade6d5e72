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

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NotRequired, TypedDict

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


def _intervals(text: str | None, name: str) -> dict[str, tuple[int, bool]]:
    """ "yellow=10wd,red=1wd" -> {colour: (number, counted in working days)}; ValueError naming the bad part."""
    found: dict[str, tuple[int, bool]] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        colour, sep, value = part.partition("=")
        colour = colour.strip().lower()
        value = value.strip().lower()
        if not sep or colour not in SEVERITY:
            raise ValueError(f"expected colour={name} (colours: {', '.join(COLOURS)}), got {part!r}")
        working = value.endswith("wd")
        number = value[:-2] if working else value.removesuffix("d")
        if not number.isdigit() or int(number) <= 0:
            raise ValueError(f"expected a positive number of days such as 90d or 5wd, got {part!r}")
        found[colour] = (int(number), working)
    return found


def parse_rules(text: str | None) -> dict[str, FollowUpRule]:
    """BOT_ENTERPRISE_FOLLOWUP, e.g. "yellow=10wd,red=1wd" (d = calendar days, wd = working days).

    Colours not mentioned keep their defaults. Raises ValueError naming the bad part.
    """
    rules = dict(DEFAULT_RULES)
    for colour, (number, working) in _intervals(text, "interval").items():
        rules[colour] = FollowUpRule(colour, number, working, DEFAULT_RULES[colour].alert_tier)
    return rules


# --------------------------------------------------------------------------- reminders of late visits


@dataclass(frozen=True)
class ReminderRule:
    """How often an overdue visit is reminded, until it is logged or the colour changes.

    Reminders after the first go out at the station's opening (09:00) of the day `interval`
    (working) days after the previous one, so each chat gets them together in one morning digest.
    """

    colour: str
    interval: int
    working_days: bool

    def next_at(self, after: datetime, cal: WorkCalendar) -> datetime:
        day = cal.local_date(after)
        if self.working_days:
            counted = 0
            while counted < self.interval:
                day += timedelta(days=1)
                counted += cal.is_working_day(day)
        else:
            day += timedelta(days=self.interval)
            while not cal.is_working_day(day):
                day += timedelta(days=1)
        return cal.hours(day)[0]

    def describe(self) -> str:
        return f"{self.interval}{'wd' if self.working_days else 'd'}"


DEFAULT_REMINDERS: dict[str, ReminderRule] = {
    "green": ReminderRule("green", 20, True),
    "blue": ReminderRule("blue", 10, True),
    "yellow": ReminderRule("yellow", 5, True),  # weekly
    "orange": ReminderRule("orange", 2, True),  # every other working day
    "red": ReminderRule("red", 1, True),  # every working day
}
DEFAULT_REMINDERS_TEXT = "green=20wd,blue=10wd,yellow=5wd,orange=2wd,red=1wd"
DEFAULT_CLIMB = 3
TOP_TIER = 4


def parse_reminders(text: str | None) -> dict[str, ReminderRule]:
    """BOT_ENTERPRISE_REMINDERS, e.g. "red=1wd,orange=2wd,yellow=7d" (colours not named keep defaults)."""
    rules = dict(DEFAULT_REMINDERS)
    for colour, (number, working) in _intervals(text, "cadence").items():
        rules[colour] = ReminderRule(colour, number, working)
    return rules


def reminder_tier(count: int, climb: int) -> int:
    """The tier whose staff chat hears the `count`-th reminder of a late visit (the building's tier 1
    always hears it): one tier up after every `climb` reminders, up to the top tier."""
    return min(1 + (count - 1) // max(climb, 1), TOP_TIER)


# --------------------------------------------------------------------------- signals

# Tags staff put on a request when it says something about the company's stability (a request's
# category alone says nothing: "office space" may be a broken printer). Each points to a colour.
STABILITY_TAGS: dict[str, str] = {
    "relocation": "orange",
    "layoffs": "orange",
    "rent_arrears": "yellow",
    "expansion": "yellow",
}
TAG_LABELS = {
    "relocation": N_("relocation risk"),
    "layoffs": N_("layoffs"),
    "rent_arrears": N_("rent arrears"),
    "expansion": N_("expansion"),
}


@dataclass(frozen=True)
class Evidence:
    """A request a signal rests on, named so that staff can open it."""

    reference: str
    category: str


@dataclass(frozen=True)
class Facts:
    """What the bot knows about one enterprise that bears on its stability."""

    today: date
    colour: str
    lease_end: date | None = None
    visit_due: date | None = None  # set when the follow-up visit is overdue: the day it was due
    tagged: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)  # tag -> tagged requests
    low_rating: tuple[int, Evidence] | None = None  # the lowest recent rating (1-5) and its request
    last_visit: tuple[str, date, int] | None = None  # the last visit's outcome, day and id


class SignalRecord(TypedDict):
    """A signal as stored with a suggestion (JSON), to explain it when it is shown or accepted."""

    code: str
    colour: str
    params: dict[str, str]
    evidence: NotRequired[list[list[str]]]  # [reference, category] of each request behind it


@dataclass(frozen=True)
class Signal:
    code: str
    colour: str  # the colour this signal alone points to
    params: tuple[tuple[str, str], ...] = ()
    evidence: tuple[Evidence, ...] = ()
    facts: tuple[str, ...] = ()  # what exactly it rests on (a dismissal is remembered per fact)

    def as_dict(self) -> SignalRecord:
        record: SignalRecord = {"code": self.code, "colour": self.colour, "params": dict(self.params)}
        if self.evidence:
            record["evidence"] = [[e.reference, e.category] for e in self.evidence]
        return record


@dataclass(frozen=True)
class Suggestion:
    colour: str
    signals: tuple[Signal, ...] = field(default_factory=tuple)

    @property
    def signature(self) -> str:
        """The facts behind it: the same facts never make a dismissed suggestion come back."""
        return ",".join(sorted({fact for s in self.signals for fact in s.facts}))


# What each signal means to the person reading the notice (params are filled in when shown).
REASONS = {
    "lease_ended": N_("the lease ended on %(date)s"),
    "lease_3m": N_("the lease ends on %(date)s, within 3 months"),
    "lease_6m": N_("the lease ends on %(date)s, within 6 months"),
    "tag_relocation": N_("%(count)s request(s) tagged “relocation risk” by staff"),
    "tag_layoffs": N_("%(count)s request(s) tagged “layoffs” by staff"),
    "tag_rent_arrears": N_("%(count)s request(s) tagged “rent arrears” by staff"),
    "tag_expansion": N_("%(count)s request(s) tagged “expansion” by staff (they may need more space)"),
    "no_visit": N_("no visit since the follow-up was due on %(date)s"),
    "low_rating": N_("a low satisfaction rating (%(rating)s/5)"),
    "visit_may_move": N_("the visit of %(date)s found they may move out"),
    "visit_needs_help": N_("the visit of %(date)s found they need help"),
    "leaving": N_("the lease is ending and the company may move out: likely to leave"),
    "several": N_("several risks at once"),
}

LEASE_SOON = 92  # days: "within 3 months"
LEASE_LATER = 183  # days: "within 6 months"
VISIT_FINDINGS = {"may_move": "orange", "needs_help": "yellow"}


def lease_changes_on(lease_end: date | None, today: date) -> date | None:
    """The first day after `today` on which the lease's signal changes by time alone: it enters
    its last six months, its last three, or has ended (what `signals` reads from the lease)."""
    if lease_end is None:
        return None
    turns = (
        lease_end - timedelta(days=LEASE_LATER),
        lease_end - timedelta(days=LEASE_SOON),
        lease_end + timedelta(days=1),
    )
    return next((day for day in turns if day > today), None)


def signals(f: Facts) -> list[Signal]:
    """Each fact that points away from stability, with the colour it alone points to."""
    found: list[Signal] = []
    if f.lease_end is not None:
        left = (f.lease_end - f.today).days
        when = (("date", f.lease_end.isoformat()),)
        code = "lease_ended" if left < 0 else "lease_3m" if left <= LEASE_SOON else "lease_6m"
        if left <= LEASE_LATER:
            colour = "yellow" if code == "lease_6m" else "orange"
            found.append(Signal(code, colour, when, facts=(f"{code}:{f.lease_end.isoformat()}",)))
    for tag, colour in STABILITY_TAGS.items():
        requests = f.tagged.get(tag, ())
        if requests:
            found.append(
                Signal(
                    f"tag_{tag}",
                    colour,
                    (("count", str(len(requests))),),
                    tuple(requests),
                    tuple(f"{tag}:{r.reference}" for r in requests),
                )
            )
    if f.visit_due is not None:
        due = f.visit_due.isoformat()
        found.append(Signal("no_visit", "yellow", (("date", due),), facts=(f"no_visit:{due}",)))
    if f.low_rating is not None and f.low_rating[0] <= 2:
        rating, request = f.low_rating
        found.append(
            Signal(
                "low_rating",
                "yellow",
                (("rating", str(rating)),),
                (request,),
                (f"rating:{request.reference}",),
            )
        )
    if f.last_visit is not None and f.last_visit[0] in VISIT_FINDINGS:
        outcome, day, visit_id = f.last_visit
        found.append(
            Signal(
                f"visit_{outcome}",
                VISIT_FINDINGS[outcome],
                (("date", day.isoformat()),),
                facts=(f"visit:{visit_id}",),
            )
        )
    return found


def suggest(f: Facts) -> Suggestion | None:
    """The colour the facts point to, with its reasons; None when nothing points anywhere.

    The worst single signal sets the colour; two combinations go further: a lease ending (or
    ended) together with a sign the company is moving (a request tagged "relocation risk", a visit
    that found they may move) is the IBG case — red; three or more signals at once push one step
    beyond the worst of them.
    """
    found = signals(f)
    if not found:
        return None
    colour = max((s.colour for s in found), key=SEVERITY.__getitem__)
    codes = {s.code for s in found}
    if codes & {"lease_ended", "lease_3m", "lease_6m"} and codes & {"tag_relocation", "visit_may_move"}:
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
    dismissal only when a fact appears that the dismissed suggestion did not rest on.
    """
    if suggestion is None or not worse(suggestion.colour, current):
        return False
    facts = set(suggestion.signature.split(","))
    if open_signature is not None and facts <= set(open_signature.split(",")):
        return False
    if dismissed_signature is not None:
        return not facts <= set(dismissed_signature.split(","))
    return True

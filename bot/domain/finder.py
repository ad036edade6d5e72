# i18n-domain: volunteer
"""Finding a shift among thousands: what people look for, as filters that fit in a button.

Pure module. People ask "this week near my building", "before work", "lunchtime", "weekend", a
topic, or type words; the answer is a page of at most PAGE results, one per project (its
soonest matching shift), so one busy project cannot fill the screen. The filter travels in the
callback data of the result page's buttons (Telegram allows 64 bytes), a typed search by the id
of its stored query.

Why one result per project, soonest first, then nearest: "before work this week" is a question
about time, and a person choosing between two 06:00 desks takes the nearer one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, time

from bot.msgids import N_

PAGE = 8  # results on one page (each a button, plus the filters: far below Telegram's 100)
MAX_PAGES = 50
NEAR_M = 1_500  # "near my building": a quarter of an hour's walk
WEEK_DAYS = 7
MONTH_DAYS = 28

# The station's topics (the projects file's `topic`), in the order the topic menu shows them.
TOPICS: dict[str, str] = {
    "hospital": N_("Hospital guides"),
    "elderly": N_("Elderly people and smartphones"),
    "environment": N_("Litter jogging and environment"),
    "community": N_("Community care"),
    "dementia": N_("Dementia care and screening"),
    "culture": N_("Culture and learning"),
    "other": N_("Other projects"),
}

# When a volunteer says they are usually free ("When I'm free"; asked to fill empty places then).
AVAILABILITY = {
    "early": N_("Before work (06:00-08:00)"),
    "lunch": N_("Lunch break"),
    "evening": N_("Evenings"),
    "weekend": N_("Weekends"),
}

# Times of day people ask for (local start time; "before work" and lunchtime on working days).
SLOT_NAMES = {"e": "early", "l": "lunch", "v": "evening", "k": "weekend"}
SLOT_LABELS = {
    "e": N_("Before work (06:00–09:00)"),
    "l": N_("Lunchtime (11:30–14:00)"),
    "v": N_("Evening (after 17:00)"),
    "k": N_("Weekend"),
}
_WINDOWS = {
    "e": (time(5, 0), time(9, 0)),
    "l": (time(11, 0), time(14, 0)),
    "v": (time(17, 0), time(22, 30)),
}


@dataclass(frozen=True)
class Filter:
    """What a person is looking for. `encode()` fits in callback data; `decode()` refuses anything else."""

    near: bool = False
    week: bool = True  # the next 7 days (else the next 4 weeks)
    slot: str = ""  # "", or a key of SLOT_NAMES
    topic: str = ""  # "", or a key of TOPICS
    query_id: int = 0  # a stored free-text search
    project_id: int = 0  # one project's shifts (its "more dates")

    def encode(self) -> str:
        return (
            f"{int(self.near)}{'w' if self.week else 'm'}{self.slot or '-'}"
            f".{self.topic}.{self.query_id}.{self.project_id}"
        )

    @classmethod
    def decode(cls, text: str) -> Filter:
        match = re.fullmatch(r"([01])([wm])([-elvk])\.([a-z]{0,12})\.(\d{1,10})\.(\d{1,10})", text)
        if not match or (match.group(4) and match.group(4) not in TOPICS):
            raise ValueError(f"not a filter: {text!r}")
        slot = match.group(3)
        return cls(
            near=match.group(1) == "1",
            week=match.group(2) == "w",
            slot="" if slot == "-" else slot,
            topic=match.group(4),
            query_id=int(match.group(5)),
            project_id=int(match.group(6)),
        )

    def toggled(self, what: str) -> Filter:
        """The filter after pressing one of its chips (pressing a chosen one clears it)."""
        if what == "near":
            return replace(self, near=not self.near)
        if what == "week":
            return replace(self, week=not self.week)
        if what in SLOT_NAMES:
            return replace(self, slot="" if self.slot == what else what)
        if what in TOPICS:
            return replace(self, topic="" if self.topic == what else what)
        if what == "clear":
            return Filter()
        raise ValueError(f"no such filter: {what!r}")

    @property
    def days(self) -> int:
        return WEEK_DAYS if self.week else MONTH_DAYS


def slot_window(slot: str) -> tuple[frozenset[int], time | None, time | None]:
    """The weekdays (Monday 0) and the [start, end) local start times a slot keeps."""
    if slot == "k":
        return frozenset({5, 6}), None, None
    low, high = _WINDOWS[slot]
    return frozenset(range(5)), low, high


def in_slot(slot: str, local_start: datetime) -> bool:
    """Does a shift starting at this local time fit the slot? Weekday slots exclude weekends."""
    if not slot:
        return True
    weekend = local_start.weekday() >= 5
    if slot == "k":
        return weekend
    low, high = _WINDOWS[slot]
    return not weekend and low <= local_start.time() < high


# ------------------------------------------------------------------------------ free-text search

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\w\u2e80-\u9fff\uf900-\ufaff]+")
TITLE_MARK = "\x1f"  # separates a project's titles from the rest of its search text


def normalise(text: str) -> str:
    """Case and accents folded (é = e), full-width forms narrowed: what search compares."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def search_text(titles: list[str], rest: list[str]) -> str:
    """The one normalised text a project is found by: titles first (they weigh more)."""
    return normalise(" ".join(titles)) + TITLE_MARK + normalise(" ".join(rest))


def terms(query: str) -> list[str]:
    """The words of a query; a Chinese run longer than two characters also counts by its pairs
    of characters, so "华山医院导医" finds "华山医院门诊导医"."""
    found: list[str] = []
    for word in _WORD.findall(normalise(query))[:12]:
        if len(word) < 2 and not _CJK.fullmatch(word):
            continue
        found.append(word[:40])
    return found


def score(text: str, words: list[str]) -> int:
    """How well a project's search text answers the words (0: not at all). Every word must be
    found (a Chinese word by all of its character pairs); a word in a title weighs three."""
    if not words:
        return 0
    titles, _, rest = text.partition(TITLE_MARK)
    total = 0
    for word in words:
        if word in titles:
            total += 3
        elif word in rest:
            total += 1
        elif _CJK.fullmatch(word) and len(word) > 2:
            pairs = [word[i : i + 2] for i in range(len(word) - 1)]
            if not all(p in text for p in pairs):
                return 0
            total += 1
        else:
            return 0
    return total


def shorten(text: str, limit: int) -> str:
    """A label of at most `limit` characters, cut between words (never mid-word) with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not _CJK.search(cut[-1:]):
        space = max(cut.rfind(" "), cut.rfind("("), cut.rfind("/"))
        if space >= limit // 2:
            cut = cut[:space]
    return cut.rstrip(" ,;:·-–(") + "…"

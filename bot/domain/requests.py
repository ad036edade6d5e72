"""What a service request is: categories, statuses, tiers and the rules on what a person typed.

Pure module (no I/O). Category keys are a public interface: the service-guide feature links to
them (its "Still need help" button opens the intake with a category already chosen), so keys are
never renamed; labels are English msgids translated where they are shown.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.domain.text_safety import neutralise
from bot.msgids import N_

# Order matters: it is the order of the buttons in the intake.
CATEGORIES: tuple[str, ...] = (
    "party",
    "gov",
    "tax",
    "registration",
    "office",
    "hr",
    "talent",
    "counselling",
    "community",
    "other",
)

CATEGORY_LABELS: dict[str, str] = {
    "party": N_("Party affairs"),
    "gov": N_("Government affairs and approvals"),
    "tax": N_("Tax"),
    "registration": N_("Company registration and changes"),
    "office": N_("Office space and relocation"),
    "hr": N_("HR and social insurance"),
    "talent": N_("Talent and residence permits"),
    "counselling": N_("Pressure relief and counselling"),
    "community": N_("Community and volunteering"),
    "other": N_("Other"),
}

STATUSES = ("new", "claimed", "waiting", "resolved", "closed")
OPEN_STATUSES = ("new", "claimed", "waiting")

STATUS_LABELS: dict[str, str] = {
    "new": N_("New, waiting to be picked up"),
    "claimed": N_("Being handled"),
    "waiting": N_("Waiting for the requester's answer"),
    "resolved": N_("Resolved, waiting for confirmation"),
    "closed": N_("Closed"),
}

# The district's four mechanisms, as the issue names them.
TIER_LABELS: dict[int, str] = {
    1: N_("Tier 1 · Immediate (building Party-mass worker)"),
    2: N_("Tier 2 · Platform (station and enterprise service center)"),
    3: N_("Tier 3 · Special case (sub-district leadership)"),
    4: N_("Tier 4 · Extremely difficult (district joint meeting)"),
}

EVENT_LABELS: dict[str, str] = {
    "created": N_("filed"),
    "claimed": N_("claimed"),
    "note": N_("note"),
    "asked": N_("asked the requester"),
    "answered": N_("requester answered"),
    "resolved": N_("resolved"),
    "confirmed": N_("confirmed solved"),
    "rated": N_("rated"),
    "not_solved": N_("not solved"),
    "escalated": N_("escalated by hand"),
    "deadline_escalated": N_("deadline missed, escalated"),
    "first_response_missed": N_("nobody claimed it in time"),
    "warned": N_("half-way warning"),
    "reminded": N_("daily reminder"),
    "closed": N_("closed automatically"),
    "assigned": N_("assigned"),
    "unclaimed": N_("unclaimed"),
    "handed_over": N_("handed over"),
    "recategorised": N_("category changed"),
    "moved": N_("moved to another building"),
    "duplicate": N_("closed as a duplicate"),
    "out_of_scope": N_("closed as out of scope"),
    "withdrawn": N_("withdrawn by the requester"),
    "to_requester": N_("message to the requester"),
    "from_requester": N_("message from the requester"),
    "paused": N_("paused"),
    "resumed": N_("resumed"),
    "nudged": N_("requester reminded"),
    "closed_no_answer": N_("closed without an answer"),
    "reopened": N_("reopened by the requester's reply"),
    "wait_reminded": N_("expected date reached"),
    "unbound_tier": N_("no staff chat at this tier"),
}

# On whom a paused request waits (its clock stops while it waits).
WAIT_REASONS: tuple[str, ...] = ("requester", "department", "third_party")
WAIT_LABELS: dict[str, str] = {
    "requester": N_("Waiting on the requester"),
    "department": N_("Waiting on another department"),
    "third_party": N_("Waiting on a third party"),
}

# How a request was closed other than by the requester's rating.
CLOSE_REASONS: tuple[str, ...] = ("duplicate", "out_of_scope", "withdrawn", "no_answer")
CLOSE_LABELS: dict[str, str] = {
    "duplicate": N_("Closed as a duplicate"),
    "out_of_scope": N_("Closed: outside what the station handles"),
    "withdrawn": N_("Withdrawn by the requester"),
    "no_answer": N_("Closed: no answer from the requester"),
}


DESCRIPTION_MIN = 1
DESCRIPTION_MAX = 2000
NOTE_MAX = 1000
COMMENT_MAX = 500
ENTERPRISE_NAME_MAX = 120
PARTY_MAX = 120
REFERRAL_MAX = 500
REOPEN_DAYS = 7


def clean_text(text: str | None) -> str:
    """Trim the ends but keep the person's line breaks (a description is often a list); remove
    bidirectional controls, which could make a staff card read what it does not say."""
    return neutralise(text or "").strip()


def description_problem(text: str) -> str | None:
    """Why a description cannot be accepted ('too_short' / 'too_long'), or None when it is fine."""
    if len(text) < DESCRIPTION_MIN:
        return "too_short"
    if len(text) > DESCRIPTION_MAX:
        return "too_long"
    return None


def reference(year: int, number: int) -> str:
    """JA-2026-000123: the year the request was filed (station time) and its number that year."""
    return f"JA-{year:04d}-{number:06d}"


def parse_reference(text: str) -> str | None:
    """Accept 'ja-2026-123', 'JA-2026-000123' or '2026-123'; None for anything else."""
    parts = text.strip().upper().removeprefix("JA-").split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    if len(parts[1]) > 6 or int(parts[1]) == 0:
        return None
    return reference(int(parts[0]), int(parts[1]))


def may_reopen(status: str, resolved_on: date | None, today: date) -> bool:
    """The requester can say "not solved" while it is resolved, and for 7 days after it was closed."""
    if status == "resolved":
        return True
    if status == "closed" and resolved_on is not None:
        return (today - resolved_on).days <= REOPEN_DAYS
    return False


_DAYS = re.compile(r"^\+?(\d{1,3})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})$")


def parse_expected(text: str, today: date) -> tuple[str, date | int] | None:
    """ "Tax bureau 2026-12-05", "税务局 12-05" or "Tax bureau 3": who is waited for, and when.

    The last word is the expected date (YYYY-MM-DD, or MM-DD: this year, or next year when that
    day has passed) or a whole number of working days from today (returned as an int, for the
    caller's working calendar). None when there is no such last word, no one before it, or the
    date is not a real one or lies in the past.
    """
    words = clean_text(text).split()
    if len(words) < 2:
        return None
    party, last = " ".join(words[:-1]), words[-1]
    days = _DAYS.match(last)
    if days:
        return (party, int(days.group(1))) if int(days.group(1)) > 0 else None
    try:
        iso = _ISO.match(last)
        if iso:
            found = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        else:
            month_day = _MONTH_DAY.match(last)
            if month_day is None:
                return None
            found = date(today.year, int(month_day.group(1)), int(month_day.group(2)))
            if found < today:
                found = date(today.year + 1, found.month, found.day)
    except ValueError:
        return None
    if found < today or found > today + timedelta(days=366):
        return None
    return party, found

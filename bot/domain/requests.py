"""What a service request is: categories, statuses, tiers and the rules on what a person typed.

Pure module (no I/O). Category keys are a public interface: the service-guide feature links to
them (its "Still need help" button opens the intake with a category already chosen), so keys are
never renamed; labels are English msgids translated where they are shown.
"""

from __future__ import annotations

from datetime import date

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
}


DESCRIPTION_MIN = 1
DESCRIPTION_MAX = 2000
NOTE_MAX = 1000
COMMENT_MAX = 500
ENTERPRISE_NAME_MAX = 120
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

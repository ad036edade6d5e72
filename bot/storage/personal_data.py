"""Where personal data lives, so /mydata can export it and /forgetme can erase it everywhere.

Every feature that stores something about a person adds its tables here: the column that
identifies the person, and the free-text columns they wrote (replaced by a placeholder on
erasure, so counts and statistics stay right).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalData:
    table: str
    user_column: str
    text_columns: tuple[str, ...] = ()
    # Columns cleared to NULL on erasure (e.g. a phone number), besides the text placeholders.
    clear_columns: tuple[str, ...] = ()


REGISTRY: list[PersonalData] = [
    PersonalData(
        "users", "id", ("display_name", "first_name", "company", "building_other"), ("username", "phone")
    ),
    PersonalData("roles", "user_id"),
    PersonalData(
        "requests",
        "requester_id",
        ("description", "rating_comment", "enterprise_name"),
        ("attachment_ref", "attachment_name", "referral"),
    ),
    # A message relayed between staff and the requester keeps its words in `note`, its file here.
    PersonalData("request_events", "actor_id", ("note",), ("media_ref", "media_name")),
    PersonalData("request_pauses", "started_by", ("party",)),
    PersonalData("request_prompts", "user_id"),
    PersonalData("audit_log", "actor_id", ("detail",)),
    PersonalData("invitations", "used_by"),
    PersonalData("topic_subscriptions", "user_id"),
    PersonalData("event_rsvps", "user_id"),
    PersonalData("events", "created_by"),
    PersonalData("broadcasts", "sent_by"),
    PersonalData("vol_signups", "user_id"),
    PersonalData("vol_availability", "user_id"),
    PersonalData("vol_fill_asks", "user_id"),
    PersonalData("vol_teams", "liaison_user_id"),
    PersonalData("vol_series", "user_id"),
    PersonalData("vol_searches", "user_id", ("query",)),
    # The name printed on a certificate: erased, a later /verify shows the placeholder.
    PersonalData("vol_certificates", "user_id", ("name",)),
    PersonalData("vol_claims", "liaison_user_id"),
]


@dataclass(frozen=True)
class UnlinkedText:
    """Text people typed, kept without the person: there is nothing to export or erase per
    person, so the text is made anonymous when it is written. Listed so that every column that
    holds typed text is accounted for, with how it is kept anonymous."""

    table: str
    text_columns: tuple[str, ...]
    how: str


UNLINKED: list[UnlinkedText] = [
    UnlinkedText(
        "guide_misses",
        ("query", "shown"),
        "guide questions that found nothing, per week, with no person; phone, ID and passport"
        " numbers, e-mail addresses, links, @names and people's names are removed before writing"
        " (bot/domain/guide_misses.py scrub); deleted once staff attach or dismiss them",
    ),
    UnlinkedText(
        "guide_phrasings",
        ("phrase", "normal"),
        "anonymised guide_misses questions staff attached to an entry; who attached is audit_log's",
    ),
]


def register(entry: PersonalData) -> None:
    if entry not in REGISTRY:
        REGISTRY.append(entry)

"""Every table and every text column, and what each holds of a person: the one list /mydata and
/forgetme walk, complete by construction.

tests/unit/test_personal_data.py reads the schema of a freshly migrated database and fails when a
table, or a column that may hold text (any declared type but INTEGER or REAL ones), is missing
here or listed here but gone: a migration that adds one must say what it holds and how it is
erased. Each column is one of:

- NAME: names the person (their name, their Telegram @handle). "[erased]" on their own row; the
  value is then searched for, and erased, in every text that may quote them (TEXT, QUOTING).
- IDENTIFIER: identifies them or their file (a phone number, a Telegram file id, the link to an
  enterprise they are liaison of): NULL on their own rows, searched for elsewhere like a name.
- DETAIL: a detail of their profile (the company or building they typed): "[erased]" on their
  own rows; not searched for elsewhere (a company's name is not the person's).
- TEXT: free text by or about them (a description, a staff note on their request): "[erased]" on
  their rows and on the rows about them (`about`), and on everyone else's rows their values are
  erased from it. What they wrote is searched for elsewhere (from 16 characters: "called back" is
  nobody's in particular), except in other people's own words (`own_words`: another requester's
  identical question is no quote); of what others wrote about them, only the numbers.
- REMARK: text others wrote on the person's row (staff's question or resolution on their
  request): "[erased]" there, searched for elsewhere only by its phone and ID numbers, and on
  other rows scrubbed like TEXT.
- QUOTING: text by or for anyone that may quote them (a rendered message, an audit line, an
  imported description, a search that found nothing): their values are erased from it.
- NOT_PERSONAL: holds nothing of a person; `why` says what it holds instead.

Rows are kept (with their ids, times, states and buildings), so every count and statistic that
joins on them stays right; a person's Telegram id stays on their rows as the key that makes
"count people, not presses" and "stay forgotten" possible, and names no one once the users row
is erased.

The outbox is special: rows addressed to the person are withdrawn and blanked by recipient
(storage/privacy.cancel_pending_to), every row loses its text once delivered
(storage/outbox.py), and what is still queued for others is searched like QUOTING text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.domain.erasure import Form
from bot.storage import requests as requests_repo


class How(Enum):
    NAME = "name"
    IDENTIFIER = "identifier"
    DETAIL = "detail"
    TEXT = "text"
    REMARK = "remark"
    QUOTING = "quoting"
    NOT_PERSONAL = "not personal"


@dataclass(frozen=True)
class Column:
    name: str
    how: How
    why: str = ""  # NOT_PERSONAL: what the column holds instead
    form: Form = Form.PLAIN  # how its text is written (where the person's values are looked for)
    # TEXT typed by other people about themselves (their own request's description): searched for
    # the person's names and numbers, not for their words, which there are a coincidence.
    own_words: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...] = ()
    # The column holding the Telegram id of the person the row belongs to (their rows).
    owner: str | None = None
    # Rows about the person although not theirs: SQL conditions with one `?` for their id.
    about: tuple[str, ...] = ()
    # A table without rowid: its key, and the counts added together when two rows become one.
    key: tuple[str, ...] = ()
    sums: tuple[str, ...] = ()
    # A virtual table (and its shadow tables) classified as a whole: what it holds.
    whole: str = ""

    def of(self, *kinds: How) -> list[Column]:
        return [c for c in self.columns if c.how in kinds]


def _kept(why: str, *names: str) -> tuple[Column, ...]:
    return tuple(Column(n, How.NOT_PERSONAL, why) for n in names)


def _times(*names: str) -> tuple[Column, ...]:
    return _kept("a time or date", *names)


def _quoting(*names: str, form: Form = Form.PLAIN) -> tuple[Column, ...]:
    return tuple(Column(n, How.QUOTING, form=form) for n in names)


def _texts(*names: str, own_words: bool = False) -> tuple[Column, ...]:
    return tuple(Column(n, How.TEXT, own_words=own_words) for n in names)


def _remarks(*names: str) -> tuple[Column, ...]:
    return tuple(Column(n, How.REMARK) for n in names)


_LANGUAGES = ("zh", "en", "fr")


def _in_languages(*stems: str) -> tuple[str, ...]:
    return tuple(f"{stem}_{lang}" for stem in stems for lang in _LANGUAGES)


_OF_THEIR_REQUESTS = "request_id IN (SELECT id FROM requests WHERE requester_id = ?)"

TABLES: tuple[Table, ...] = (
    # ------------------------------------------------------------------ people and roles
    Table(
        "users",
        (
            Column("first_name", How.NAME),
            Column("display_name", How.NAME),
            Column("username", How.IDENTIFIER),
            Column("phone", How.IDENTIFIER),
            Column("company", How.DETAIL),
            Column("building_other", How.DETAIL),
            *_kept("a language code (the bot answers in it)", "language", "telegram_language"),
            *_times("onboarded_at", "unreachable_at", "forgotten_at", "created_at", "updated_at"),
        ),
        owner="id",
    ),
    Table(
        "roles",
        (
            *_kept("a role name", "role"),
            *_kept("a volunteer project's key", "scope"),
            *_times("granted_at", "revoked_at"),
        ),
        owner="user_id",
    ),
    Table("staff_chats", (*_quoting("title"), *_times("bound_at"))),
    Table(
        "invitations",
        (
            *_kept("the SHA-256 of a one-time token", "token_hash"),
            *_kept("a role name", "role"),
            *_kept("a volunteer project's key", "scope"),
            *_times("created_at", "expires_at", "used_at", "revoked_at"),
        ),
        owner="used_by",
    ),
    Table(
        "audit_log",
        (
            Column("detail", How.TEXT),
            *_quoting("subject"),
            *_kept("an action code", "action"),
            *_times("at"),
        ),
        owner="actor_id",
        about=("subject IN (SELECT reference FROM requests WHERE requester_id = ?)",),
    ),
    Table("privacy_erasures", _kept("a day (erasures are counted per day, without anyone's id)", "day")),
    Table(
        "buildings",
        _kept("the district's shipped list of buildings", "code", "name_zh", "name_en", "name_fr", "address"),
    ),
    # ------------------------------------------------------------------ the outbox (see the docstring)
    Table(
        "outbox",
        (
            *_quoting("text", form=Form.HTML),
            *_quoting("buttons", form=Form.JSON),
            *_quoting("media_ref", form=Form.FILE),
            *_quoting("media_name", "last_error"),
            *_kept("a message kind or action", "kind", "action", "media_kind"),
            *_kept("a key made of ids, naming a message", "edit_of", "dedupe_key", "reply_to"),
            *_times(
                "not_before",
                "expires_at",
                "next_attempt_at",
                "sent_at",
                "dead_at",
                "missed_at",
                "cancelled_at",
                "created_at",
            ),
        ),
    ),
    # ------------------------------------------------------------------ requests
    Table(
        "requests",
        (
            *_texts("description", "rating_comment", own_words=True),
            *_remarks("question", "resolution"),
            Column("enterprise_name", How.DETAIL),
            Column("attachment_ref", How.IDENTIFIER, form=Form.FILE),
            Column("attachment_name", How.IDENTIFIER),
            *_kept("a reference such as JA-2026-000123", "reference"),
            *_kept("a category, status or attachment kind", "category", "status", "attachment_kind"),
            *_kept("a closing reason or whom the request waits on (a code)", "close_reason", "wait_on"),
            *_remarks("referral"),
            *_times(*requests_repo.TIMES),
        ),
        owner="requester_id",
    ),
    Table(
        "request_events",
        (
            Column("note", How.TEXT),
            Column("media_ref", How.IDENTIFIER, form=Form.FILE),
            Column("media_name", How.IDENTIFIER),
            *_kept("an event kind or a relayed file's kind", "kind", "media_kind"),
            *_times("at"),
        ),
        owner="actor_id",
        about=(_OF_THEIR_REQUESTS,),
    ),
    Table(
        "request_pauses",
        (
            *_remarks("party"),
            *_kept("why a request waits, and how the wait ended (codes)", "reason", "ended_how"),
            *_times("expected_on", "started_at", "nudge_at", "close_at", "remind_at", "ended_at"),
        ),
        owner="started_by",
        about=(_OF_THEIR_REQUESTS,),
    ),
    Table(
        "request_prompts",
        (
            *_kept("a staff action and its argument (a colleague's id)", "action", "arg"),
            *_times("created_at", "expires_at"),
        ),
        owner="user_id",
    ),
    Table("request_messages", _times("shown_at")),
    Table(
        "request_stability_tags",
        (*_kept("a stability tag chosen from a list", "tag"), *_times("tagged_at")),
        owner="tagged_by",
    ),
    Table("request_cards", (*_kept("a card's outbox key", "card_key"), *_times("posted_at"))),
    Table(
        "request_held_alerts",
        (*_kept("an alert kind", "kind"), *_times("raised_at", "release_at", "released_at")),
    ),
    Table("request_digests", _times("next_at", "last_sent_at")),
    Table("request_counters"),
    # ------------------------------------------------------------------ enterprises
    Table(
        "enterprises",
        (
            Column("liaison_user_id", How.IDENTIFIER),
            *_quoting("notes"),
            *_kept(
                "the registry's data on a company (a legal person), imported by administrators",
                "key",
                "name",
                "name_en",
                "floor_unit",
                "industry",
                "headcount_band",
                "party_org",
                "colour",
                "colour_source",
            ),
            *_times("lease_end", "colour_changed_at", "created_at", "updated_at"),
        ),
        owner="liaison_user_id",
    ),
    Table(
        "enterprise_colour_history",
        (
            *_texts("reason"),
            *_kept("a colour or its source", "colour_from", "colour_to", "source"),
            *_times("changed_at"),
        ),
        owner="changed_by",
    ),
    Table(
        "enterprise_visits",
        (
            *_texts("notes", "next_step"),
            *_kept("a visit outcome", "outcome"),
            *_times("visited_at", "next_step_on", "created_at"),
        ),
        owner="visitor_id",
    ),
    Table(
        "enterprise_followups",
        (
            *_kept("a colour", "colour"),
            *_times("started_at", "due_at", "reminded_at", "escalated_at", "next_reminder_at"),
        ),
    ),
    Table(
        "enterprise_link_codes",
        (*_kept("a one-time link code", "code"), *_times("created_at", "expires_at", "used_at")),
        owner="used_by",
    ),
    Table(
        "enterprise_suggestions",
        (
            *_texts("dismiss_reason"),
            *_kept("colours, a status", "colour_from", "colour_to", "status"),
            *_kept("signal codes and figures computed by the bot", "signature", "reasons"),
            *_times("created_at", "decided_at", "posted_at"),
        ),
        owner="decided_by",
    ),
    # Which enterprises the signal sweep checks next, and from when (migration 0080).
    Table("enterprise_signal_checks", _times("due_at")),
    Table(
        "enterprise_chat_digests",
        (*_kept("a digest's kind", "kind"), *_times("day", "sent_at")),
    ),
    Table(
        "data_uploads",
        (
            Column("file_name", How.DETAIL),
            Column("content", How.DETAIL),
            *_kept("a data set's kind, a file's SHA-256, a status", "kind", "sha256", "status"),
            *_kept("keys of enterprises whose colour staff set (JSON)", "conflicts"),
            *_times("created_at", "expires_at", "decided_at"),
        ),
        owner="user_id",
    ),
    Table("enterprise_sweeps", (*_kept("a sweep's name", "name"), *_times("next_at"))),
    # ------------------------------------------------------------------ volunteering
    Table(
        "vol_projects",
        (
            *_quoting(
                *_in_languages("title", "description", "requirements", "place"),
                "address",
                "address_en",
                "address_fr",
                "search_text",
            ),
            *_kept("a topic key", "topic"),
            *_kept("a project's key, kind, slot or reminder rules", "key", "kind", "slot", "reminders"),
            *_kept("the check-in poster's code", "checkin_code"),
            *_times("created_at", "updated_at"),
        ),
    ),
    Table(
        "vol_schedules",
        (
            *_kept("weekdays and local times of a schedule", "weekdays", "start_time", "end_time"),
            *_times("first_day", "last_day", "skip_days", "generated_until"),
        ),
    ),
    Table(
        "vol_shifts",
        (
            *_quoting("place_note"),
            *_kept("a shift's status, or its check-in secret", "status", "checkin_secret"),
            *_times(
                "starts_at",
                "ends_at",
                "cancelled_at",
                "fill_offered_at",
                "created_at",
                "cut_asked_at",
                "cut_due_at",
            ),
        ),
    ),
    Table(
        "vol_signups",
        (
            *_kept("a sign-up's status or check-in method", "status", "checkin_method"),
            *_times(
                "queued_at", "offer_expires_at", "coming_at", "checked_in_at", "created_at", "updated_at"
            ),
        ),
        owner="user_id",
    ),
    Table(
        "vol_teams",
        (
            *_kept("a team's join code", "code"),
            *_times("release_at", "released_at", "created_at", "warned_at"),
        ),
        owner="liaison_user_id",
    ),
    Table(
        "vol_availability",
        (*_kept("availability slots chosen from a list", "slots"), *_times("updated_at")),
        owner="user_id",
    ),
    Table("vol_fill_asks", _times("asked_at"), owner="user_id"),
    Table(
        "vol_reminders",
        (*_kept("which reminder of a project (a code)", "kind"), *_times("due_at", "sent_at")),
    ),
    Table(
        "vol_certificates",
        (
            Column("name", How.NAME),
            *_kept("a certificate's serial number", "serial"),
            *_times("first_day", "last_day", "issued_at"),
        ),
        owner="user_id",
    ),
    Table("vol_searches", (*_texts("query"), *_times("created_at")), owner="user_id"),
    Table(
        "vol_series",
        (*_kept("a local start time", "start_time"), *_times("created_at", "cancelled_at")),
        owner="user_id",
    ),
    Table(
        "vol_claims", (*_kept("a team's join code", "code"), *_times("created_at")), owner="liaison_user_id"
    ),
    # ------------------------------------------------------------------ events
    Table(
        "event_topics",
        _kept("a topic's key and names, shipped with the bot", "key", *_in_languages("name")),
    ),
    Table("topic_subscriptions", (*_kept("a topic key", "topic"), *_times("subscribed_at")), owner="user_id"),
    Table(
        "events",
        (
            *_quoting(*_in_languages("title", "description"), "place"),
            *_kept("a topic key or status", "topic", "status"),
            *_times("starts_at", "created_at", "published_at", "cancelled_at", "updated_at"),
        ),
        owner="created_by",
    ),
    Table(
        "event_rsvps",
        (
            *_kept("an answer's status", "status"),
            *_times("joined_at", "offered_at", "offer_expires_at", "updated_at"),
        ),
        owner="user_id",
    ),
    Table("broadcasts", (*_kept("a topic key", "topic"), *_times("created_at")), owner="sent_by"),
    Table(
        "stats_reports",
        (*_kept("a report's name or period", "name", "last_period"), *_times("next_at", "last_sent_at")),
    ),
    # ------------------------------------------------------------------ the service guide
    Table(
        "guide_entries",
        _kept("the imported catalogue of services", "key", "audience", "kind", "category", "data", "section"),
    ),
    Table(
        "guide_meta",
        (*_kept("the imported file's name and SHA-256", "source", "sha256"), *_times("imported_at")),
    ),
    Table(
        "guide_misses",
        (*_quoting("query", "shown", form=Form.SEARCH), *_times("week")),
        key=("week", "query"),
        sums=("count",),
    ),
    # Phrasings staff attached to entries: questions typed by nobody in particular (made anonymous
    # when a miss is recorded), searched like the miss log.
    Table(
        "guide_phrasings",
        (
            *_quoting("phrase", "normal", form=Form.SEARCH),
            *_kept("a guide entry's key", "entry_key"),
            *_times("added_at"),
        ),
    ),
    # ------------------------------------------------------------------ the staff Mini App
    Table(
        "webapp_actions",
        (*_kept("an initData hash and a one-time action id", "init_hash", "action_id"), *_times("used_at")),
        owner="user_id",
    ),
    Table(
        "webapp_menus",
        (*_kept("the menu button given (a URL and language)", "state"), *_times("set_at")),
        owner="user_id",
    ),
)

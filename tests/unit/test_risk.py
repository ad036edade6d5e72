"""The five-colour rules as tables: which facts suggest which colour, when a notice is worth sending,
and how each colour's follow-up deadline is counted."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain import risk
from bot.domain.risk import Facts
from bot.domain.worktime import WorkCalendar

TODAY = date(2026, 11, 23)


def facts(**values: object) -> Facts:
    return Facts(today=TODAY, colour=str(values.pop("colour", "blue")), **values)  # type: ignore[arg-type]


PRINTER = risk.Evidence("JA-2026-000012", "office")
MOVING = risk.Evidence("JA-2026-000019", "office")
CUTS = risk.Evidence("JA-2026-000023", "hr")

SUGGESTIONS = [
    # (description, facts, suggested colour or None, signal codes)
    ("nothing known", facts(), None, set()),
    ("lease far away", facts(lease_end=date(2028, 1, 1)), None, set()),
    ("lease within 6 months", facts(lease_end=date(2027, 5, 1)), "yellow", {"lease_6m"}),
    ("lease within 3 months", facts(lease_end=date(2027, 1, 31)), "orange", {"lease_3m"}),
    ("lease exactly 92 days away", facts(lease_end=date(2027, 2, 23)), "orange", {"lease_3m"}),
    ("lease ended", facts(lease_end=date(2026, 11, 1)), "orange", {"lease_ended"}),
    (
        "a request tagged relocation risk",
        facts(tagged={"relocation": (MOVING,)}),
        "orange",
        {"tag_relocation"},
    ),
    ("a request tagged layoffs", facts(tagged={"layoffs": (CUTS,)}), "orange", {"tag_layoffs"}),
    ("rent arrears", facts(tagged={"rent_arrears": (MOVING,)}), "yellow", {"tag_rent_arrears"}),
    ("expansion", facts(tagged={"expansion": (MOVING,)}), "yellow", {"tag_expansion"}),
    (
        "IBG: lease ending and a request tagged relocation risk",
        facts(lease_end=date(2026, 12, 31), tagged={"relocation": (MOVING,)}),
        "red",
        {"lease_3m", "tag_relocation", "leaving"},
    ),
    (
        "lease in 6 months and the visit found they may move",
        facts(lease_end=date(2027, 5, 1), last_visit=("may_move", date(2026, 11, 20), 7)),
        "red",
        {"lease_6m", "visit_may_move", "leaving"},
    ),
    (
        "visit found they need help",
        facts(last_visit=("needs_help", date(2026, 11, 20), 7)),
        "yellow",
        {"visit_needs_help"},
    ),
    ("a stable visit says nothing", facts(last_visit=("stable", date(2026, 11, 20), 7)), None, set()),
    ("missed visit", facts(visit_due=date(2026, 11, 2)), "yellow", {"no_visit"}),
    ("rating 3 is fine", facts(low_rating=(3, PRINTER)), None, set()),
    ("rating 2", facts(low_rating=(2, PRINTER)), "yellow", {"low_rating"}),
    ("rating 1: needs attention, not at risk", facts(low_rating=(1, PRINTER)), "yellow", {"low_rating"}),
    (
        "three mild signals push one step further",
        facts(visit_due=date(2026, 11, 2), low_rating=(2, PRINTER), tagged={"rent_arrears": (MOVING,)}),
        "orange",
        {"no_visit", "low_rating", "tag_rent_arrears", "several"},
    ),
    (
        "three signals at orange push to red",
        facts(lease_end=date(2026, 11, 1), tagged={"layoffs": (CUTS,)}, low_rating=(1, PRINTER)),
        "red",
        {"lease_ended", "tag_layoffs", "low_rating", "several"},
    ),
]


@pytest.mark.parametrize(
    ("description", "given", "colour", "codes"), SUGGESTIONS, ids=[s[0] for s in SUGGESTIONS]
)
def test_suggestion(description: str, given: Facts, colour: str | None, codes: set[str]) -> None:
    suggestion = risk.suggest(given)
    if colour is None:
        assert suggestion is None
        return
    assert suggestion is not None
    assert suggestion.colour == colour
    assert {s.code for s in suggestion.signals} == codes
    assert all(s.code in risk.REASONS for s in suggestion.signals)


LEASE = facts(lease_end=date(2027, 1, 31))
LEASE_FACT = "lease_3m:2027-01-31"

NOTICES = [
    # (current colour, facts' suggestion, dismissed signature, open signature, worth a notice?)
    ("blue", LEASE, None, None, True),
    ("orange", LEASE, None, None, False),  # not worse than current
    ("red", LEASE, None, None, False),  # better than current
    ("blue", LEASE, LEASE_FACT, None, False),  # dismissed, nothing new
    (
        "blue",
        facts(lease_end=date(2027, 1, 31), visit_due=date(2026, 11, 2)),
        LEASE_FACT,
        None,
        True,
    ),  # new fact
    ("blue", LEASE, None, LEASE_FACT, False),  # the same suggestion is open
    ("blue", facts(lease_end=date(2027, 1, 31), tagged={"relocation": (MOVING,)}), None, LEASE_FACT, True),
    # Dismissed for one tagged request: another request with the same tag is a new fact.
    (
        "blue",
        facts(tagged={"relocation": (MOVING, CUTS)}),
        "relocation:JA-2026-000019",
        None,
        True,
    ),
    ("blue", facts(tagged={"relocation": (MOVING,)}), "relocation:JA-2026-000019", None, False),
    ("blue", facts(), None, None, False),  # no signal at all
]


def test_a_suggestion_names_its_facts() -> None:
    suggestion = risk.suggest(facts(lease_end=date(2026, 12, 31), tagged={"relocation": (MOVING,)}))
    assert suggestion is not None
    assert suggestion.signature == "lease_3m:2026-12-31,relocation:JA-2026-000019"
    tagged = next(s for s in suggestion.signals if s.code == "tag_relocation")
    assert tagged.as_dict()["evidence"] == [["JA-2026-000019", "office"]]


@pytest.mark.parametrize(("current", "given", "dismissed", "open_", "expected"), NOTICES)
def test_worth_notice(
    current: str, given: Facts, dismissed: str | None, open_: str | None, expected: bool
) -> None:
    assert risk.worth_notice(risk.suggest(given), current, dismissed, open_) is expected


CAL = WorkCalendar()
MONDAY = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai

DEADLINES = [
    ("green", datetime(2027, 11, 23, 1, 30, tzinfo=UTC)),  # a year
    ("blue", datetime(2027, 2, 22, 1, 30, tzinfo=UTC)),  # 91 days
    ("yellow", datetime(2026, 12, 14, 1, 30, tzinfo=UTC)),  # 15 working days: three weeks
    ("orange", datetime(2026, 11, 30, 1, 30, tzinfo=UTC)),  # 5 working days: next Monday
    ("red", datetime(2026, 11, 25, 1, 30, tzinfo=UTC)),  # 2 working days: Wednesday 09:30
]


@pytest.mark.parametrize(("colour", "due"), DEADLINES)
def test_follow_up_deadlines(colour: str, due: datetime) -> None:
    assert risk.DEFAULT_RULES[colour].due(MONDAY, CAL) == due


def test_red_on_friday_evening_is_due_on_tuesday_evening() -> None:
    friday_evening = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 18:00 local: after hours
    assert risk.DEFAULT_RULES["red"].due(friday_evening, CAL) == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_alerts() -> None:
    assert risk.DEFAULT_RULES["red"].alert_tier == 3
    assert risk.DEFAULT_RULES["orange"].alert_tier == 2
    assert all(risk.DEFAULT_RULES[c].alert_tier is None for c in ("green", "blue", "yellow"))


REMINDERS = [
    # colour, the previous reminder (local), the next one (local opening of a working day)
    ("red", datetime(2026, 11, 25, 10, 30), datetime(2026, 11, 26, 9, 0)),  # Wed -> Thu
    ("red", datetime(2026, 11, 27, 9, 0), datetime(2026, 11, 30, 9, 0)),  # Fri -> Mon
    ("orange", datetime(2026, 11, 26, 9, 0), datetime(2026, 11, 30, 9, 0)),  # Thu -> Mon (2 working days)
    ("yellow", datetime(2026, 11, 25, 11, 0), datetime(2026, 12, 2, 9, 0)),  # weekly
    ("red", datetime(2026, 9, 30, 9, 0), datetime(2026, 10, 8, 9, 0)),  # over the National Day holidays
]


@pytest.mark.parametrize(("colour", "after", "expected"), REMINDERS)
def test_reminder_cadence(colour: str, after: datetime, expected: datetime) -> None:
    local = after.replace(tzinfo=CAL.tz)
    assert risk.DEFAULT_REMINDERS[colour].next_at(local, CAL) == expected.replace(tzinfo=CAL.tz)


def test_reminders_climb_one_tier_every_n() -> None:
    assert [risk.reminder_tier(n, 3) for n in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    assert risk.reminder_tier(2, 1) == 2
    assert risk.parse_reminders("red=2wd, yellow=7d")["yellow"] == risk.ReminderRule("yellow", 7, False)
    with pytest.raises(ValueError):
        risk.parse_reminders("red=often")


RULE_TEXTS = [
    ("", risk.DEFAULT_RULES),
    ("yellow=10wd", {**risk.DEFAULT_RULES, "yellow": risk.FollowUpRule("yellow", 10, True, None)}),
    (
        " RED = 1wd , blue=60d ",
        {
            **risk.DEFAULT_RULES,
            "red": risk.FollowUpRule("red", 1, True, 3),
            "blue": risk.FollowUpRule("blue", 60, False, None),
        },
    ),
]


@pytest.mark.parametrize(("text", "rules"), RULE_TEXTS)
def test_parse_rules(text: str, rules: dict[str, risk.FollowUpRule]) -> None:
    assert risk.parse_rules(text) == rules


@pytest.mark.parametrize("bad", ["purple=3d", "red", "red=0d", "red=-1wd", "red=soon", "red=3h"])
def test_parse_rules_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        risk.parse_rules(bad)


@pytest.mark.parametrize(
    ("text", "colour"),
    [
        ("red", "red"),
        ("RED", "red"),
        (" 红 ", "red"),
        ("橙色", "orange"),
        ("vert", "green"),
        ("purple", None),
        ("", None),
    ],
)
def test_parse_colour(text: str, colour: str | None) -> None:
    assert risk.parse_colour(text) == colour


@pytest.mark.parametrize(
    ("today", "changes_on"),
    [
        (date(2026, 11, 23), date(2026, 11, 30)),  # 190 days left: enters its last six months on the 30th
        (date(2026, 11, 30), date(2027, 3, 1)),  # 183 days left: next, its last three months
        (date(2027, 3, 1), date(2027, 6, 2)),  # 92 days left: next, ended (the day after)
        (date(2027, 6, 2), None),  # ended: nothing changes by time any more
    ],
)
def test_a_lease_changes_its_signal_on_the_days_signals_reads(today: date, changes_on: date | None) -> None:
    """The sweep checks an enterprise again on these days (no full scan): each must be the first
    day `signals` says something else about the lease than the day before."""
    lease_end = date(2027, 6, 1)
    assert risk.lease_changes_on(lease_end, today) == changes_on
    if changes_on is not None:

        def codes(day: date) -> set[str]:
            return {s.code for s in risk.signals(Facts(today=day, colour="green", lease_end=lease_end))}

        before = date.fromordinal(changes_on.toordinal() - 1)
        assert codes(before) != codes(changes_on)
        assert all(
            codes(date.fromordinal(d)) == codes(today)
            for d in range(today.toordinal(), changes_on.toordinal())
        )
    assert risk.lease_changes_on(None, today) is None

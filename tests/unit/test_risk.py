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


SUGGESTIONS = [
    # (description, facts, suggested colour or None, signal codes)
    ("nothing known", facts(), None, set()),
    ("lease far away", facts(lease_end=date(2028, 1, 1)), None, set()),
    ("lease within 6 months", facts(lease_end=date(2027, 5, 1)), "yellow", {"lease_6m"}),
    ("lease within 3 months", facts(lease_end=date(2027, 1, 31)), "orange", {"lease_3m"}),
    ("lease exactly 92 days away", facts(lease_end=date(2027, 2, 23)), "orange", {"lease_3m"}),
    ("lease ended", facts(lease_end=date(2026, 11, 1)), "orange", {"lease_ended"}),
    ("relocation request alone", facts(office_requests=1), "orange", {"relocation"}),
    (
        "IBG: lease ending and looking for offices",
        facts(lease_end=date(2026, 12, 31), office_requests=1),
        "red",
        {"lease_3m", "relocation", "leaving"},
    ),
    (
        "lease in 6 months and looking for offices",
        facts(lease_end=date(2027, 5, 1), office_requests=2),
        "red",
        {"lease_6m", "relocation", "leaving"},
    ),
    ("request at tier 3", facts(high_tier_requests=1), "orange", {"high_tier"}),
    ("one overdue request", facts(overdue_requests=1), "yellow", {"overdue"}),
    ("three overdue requests", facts(overdue_requests=3), "orange", {"overdue"}),
    ("missed visit", facts(follow_up_overdue=True), "yellow", {"no_visit"}),
    ("rating 3 is fine", facts(lowest_rating=3), None, set()),
    ("rating 2", facts(lowest_rating=2), "yellow", {"low_rating"}),
    ("rating 1", facts(lowest_rating=1), "orange", {"low_rating"}),
    (
        "three mild signals push one step further",
        facts(follow_up_overdue=True, lowest_rating=2, overdue_requests=1),
        "orange",
        {"no_visit", "low_rating", "overdue", "several"},
    ),
    (
        "three signals at orange push to red",
        facts(high_tier_requests=1, overdue_requests=4, lowest_rating=1),
        "red",
        {"high_tier", "overdue", "low_rating", "several"},
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


NOTICES = [
    # (current colour, facts' suggestion, dismissed signature, open signature, worth a notice?)
    ("blue", facts(lease_end=date(2027, 1, 31)), None, None, True),
    ("orange", facts(lease_end=date(2027, 1, 31)), None, None, False),  # not worse than current
    ("red", facts(lease_end=date(2027, 1, 31)), None, None, False),  # better than current
    ("blue", facts(lease_end=date(2027, 1, 31)), "lease_3m", None, False),  # dismissed, nothing new
    (
        "blue",
        facts(lease_end=date(2027, 1, 31), follow_up_overdue=True),
        "lease_3m",
        None,
        True,
    ),  # new signal
    ("blue", facts(lease_end=date(2027, 1, 31)), None, "lease_3m", False),  # the same notice is open
    ("blue", facts(lease_end=date(2027, 1, 31), office_requests=1), None, "lease_3m", True),  # worse news
    ("blue", facts(), None, None, False),  # no signal at all
]


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


def test_alerts_and_escalations() -> None:
    assert risk.DEFAULT_RULES["red"].alert_tier == 3
    assert risk.DEFAULT_RULES["orange"].alert_tier == 2
    assert all(risk.DEFAULT_RULES[c].alert_tier is None for c in ("green", "blue", "yellow"))
    assert risk.ESCALATE_OVERDUE == {"orange": 3, "red": 3}


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

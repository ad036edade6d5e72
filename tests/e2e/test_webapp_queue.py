"""The Mini App's queue is /queue in private: for the same person on the same data, the same
sections in the same order with the same counts, the same lines in the same urgency order, each
saying what a paused request waits on; narrowed to a tier or a building, the counts follow.

A busy day at the station (see `busy_day`): requests of JA Gohigh and Park Place, overdue ones
filed on Monday morning, ones due today filed in the afternoon, platform (tier 2) ones, some
claimed by the person, some by a colleague, some waiting on the requester, a department or a
third party. Seen on Tuesday 10:00 by the sub-district's staff member (tier 3, the whole
district) and by JA Gohigh's building worker (tier 1, their building only).
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.sandbox.people import Person
from bot.services.requests.queue import SECTIONS
from tests.e2e.desk import company, file, row, worker, zh
from tests.e2e.station import Station, station_fixture  # noqa: F401 - the `station` fixture

SECTION_TAB = re.compile(r'data-testid="section-(\w+)">[^<]*<span class="n">(\d+)</span>')
REFERENCE = re.compile(r"JA-2026-\d{6}")
LABELS = {
    "Open": "open",
    "Unclaimed": "unclaimed",
    "Overdue": "overdue",
    "Due today": "today",
    "Waiting": "waiting",
    "Mine": "mine",
}


async def busy_day(s: Station) -> dict[str, list[str]]:
    """Requests of every kind, by what they are; the clock ends on Tuesday 10:00."""
    bot, requests = s.bot, s.bot.services.requests
    bo = await worker(bot, 1002, "Bo", building="PARKPL")
    orange = await company(bot, "ORG", "橙色企业", colour="orange")
    early = [await file(bot, s.worker.id, f"Early question {n}") for n in range(5)]  # Monday 09:30
    park = [await file(bot, bo.id, f"Park Place question {n}") for n in range(3)]
    bot.clock.advance(timedelta(hours=4, minutes=30))  # Monday 14:00
    late = [await file(bot, s.worker.id, f"Afternoon question {n}") for n in range(6)]
    platform = [
        await file(bot, s.worker.id, f"Platform question {n}", enterprise_id=orange) for n in range(4)
    ]

    async def rid(reference: str) -> int:
        return (await row(bot, reference))["id"]

    for reference in (early[0], late[0], platform[0]):
        await requests.staff.claim(s.district_staff.id, await rid(reference))
    for reference in (early[1], late[1], park[0]):
        await requests.staff.claim(
            (s.park_staff if reference in park else s.gohigh_staff).id, await rid(reference)
        )
    await requests.staff.ask(s.gohigh_staff.id, await rid(late[2]), "Which year?")
    await requests.pauses.wait_on(s.district_staff.id, await rid(late[3]), "department", "税务局 3")
    await requests.pauses.wait_on(s.district_staff.id, await rid(platform[1]), "third_party", "Landlord 2")
    await bot.flush()
    bot.clock.advance(timedelta(hours=20))  # Tuesday 10:00, no tick: the early ones are overdue
    return {"early": early, "park": park, "late": late, "platform": platform}


def app_counts(html: str) -> list[tuple[str, int]]:
    """The Mini App's section tabs, in their order: (section, count)."""
    return [(key, int(n)) for key, n in SECTION_TAB.findall(html)]


def chat_counts(message) -> list[tuple[str, int]]:
    """/queue's counts line ("Open 20 · Unclaimed 10 · ..."), in its order: (section, count)."""
    line = next(line for line in message.plain.splitlines() if line.startswith("Open "))
    found = []
    for part in line.split(" · "):
        label, _, number = part.rpartition(" ")
        found.append((LABELS[label], int(number)))
    return found


async def private_queue(s: Station, person: Person):
    await person.send("/queue")
    return await person.wait_for(lambda m: "Your queue" in m.plain and "Open " in m.plain)


async def test_the_app_shows_the_queue_of_the_chat_for_the_same_person(station: Station) -> None:
    s = station
    made = await busy_day(s)
    for person in (s.district_staff, s.gohigh_staff):
        shown = await private_queue(s, person)
        status, html = await s.get(person, "queue")
        assert status == 200
        assert [key for key, _ in app_counts(html)] == list(SECTIONS)
        assert app_counts(html) == chat_counts(shown), person.first_name

    # What each sees (so the equality above is about something): the district sees every tier-1
    # and tier-2 request of both buildings; JA Gohigh's worker only JA Gohigh's tier-1 ones.
    _, district = await s.get(s.district_staff, "queue")
    assert dict(app_counts(district)) == {
        "open": 1 + 5 + 3 + 6 + 4,  # the fixture's request and the day's
        "unclaimed": 1 + 3 + 2 + 2 + 2,  # neither claimed nor paused
        "overdue": 1 + 5 + 3,  # Monday morning's, due Tuesday 09:30 (the fixture's too)
        "today": 4 + 0,  # the afternoon's still running, due Tuesday 14:00 (tier 2: later)
        "waiting": 3,
        "mine": 3,  # what the person claimed (the pauses they set on others' requests are not theirs)
    }
    _, gohigh = await s.get(s.gohigh_staff, "queue")
    assert dict(app_counts(gohigh))["open"] == 1 + 5 + 6 and not set(made["park"] + made["platform"]) & set(
        REFERENCE.findall(gohigh)
    )


async def test_each_section_lists_the_same_lines_in_the_same_order(station: Station) -> None:
    s = station
    await busy_day(s)
    person = s.district_staff
    shown = await private_queue(s, person)
    _, html = await s.get(person, "queue")
    assert REFERENCE.findall(html.split('data-testid="requests"', 1)[1])[:10] == REFERENCE.findall(
        shown.plain
    )
    for key, count in chat_counts(shown)[1:]:  # "Open" is shown first
        label = next(name for name, section in LABELS.items() if section == key)
        await person.press(f"{label} {count}", message=shown)
        page = await person.wait_for(
            lambda m, label=label, count=count, shown=shown: (
                m.message_id == shown.message_id and f"\n{label} ({count})" in m.plain
            )
        )
        _, html = await s.get(person, f"queue?section={key}")
        lines = html.split('data-testid="requests"', 1)[1]
        assert REFERENCE.findall(lines)[:10] == REFERENCE.findall(page.plain), key
        shown = page
        if key == "waiting":
            for words in (
                "⏸ Waiting on the requester",
                "⏸ Waiting on another department: 税务局 · expected 2026-11-26",  # in 3 working days
                "⏸ Waiting on a third party: Landlord · expected 2026-11-25",
            ):
                assert words in page.plain and words in lines, words


async def test_narrowed_to_a_tier_or_a_building_the_counts_follow_the_lines(station: Station) -> None:
    s = station
    made = await busy_day(s)
    _, park = await s.get(s.district_staff, f"queue?building={s.park}")
    assert set(REFERENCE.findall(park.split('data-testid="requests"', 1)[1])) == set(made["park"])
    assert dict(app_counts(park)) == {
        "open": 3, "unclaimed": 2, "overdue": 3, "today": 0, "waiting": 0, "mine": 0
    }  # fmt: skip
    assert "Park Place" in park and "selected>" in park
    _, platform = await s.get(s.district_staff, "queue?tier=2&section=waiting")
    listed = REFERENCE.findall(platform.split('data-testid="requests"', 1)[1])
    assert listed == [made["platform"][1]] and dict(app_counts(platform))["open"] == 4
    assert 'data-go="queue?section=mine&amp;tier=2"' in platform  # the tabs keep the narrowing
    for bad in ("section=everything", "tier=9", "tier=two", f"building={s.park}x"):
        status, text = await s.get(s.district_staff, f"queue?{bad}")
        assert status == 400 and "This filter is not valid" in text, bad
    await s.bot.services.users.set_language(s.district_staff.id, "zh")
    _, chinese = await s.get(s.district_staff, "queue")
    assert all(
        f">{zh(s.bot, label)} <" in chinese for label in LABELS
    )  # the sections in the person's language

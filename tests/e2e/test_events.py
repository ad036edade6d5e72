"""Announcements and events through the emulator: topics, publishing, broadcasts, RSVPs."""

from __future__ import annotations

from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.db import ts

STUDY_EN = "“Four Histories” study sessions"
COLLEGE_EN = "Business-college courses"


async def make_organiser(bot, person) -> None:
    async with bot.services.db.tx() as conn:
        now = bot.clock.now()
        await users_repo.upsert_seen(conn, person.user_id, person.first_name, None, "en", now)
        await users_repo.update(conn, person.user_id, now, language="en", onboarded_at=now)
        await roles_repo.grant(conn, person.user_id, "organiser", now, scope="study")


async def subscribe(bot, person, label: str) -> None:
    await person.send("/subscribe")
    await person.wait_for(lambda m: any(label in b for b in m.buttons))
    await person.press(label)
    await person.wait_for(lambda m: any(b.startswith("✅") and label in b for b in m.buttons))


async def publish(bot, organiser, *, topic: str = STUDY_EN, capacity: str | None = "2") -> None:
    """Walk the /publish flow up to the preview (does not press Publish)."""
    await organiser.send("/publish")
    await organiser.wait_for("Which topic")
    await organiser.press(topic)
    await organiser.wait_for("title")
    await organiser.send(
        "zh: “四史”学习会 <第一期>\nen: “Four Histories” session <1>\nfr: Séance « Quatre Histoires » <1>"
    )
    await organiser.wait_for("When does it start")
    await organiser.send("soon")  # not a date: asked again, nothing stored
    await organiser.wait_for("could not read that date")
    await organiser.send("2026-12-03 19:00")
    await organiser.wait_for("Where?")
    await organiser.send("JA Gohigh Building, 3F station")
    await organiser.wait_for("How many places")
    if capacity is None:
        await organiser.press("No limit")
    else:
        await organiser.send(capacity)
    await organiser.wait_for("description")
    await organiser.press("Skip")
    await organiser.wait_for("Preview")


async def test_broadcast_reaches_only_that_topics_subscribers_in_their_language(bot) -> None:
    organiser = bot.emu.user(301, "Claire", language_code="en")
    await make_organiser(bot, organiser)
    alice = bot.emu.user(311, "Alice", language_code="en")
    bruno = bot.emu.user(312, "Bruno", language_code="fr")
    carol = bot.emu.user(313, "Carol", language_code="en")
    dave = bot.emu.user(314, "Dave", language_code="en")
    await subscribe(bot, alice, STUDY_EN)
    await subscribe(bot, bruno, "Séances d’étude des « Quatre Histoires »")
    await subscribe(bot, carol, COLLEGE_EN)
    await dave.send("/events")
    await dave.wait_for("Nothing is planned")

    await publish(bot, organiser)
    preview = organiser.last
    assert "2 subscriber(s)" in preview.plain and "“Four Histories” session <1>" in preview.plain
    publish_data = preview.button("Publish")["callback_data"]
    await organiser.press("Publish")
    await organiser.wait_for("Published")
    await bot.flush()

    english = alice.last
    assert english is not None and "“Four Histories” session <1>" in english.plain
    assert "JA Gohigh Building, 3F station" in english.plain and "I'll come" in english.buttons
    french = bruno.last
    assert french is not None and "Séance « Quatre Histoires » <1>" in french.plain
    assert "Nouvel" in french.plain
    for outsider in (carol, dave):
        assert not any("Four Histories" in m.plain for m in outsider.inbox)
    # Pressing Publish again (a stale preview) sends nothing twice.
    await organiser.press_data(publish_data)
    await organiser.wait_for("already published")
    await bot.flush()
    assert sum("session <1>" in m.plain for m in alice.inbox) == 1
    # The topic's own button lets a subscriber stop the announcements.
    await alice.press("Stop these announcements")
    await alice.wait_for("no longer receive")
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT COUNT(*) FROM topic_subscriptions WHERE user_id = ?", (alice.id,))
        assert (await cur.fetchone())[0] == 0
        cur = await conn.execute("SELECT action FROM audit_log WHERE actor_id = ?", (organiser.id,))
        assert [r[0] for r in await cur.fetchall()] == ["event.publish"]
    assert bot.emu.error_log == []


async def test_a_worker_cannot_publish(bot) -> None:
    worker = bot.emu.user(321, "Wang", language_code="en")
    await worker.send("/publish")
    await worker.wait_for("only volunteer organisers")
    # A forged publish button is refused as well, and nothing is sent.
    await worker.press_data("1|ev|pub|1")
    await worker.send("/events")
    await worker.wait_for("Nothing is planned")


async def test_rsvp_respects_capacity_and_the_waiting_list(bot) -> None:
    organiser = bot.emu.user(331, "Claire", language_code="en")
    await make_organiser(bot, organiser)
    people = [bot.emu.user(340 + i, name, language_code="en") for i, name in enumerate(["Ann", "Ben", "Cat"])]
    for person in people:
        await subscribe(bot, person, STUDY_EN)
    await publish(bot, organiser, capacity="1")
    await organiser.press("Publish")
    await organiser.wait_for("Published")
    await bot.flush()
    ann, ben, cat = people

    await ann.press("I'll come")
    await ann.wait_for("Your place is booked")
    await ben.press("I'll come")
    await ben.wait_for("you are on the waiting list")
    await cat.press("I'll come")
    card = await cat.wait_for("waiting list")
    assert "number 2 on the waiting list" in card.plain and "Places left: 0" in card.plain

    # Ann gives her place back: Ben (first in line) is offered it, Cat still waits.
    await ann.press("Cancel my place")
    await ann.wait_for("withdrawn")
    await bot.flush()
    offer = await ben.wait_for("A place has freed up")
    assert "Take the place" in offer.buttons
    await cat.send("/events")
    listing = await cat.wait_for("Upcoming events")
    assert "waiting list" in listing.plain

    # Ben lets the offer lapse: after the window it passes to Cat.
    await bot.advance(hours=2, minutes=1)
    offer_to_cat = await cat.wait_for("A place has freed up")
    await cat.press("Take the place", message=offer_to_cat)
    await cat.wait_for("Your place is booked")
    await ben.press("Take the place")  # too late: back in the queue, no place taken
    late = await ben.wait_for("waiting list")
    assert "Places left: 0" in late.plain
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT user_id, status FROM event_rsvps ORDER BY user_id")
        assert {r[0]: r[1] for r in await cur.fetchall()} == {
            ann.id: "left",
            ben.id: "waiting",
            cat.id: "going",
        }


async def test_more_than_1000_recipients_needs_the_count_confirmed(bot) -> None:
    admin = bot.emu.user(9001, "Admin", language_code="en")
    async with bot.services.db.tx() as conn:
        now = bot.clock.now()
        await users_repo.upsert_seen(conn, admin.id, "Admin", None, "en", now)
        await conn.executemany(
            "INSERT INTO users (id, first_name, language, created_at, updated_at) VALUES (?, ?, 'zh', ?, ?)",
            [(500_000 + i, f"W{i}", ts(now), ts(now)) for i in range(1001)],
        )
        await conn.executemany(
            "INSERT INTO topic_subscriptions (user_id, topic, subscribed_at) VALUES (?, 'college', ?)",
            [(500_000 + i, ts(now)) for i in range(1001)],
        )
    await publish(bot, admin, topic=COLLEGE_EN, capacity=None)
    await admin.press("Publish")
    confirm = await admin.wait_for("will be sent to 1001 people")
    assert "Send to 1001 people" in confirm.buttons
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'announcement'")
        assert (await cur.fetchone())[0] == 0  # nothing queued before the confirmation

    # One more subscriber arrives before the press: the count shown is no longer true, ask again.
    async with bot.services.db.tx() as conn:
        await conn.execute(
            "INSERT INTO users (id, first_name, created_at, updated_at) VALUES (?, 'Late', ?, ?)",
            (600_000, ts(now), ts(now)),
        )
        await conn.execute(
            "INSERT INTO topic_subscriptions (user_id, topic, subscribed_at) VALUES (?, 'college', ?)",
            (600_000, ts(now)),
        )
    await admin.press("Send to 1001 people")
    await admin.wait_for("will be sent to 1002 people")
    await admin.press("Send to 1002 people")
    await admin.wait_for("on its way to 1002 subscriber(s)")
    async with bot.services.db.read() as conn:
        cur = await conn.execute(
            "SELECT COUNT(*), MAX(not_before) > MIN(not_before) FROM outbox WHERE kind = 'announcement'"
        )
        count, spread = await cur.fetchone()
        assert count == 1002 and spread  # queued for the sender, spread at Telegram's pace
        cur = await conn.execute("SELECT recipients, confirmed_count FROM broadcasts")
        assert tuple(await cur.fetchone()) == (1002, 1002)

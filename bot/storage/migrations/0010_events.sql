-- Announcements and events: topics people subscribe to, events published to a topic, RSVPs
-- (capacity + waiting list, the same rules as volunteer shifts), and one row per broadcast.
-- Also the weekly figures report's due time (a row with a due time, like everything else).

-- Topics are data (like buildings): their names in the three languages live here.
CREATE TABLE event_topics (
    key         TEXT PRIMARY KEY,
    position    INTEGER NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    name_fr     TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1
);
INSERT INTO event_topics (key, position, name_zh, name_en, name_fr) VALUES
    ('study', 1, '“四史”学习', '“Four Histories” study sessions', 'Séances d’étude des « Quatre Histoires »'),
    ('college', 2, '商圈商学院课程', 'Business-college courses', 'Cours du collège d’affaires'),
    ('relief', 3, '白领减压室活动', 'Pressure-relief room sessions', 'Séances de la salle de détente'),
    ('charity', 4, '公益活动', 'Public-benefit activities', 'Activités d’intérêt public'),
    ('party', 5, '党务资讯', 'Party affairs news', 'Actualités du Parti');

CREATE TABLE topic_subscriptions (
    user_id         INTEGER NOT NULL REFERENCES users(id),
    topic           TEXT NOT NULL REFERENCES event_topics(key),
    subscribed_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, topic)
);
CREATE INDEX topic_subscriptions_topic ON topic_subscriptions(topic, user_id);

-- An event in up to three language versions (at least one title). capacity NULL = no limit.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    topic           TEXT NOT NULL REFERENCES event_topics(key),
    title_zh        TEXT,
    title_en        TEXT,
    title_fr        TEXT,
    description_zh  TEXT,
    description_en  TEXT,
    description_fr  TEXT,
    starts_at       TEXT NOT NULL,
    place           TEXT NOT NULL,
    capacity        INTEGER CHECK (capacity IS NULL OR capacity > 0),
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
    created_by      INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    published_at    TEXT,
    cancelled_at    TEXT,
    updated_at      TEXT NOT NULL,
    CHECK (title_zh IS NOT NULL OR title_en IS NOT NULL OR title_fr IS NOT NULL)
);
CREATE INDEX events_upcoming ON events(status, starts_at);

-- One person's answer to one event. 'going' holds a place; 'waiting' queues by (joined_at, id);
-- 'offered' holds a freed place until offer_expires_at; 'left' keeps the history for figures.
CREATE TABLE event_rsvps (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    status          TEXT NOT NULL CHECK (status IN ('going', 'waiting', 'offered', 'left')),
    joined_at       TEXT NOT NULL,
    offered_at      TEXT,
    offer_expires_at TEXT,
    updated_at      TEXT NOT NULL,
    UNIQUE (event_id, user_id)
);
CREATE INDEX event_rsvps_event ON event_rsvps(event_id, status, joined_at, id);
CREATE INDEX event_rsvps_offers ON event_rsvps(offer_expires_at) WHERE status = 'offered';

-- Every announcement sent to a topic: who sent it, to how many, and whether they confirmed a
-- large count first (more than 1,000 recipients needs an explicit confirmation).
CREATE TABLE broadcasts (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER REFERENCES events(id),
    topic           TEXT NOT NULL REFERENCES event_topics(key),
    sent_by         INTEGER NOT NULL,
    recipients      INTEGER NOT NULL,
    confirmed_count INTEGER,
    created_at      TEXT NOT NULL
);
CREATE INDEX broadcasts_event ON broadcasts(event_id);

-- Scheduled figures reports (name 'weekly'): the next due time and the last period reported.
CREATE TABLE stats_reports (
    name            TEXT PRIMARY KEY,
    next_at         TEXT NOT NULL,
    last_period     TEXT,
    last_sent_at    TEXT
);

-- Service requests and the four-tier escalation ladder.
-- A request's deadlines live on its own row (respond_by / resolve_by / warn_at): the requests tick
-- reads the due ones and clears or moves them in the same transaction as the action it takes.

-- One sequence per year for references like JA-2026-000123.
CREATE TABLE request_counters (
    year        INTEGER PRIMARY KEY,
    last        INTEGER NOT NULL
);

CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    requester_id    INTEGER NOT NULL REFERENCES users(id),
    category        TEXT NOT NULL,
    enterprise_id   INTEGER REFERENCES enterprises(id),
    enterprise_name TEXT,                          -- typed by the requester when not in the registry
    building_id     INTEGER REFERENCES buildings(id),
    description     TEXT NOT NULL,
    attachment_kind TEXT CHECK (attachment_kind IN ('photo', 'document')),
    attachment_ref  TEXT,                          -- Telegram file_id
    attachment_name TEXT,
    never_hold      INTEGER NOT NULL DEFAULT 0,    -- red enterprise: alerts are never held overnight
    status          TEXT NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'claimed', 'waiting', 'resolved', 'closed')),
    tier            INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 4),
    tier_started_at TEXT NOT NULL,
    claimed_by      INTEGER,
    claimed_at      TEXT,
    respond_by      TEXT,                          -- first-response deadline; NULL once met or pinged
    resolve_by      TEXT,                          -- this tier's resolution deadline (tier 4: next reminder)
    warn_at         TEXT,                          -- half-way warning; NULL once sent
    paused_at       TEXT,                          -- waiting for the requester since (clock paused)
    question        TEXT,                          -- the staff question awaiting an answer
    asked_by        INTEGER,
    reminders       INTEGER NOT NULL DEFAULT 0,    -- tier-4 reminders sent
    not_solved      INTEGER NOT NULL DEFAULT 0,    -- "not solved" answers since the last escalation
    resolution      TEXT,
    resolved_by     INTEGER,
    resolved_at     TEXT,
    closed_at       TEXT,
    rating          INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment  TEXT,
    rated_at        TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX requests_requester ON requests(requester_id, created_at);
CREATE INDEX requests_open ON requests(status, tier) WHERE status IN ('new', 'claimed', 'waiting');
CREATE INDEX requests_created ON requests(created_at);

-- The audit trail of one request: who did what, when, with which note.
CREATE TABLE request_events (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    at          TEXT NOT NULL,
    actor_id    INTEGER,                           -- NULL = the scheduler
    kind        TEXT NOT NULL,
    tier        INTEGER NOT NULL,
    note        TEXT
);
CREATE INDEX request_events_request ON request_events(request_id, id);
CREATE INDEX request_events_kind_at ON request_events(kind, at);

-- The card posted for each tier a request reached (its outbox dedupe key is how it is edited).
CREATE TABLE request_cards (
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    tier        INTEGER NOT NULL,
    chat_id     INTEGER NOT NULL,
    card_key    TEXT NOT NULL UNIQUE,
    posted_at   TEXT NOT NULL,
    PRIMARY KEY (request_id, tier)
);

-- Staff-chat alerts raised outside working hours, released as one digest at the next opening.
CREATE TABLE request_held_alerts (
    id          INTEGER PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    kind        TEXT NOT NULL,
    raised_at   TEXT NOT NULL,
    release_at  TEXT NOT NULL,
    released_at TEXT
);
CREATE INDEX request_held_due ON request_held_alerts(release_at) WHERE released_at IS NULL;

-- When each staff chat's next 09:00 digest is due (a row with a due time, like everything else).
CREATE TABLE request_digests (
    chat_id     INTEGER PRIMARY KEY,
    next_at     TEXT NOT NULL,
    last_sent_at TEXT
);

-- Volunteering at the scale of 2,000 projects, with check-ins people can trust and recognised hours.

-- Finding a shift among thousands: a topic, addresses in three languages, and one normalised text
-- (titles, descriptions, places, addresses in every language) that free-text search reads.
ALTER TABLE vol_projects ADD COLUMN topic TEXT NOT NULL DEFAULT 'community';
ALTER TABLE vol_projects ADD COLUMN address_en TEXT NOT NULL DEFAULT '';
ALTER TABLE vol_projects ADD COLUMN address_fr TEXT NOT NULL DEFAULT '';
ALTER TABLE vol_projects ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX vol_projects_topic ON vol_projects(topic) WHERE active = 1;
CREATE INDEX vol_shifts_open_start ON vol_shifts(starts_at, project_id) WHERE status = 'open';
CREATE INDEX vol_shifts_project_start ON vol_shifts(project_id, starts_at);

-- A shift's own place when the organiser moves it (shown instead of the project's place), and the
-- secret its check-in codes derive from (made on first use).
ALTER TABLE vol_shifts ADD COLUMN place_note TEXT;
ALTER TABLE vol_shifts ADD COLUMN checkin_secret TEXT;
-- Capacity cut below the confirmed count: when the organiser was asked who stays, and when it
-- is decided for them (first come, first kept) if they have not answered.
ALTER TABLE vol_shifts ADD COLUMN cut_asked_at TEXT;
ALTER TABLE vol_shifts ADD COLUMN cut_due_at TEXT;

-- Check-in proof: verified 1 (a valid code or a location within the radius), 0 (unverified:
-- credits nothing until the organiser confirms), NULL (no check-in). The distance of a shared
-- location, and the organiser's correction of the credited time (NULL: the shift's length).
ALTER TABLE vol_signups ADD COLUMN verified INTEGER;
ALTER TABLE vol_signups ADD COLUMN checkin_distance_m INTEGER;
ALTER TABLE vol_signups ADD COLUMN credited_minutes INTEGER;
-- The waitlist position the person was last told, the series the sign-up belongs to, and the
-- organiser's choice on a capacity cut (1 stays, 0 goes, NULL undecided).
ALTER TABLE vol_signups ADD COLUMN position_told INTEGER;
ALTER TABLE vol_signups ADD COLUMN series_id INTEGER REFERENCES vol_series(id);
ALTER TABLE vol_signups ADD COLUMN cut_keep INTEGER;
CREATE INDEX vol_signups_shift ON vol_signups(shift_id, status);

-- Reminders are rows that name a sign-up: the tick renders each when it is due, in the person's
-- language of that moment, with the shift's time and place of that moment.
CREATE TABLE vol_reminders (
    id          INTEGER PRIMARY KEY,
    signup_id   INTEGER NOT NULL REFERENCES vol_signups(id),
    n           INTEGER NOT NULL,                 -- which of the project's reminders (stable key)
    kind        TEXT NOT NULL CHECK (kind IN ('eve', 'before')),
    due_at      TEXT NOT NULL,
    sent_at     TEXT,                             -- handed to the outbox
    UNIQUE (signup_id, n)
);
CREATE INDEX vol_reminders_due ON vol_reminders(due_at) WHERE sent_at IS NULL;

-- "Every Tuesday 06:00": one sign-up for the next N shifts of a schedule, cancelled in one step.
CREATE TABLE vol_series (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    schedule_id INTEGER NOT NULL REFERENCES vol_schedules(id),
    weekday     INTEGER NOT NULL,
    start_time  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    cancelled_at TEXT
);
CREATE INDEX vol_series_user ON vol_series(user_id);

-- Certificates issued: the serial anyone can verify, and what it certified when it was issued.
CREATE TABLE vol_certificates (
    serial      TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    hours       REAL NOT NULL,
    shifts      INTEGER NOT NULL,
    first_day   TEXT,
    last_day    TEXT,
    issued_at   TEXT NOT NULL
);
CREATE INDEX vol_certificates_user ON vol_certificates(user_id);

-- Free-text searches, so the "more" button of a result page can name its query by id.
CREATE TABLE vol_searches (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    query       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX vol_searches_user ON vol_searches(user_id);

-- A team's claim: one shift, or a whole project adopted for a period (one vol_teams row per shift).
CREATE TABLE vol_claims (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    liaison_user_id INTEGER NOT NULL,
    project_id    INTEGER NOT NULL REFERENCES vol_projects(id),
    places        INTEGER NOT NULL CHECK (places > 0),
    adopted       INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE INDEX vol_claims_liaison ON vol_claims(liaison_user_id);
ALTER TABLE vol_teams ADD COLUMN claim_id INTEGER REFERENCES vol_claims(id);
ALTER TABLE vol_teams ADD COLUMN warned_at TEXT;    -- the liaison was told unclaimed places go soon

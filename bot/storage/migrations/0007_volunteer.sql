-- Volunteer projects, their recurring schedules and concrete shifts, sign-ups (with waitlist and
-- held offers), check-ins and credited hours, team claims and volunteers' availability.
CREATE TABLE vol_projects (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,          -- stable key from the YAML file; organiser role scope
    kind            TEXT NOT NULL DEFAULT 'other',
    title_zh        TEXT NOT NULL,
    title_en        TEXT NOT NULL,
    title_fr        TEXT NOT NULL,
    description_zh  TEXT NOT NULL DEFAULT '',
    description_en  TEXT NOT NULL DEFAULT '',
    description_fr  TEXT NOT NULL DEFAULT '',
    requirements_zh TEXT NOT NULL DEFAULT '',
    requirements_en TEXT NOT NULL DEFAULT '',
    requirements_fr TEXT NOT NULL DEFAULT '',
    place_zh        TEXT NOT NULL DEFAULT '',
    place_en        TEXT NOT NULL DEFAULT '',
    place_fr        TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    latitude        REAL,
    longitude       REAL,
    radius_m        INTEGER NOT NULL DEFAULT 300,   -- a shared check-in location must be this close
    building_id     INTEGER REFERENCES buildings(id), -- "near which building" for filling empty places
    organiser_user_id INTEGER,
    capacity        INTEGER NOT NULL CHECK (capacity > 0),
    reminders       TEXT NOT NULL DEFAULT 'eve 20:00,60m',
    slot            TEXT NOT NULL DEFAULT '',       -- availability slot it fits: early, lunch, evening, weekend
    weeks_ahead     INTEGER NOT NULL DEFAULT 4,
    checkin_code    TEXT NOT NULL UNIQUE,           -- the QR poster's deep link t.me/<bot>?start=in-<code>
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE vol_schedules (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES vol_projects(id),
    weekdays    TEXT NOT NULL,                    -- '0,1,2,3,4' (0 = Monday)
    start_time  TEXT NOT NULL,                    -- local 'HH:MM'
    end_time    TEXT NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    first_day   TEXT NOT NULL,
    last_day    TEXT,
    skip_days   TEXT NOT NULL DEFAULT '',         -- comma-separated ISO dates (one-off exceptions)
    generated_until TEXT,                         -- last local date shifts were generated for
    active      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX vol_schedules_project ON vol_schedules(project_id);

CREATE TABLE vol_shifts (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES vol_projects(id),
    schedule_id INTEGER REFERENCES vol_schedules(id),
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled')),
    cancelled_at TEXT,
    cancelled_by INTEGER,
    fill_offered_at TEXT,                         -- the one "places still free" round was done
    created_at  TEXT NOT NULL,
    CHECK (ends_at > starts_at),
    UNIQUE (project_id, starts_at)
);
CREATE INDEX vol_shifts_start ON vol_shifts(starts_at);

-- One row per person and shift. status: confirmed, waitlisted, offered (a freed place is held
-- until offer_expires_at), cancelled, passed, expired. id order is press order (the waitlist).
CREATE TABLE vol_signups (
    id          INTEGER PRIMARY KEY,
    shift_id    INTEGER NOT NULL REFERENCES vol_shifts(id),
    user_id     INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'offered', 'cancelled', 'passed', 'expired')),
    queued_at   TEXT NOT NULL,                    -- waitlist order (re-joining goes to the back)
    offer_expires_at TEXT,
    late_cancel INTEGER NOT NULL DEFAULT 0,
    coming_at   TEXT,                             -- pressed "I'm coming"
    team_id     INTEGER REFERENCES vol_teams(id),
    checked_in_at TEXT,
    checkin_method TEXT,                          -- 'button', 'qr', 'organiser'
    location_ok INTEGER,                          -- shared location within the radius (NULL: not shared)
    attended    INTEGER,                          -- 1 present, 0 marked absent, NULL not marked
    marked_by   INTEGER,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (shift_id, user_id)
);
CREATE INDEX vol_signups_user ON vol_signups(user_id, status);
CREATE INDEX vol_signups_offers ON vol_signups(offer_expires_at) WHERE status = 'offered';

-- A company Party branch claims places on one shift for its team; members join with the code.
CREATE TABLE vol_teams (
    id            INTEGER PRIMARY KEY,
    shift_id      INTEGER NOT NULL REFERENCES vol_shifts(id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    liaison_user_id INTEGER NOT NULL,
    places        INTEGER NOT NULL CHECK (places > 0),
    code          TEXT NOT NULL UNIQUE,
    release_at    TEXT NOT NULL,                  -- unclaimed places go back to everyone then
    released_at   TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX vol_teams_release ON vol_teams(release_at) WHERE released_at IS NULL;

-- When a volunteer is usually free, and near which building (for filling empty places).
CREATE TABLE vol_availability (
    user_id     INTEGER PRIMARY KEY,
    slots       TEXT NOT NULL DEFAULT '',         -- 'early,lunch,evening,weekend'
    building_id INTEGER REFERENCES buildings(id),
    updated_at  TEXT NOT NULL
);

-- Who was asked to fill an empty place (once per shift and person), shown to the organiser.
CREATE TABLE vol_fill_asks (
    shift_id    INTEGER NOT NULL REFERENCES vol_shifts(id),
    user_id     INTEGER NOT NULL,
    asked_at    TEXT NOT NULL,
    PRIMARY KEY (shift_id, user_id)
);

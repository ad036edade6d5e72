-- People, buildings and roles: the tables every feature joins on.
CREATE TABLE buildings (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    name_fr     TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    latitude    REAL,
    longitude   REAL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,          -- Telegram user id
    first_name      TEXT NOT NULL DEFAULT '',
    username        TEXT,
    display_name    TEXT,
    language        TEXT CHECK (language IN ('zh', 'en', 'fr')),
    telegram_language TEXT,
    building_id     INTEGER REFERENCES buildings(id),
    building_other  TEXT,
    company         TEXT,
    phone           TEXT,
    onboarded_at    TEXT,
    unreachable_at  TEXT,
    forgotten_at    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX users_building ON users(building_id);

-- Staff, organisers and appointed administrators. building_id NULL = the whole district.
CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'organiser')),
    building_id INTEGER REFERENCES buildings(id),
    tier        INTEGER CHECK (tier BETWEEN 1 AND 4),
    scope       TEXT,                                 -- e.g. an organiser's project key
    granted_by  INTEGER,
    granted_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  INTEGER
);
CREATE INDEX roles_user ON roles(user_id) WHERE revoked_at IS NULL;

-- Telegram groups bound to a tier (and optionally a building) by an administrator.
CREATE TABLE staff_chats (
    chat_id     INTEGER PRIMARY KEY,
    title       TEXT NOT NULL DEFAULT '',
    tier        INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 4),
    building_id INTEGER REFERENCES buildings(id),
    bound_by    INTEGER NOT NULL,
    bound_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX staff_chats_slot ON staff_chats(tier, IFNULL(building_id, 0));

-- Who did what: every staff action, for /audit.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    action      TEXT NOT NULL,
    subject     TEXT,
    detail      TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);

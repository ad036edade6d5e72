-- One-time staff / organiser / administrator invitations (t.me/<bot>?start=inv-<token>).
-- Only the SHA-256 of the token is stored: a copy of the database cannot be used to join.
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,               -- hex sha256 of the token in the link
    role        TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'organiser')),
    building_id INTEGER REFERENCES buildings(id),   -- staff: NULL = the whole district
    tier        INTEGER CHECK (tier BETWEEN 1 AND 4),
    scope       TEXT,                               -- organiser: the project key
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     INTEGER,
    used_at     TEXT,
    role_id     INTEGER REFERENCES roles(id),       -- the role the invitation granted
    revoked_at  TEXT,
    revoked_by  INTEGER
);
CREATE INDEX invitations_open ON invitations(expires_at) WHERE used_at IS NULL AND revoked_at IS NULL;

-- Erasures (/forgetme) as anonymous counts: how many people asked, and how many rows were
-- anonymised, per day — no user id, so the record of an erasure erases nothing back.
CREATE TABLE privacy_erasures (
    day         TEXT PRIMARY KEY,                   -- YYYY-MM-DD (UTC)
    people      INTEGER NOT NULL DEFAULT 0,
    rows        INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX audit_log_actor ON audit_log(actor_id);

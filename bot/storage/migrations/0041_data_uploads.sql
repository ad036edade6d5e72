-- Files administrators send the bot to import (enterprises CSV, volunteer projects YAML, the
-- service guide YAML): kept between the dry run and Confirm / Cancel, so that what is applied is
-- exactly the file that was previewed, and so that a restart between the two loses nothing.
-- The content is dropped as soon as the upload is decided or expires.
CREATE TABLE data_uploads (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,              -- the administrator who sent it
    kind        TEXT NOT NULL CHECK (kind IN ('enterprises', 'projects', 'guide')),
    file_name   TEXT NOT NULL,
    content     BLOB,
    sha256      TEXT NOT NULL,
    conflicts   TEXT NOT NULL DEFAULT '[]',    -- JSON: keys the dry run showed in conflict with staff
    deletions   INTEGER NOT NULL DEFAULT 0,    -- how many entries the dry run said would be deleted
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'applying', 'applied', 'cancelled', 'expired')),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    decided_at  TEXT
);
CREATE INDEX data_uploads_pending ON data_uploads(expires_at) WHERE status = 'pending';

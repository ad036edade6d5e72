-- Five-colour stability marking: who changed a colour, when and why; visits; follow-up deadlines;
-- liaison link codes; suggested colours (and dismissals, remembered until a new signal appears).

-- Every colour change, kept for ever (the card shows the latest; /ent history all of them).
CREATE TABLE enterprise_colour_history (
    id              INTEGER PRIMARY KEY,
    enterprise_id   INTEGER NOT NULL REFERENCES enterprises(id),
    colour_from     TEXT,
    colour_to       TEXT NOT NULL CHECK (colour_to IN ('green', 'blue', 'yellow', 'orange', 'red')),
    reason          TEXT NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('staff', 'suggestion', 'import')),
    changed_by      INTEGER,                       -- a staff user id (NULL for an import)
    changed_at      TEXT NOT NULL
);
CREATE INDEX enterprise_colour_history_ent ON enterprise_colour_history(enterprise_id, changed_at);
CREATE INDEX enterprise_colour_history_at ON enterprise_colour_history(changed_at);

-- A visit by staff: resets the colour's follow-up clock.
CREATE TABLE enterprise_visits (
    id              INTEGER PRIMARY KEY,
    enterprise_id   INTEGER NOT NULL REFERENCES enterprises(id),
    visited_at      TEXT NOT NULL,                 -- UTC timestamp of the visit
    visitor_id      INTEGER,                       -- the staff member who logged it
    outcome         TEXT NOT NULL CHECK (outcome IN ('stable', 'needs_help', 'may_move', 'not_met')),
    notes           TEXT NOT NULL DEFAULT '',
    next_step       TEXT,
    next_step_on    TEXT,                          -- ISO date
    created_at      TEXT NOT NULL
);
CREATE INDEX enterprise_visits_ent ON enterprise_visits(enterprise_id, visited_at);
CREATE INDEX enterprise_visits_at ON enterprise_visits(visited_at);

-- One follow-up deadline per enterprise: when its colour says the next visit is due.
-- The tick reminds once per deadline (reminded_at) and records it in the same transaction.
CREATE TABLE enterprise_followups (
    enterprise_id   INTEGER PRIMARY KEY REFERENCES enterprises(id),
    colour          TEXT NOT NULL,
    started_at      TEXT NOT NULL,                 -- the last visit or colour change
    due_at          TEXT NOT NULL,
    reminded_at     TEXT,
    escalated_at    TEXT
);
CREATE INDEX enterprise_followups_due ON enterprise_followups(due_at) WHERE reminded_at IS NULL;

-- One-time codes that link a liaison's Telegram account to an enterprise (t.me/<bot>?start=ent-<code>).
CREATE TABLE enterprise_link_codes (
    code            TEXT PRIMARY KEY,
    enterprise_id   INTEGER NOT NULL REFERENCES enterprises(id),
    created_by      INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_by         INTEGER,
    used_at         TEXT
);

-- Colours the bot suggests from signals. `signature` is the sorted set of signal codes: a
-- dismissed suggestion stays quiet until a signal outside its signature appears.
CREATE TABLE enterprise_suggestions (
    id              INTEGER PRIMARY KEY,
    enterprise_id   INTEGER NOT NULL REFERENCES enterprises(id),
    colour_from     TEXT NOT NULL,
    colour_to       TEXT NOT NULL,
    signature       TEXT NOT NULL,
    reasons         TEXT NOT NULL,                 -- JSON list of {code, colour, params}
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'dismissed', 'superseded')),
    chat_id         INTEGER,
    created_at      TEXT NOT NULL,
    decided_by      INTEGER,
    decided_at      TEXT,
    dismiss_reason  TEXT
);
CREATE INDEX enterprise_suggestions_ent ON enterprise_suggestions(enterprise_id, status);

-- When the next whole-registry sweep of signals is due (a row with a due time, like everything else).
CREATE TABLE enterprise_sweeps (
    name            TEXT PRIMARY KEY,
    next_at         TEXT NOT NULL
);

-- The service guide: the station's catalogue of services, searched with SQLite FTS5.
-- Entries are replaced as a whole by an import (python -m bot import guide FILE.yaml).
CREATE TABLE guide_entries (
    num         INTEGER PRIMARY KEY,              -- = guide_fts rowid
    key         TEXT NOT NULL UNIQUE,             -- the entry's id in the YAML (stable: used in buttons)
    position    INTEGER NOT NULL,                 -- order in the file (browsing order)
    audience    TEXT NOT NULL CHECK (audience IN ('individual', 'enterprise', 'organisation')),
    kind        TEXT NOT NULL CHECK (kind IN ('on-site', 'self-service', 'online')),
    category    TEXT NOT NULL,
    data        TEXT NOT NULL                     -- the whole entry as JSON (all three languages)
);
CREATE INDEX guide_entries_browse ON guide_entries(audience, category, position);

-- Normalised search text (lower case, no accents, simplified Chinese: bot/domain/guide.py).
-- The trigram tokenizer matches any 3-character substring: Chinese without spaces, partial words.
CREATE VIRTUAL TABLE guide_fts USING fts5(title, keywords, body, tokenize = 'trigram');

-- How many entries contain each n-gram a question may look for (inverse document frequency
-- for ranking; includes the Chinese bigrams and single characters the trigram index lacks).
CREATE TABLE guide_grams (
    gram        TEXT PRIMARY KEY,
    df          INTEGER NOT NULL
) WITHOUT ROWID;

-- Where the current catalogue came from: 'shipped' (bot/data/guide.yaml, refreshed when that
-- file changes) or an imported file, which then stays until the next import.
CREATE TABLE guide_meta (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    source      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    entries     INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

-- Searches that found nothing, anonymised: no person, only the normalised question and a count
-- per week (the Monday, station time) — what /stats lists so the catalogue grows where needed.
CREATE TABLE guide_misses (
    week        TEXT NOT NULL,                    -- ISO date of the Monday
    query       TEXT NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (week, query)
) WITHOUT ROWID;

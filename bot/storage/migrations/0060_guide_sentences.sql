-- The guide searches an in-memory index built from guide_entries (bot/domain/guide_index.py):
-- Chinese needs word segmentation that SQLite's tokenizers lack, and the catalogue is small.
DROP TABLE IF EXISTS guide_fts;
DROP TABLE IF EXISTS guide_grams;

-- Entries are browsed by the station's sections (party, machines, insurance, ...), which need
-- not be the request category "Still need help" falls back on.
ALTER TABLE guide_entries ADD COLUMN section TEXT NOT NULL DEFAULT 'other';
UPDATE guide_entries SET section = category;
CREATE INDEX guide_entries_sections ON guide_entries(audience, section, position);

-- Searches that found nothing, anonymised at write time (phone and ID numbers, e-mail addresses
-- and names removed: bot/domain/guide_misses.py), counted per week; no person is recorded.
-- `query` is the normalised form misses are counted under, `shown` the first wording staff see.
-- An id so that a staff button can name a question in 64 bytes.
CREATE TABLE guide_misses_new (
    id          INTEGER PRIMARY KEY,
    week        TEXT NOT NULL,                    -- ISO date of the Monday (station time)
    query       TEXT NOT NULL,
    shown       TEXT NOT NULL,
    count       INTEGER NOT NULL,
    UNIQUE (week, query)
);
INSERT INTO guide_misses_new (week, query, shown, count) SELECT week, query, query, count FROM guide_misses;
DROP TABLE guide_misses;
ALTER TABLE guide_misses_new RENAME TO guide_misses;

-- Questions staff attached to an entry as a new way of asking for it (learned from misses):
-- searched as the entry's keywords, and a question asked exactly so finds that entry first.
-- Anonymised like the misses they come from; who attached it is in the audit log.
CREATE TABLE guide_phrasings (
    id          INTEGER PRIMARY KEY,
    entry_key   TEXT NOT NULL,                    -- guide_entries.key (kept across re-imports)
    phrase      TEXT NOT NULL,                    -- as shown to staff
    normal      TEXT NOT NULL UNIQUE,             -- normalised: one entry per way of asking
    added_at    TEXT NOT NULL
);
CREATE INDEX guide_phrasings_entry ON guide_phrasings(entry_key);

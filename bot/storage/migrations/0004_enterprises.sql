-- The enterprise registry: ~1,500 enterprises in the district's 38 buildings.
-- (Service requests reference it; colours drive where a request starts and follow-up cadence.)
CREATE TABLE enterprises (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,          -- stable import key (e.g. unified social credit code)
    name            TEXT NOT NULL,
    name_en         TEXT,
    building_id     INTEGER REFERENCES buildings(id),
    floor_unit      TEXT,
    industry        TEXT,
    headcount_band  TEXT,
    lease_end       TEXT,                          -- ISO date
    party_org       TEXT CHECK (party_org IN ('own', 'joint', 'none')),
    colour          TEXT NOT NULL DEFAULT 'blue' CHECK (colour IN ('green', 'blue', 'yellow', 'orange', 'red')),
    colour_changed_at TEXT,
    liaison_user_id INTEGER REFERENCES users(id),
    notes           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX enterprises_building ON enterprises(building_id, name);
CREATE INDEX enterprises_colour ON enterprises(colour);
CREATE INDEX enterprises_liaison ON enterprises(liaison_user_id);

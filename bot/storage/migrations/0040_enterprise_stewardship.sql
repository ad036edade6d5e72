-- Stewardship staff can trust (issue 17): a colour knows who set it, so an import never overrules
-- staff; keys are one enterprise whatever their case; a late visit is reminded on a cadence and
-- climbs the tiers; requests carry the stability tags staff gave them; suggestions wait for their
-- chat's one digest a day.

-- Who set the current colour: staff (a person, or a suggestion a person accepted), an import, or
-- the rule (a new enterprise starts blue). Its time is colour_changed_at.
ALTER TABLE enterprises ADD COLUMN colour_source TEXT NOT NULL DEFAULT 'rule'
    CHECK (colour_source IN ('staff', 'import', 'rule'));
UPDATE enterprises SET colour_source = COALESCE(
    (SELECT CASE h.source WHEN 'import' THEN 'import' ELSE 'staff' END
       FROM enterprise_colour_history h WHERE h.enterprise_id = enterprises.id
      ORDER BY h.changed_at DESC, h.id DESC LIMIT 1),
    'rule');
-- Keys are compared case-insensitively (an import matches "m-9" to "M-9").
CREATE INDEX enterprises_key_nocase ON enterprises(key COLLATE NOCASE);

-- A late visit is reminded again and again on its colour's cadence (not once per deadline):
-- how many reminders went out, and when the next one is due. A visit or a colour change resets both.
ALTER TABLE enterprise_followups ADD COLUMN reminders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE enterprise_followups ADD COLUMN next_reminder_at TEXT;
UPDATE enterprise_followups SET next_reminder_at = due_at, reminders = (reminded_at IS NOT NULL);
DROP INDEX enterprise_followups_due;
CREATE INDEX enterprise_followups_due ON enterprise_followups(due_at);
CREATE INDEX enterprise_followups_next ON enterprise_followups(next_reminder_at);

-- The signal sweep's low ratings of the last 90 days (few rows: only ratings of 1 or 2).
CREATE INDEX requests_low_rating ON requests(rated_at) WHERE rating <= 2;

-- What staff said a request means for the company's stability (the staff card's tag button).
-- Only tagged requests count towards a suggested colour: a category alone says nothing.
CREATE TABLE request_stability_tags (
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    tag         TEXT NOT NULL CHECK (tag IN ('relocation', 'layoffs', 'rent_arrears', 'expansion')),
    tagged_by   INTEGER,
    tagged_at   TEXT NOT NULL,
    PRIMARY KEY (request_id, tag)
);

-- A suggestion is shown in its chat's daily digest: when it was (NULL: still waiting); and the
-- dismissed suggestion it follows, whose reason the digest recalls.
ALTER TABLE enterprise_suggestions ADD COLUMN posted_at TEXT;
ALTER TABLE enterprise_suggestions ADD COLUMN after_dismissal INTEGER REFERENCES enterprise_suggestions(id);
CREATE INDEX enterprise_suggestions_waiting ON enterprise_suggestions(id) WHERE status = 'open' AND posted_at IS NULL;
UPDATE enterprise_suggestions SET posted_at = created_at WHERE chat_id IS NOT NULL;

-- At most one digest of each kind per staff chat and day (the station's local date).
CREATE TABLE enterprise_chat_digests (
    chat_id     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    day         TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (chat_id, kind, day)
);

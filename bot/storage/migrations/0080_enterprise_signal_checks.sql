-- The hourly signal sweep reads only enterprises whose facts may have changed (issue 21).
--
-- One row per enterprise that needs its signals checked, and from when: '' (sorts before every
-- timestamp) means "a fact changed: check at the next sweep"; a timestamp is the moment a fact
-- changes by time passing alone (a follow-up visit falls due, a lease enters its last six or three
-- months or ends, a low rating, a tag on a closed request or a visit's finding stops counting),
-- which the sweep computes when it checks the enterprise. No row: nothing to check until a change.
--
-- The changes are marked by triggers, in the transaction that makes them, whatever the code path
-- (a staff action, an import, the Mini App, an erasure): a mark is a row, so a restart between
-- the change and the sweep loses nothing, and no feature can forget to set it.
CREATE TABLE enterprise_signal_checks (
    enterprise_id   INTEGER PRIMARY KEY REFERENCES enterprises(id),
    due_at          TEXT NOT NULL
);
CREATE INDEX enterprise_signal_checks_due ON enterprise_signal_checks(due_at);

-- The first sweep after this migration checks every enterprise, so nothing is missed.
INSERT INTO enterprise_signal_checks (enterprise_id, due_at) SELECT id, '' FROM enterprises;

-- The facts of the enterprises the sweep checks, each read through an index by enterprise.
-- Tags on closed requests count for 90 days after tagging: read by time (tags on open requests
-- are found through requests_open_enterprise).
CREATE INDEX request_stability_tags_at ON request_stability_tags(tagged_at);
-- Low ratings (1 or 2) of one enterprise.
CREATE INDEX requests_low_rating_enterprise ON requests(enterprise_id, rated_at) WHERE rating <= 2;

-- The registry: a new enterprise, a colour or a lease end changed.
CREATE TRIGGER enterprise_signals_new AFTER INSERT ON enterprises
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) VALUES (NEW.id, '')
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

CREATE TRIGGER enterprise_signals_registry AFTER UPDATE OF colour, lease_end ON enterprises
WHEN NEW.colour IS NOT OLD.colour OR NEW.lease_end IS NOT OLD.lease_end
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) VALUES (NEW.id, '')
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

-- The follow-up deadline moved (a visit, a colour change): "no visit since" may have gone.
CREATE TRIGGER enterprise_signals_followup_new AFTER INSERT ON enterprise_followups
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) VALUES (NEW.enterprise_id, '')
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

CREATE TRIGGER enterprise_signals_followup AFTER UPDATE OF due_at ON enterprise_followups
WHEN NEW.due_at IS NOT OLD.due_at
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) VALUES (NEW.enterprise_id, '')
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

-- A visit logged (its finding), changed or removed.
CREATE TRIGGER enterprise_signals_visit_new AFTER INSERT ON enterprise_visits
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) VALUES (NEW.enterprise_id, '')
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

CREATE TRIGGER enterprise_signals_visit AFTER UPDATE OF enterprise_id, outcome, visited_at ON enterprise_visits
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) VALUES (NEW.enterprise_id, '')
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) SELECT OLD.enterprise_id, ''
        WHERE OLD.enterprise_id IS NOT NEW.enterprise_id
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

CREATE TRIGGER enterprise_signals_visit_gone AFTER DELETE ON enterprise_visits
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) SELECT OLD.enterprise_id, ''
        WHERE EXISTS (SELECT 1 FROM enterprises WHERE id = OLD.enterprise_id)
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

-- A stability tag put on or taken off a request of an enterprise.
CREATE TRIGGER enterprise_signals_tag_new AFTER INSERT ON request_stability_tags
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at)
        SELECT enterprise_id, '' FROM requests WHERE id = NEW.request_id AND enterprise_id IS NOT NULL
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

CREATE TRIGGER enterprise_signals_tag_gone AFTER DELETE ON request_stability_tags
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at)
        SELECT enterprise_id, '' FROM requests WHERE id = OLD.request_id AND enterprise_id IS NOT NULL
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

-- A request that bears on its enterprise's signals (a low rating, or a stability tag) changed:
-- rated, closed or reopened (a tag counts while the request is open), moved to another
-- enterprise, re-categorised. Requests that bear on nothing cost one primary-key probe.
CREATE TRIGGER enterprise_signals_request_new AFTER INSERT ON requests
WHEN NEW.enterprise_id IS NOT NULL AND NEW.rating <= 2
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) VALUES (NEW.enterprise_id, '')
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

CREATE TRIGGER enterprise_signals_request AFTER UPDATE OF status, rating, rated_at, enterprise_id, reference, category
ON requests
WHEN (NEW.enterprise_id IS NOT NULL OR OLD.enterprise_id IS NOT NULL)
    AND (NEW.rating <= 2 OR OLD.rating <= 2 OR EXISTS (SELECT 1 FROM request_stability_tags WHERE request_id = NEW.id))
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) SELECT NEW.enterprise_id, ''
        WHERE NEW.enterprise_id IS NOT NULL
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) SELECT OLD.enterprise_id, ''
        WHERE OLD.enterprise_id IS NOT NULL AND OLD.enterprise_id IS NOT NEW.enterprise_id
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

CREATE TRIGGER enterprise_signals_request_gone AFTER DELETE ON requests
WHEN OLD.enterprise_id IS NOT NULL AND OLD.rating <= 2
BEGIN
    INSERT INTO enterprise_signal_checks (enterprise_id, due_at) SELECT OLD.enterprise_id, ''
        WHERE EXISTS (SELECT 1 FROM enterprises WHERE id = OLD.enterprise_id)
        ON CONFLICT(enterprise_id) DO UPDATE SET due_at = '';
END;

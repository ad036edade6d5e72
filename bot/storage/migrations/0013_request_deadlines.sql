-- One partial index per deadline of running requests, so the ladder's tick reads only the rows
-- that are due instead of every open request (bench/ticks.py: the median grew 4x from a tenth of
-- the district to the full one). The WHERE matches storage.requests.due's filter exactly, which
-- is what lets SQLite use a partial index.
CREATE INDEX requests_due_resolve ON requests(resolve_by) WHERE status IN ('new', 'claimed') AND paused_at IS NULL;
CREATE INDEX requests_due_respond ON requests(respond_by) WHERE status IN ('new', 'claimed') AND paused_at IS NULL;
CREATE INDEX requests_due_warn ON requests(warn_at) WHERE status IN ('new', 'claimed') AND paused_at IS NULL;

-- Indexes found missing by bench/ticks.py (EXPLAIN QUERY PLAN of every scheduler tick's statements
-- on the 200,000-request synthetic district). Without them SQLite scans the whole request history
-- on every tick: requests.due's `status IN ('new', 'claimed')` does not match requests_open's
-- partial-index condition (which lists 'waiting' too), so that index cannot be used, and
-- resolved_before ('resolved' is not in requests_open at all) had no index.
--
-- (status, resolved_at) answers both: the ladder's due query searches the open statuses, the
-- auto-close searches status = 'resolved' AND resolved_at <= ?.
CREATE INDEX requests_status_resolved ON requests(status, resolved_at);

-- The enterprise signal sweep's "lowest recent rating" (rated_at >= window): only rated rows.
CREATE INDEX requests_rated ON requests(rated_at) WHERE rated_at IS NOT NULL;

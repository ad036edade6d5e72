-- The staff Mini App (issue 20).
--
-- Every change made from the Mini App carries a one-time action id chosen by the page; the
-- first use of (initData, action id) is recorded here and a replay of the same write is refused.
-- A row is useless once its initData is older than BOT_WEBAPP_MAX_AGE (the string itself is then
-- refused as expired), so old rows are pruned as new ones come.
CREATE TABLE webapp_actions (
    init_hash TEXT NOT NULL,
    action_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    used_at TEXT NOT NULL,
    PRIMARY KEY (init_hash, action_id)
);
CREATE INDEX webapp_actions_used ON webapp_actions(used_at);

-- The menu button each person's private chat was last given (setChatMenuButton): staff get the
-- Mini App, in their language; someone whose staff role ended gets the default back. Only a
-- difference between this row and what the person should have is sent to Telegram.
CREATE TABLE webapp_menus (
    user_id INTEGER PRIMARY KEY,
    state TEXT NOT NULL,   -- 'app <language> <url>' or 'default'
    ok INTEGER NOT NULL,   -- 0 when Telegram refused it (e.g. the person never opened the chat)
    set_at TEXT NOT NULL
);

-- An enterprise's page lists its requests, newest first; the board counts the open ones of each
-- enterprise and building (partial indexes holding only the ~5,000 open requests of 200,000, so a
-- count reads the index alone; the WHERE matches storage/webapp.py's exactly so SQLite uses them).
CREATE INDEX requests_enterprise ON requests(enterprise_id, created_at) WHERE enterprise_id IS NOT NULL;
CREATE INDEX requests_open_enterprise ON requests(enterprise_id) WHERE status IN ('new', 'claimed', 'waiting');
CREATE INDEX requests_open_building ON requests(building_id) WHERE status IN ('new', 'claimed', 'waiting');

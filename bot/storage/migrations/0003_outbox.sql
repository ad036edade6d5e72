-- Every message the bot sends on its own initiative is first a row here (see bot/jobs/sender.py).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    kind            TEXT NOT NULL,                -- 'reminder', 'staff_card', 'status', ...
    action          TEXT NOT NULL DEFAULT 'send' CHECK (action IN ('send', 'edit')),
    text            TEXT NOT NULL DEFAULT '',     -- rendered Telegram HTML (or caption)
    buttons         TEXT,                         -- JSON rows of {"text", "callback_data"|"url"}
    media_kind      TEXT CHECK (media_kind IN ('photo', 'document')),
    media_ref       TEXT,                         -- a file path on disk or a Telegram file_id
    media_name      TEXT,
    edit_of         TEXT,                         -- dedupe_key of the sent row whose message to edit
    not_before      TEXT NOT NULL,
    expires_at      TEXT,                         -- past this, sending is pointless: recorded as missed
    dedupe_key      TEXT UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    sent_at         TEXT,
    message_id      INTEGER,
    dead_at         TEXT,
    missed_at       TEXT,
    cancelled_at    TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX outbox_queue ON outbox(not_before, id)
    WHERE sent_at IS NULL AND dead_at IS NULL AND missed_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX outbox_chat ON outbox(chat_id);

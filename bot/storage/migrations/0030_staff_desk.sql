-- The staff desk (issue 16): honest pauses, routing closings, a conversation with the requester,
-- and typed answers that belong to one prompt. Every due time is a column the ladder tick reads.

-- How a request was closed other than by its rating: a duplicate (linked), out of the station's
-- scope (with a referral), withdrawn by the requester, or no answer while waiting on them.
ALTER TABLE requests ADD COLUMN close_reason TEXT
    CHECK (close_reason IN ('duplicate', 'out_of_scope', 'withdrawn', 'no_answer'));
ALTER TABLE requests ADD COLUMN duplicate_of INTEGER REFERENCES requests(id);
-- Out of scope: where the requester was referred (a guide entry key, or staff's words).
ALTER TABLE requests ADD COLUMN referral TEXT;
-- On whom a paused (status 'waiting') request waits; the open pause row holds the details.
ALTER TABLE requests ADD COLUMN wait_on TEXT CHECK (wait_on IN ('requester', 'department', 'third_party'));

-- A message relayed between staff and the requester may carry a photo or a document.
ALTER TABLE request_events ADD COLUMN media_kind TEXT CHECK (media_kind IN ('photo', 'document'));
ALTER TABLE request_events ADD COLUMN media_ref TEXT;
ALTER TABLE request_events ADD COLUMN media_name TEXT;

-- Each pause of a request's clock, with its reason and the due times of what follows it:
-- the requester is nudged (nudge_at) and the request closed without an answer (close_at); a
-- department or third party's expected date reminds the handler (remind_at). Each is cleared in
-- the transaction that acts on it; ended_at closes the pause.
CREATE TABLE request_pauses (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    reason      TEXT NOT NULL CHECK (reason IN ('requester', 'department', 'third_party')),
    party       TEXT,                               -- who is waited for, as staff typed it
    expected_on TEXT,                               -- local date (YYYY-MM-DD) the answer is expected
    started_at  TEXT NOT NULL,
    started_by  INTEGER,
    nudge_at    TEXT,
    close_at    TEXT,
    remind_at   TEXT,
    ended_at    TEXT,
    ended_how   TEXT                                -- answered, resumed, resolved, escalated, closed, ...
);
CREATE INDEX request_pauses_open ON request_pauses(request_id) WHERE ended_at IS NULL;
CREATE INDEX request_pauses_nudge ON request_pauses(nudge_at) WHERE ended_at IS NULL AND nudge_at IS NOT NULL;
CREATE INDEX request_pauses_close ON request_pauses(close_at) WHERE ended_at IS NULL AND close_at IS NOT NULL;
CREATE INDEX request_pauses_remind ON request_pauses(remind_at) WHERE ended_at IS NULL AND remind_at IS NOT NULL;
CREATE INDEX request_pauses_started ON request_pauses(started_at);

-- A reply prompt a button sent (ForceReply): only a reply to that message, by that person, in that
-- chat, before expires_at, is taken as the words the button needs. Kept here so a restart keeps it.
CREATE TABLE request_prompts (
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    prompt_id   INTEGER NOT NULL,                   -- the prompt's message id
    action      TEXT NOT NULL,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    arg         TEXT,                               -- e.g. the colleague a hand-over goes to
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (chat_id, user_id, prompt_id)
);
CREATE INDEX request_prompts_expiry ON request_prompts(expires_at);

-- Cards a handler showed (opened from /queue, /find or /req): a staff reply to one of them talks
-- to that request's requester, like a reply to the card the outbox posted.
CREATE TABLE request_messages (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    request_id  INTEGER NOT NULL REFERENCES requests(id),
    shown_at    TEXT NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX request_messages_shown ON request_messages(shown_at);

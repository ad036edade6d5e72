-- The sender takes the oldest pending row of each chat (so one chat's messages keep their order
-- even when one of them waits for a retry); this index answers "is there an older pending row in
-- this chat?" without scanning the chat's whole history.
CREATE INDEX outbox_pending_chat ON outbox(chat_id, not_before, id)
    WHERE sent_at IS NULL AND dead_at IS NULL AND missed_at IS NULL AND cancelled_at IS NULL;

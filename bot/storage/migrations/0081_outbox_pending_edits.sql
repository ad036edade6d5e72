-- Queuing an edit of a message cancels the older pending edits of the same message
-- (storage/outbox.enqueue_edit): without this index that UPDATE walked every pending row of the
-- outbox (~5,000 in the district, 2.6 ms per card edit; an escalation edits one card and a
-- tick refreshes many). Only pending edits are in it, so it stays as small as the queue.
CREATE INDEX outbox_pending_edits ON outbox(edit_of)
    WHERE action = 'edit' AND sent_at IS NULL AND dead_at IS NULL AND missed_at IS NULL AND cancelled_at IS NULL;

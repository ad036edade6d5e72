-- A message may answer an earlier one in its chat (a requester's reply threaded under the staff
-- card): the dedupe key of the message it replies to; the sender looks up its message id.
ALTER TABLE outbox ADD COLUMN reply_to TEXT;

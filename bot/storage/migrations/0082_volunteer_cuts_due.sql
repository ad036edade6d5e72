-- The volunteer tick reads the shifts whose capacity cut is due (an organiser cut a shift below
-- its confirmed sign-ups and did not say who stays: at cut_due_at it is decided for them, first
-- come first kept; migration 0050). Without an index on cut_due_at that read walked every shift
-- of the district's history on every tick (bench/ticks.py's EXPLAIN check). Only shifts with a
-- cut still undecided are in it.
CREATE INDEX vol_shifts_cut_due ON vol_shifts(cut_due_at) WHERE cut_due_at IS NOT NULL;

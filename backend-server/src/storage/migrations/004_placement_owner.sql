-- Who asked for a placement, so that one account's placements that no session server has loaded
-- (joins nobody connected to) can be counted and capped: they hold capacity for the others.

ALTER TABLE placements ADD COLUMN placed_by uuid;
-- The per-user count of pending placements reads only these rows.
CREATE INDEX placements_pending_by ON placements (placed_by, placed_at) WHERE host IS NOT NULL AND loaded_at IS NULL;

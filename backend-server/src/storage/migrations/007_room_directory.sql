-- The public directory (GET /api/rooms/public): who finds a room, and what it is about.
ALTER TABLE rooms
  ADD COLUMN visibility text NOT NULL DEFAULT 'unlisted' CHECK (visibility IN ('unlisted', 'public')),
  ADD COLUMN description text NOT NULL DEFAULT '';
-- The directory reads the public rooms only, most recently active first. A search filters them
-- with a substring match (a scan of the public rooms: fine to tens of thousands; pg_trgm beyond).
CREATE INDEX rooms_public ON rooms (last_activity_at DESC) WHERE visibility = 'public';

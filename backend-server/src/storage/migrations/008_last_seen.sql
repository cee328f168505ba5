-- When each member was last connected to the room: the member list's "last seen". The session
-- server reports it when a member's last connection to the room closes (POST /internal/rooms/:id/seen).
ALTER TABLE room_members ADD COLUMN last_seen_at timestamptz;

-- How far each member has read each room: the latest seq they saw (0: nothing yet). The lobby
-- counts unread messages and mentions after it (RoomStore.listForUser); a room's snapshot tells
-- a joining tab where the unread part starts. The session server holding the room reports it,
-- batched (POST /internal/rooms/:roomId/read), and it only ever moves forward.
ALTER TABLE room_members ADD COLUMN read_seq bigint NOT NULL DEFAULT 0;
-- Members from before this column have read everything so far: the feature starts with no
-- unread backlog instead of every room showing its whole history as new.
UPDATE room_members m SET read_seq = coalesce((SELECT max(seq) FROM messages WHERE room_id = m.room_id), 0);

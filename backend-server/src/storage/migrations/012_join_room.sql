-- What a join (GET /api/rooms/:roomId) needs from storage, in one call: the user's read position in
-- the room, recording them as a member first when they are not one. Before, a join read the
-- position (SELECT) and then upserted the membership (INSERT … SELECT max(seq)), two statements
-- each parsed and planned anew; a function keeps its plans, and a member already in the room
-- costs one indexed read. A new member starts having read the room as it is (its history is not
-- news to them, nor an unread count of a hundred). No row: the room is gone (a cached room row
-- may be seconds old), and nothing is recorded rather than failing on the foreign key.
CREATE FUNCTION join_room(p_room_id text, p_user_id uuid)
RETURNS TABLE (read_seq bigint, added boolean) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  known bigint;
BEGIN
  SELECT m.read_seq INTO known FROM room_members m WHERE m.room_id = p_room_id AND m.user_id = p_user_id;
  IF FOUND THEN
    RETURN QUERY SELECT known, false;
    RETURN;
  END IF;
  INSERT INTO room_members (room_id, user_id, read_seq)
  SELECT r.id, p_user_id, (SELECT coalesce(max(g.seq), 0) FROM messages g WHERE g.room_id = p_room_id)
  FROM rooms r WHERE r.id = p_room_id
  ON CONFLICT (room_id, user_id) DO NOTHING
  RETURNING room_members.read_seq INTO known;
  IF FOUND THEN
    RETURN QUERY SELECT known, true;
    RETURN;
  END IF;
  -- Another join of the same pair inserted it meanwhile (ON CONFLICT waited for it to commit, and
  -- this statement's snapshot sees it), or the room is gone: then no row.
  RETURN QUERY SELECT m.read_seq, false FROM room_members m WHERE m.room_id = p_room_id AND m.user_id = p_user_id;
END;
$$;

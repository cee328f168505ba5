-- Leaving a room (POST /api/rooms/:roomId/leave) in one round trip, see RoomStore.leave. The owner
-- hands the room to the member who joined earliest; an owner alone in it cannot leave (they delete
-- it instead). Locking the room row first makes leaves of one room take turns: two members leaving
-- at once cannot hand the room to each other (each statement below sees every leave committed
-- before the lock was granted).
--
-- Outcomes: 'left', 'handed_over' (the owner left; owner_id is the new owner), 'not_member',
-- 'last_member', 'not_found'.
CREATE FUNCTION leave_room(p_room_id text, p_user_id uuid)
RETURNS TABLE (outcome text, owner_id uuid) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  current_owner uuid;
  heir uuid;
BEGIN
  SELECT r.owner_id INTO current_owner FROM rooms r WHERE r.id = p_room_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::uuid;
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = p_room_id AND m.user_id = p_user_id) THEN
    RETURN QUERY SELECT 'not_member'::text, current_owner;
    RETURN;
  END IF;
  IF current_owner = p_user_id THEN
    SELECT m.user_id INTO heir FROM room_members m
    WHERE m.room_id = p_room_id AND m.user_id <> p_user_id
    ORDER BY m.joined_at, m.user_id
    LIMIT 1;
    IF heir IS NULL THEN
      RETURN QUERY SELECT 'last_member'::text, current_owner;
      RETURN;
    END IF;
    UPDATE rooms r SET owner_id = heir WHERE r.id = p_room_id;
    DELETE FROM room_members m WHERE m.room_id = p_room_id AND m.user_id = p_user_id;
    RETURN QUERY SELECT 'handed_over'::text, heir;
    RETURN;
  END IF;
  DELETE FROM room_members m WHERE m.room_id = p_room_id AND m.user_id = p_user_id;
  RETURN QUERY SELECT 'left'::text, current_owner;
END;
$$;

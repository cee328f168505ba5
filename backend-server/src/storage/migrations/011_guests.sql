-- Guests (ALLOW_GUESTS, POST /api/auth/guest): someone who opened a room link enters with a
-- display name only. A guest is a `users` row, so that names stay unique across accounts and
-- guests (names identify people in a room, and mentions use them) and memberships, last seen and
-- the member list work unchanged. What makes it a guest:
-- - `guest_room_id`: the one room it may use. Deleting the room deletes its guests.
-- - `expires_at`: when its access ends; the backend's sweep deletes it then (its membership
--   cascades; its messages stay: they have no foreign key and keep the name they were said under).
-- - no password: `password_hash` is NULL, so a login with a guest's name fails like an unknown one.
ALTER TABLE users
  ALTER COLUMN password_hash DROP NOT NULL,
  ADD COLUMN guest_room_id text REFERENCES rooms (id) ON DELETE CASCADE,
  ADD COLUMN expires_at timestamptz,
  ADD CONSTRAINT users_guest_shape CHECK (
    (guest_room_id IS NULL AND expires_at IS NULL AND password_hash IS NOT NULL)
    OR (guest_room_id IS NOT NULL AND expires_at IS NOT NULL AND password_hash IS NULL)
  );
-- The sweep looks up expired guests; accounts (no expiry) stay out of the index.
CREATE INDEX users_guest_expires_at ON users (expires_at) WHERE expires_at IS NOT NULL;
-- Deleting a room cascades to its guests: find them without a scan.
CREATE INDEX users_guest_room_id ON users (guest_room_id) WHERE guest_room_id IS NOT NULL;

-- leave_room() as in migration 006, except that a guest never inherits a room: the owner hands it
-- to the earliest member with an account. When only guests would remain, the owner cannot leave
-- ('only_guests'; they delete the room instead), as when they are alone ('last_member').
CREATE OR REPLACE FUNCTION leave_room(p_room_id text, p_user_id uuid)
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
    SELECT m.user_id INTO heir FROM room_members m JOIN users u ON u.id = m.user_id
    WHERE m.room_id = p_room_id AND m.user_id <> p_user_id AND u.guest_room_id IS NULL
    ORDER BY m.joined_at, m.user_id
    LIMIT 1;
    IF heir IS NULL THEN
      IF EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = p_room_id AND m.user_id <> p_user_id) THEN
        RETURN QUERY SELECT 'only_guests'::text, current_owner;
      ELSE
        RETURN QUERY SELECT 'last_member'::text, current_owner;
      END IF;
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

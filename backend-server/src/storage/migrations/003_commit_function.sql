-- One group commit in one round trip: commitMessages.ts calls this instead of sending its five
-- statements one by one. Same steps, same transaction semantics: each statement in a PL/pgSQL
-- function takes a fresh snapshot, so once the placement row is locked, the reads after it see
-- every commit that finished before (as the separate statements did). Plans are cached per
-- connection, so a commit no longer parses and plans five statements either.
--
-- Returns one row per request message, in request order, with outcome 'ok'; or a single row
-- with outcome 'not_found', 'room_moved' or 'seq_conflict' (and the latest seq) and no message.
CREATE FUNCTION commit_messages(
  p_room_id text,
  p_host text,
  p_epoch bigint,
  p_after_seq bigint,
  p_ids uuid[],
  p_user_ids uuid[],
  p_usernames text[],
  p_client_ids text[],
  p_texts text[],
  p_created_at timestamptz[]
) RETURNS TABLE (
  outcome text,
  latest bigint,
  seq bigint,
  id uuid,
  user_id uuid,
  username text,
  client_id text,
  text text,
  created_at timestamptz
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  placed_host text;
  placed_epoch bigint;
  latest_seq bigint;
  inserted integer;
BEGIN
  -- 1. Commits to one room take turns, and the fencing check cannot race a re-placement.
  SELECT p.host, p.epoch INTO placed_host, placed_epoch FROM placements p WHERE p.room_id = p_room_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::bigint, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::timestamptz;
    RETURN;
  END IF;
  -- 2. Fencing: only the host the room is placed on now, under the current epoch, may write.
  IF placed_host IS DISTINCT FROM p_host OR placed_epoch <> p_epoch THEN
    RETURN QUERY SELECT 'room_moved'::text, NULL::bigint, NULL::bigint, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::timestamptz;
    RETURN;
  END IF;
  SELECT coalesce(max(m.seq), 0) INTO latest_seq FROM messages m WHERE m.room_id = p_room_id;
  IF latest_seq <> p_after_seq THEN
    -- 4. New messages need afterSeq to be the latest seq; a batch of stored ones is answered below.
    IF EXISTS (
      SELECT 1 FROM unnest(p_user_ids, p_client_ids) AS b (user_id, client_id)
      WHERE NOT EXISTS (
        SELECT 1 FROM messages m WHERE m.room_id = p_room_id AND m.user_id = b.user_id AND m.client_id = b.client_id
      )
    ) THEN
      RETURN QUERY SELECT 'seq_conflict'::text, latest_seq, NULL::bigint, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::timestamptz;
      RETURN;
    END IF;
  ELSE
    -- 3 and 4. The messages not stored yet (a pair repeated in the batch once), with seqs
    -- afterSeq + 1… in request order.
    INSERT INTO messages (room_id, seq, id, user_id, username, client_id, text, created_at)
    SELECT p_room_id, p_after_seq + row_number() OVER (ORDER BY f.ord), f.id, f.user_id, f.username, f.client_id, f.text, f.created_at
    FROM (
      SELECT DISTINCT ON (b.user_id, b.client_id) b.*
      FROM unnest(p_ids, p_user_ids, p_usernames, p_client_ids, p_texts, p_created_at)
        WITH ORDINALITY AS b (id, user_id, username, client_id, text, created_at, ord)
      WHERE NOT EXISTS (
        SELECT 1 FROM messages m WHERE m.room_id = p_room_id AND m.user_id = b.user_id AND m.client_id = b.client_id
      )
      ORDER BY b.user_id, b.client_id, b.ord
    ) f;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    IF inserted > 0 THEN
      latest_seq := p_after_seq + inserted;
      UPDATE rooms SET last_activity_at = now() WHERE rooms.id = p_room_id;
    END IF;
  END IF;
  -- 3. Every request message answered with what is stored: new, or the original of a retry.
  RETURN QUERY
    SELECT 'ok'::text, latest_seq, m.seq, m.id, m.user_id, m.username, m.client_id, m.text, m.created_at
    FROM unnest(p_user_ids, p_client_ids) WITH ORDINALITY AS b (user_id, client_id, ord)
    JOIN messages m ON m.room_id = p_room_id AND m.user_id = b.user_id AND m.client_id = b.client_id
    ORDER BY b.ord;
END;
$$;

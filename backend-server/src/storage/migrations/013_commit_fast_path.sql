-- commit_messages (migration 009) with a fast path for the common batch: new messages after the
-- latest seq, none a retry. Same signature, same answers; the general path is unchanged below it.
CREATE OR REPLACE FUNCTION commit_messages(
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
  created_at timestamptz,
  edited_at timestamptz,
  deleted_at timestamptz
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
    RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::bigint, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz;
    RETURN;
  END IF;
  -- 2. Fencing: only the host the room is placed on now, under the current epoch, may write.
  IF placed_host IS DISTINCT FROM p_host OR placed_epoch <> p_epoch THEN
    RETURN QUERY SELECT 'room_moved'::text, NULL::bigint, NULL::bigint, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz;
    RETURN;
  END IF;
  SELECT coalesce(max(m.seq), 0) INTO latest_seq FROM messages m WHERE m.room_id = p_room_id;
  -- The common case first: afterSeq is the latest seq, and no message of the batch is stored
  -- already or twice in it. Then one INSERT answers with its own rows, in request order; the
  -- general path below de-duplicates, numbers with a window and joins the stored rows back,
  -- which cost PGlite ~0.4 ms more per commit (in-process, one message: 1.15 → 0.75 ms).
  IF latest_seq = p_after_seq
     AND NOT EXISTS (
       SELECT 1 FROM unnest(p_user_ids, p_client_ids) AS b (user_id, client_id)
       JOIN messages m ON m.room_id = p_room_id AND m.user_id = b.user_id AND m.client_id = b.client_id
     )
     AND (
       cardinality(p_ids) = 1
       OR (SELECT count(DISTINCT (b.user_id, b.client_id)) FROM unnest(p_user_ids, p_client_ids) AS b (user_id, client_id)) = cardinality(p_ids)
     )
  THEN
    UPDATE rooms SET last_activity_at = now() WHERE rooms.id = p_room_id;
    RETURN QUERY
      WITH stored AS (
        INSERT INTO messages (room_id, seq, id, user_id, username, client_id, text, created_at)
        SELECT p_room_id, p_after_seq + b.ord, b.id, b.user_id, b.username, b.client_id, b.text, b.created_at
        FROM unnest(p_ids, p_user_ids, p_usernames, p_client_ids, p_texts, p_created_at)
          WITH ORDINALITY AS b (id, user_id, username, client_id, text, created_at, ord)
        RETURNING messages.seq, messages.id, messages.user_id, messages.username, messages.client_id, messages.text, messages.created_at
      )
      SELECT 'ok'::text, p_after_seq + cardinality(p_ids), s.seq, s.id, s.user_id, s.username, s.client_id, s.text, s.created_at,
        NULL::timestamptz, NULL::timestamptz
      FROM stored s ORDER BY s.seq;
    RETURN;
  END IF;
  IF latest_seq <> p_after_seq THEN
    -- 4. New messages need afterSeq to be the latest seq; a batch of stored ones is answered below.
    IF EXISTS (
      SELECT 1 FROM unnest(p_user_ids, p_client_ids) AS b (user_id, client_id)
      WHERE NOT EXISTS (
        SELECT 1 FROM messages m WHERE m.room_id = p_room_id AND m.user_id = b.user_id AND m.client_id = b.client_id
      )
    ) THEN
      RETURN QUERY SELECT 'seq_conflict'::text, latest_seq, NULL::bigint, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::timestamptz, NULL::timestamptz;
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
    SELECT 'ok'::text, latest_seq, m.seq, m.id, m.user_id, m.username, m.client_id, m.text, m.created_at, m.edited_at, m.deleted_at
    FROM unnest(p_user_ids, p_client_ids) WITH ORDINALITY AS b (user_id, client_id, ord)
    JOIN messages m ON m.room_id = p_room_id AND m.user_id = b.user_id AND m.client_id = b.client_id
    ORDER BY b.ord;
END;
$$;

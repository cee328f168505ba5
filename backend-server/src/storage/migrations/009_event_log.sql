-- The room log becomes a log of events: each row of `messages` is an entry with its own seq, a
-- message or a change of one (an edit, a deletion, a reaction). A message row also holds the
-- message as it is now (its latest text, when it was edited or deleted), and `reactions` who
-- reacted with what, so that history pages never replay the log.

ALTER TABLE messages
  ADD COLUMN kind text NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'edit', 'delete', 'react')),
  -- A change: the seq of the message it changes.
  ADD COLUMN target bigint,
  -- A reaction: which emoji, and whether it was added or taken back.
  ADD COLUMN emoji text,
  ADD COLUMN reaction_on boolean,
  -- A message: when its author last edited it, and when they deleted it (its text is '' then,
  -- and so is the text of every edit of it: a deleted message is gone from storage too).
  ADD COLUMN edited_at timestamptz,
  ADD COLUMN deleted_at timestamptz,
  ADD CONSTRAINT messages_change_target CHECK ((kind = 'message') = (target IS NULL));

-- History pages read messages alone, newest first, skipping the changes between them.
CREATE INDEX messages_chat ON messages (room_id, seq) WHERE kind = 'message';
-- A deletion finds the edits of its message.
CREATE INDEX messages_target ON messages (room_id, target) WHERE target IS NOT NULL;

CREATE TABLE reactions (
  room_id    text NOT NULL,
  target     bigint NOT NULL,
  emoji      text NOT NULL,
  user_id    uuid NOT NULL,
  -- Orders the emoji of a message by first use, and the people under one emoji.
  seq        bigint NOT NULL,
  PRIMARY KEY (room_id, target, emoji, user_id),
  FOREIGN KEY (room_id, target) REFERENCES messages (room_id, seq) ON DELETE CASCADE
);

-- One group commit of log entries, in one round trip, as `commit_messages` (migration 003, still
-- used for batches of messages alone, the common case, set-based and faster): lock the placement,
-- fence, answer what is stored already, and refuse a stale `afterSeq`. Entries are then taken one
-- by one in request order, because a change depends on the ones before it (an edit, then the
-- deletion of the same message); a change storage refuses takes no seq and stores nothing.
--
-- Returns one row per request entry, in request order (`ord`): outcome 'ok' with the stored row
-- (a message as it is now), or 'refused' with the reason; then one row 'latest' with the latest
-- seq. Or a single row 'not_found', 'room_moved' or 'seq_conflict'.
CREATE FUNCTION commit_entries(
  p_room_id text,
  p_host text,
  p_epoch bigint,
  p_after_seq bigint,
  p_kinds text[],
  p_ids uuid[],
  p_user_ids uuid[],
  p_usernames text[],
  p_client_ids text[],
  p_texts text[],
  p_created_at timestamptz[],
  p_targets bigint[],
  p_emojis text[],
  p_ons boolean[],
  p_max_reactions integer
) RETURNS TABLE (
  outcome text,
  latest bigint,
  ord integer,
  refusal text,
  seq bigint,
  kind text,
  id uuid,
  user_id uuid,
  username text,
  client_id text,
  text text,
  created_at timestamptz,
  target bigint,
  emoji text,
  reaction_on boolean,
  edited_at timestamptz,
  deleted_at timestamptz
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  placed_host text;
  placed_epoch bigint;
  latest_seq bigint;
  next_seq bigint;
  target_author uuid;
  target_deleted timestamptz;
  reason text;
  i integer;
BEGIN
  SELECT p.host, p.epoch INTO placed_host, placed_epoch FROM placements p WHERE p.room_id = p_room_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::integer, NULL::text, NULL::bigint, NULL::text, NULL::uuid, NULL::uuid,
      NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::bigint, NULL::text, NULL::boolean, NULL::timestamptz, NULL::timestamptz;
    RETURN;
  END IF;
  IF placed_host IS DISTINCT FROM p_host OR placed_epoch <> p_epoch THEN
    RETURN QUERY SELECT 'room_moved'::text, NULL::bigint, NULL::integer, NULL::text, NULL::bigint, NULL::text, NULL::uuid, NULL::uuid,
      NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::bigint, NULL::text, NULL::boolean, NULL::timestamptz, NULL::timestamptz;
    RETURN;
  END IF;
  SELECT coalesce(max(m.seq), 0) INTO latest_seq FROM messages m WHERE m.room_id = p_room_id;
  IF latest_seq <> p_after_seq AND EXISTS (
    SELECT 1 FROM unnest(p_user_ids, p_client_ids) AS b (user_id, client_id)
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.room_id = p_room_id AND m.user_id = b.user_id AND m.client_id = b.client_id)
  ) THEN
    RETURN QUERY SELECT 'seq_conflict'::text, latest_seq, NULL::integer, NULL::text, NULL::bigint, NULL::text, NULL::uuid, NULL::uuid,
      NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::bigint, NULL::text, NULL::boolean, NULL::timestamptz, NULL::timestamptz;
    RETURN;
  END IF;

  next_seq := latest_seq;
  FOR i IN 1 .. coalesce(array_length(p_kinds, 1), 0) LOOP
    -- Stored already (a retry, or the same entry twice in this batch): answered with the original.
    IF NOT EXISTS (SELECT 1 FROM messages m WHERE m.room_id = p_room_id AND m.user_id = p_user_ids[i] AND m.client_id = p_client_ids[i]) THEN
      reason := NULL;
      IF p_kinds[i] <> 'message' THEN
        SELECT m.user_id, m.deleted_at INTO target_author, target_deleted
        FROM messages m WHERE m.room_id = p_room_id AND m.seq = p_targets[i] AND m.kind = 'message';
        IF NOT FOUND THEN
          reason := 'message_not_found';
        ELSIF target_deleted IS NOT NULL THEN
          reason := 'message_deleted';
        ELSIF p_kinds[i] IN ('edit', 'delete') AND target_author <> p_user_ids[i] THEN
          reason := 'not_author';
        ELSIF p_kinds[i] = 'react' AND p_ons[i]
          AND NOT EXISTS (SELECT 1 FROM reactions r WHERE r.room_id = p_room_id AND r.target = p_targets[i] AND r.emoji = p_emojis[i])
          AND (SELECT count(DISTINCT r.emoji) FROM reactions r WHERE r.room_id = p_room_id AND r.target = p_targets[i]) >= p_max_reactions THEN
          reason := 'too_many_reactions';
        END IF;
      END IF;
      IF reason IS NOT NULL THEN
        RETURN QUERY SELECT 'refused'::text, NULL::bigint, i, reason, NULL::bigint, NULL::text, NULL::uuid, NULL::uuid,
          NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::bigint, NULL::text, NULL::boolean, NULL::timestamptz, NULL::timestamptz;
        CONTINUE;
      END IF;

      next_seq := next_seq + 1;
      INSERT INTO messages (room_id, seq, kind, id, user_id, username, client_id, text, created_at, target, emoji, reaction_on)
      VALUES (p_room_id, next_seq, p_kinds[i], p_ids[i], p_user_ids[i], p_usernames[i], p_client_ids[i], coalesce(p_texts[i], ''),
        p_created_at[i], CASE WHEN p_kinds[i] = 'message' THEN NULL ELSE p_targets[i] END, p_emojis[i], p_ons[i]);
      CASE p_kinds[i]
        WHEN 'edit' THEN
          UPDATE messages m SET text = p_texts[i], edited_at = p_created_at[i] WHERE m.room_id = p_room_id AND m.seq = p_targets[i];
        WHEN 'delete' THEN
          UPDATE messages m SET text = '', edited_at = NULL, deleted_at = p_created_at[i]
          WHERE m.room_id = p_room_id AND (m.seq = p_targets[i] OR (m.kind = 'edit' AND m.target = p_targets[i]));
          DELETE FROM reactions r WHERE r.room_id = p_room_id AND r.target = p_targets[i];
        WHEN 'react' THEN
          IF p_ons[i] THEN
            INSERT INTO reactions (room_id, target, emoji, user_id, seq) VALUES (p_room_id, p_targets[i], p_emojis[i], p_user_ids[i], next_seq)
            ON CONFLICT DO NOTHING;
          ELSE
            DELETE FROM reactions r WHERE r.room_id = p_room_id AND r.target = p_targets[i] AND r.emoji = p_emojis[i] AND r.user_id = p_user_ids[i];
          END IF;
        ELSE
          NULL;
      END CASE;
    END IF;
    RETURN QUERY
      SELECT 'ok'::text, NULL::bigint, i, NULL::text, m.seq, m.kind, m.id, m.user_id, m.username, m.client_id, m.text, m.created_at,
        m.target, m.emoji, m.reaction_on, m.edited_at, m.deleted_at
      FROM messages m WHERE m.room_id = p_room_id AND m.user_id = p_user_ids[i] AND m.client_id = p_client_ids[i];
  END LOOP;
  IF next_seq > latest_seq THEN
    UPDATE rooms SET last_activity_at = now() WHERE rooms.id = p_room_id;
  END IF;
  RETURN QUERY SELECT 'latest'::text, next_seq, NULL::integer, NULL::text, NULL::bigint, NULL::text, NULL::uuid, NULL::uuid,
    NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::bigint, NULL::text, NULL::boolean, NULL::timestamptz, NULL::timestamptz;
END;
$$;

-- commit_messages answers a retried message with its stored original, which may have been edited
-- or deleted since: it now returns those columns too (same steps otherwise, see migration 003).
DROP FUNCTION commit_messages(text, text, bigint, bigint, uuid[], uuid[], text[], text[], text[], timestamptz[]);
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

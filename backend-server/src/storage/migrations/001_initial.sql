-- Accounts, rooms, membership, messages and the Scheduler's room → session server table.

CREATE TABLE users (
  id             uuid PRIMARY KEY,
  username       text NOT NULL,
  -- Uniqueness is case-insensitive ("Alice" and "alice" are one account name).
  username_lower text NOT NULL UNIQUE,
  -- `scrypt$N$r$p$salt$hash`: the parameters travel with the hash so they can change later.
  password_hash  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rooms (
  id               text PRIMARY KEY,
  name             text NOT NULL,
  owner_id         uuid NOT NULL REFERENCES users (id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_activity_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE room_members (
  room_id   text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, user_id)
);
-- "My rooms" looks members up by user.
CREATE INDEX room_members_user_id ON room_members (user_id);

CREATE TABLE messages (
  room_id    text NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  seq        bigint NOT NULL,
  id         uuid NOT NULL,
  -- No foreign key: a message is a record of what was said, with the name it was said under.
  user_id    uuid NOT NULL,
  username   text NOT NULL,
  client_id  text NOT NULL,
  text       text NOT NULL,
  created_at timestamptz NOT NULL,
  -- (room_id, seq) is the history order and the guard against two writers assigning one seq.
  PRIMARY KEY (room_id, seq),
  -- Makes a retried send idempotent.
  UNIQUE (room_id, user_id, client_id)
);

CREATE TABLE placements (
  room_id   text PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
  -- NULL when the room is not placed anywhere; the row (and its epoch) stays so epochs only grow.
  host      text,
  epoch     bigint NOT NULL DEFAULT 0,
  placed_at timestamptz,
  loaded_at timestamptz
);
-- Capacity checks count the active rooms per host.
CREATE INDEX placements_host ON placements (host) WHERE host IS NOT NULL;

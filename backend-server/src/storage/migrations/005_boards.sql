-- Each room's whiteboard, one JSON document a room (`Board` in the contract): the session server
-- holding the room saves it whole, a couple of seconds after the last change and on unload.
CREATE TABLE boards (
  room_id  text PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
  board    jsonb NOT NULL,
  saved_at timestamptz NOT NULL DEFAULT now()
);

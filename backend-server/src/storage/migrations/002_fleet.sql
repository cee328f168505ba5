-- The fleet: session servers that registered themselves (SCHEDULER=fleet places rooms on them).
-- In storage, not in memory, so every backend replica sees the same servers and the same load.

CREATE TABLE fleet_servers (
  -- The public address (host:port or a ws(s):// URL), the same string as placements.host.
  host          text PRIMARY KEY,
  -- Where the backend reaches the server, when that is not derived from `host`.
  internal_url  text,
  rooms         integer NOT NULL DEFAULT 0,
  members       integer NOT NULL DEFAULT 0,
  draining      boolean NOT NULL DEFAULT false,
  registered_at timestamptz NOT NULL DEFAULT now(),
  -- A server is live while its last heartbeat is recent.
  last_seen_at  timestamptz NOT NULL DEFAULT now()
);

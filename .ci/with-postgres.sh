#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL: a fresh cluster in a temporary directory on a free
# loopback port, owned by the machine's `postgres` user (initdb refuses to run as root), stopped and
# removed when the command ends. The command sees TEST_DATABASE_URL.
#   .ci/with-postgres.sh npm test -w @scalable-chat/backend-server
set -euo pipefail

# A PostgreSQL given from outside (the GitHub workflow's service container) is used as it is.
if [ -n "${CI_DATABASE_URL:-}" ]; then TEST_DATABASE_URL="$CI_DATABASE_URL" exec "$@"; fi

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  return 1
}

if ! bindir=$(find_bin); then
  echo "with-postgres: installing PostgreSQL from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir=$(find_bin)
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

tmp=$(mktemp -d /tmp/scalable-chat-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$tmp"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

cleanup() {
  as_pg "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

as_pg "$bindir/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
# fsync off: a test database need not survive a power cut, and it keeps the run fast.
as_pg "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/log" -w -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
"$@"

#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (Debian's postgresql package; the server runs as
# the 'postgres' user on 127.0.0.1, trust authentication, fsync off).
#
#   scripts/test-postgres.sh run CMD ARGS…   `make test`: start a server on a free port in a fresh
#       folder, run CMD with ISOBOT_TEST_POSTGRES_URL naming it, then stop the server and remove
#       the folder whatever CMD did (a failing test, Ctrl-C); exits with CMD's status. Another
#       `make test` beside it (a second worktree, CI) never meets this server.
#   scripts/test-postgres.sh                 start a server you keep (ISOBOT_TEST_PG_PORT, default
#       54329, ISOBOT_TEST_PG_DIR, default /tmp/isobot-test-pg; reused while it runs) and print
#       its URL; stop it with `pg_ctl -D DIR stop`.
set -euo pipefail
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# start DIR PORT: a new cluster in DIR (emptied first), listening on PORT.
start() {
  local dir="$1" port="$2"
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
  as_pg "$bin/initdb" -D "$dir" -U isobot --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
    start >/dev/null
}

url() { echo "postgresql+psycopg://isobot@127.0.0.1:$1/postgres"; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [ "${1:-}" = run ]; then
  shift
  [ $# -gt 0 ] || { echo "usage: $0 run COMMAND [ARGS…]" >&2; exit 2; }
  dir="$(mktemp -d "${TMPDIR:-/tmp}/isobot-test-pg.XXXXXX")"
  stop() {
    as_pg "$bin/pg_ctl" -D "$dir" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  }
  trap stop EXIT
  trap 'exit 130' INT TERM
  # A port free now may be taken before the server binds it: try another.
  for _ in 1 2 3; do
    port="$(free_port)"
    if start "$dir" "$port"; then started=1; break; fi
  done
  [ "${started:-}" = 1 ] || { echo "the test PostgreSQL server did not start" >&2; exit 1; }
  status=0
  ISOBOT_TEST_POSTGRES_URL="$(url "$port")" "$@" || status=$?
  exit "$status"
fi

port="${ISOBOT_TEST_PG_PORT:-54329}"
dir="${ISOBOT_TEST_PG_DIR:-/tmp/isobot-test-pg}"
if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  start "$dir" "$port"
fi
url "$port"

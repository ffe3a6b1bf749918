#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests and print its URL.
# Uses the Debian packages (postgresql); runs the server as the 'postgres' user on 127.0.0.1.
set -euo pipefail
port="${ISOBOT_TEST_PG_PORT:-54329}"
dir="${ISOBOT_TEST_PG_DIR:-/tmp/isobot-test-pg}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_pg "$bin/initdb" -D "$dir" -U isobot --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
fi
echo "postgresql+psycopg://isobot@127.0.0.1:$port/postgres"

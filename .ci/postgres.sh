#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL server on 127.0.0.1 for the state-store tests.
#   .ci/postgres.sh start   → installs Debian's postgresql if missing, starts a fresh cluster, prints the connection string
#   .ci/postgres.sh stop    → stops it and removes its data
# Its own data directory and port, so it never touches a cluster the machine already runs.
set -euo pipefail

PGPORT="${AXON_TEST_PGPORT:-55439}"
PGROOT="${AXON_TEST_PGROOT:-${TMPDIR:-/tmp}/axon-ci-postgres}"

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] && echo "$d"
}

as_pg() {
  # The server refuses to run as root; Debian's package creates the postgres user.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ -z "$(bindir)" ]; then
      # Progress goes to stderr: standard output carries only the connection string.
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2
    fi
    bin=$(bindir)
    bash "$0" stop >/dev/null 2>&1 || true
    mkdir -p "$PGROOT"
    [ "$(id -u)" = 0 ] && chown postgres "$PGROOT"
    as_pg "$bin/initdb" -D "$PGROOT/data" --auth=trust --username=postgres -E UTF8 >/dev/null
    as_pg "$bin/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 \
      -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k $PGROOT -c max_connections=200 -c fsync=off" start >/dev/null
    echo "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
    ;;
  stop)
    bin=$(bindir) || exit 0
    if [ -f "$PGROOT/data/postmaster.pid" ]; then
      as_pg "$bin/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$PGROOT"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac

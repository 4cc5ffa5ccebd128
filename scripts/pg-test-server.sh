#!/usr/bin/env bash
# Starts (or stops) a throw-away PostgreSQL cluster for the tests, owned by
# this project, in a directory of its own; prints the connection string.
#
#   scripts/pg-test-server.sh start [DIR]   -> prints ERP_TEST_PG_URL value
#   scripts/pg-test-server.sh stop  [DIR]
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` user (created by Debian's postgresql package).
set -euo pipefail

action=${1:-start}
dir=${2:-${ERP_PG_DIR:-/tmp/erp-test-pg}}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# A port of our own: ERP_PG_PORT if given, else the first free one from 54329.
if [[ -n "${ERP_PG_PORT:-}" ]]; then
  port=$ERP_PG_PORT
elif [[ -f "$dir/erp-port" ]]; then
  port=$(cat "$dir/erp-port")
else
  port=54329
  while port_in_use "$port"; do port=$((port + 1)); done
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$bindir" ]]; then
  echo "pg-test-server: PostgreSQL server binaries not found (run scripts/install-deps.sh)" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
  start)
    if [[ ! -f "$dir/PG_VERSION" ]]; then
      mkdir -p "$dir"
      [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
      as_owner "$bindir/initdb" -D "$dir" -U postgres -A trust --no-sync -E UTF8 >"$dir.initdb.log" 2>&1 ||
        { cat "$dir.initdb.log" >&2; exit 1; }
    fi
    echo "$port" > "$dir/erp-port"
    if ! as_owner "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    fi
    echo "host=127.0.0.1 port=$port user=postgres dbname=postgres"
    ;;
  stop)
    if [[ -f "$dir/PG_VERSION" ]]; then
      as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop [DIR]" >&2
    exit 2
    ;;
esac

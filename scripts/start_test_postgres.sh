#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, on 127.0.0.1 only, in its own folder; prints its URL on stdout.
#
#   scripts/start_test_postgres.sh [start [DIR]]   # → postgresql://postgres@127.0.0.1:PORT/postgres
#   scripts/start_test_postgres.sh stop [DIR]      # stops it and removes DIR
#
# Needs Debian's `postgresql` package (initdb and pg_ctl under /usr/lib/postgresql/*/bin). As root it runs the
# server as the `postgres` user (PostgreSQL refuses to run as root). Trust authentication, fsync off: for tests only.
# Starting twice with the same DIR prints the running server's URL again.
set -euo pipefail

cmd="${1:-start}"
dir="${2:-${TMPDIR:-/tmp}/office-agent-test-pg}"

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ]; then bindir="$d"; break; fi
done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then bindir="$(dirname "$(command -v initdb)")"; fi
if [ -z "$bindir" ]; then
  echo "no PostgreSQL server binaries (initdb, pg_ctl) found: apt-get install postgresql" >&2
  exit 2
fi

as_pg() {
  if [ "$(id -u)" = "0" ]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "running as root and there is no 'postgres' user to run the server as" >&2
      return 2
    fi
    if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
  else
    "$@"
  fi
}

if [ "$cmd" = "stop" ]; then
  if [ -d "$dir/data" ]; then as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  exit 0
fi
if [ "$cmd" != "start" ]; then
  echo "usage: $0 [start|stop] [DIR]" >&2
  exit 3
fi

if [ -f "$dir/url" ] && as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  cat "$dir/url"
  exit 0
fi

rm -rf "$dir/data" "$dir/url"
mkdir -p "$dir"
chmod 755 "$dir"
if [ "$(id -u)" = "0" ]; then chown postgres "$dir"; fi

py="$(command -v python3 || command -v python3.11 || command -v python || true)"
if [ -n "$py" ]; then
  port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
else
  port=$((20000 + RANDOM % 20000))
fi

if ! as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1; then
  echo "initdb failed:" >&2
  cat "$dir/initdb.log" >&2
  exit 1
fi
opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if ! as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start >/dev/null 2>&1; then
  echo "the server did not start:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
fi
url="postgresql://postgres@127.0.0.1:$port/postgres"
echo "$url" >"$dir/url"
echo "$url"

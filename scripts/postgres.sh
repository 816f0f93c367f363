#!/usr/bin/env bash
# A private PostgreSQL cluster in a data directory of ours, listening on 127.0.0.1 only.
#   scripts/postgres.sh start DIR   initdb on first use, start, print the connection string
#   scripts/postgres.sh stop DIR    fast shutdown
# When run as root the server runs as the `postgres` system user (PostgreSQL refuses root).
set -euo pipefail
cmd=$1; dir=$(realpath -m "$2")
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_owner=()
if [[ $(id -u) -eq 0 ]]; then as_owner=(runuser -u postgres --); fi

case $cmd in
start)
  mkdir -p "$dir"
  if [[ ! -s "$dir/password" ]]; then
    (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$dir/password")
  fi
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    mkdir -p "$dir/data"
    if ((${#as_owner[@]})); then chown postgres "$dir" "$dir/data"; chown postgres "$dir/password"; fi
    "${as_owner[@]}" "$pg_bin/initdb" -D "$dir/data" -U portal --pwfile="$dir/password" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log"; exit 1; }
  fi
  if "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    port=$(cat "$dir/port")
  else
    # PG_PORT: start again on the port a client already holds (a test that stops and restarts the server).
    port=${PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
    echo "$port" > "$dir/port"
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/data -c max_connections=300 -c fsync=${PG_FSYNC:-on} -c shared_buffers=256MB" \
      start >/dev/null || { tail -20 "$dir/data/server.log"; exit 1; }
  fi
  db=${PG_DATABASE:-portal}
  export PGPASSWORD=$(cat "$dir/password")
  if [[ -z $(psql -h 127.0.0.1 -p "$port" -U portal -d postgres -Atc "select 1 from pg_database where datname='$db'") ]]; then
    psql -h 127.0.0.1 -p "$port" -U portal -d postgres -qc "create database \"$db\"" >/dev/null
  fi
  echo "Host=127.0.0.1;Port=$port;Username=portal;Password=$PGPASSWORD;Database=$db"
  ;;
stop)
  if [[ -f "$dir/data/PG_VERSION" ]]; then
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A real streaming replica of the local PostgreSQL, for the read-replica tests (and to try
# PHONECHAT_READ_DATABASE_URL by hand): a second cluster on 127.0.0.1:5433, made with
# `pg_basebackup -R` from the primary on 127.0.0.1:5432, streaming through a replication
# slot. Run as root (the replica's server runs as the postgres user) or as postgres.
#
#   scripts/replica.sh start     make it (if not made yet) and start it; waits until it streams
#   scripts/replica.sh stop      stop its server (the data stays: `start` resumes streaming)
#   scripts/replica.sh destroy   stop it, delete its data directory and its slot on the primary
#   scripts/replica.sh status
#
# The primary must allow replication connections from 127.0.0.1: if it does not, `start`
# adds `host replication all 127.0.0.1/32 trust` to its pg_hba.conf (once) and reloads it;
# nothing else of the primary is changed (wal_level must be replica or logical, the default).
#
# Environment: PHONECHAT_PRIMARY_HOST/PORT (127.0.0.1/5432), PHONECHAT_REPLICA_PORT (5433),
# PHONECHAT_REPLICA_DIR (/tmp/phonechat-replica-<port>), PG_BIN (the primary's version's
# /usr/lib/postgresql/<major>/bin).
set -euo pipefail

PRIMARY_HOST=${PHONECHAT_PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PHONECHAT_PRIMARY_PORT:-5432}
PORT=${PHONECHAT_REPLICA_PORT:-5433}
DIR=${PHONECHAT_REPLICA_DIR:-/tmp/phonechat-replica-$PORT}
SLOT=phonechat_replica_$PORT
PRIMARY="host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres dbname=postgres"

say() { echo "replica: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

primary_sql() { psql "$PRIMARY" -X -At -v ON_ERROR_STOP=1 -c "$1"; }

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local major
  if [ -f "$DIR/PG_VERSION" ]; then
    major=$(cat "$DIR/PG_VERSION")
  else
    major=$(primary_sql "SHOW server_version_num")
    major=$((major / 10000))
  fi
  [ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ] ||
    fail "no /usr/lib/postgresql/$major/bin/pg_ctl (set PG_BIN)"
  echo "/usr/lib/postgresql/$major/bin"
}

running() { [ -f "$DIR/postmaster.pid" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$DIR" status >/dev/null 2>&1; }

allow_replication() {
  if psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres replication=true" -X -At \
       -c "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
    return 0
  fi
  local hba line="host replication all 127.0.0.1/32 trust"
  hba=$(primary_sql "SHOW hba_file")
  if ! grep -qxF "$line" "$hba"; then
    say "allowing replication connections from 127.0.0.1 in $hba"
    printf '\n# phonechat scripts/replica.sh: the local streaming replica\n%s\n' "$line" >> "$hba"
  fi
  primary_sql "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 1 20); do
    psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres replication=true" -X -At \
      -c "IDENTIFY_SYSTEM" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  fail "the primary still refuses replication connections (see $hba)"
}

make_replica() {
  local level
  level=$(primary_sql "SHOW wal_level")
  [ "$level" != minimal ] || fail "the primary runs with wal_level=minimal: set it to replica and restart it"
  allow_replication
  # A slot left by an earlier run whose data directory is gone would keep WAL forever.
  primary_sql "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots
               WHERE slot_name = '$SLOT' AND NOT active" >/dev/null
  rm -rf "$DIR"
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  [ "$(id -u)" != 0 ] || chown postgres:postgres "$DIR"
  say "base backup of $PRIMARY_HOST:$PRIMARY_PORT into $DIR"
  as_postgres "$(pg_bin)/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres \
    -D "$DIR" -R -X stream -C -S "$SLOT" --checkpoint=fast
  # Debian keeps postgresql.conf and pg_hba.conf outside the data directory: give the
  # replica its own. A hot standby needs these at least as high as the primary's.
  local conf="$DIR/postgresql.conf" name
  {
    echo "# phonechat scripts/replica.sh: a streaming replica of $PRIMARY_HOST:$PRIMARY_PORT"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    for name in max_connections max_worker_processes max_wal_senders \
                max_prepared_transactions max_locks_per_transaction; do
      echo "$name = $(primary_sql "SHOW $name")"
    done
  } > "$conf"
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > "$DIR/pg_hba.conf"
  : > "$DIR/pg_ident.conf"
  [ "$(id -u)" != 0 ] || chown postgres:postgres "$conf" "$DIR/pg_hba.conf" "$DIR/pg_ident.conf"
}

start() {
  if running; then say "already running on 127.0.0.1:$PORT ($DIR)"; return 0; fi
  if pg_isready -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
    fail "something else listens on 127.0.0.1:$PORT"
  fi
  [ -f "$DIR/standby.signal" ] || make_replica
  # On the command line: these win over anything the backup brought along.
  as_postgres "$(pg_bin)/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c hba_file=$DIR/pg_hba.conf -c ident_file=$DIR/pg_ident.conf" \
    >/dev/null || { tail -20 "$DIR/server.log" >&2 || true; fail "the replica did not start"; }
  local replica="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
  for _ in $(seq 1 120); do
    if [ "$(psql "$replica" -X -At -c "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = streaming ]; then
      say "streaming from $PRIMARY_HOST:$PRIMARY_PORT on 127.0.0.1:$PORT ($DIR)"
      return 0
    fi
    sleep 0.25
  done
  tail -20 "$DIR/server.log" >&2 || true
  fail "the replica does not stream"
}

stop() {
  if running; then
    as_postgres "$(pg_bin)/pg_ctl" -D "$DIR" -m fast -w -t 60 stop >/dev/null ||
      as_postgres "$(pg_bin)/pg_ctl" -D "$DIR" -m immediate -w stop >/dev/null
    say "stopped"
  fi
}

destroy() {
  if [ -d "$DIR" ]; then stop || true; fi
  rm -rf "$DIR"
  if pg_isready -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -q 2>/dev/null; then
    # The walsender may take a moment to notice its replica is gone.
    for _ in $(seq 1 40); do
      [ -z "$(primary_sql "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT'")" ] && break
      primary_sql "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots
                   WHERE slot_name = '$SLOT' AND NOT active" >/dev/null || true
      sleep 0.25
    done
  fi
  say "destroyed"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  destroy) destroy ;;
  status) if running; then echo "running on 127.0.0.1:$PORT ($DIR)"; else echo "not running"; exit 3; fi ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac

#!/usr/bin/env bash
# Where the CPU goes when `basis send --once` sends an N-recipient campaign
# (the campaign of run.sh) into smtp-sink: CPU seconds of the basis
# process, of the PostgreSQL backends serving it and of smtp-sink. On a
# shared machine these move far less with the load than wall times do.
#
#   bench/send/cpu.sh [N=20000] [RUNS=3]
#   BASIS_BIN=... to measure another build, BENCH_TEMPLATE=... for its own audience
#
# The audience is imported once into a template database (basis_cpu_tpl_N,
# kept between invocations; DROP it after changing the import); each run
# sends from a fresh copy of it. The backends are found by their process
# title and polled every 50 ms, so their last 50 ms may be missed.
set -euo pipefail
N=${1:-20000}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/send/common.sh"
W=$(mktemp -d /tmp/basis-bench-cpu.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
PORT=${SINK_PORT:-12027}
PG=postgres://postgres@127.0.0.1:5432
TPL=${BENCH_TEMPLATE:-basis_cpu_tpl_$N}
export BASIS_SECRET_KEY=bench-secret-key-0123456789abcdef0123
BIN=${BASIS_BIN:-$W/basis}
[ -n "${BASIS_BIN:-}" ] || (cd "$ROOT" && go build -o "$BIN" ./cmd/basis)
write_body "$W" # the ~4 KB text of run.sh
write_config "$W" "$PORT" 10
basis() { "$BIN" -c "$W/basis.yaml" "$@"; }
if ! psql -Atq "$PG/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$TPL'" | grep -q 1; then
  echo "template $TPL: importing $N contacts"
  psql -q "$PG/postgres" -c "CREATE DATABASE $TPL"
  { echo "email,name,company,phone"; for i in $(seq -w 1 "$N"); do echo "person$i@example.com,Person $i,,"; done; } > "$W/audience.csv"
  BASIS_DATABASE_URL="$PG/$TPL?sslmode=disable" basis migrate >/dev/null
  BASIS_DATABASE_URL="$PG/$TPL?sslmode=disable" basis contacts import "$W/audience.csv" --purpose marketing --basis soft_opt_in \
    --source customer_relationship --reason "bench audience" >/dev/null
  psql -q "$PG/$TPL" -c "INSERT INTO outbox (contact_id, kind, purpose, status, finished_at) SELECT id, 'notice', 'privacy_notice', 'cancelled', now() FROM contacts" -c "VACUUM ANALYZE"
fi
ticks() { # CPU ticks of the processes whose title matches $1
  local s=0 f; for p in $(pgrep -f "$1"); do read -r -a f < "/proc/$p/stat" 2>/dev/null && s=$((s + f[13] + f[14])); done; echo $s
}
poll() { # $1 database, $2 stop file: sums the last CPU ticks seen of each backend of $1
  declare -A last; local f
  while [ ! -e "$2" ]; do
    for p in $(pgrep -f "postgres: .*postgres $1 "); do read -r -a f < "/proc/$p/stat" 2>/dev/null && last[$p]=$((f[13] + f[14])); done
    sleep 0.05
  done
  local s=0; for p in "${!last[@]}"; do s=$((s + last[$p])); done; echo $s
}
HZ=$(getconf CLK_TCK)
for run in $(seq "$RUNS"); do
  DB=basis_cpu_run
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB TEMPLATE $TPL" 2>/dev/null
  export BASIS_DATABASE_URL="$PG/$DB?sslmode=disable"
  basis migrate >/dev/null
  id=$(basis campaign create --name "cpu $run" --purpose marketing --subject "Novità per {{.FirstName}}" --text "$W/text.txt")
  basis campaign schedule "$id" --at now >/dev/null
  # Every run starts right after a checkpoint, so every run writes the
  # same full-page images to the WAL (otherwise a run's cost depends on
  # how long ago the last checkpoint was: up to 40% more PostgreSQL CPU).
  psql -q "$PG/postgres" -c CHECKPOINT
  smtp-sink -u nobody -4 -c "127.0.0.1:$PORT" 1024 >/dev/null 2>&1 & SINK=$!
  for _ in $(seq 50); do ss -ltn | grep -q "127.0.0.1:$PORT " && break; sleep 0.1; done
  rm -f "$W/stop"; poll "$DB" "$W/stop" > "$W/pg" & POLL=$!
  s0=$(ticks "^smtp-sink .*$PORT"); load=$(cut -d' ' -f1-3 /proc/loadavg)
  TIMEFORMAT="%R %U %S"
  { time basis send --once > "$W/out"; } 2> "$W/time"
  s1=$(ticks "^smtp-sink .*$PORT"); touch "$W/stop"; wait $POLL; kill $SINK; wait $SINK 2>/dev/null || true
  read -r wall user sys < "$W/time"
  printf 'run %d (load %s): %.2f s wall, %.0f msg/s | CPU s: basis %.2f, postgres %.2f, smtp-sink %.2f | %s\n' "$run" "$load" "$wall" \
    "$(echo "$N / $wall" | bc -l)" "$(echo "$user + $sys" | bc)" "$(echo "$(cat "$W/pg") / $HZ" | bc -l)" \
    "$(echo "($s1 - $s0) / $HZ" | bc -l)" "$(cat "$W/out")"
done
psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS basis_cpu_run WITH (FORCE)"

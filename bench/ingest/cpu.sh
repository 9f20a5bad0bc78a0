#!/usr/bin/env bash
# CPU seconds of `basis ingest --once` and of its PostgreSQL backends, for
# comparing builds on a shared machine where wall time moves with the load.
# A private Dovecot (bench/ingest/imapd) holds N messages; each binary given
# ingests them into a fresh database, the binaries alternating, RUNS rounds.
#
#   bench/ingest/cpu.sh [N=20000] [RUNS=2] [BINARY...]   # default: a build of this tree
#
# Per run it prints the wall time, basis user+sys CPU (from /usr/bin/time),
# the CPU of the database's backends (sampled from /proc every 50 ms, so a
# backend's last 50 ms may be missed; the busiest one, the ingest's
# transaction, apart) and the load average. Wrap it in
# `flock /tmp/basis-bench.lock` like run.sh. KEEP_DB=1 keeps the last
# run's database (basis_bench_cpu_PID) for experiments.
set -euo pipefail
N=${1:-20000}
RUNS=${2:-2}
shift $(( $# < 2 ? $# : 2 ))
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/ingest/common.sh"
W=$(mktemp -d /tmp/basis-bench-cpu.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
ADMIN=${BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
DBNAME=basis_bench_cpu_$$
DBURL=postgres://postgres@127.0.0.1:5432/$DBNAME?sslmode=disable
export BASIS_DATABASE_URL=$DBURL BASIS_SECRET_KEY=bench-secret-key-0123456789abcdef0123
TICK=$(getconf CLK_TCK)

bins=("$@")
(cd "$ROOT" && go build -o "$W/imapd" ./bench/ingest/imapd)
if [ ${#bins[@]} -eq 0 ]; then
  (cd "$ROOT" && go build -o "$W/basis" ./cmd/basis)
  bins=("$W/basis")
fi

coproc IMAPD { "$W/imapd" -n "$N"; }
read -r HOST PORT USER PASS COUNT <&"${IMAPD[0]}"
write_config "$W" "$HOST" "$PORT" "$USER" "$PASS"

# sample: until $W/stop exists, record the utime+stime ticks of every
# process whose title names the database: its backends, and apart the
# autovacuum workers (whose work, such as flushing the GIN pending list,
# the ingest also causes).
sample() {
  declare -A last auto
  while [ ! -e "$W/stop" ]; do
    for pid in $(pgrep -f "postgres: .*$DBNAME" || true); do
      t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true)
      [ -n "$t" ] || continue
      last[$pid]=$t
      grep -q autovacuum "/proc/$pid/cmdline" 2>/dev/null && auto[$pid]=1
    done
    sleep 0.05
  done
  s=0 a=0 top=0
  for pid in "${!last[@]}"; do
    if [ -n "${auto[$pid]:-}" ]; then a=$((a + last[$pid])); else s=$((s + last[$pid])); fi
    [ -z "${auto[$pid]:-}" ] && [ "${last[$pid]}" -gt "$top" ] && top=${last[$pid]}
  done
  echo "$s $a $top" > "$W/pgticks"
}

for r in $(seq "$RUNS"); do
  for bin in "${bins[@]}"; do
    psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DBNAME" -c "CREATE DATABASE $DBNAME" >/dev/null
    "$bin" -c "$W/basis.yaml" migrate >/dev/null
    rm -f "$W/stop"
    sample & sp=$!
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S %M' -o "$W/time.txt" "$bin" -c "$W/basis.yaml" ingest --once >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
    t1=$(date +%s.%N)
    touch "$W/stop"; wait $sp
    read -r u s m < "$W/time.txt"
    read -r pg av top < "$W/pgticks"
    printf '%s: wall %.2fs  basis cpu %.2fs (user %.2f sys %.2f, RSS %d MB)  postgres cpu %.2fs (busiest backend %.2fs) + autovacuum %.2fs  load %s\n' \
      "$bin" "$(echo "$t1 - $t0" | bc)" "$(echo "$u + $s" | bc)" "$u" "$s" "$((m / 1024))" \
      "$(echo "$pg / $TICK" | bc -l)" "$(echo "$top / $TICK" | bc -l)" "$(echo "$av / $TICK" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    grep -i 'level=warn\|level=error' "$W/out" | head -3 || true
    echo "  $(tail -n 1 "$W/out")"
  done
done
[ -n "${KEEP_DB:-}" ] && echo "kept database $DBNAME" || psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DBNAME" >/dev/null
eval "exec ${IMAPD[1]}>&-"; wait "$IMAPD_PID" 2>/dev/null || true

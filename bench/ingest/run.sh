#!/usr/bin/env bash
# Ingest throughput against mbsync in the same run: a private Dovecot
# (bench/ingest/imapd) whose INBOX holds N realistic ~4 KB inquiries (direct,
# forwarded by staff, some with a PDF attached, a few bounces), copied by
# `mbsync` (FSync no) into a local Maildir and ingested by `basis ingest
# --once` into an empty database, alternately, RUNS times each. Then the peak
# RSS of `basis ingest --once` for one 40 MB message.
#
#   bench/ingest/run.sh [N=20000] [RUNS=3]
#
# Needs: go, psql, mbsync (apt-get install -y isync), /usr/bin/time
#   (apt-get install -y time), Dovecot (apt-get install -y dovecot-imapd), and
#   a PostgreSQL server: BENCH_DATABASE_URL, default
#   postgres://postgres@127.0.0.1:5432/basis_bench_ingest (dropped and created).
set -euo pipefail
N=${1:-20000}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/ingest/common.sh"
W=$(mktemp -d /tmp/basis-bench-ingest.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
ADMIN=${BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
DBURL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/basis_bench_ingest?sslmode=disable}
DBNAME=$(basename "${DBURL%%\?*}")
export BASIS_DATABASE_URL=$DBURL BASIS_SECRET_KEY=bench-secret-key-0123456789abcdef0123

for tool in go psql mbsync /usr/bin/time bc; do
  command -v "$tool" >/dev/null || { echo "bench/ingest: $tool not found (mbsync: apt-get install -y isync; /usr/bin/time: apt-get install -y time)"; exit 1; }
done
now() { date +%s.%N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

echo "building basis and imapd"
(cd "$ROOT" && go build -o "$W/basis" ./cmd/basis && go build -o "$W/imapd" ./bench/ingest/imapd)

fresh_db() {
  psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DBNAME" -c "CREATE DATABASE $DBNAME" >/dev/null
  "$W/basis" -c "$W/basis.yaml" migrate >/dev/null
}

# basis_run: one timed `basis ingest --once`; sets b (seconds) and k (max RSS in KB).
basis_run() {
  fresh_db
  local t0 t1
  t0=$(now)
  /usr/bin/time -v -o "$W/time.txt" "$W/basis" -c "$W/basis.yaml" ingest --once >"$W/ingest.out" 2>&1 || { cat "$W/ingest.out"; exit 1; }
  t1=$(now)
  b=$(echo "$t1 - $t0" | bc)
  k=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/time.txt")
}

mbsync_run() {
  rm -rf "$W/local"; mkdir -p "$W/local"
  cat > "$W/mbsyncrc" <<RC
FSync no
IMAPAccount bench
Host $HOST
Port $PORT
User $USER
Pass $PASS
SSLType None
AuthMechs LOGIN

IMAPStore bench-remote
Account bench

MaildirStore bench-local
Path $W/local/
Inbox $W/local/INBOX
SubFolders Verbatim

Channel bench-inbox
Far :bench-remote:INBOX
Near :bench-local:INBOX
Sync Pull
Create Near
Expunge None
SyncState *
RC
  sync
  local t0 t1
  t0=$(now)
  mbsync -q -c "$W/mbsyncrc" bench-inbox
  t1=$(now)
  local got
  got=$(find "$W/local/INBOX/new" "$W/local/INBOX/cur" -type f | wc -l)
  [ "$got" = "$N" ] || { echo "mbsync copied $got messages, want $N"; exit 1; }
  echo "$t1 - $t0" | bc
}

echo "filling a private Dovecot with $N messages"
coproc IMAPD { "$W/imapd" -n "$N"; }
read -r HOST PORT USER PASS COUNT <&"${IMAPD[0]}"
[ "$COUNT" = "$N" ] || { echo "Dovecot holds $COUNT messages, want $N"; exit 1; }
write_config "$W" "$HOST" "$PORT" "$USER" "$PASS"

mb=(); bs=(); rss=()
for r in $(seq "$RUNS"); do
  m=$(mbsync_run)
  basis_run
  mb+=("$m"); bs+=("$b"); rss+=("$k")
  summary=$(tail -n 1 "$W/ingest.out")
  printf 'run %d: mbsync %.2fs (%.0f msg/s)  basis %.2fs (%.0f msg/s, max RSS %d MB)  load %s\n' "$r" "$m" "$(echo "$N / $m" | bc -l)" \
    "$b" "$(echo "$N / $b" | bc -l)" "$((k / 1024))" "$(load)"
  echo "  $summary"
done
mmed=$(printf '%s\n' "${mb[@]}" | median)
bmed=$(printf '%s\n' "${bs[@]}" | median)
kmax=$(printf '%s\n' "${rss[@]}" | sort -g | tail -n 1)
printf 'median of %d: mbsync (FSync no) %.2fs = %.0f msg/s; basis ingest --once %.2fs = %.0f msg/s; ratio basis/mbsync %.2f; peak RSS %d MB\n' \
  "$RUNS" "$mmed" "$(echo "$N / $mmed" | bc -l)" "$bmed" "$(echo "$N / $bmed" | bc -l)" "$(echo "$bmed / $mmed" | bc -l)" "$((kmax / 1024))"
eval "exec ${IMAPD[1]}>&-"; wait "$IMAPD_PID" 2>/dev/null || true

echo "one 40 MB message"
coproc IMAPD { "$W/imapd" -big 40; }
read -r HOST PORT USER PASS COUNT <&"${IMAPD[0]}"
write_config "$W" "$HOST" "$PORT" "$USER" "$PASS"
basis_run
printf '40 MB message: basis ingest --once %.2fs, max RSS %d MB  load %s\n' "$b" "$((k / 1024))" "$(load)"
echo "  $(tail -n 1 "$W/ingest.out")"
eval "exec ${IMAPD[1]}>&-"; wait "$IMAPD_PID" 2>/dev/null || true

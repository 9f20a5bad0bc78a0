#!/usr/bin/env bash
# Outbox throughput against Postfix's smtp-sink, beside smtp-source in the
# same run: a 20,000-recipient campaign through `basis send --once`
# (rate_per_second 0, concurrency 10), without DKIM, with Ed25519 and with
# RSA-2048, and `smtp-source -s 10 -m 20000` reusing its connections.
#
#   bench/send/run.sh [N=20000]
#
# Needs: go, psql, openssl, smtp-sink and smtp-source
#   (DEBIAN_FRONTEND=noninteractive apt-get install -y postfix; Postfix itself
#   is not started), and a PostgreSQL server: BENCH_DATABASE_URL, default
#   postgres://postgres@127.0.0.1:5432/basis_bench_send (dropped and created).
set -euo pipefail
N=${1:-20000}
SESS=10
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/send/common.sh"
W=$(mktemp -d /tmp/basis-bench-send.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
PORT=${SINK_PORT:-12026}
ADMIN=${BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
DBURL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/basis_bench_send?sslmode=disable}
DBNAME=$(basename "${DBURL%%\?*}")
export BASIS_DATABASE_URL=$DBURL BASIS_SECRET_KEY=bench-secret-key-0123456789abcdef0123

for tool in go psql openssl smtp-sink smtp-source bc; do
  command -v "$tool" >/dev/null || { echo "bench/send: $tool not found (smtp-sink/smtp-source: apt-get install -y postfix)"; exit 1; }
done
now() { date +%s.%N; }

echo "building basis"
(cd "$ROOT" && go build -o "$W/basis" ./cmd/basis)

write_body "$W" # a ~4 KB message body, the same size for both senders

openssl genpkey -algorithm ed25519 -out "$W/ed25519.pem" 2>/dev/null
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$W/rsa.pem" 2>/dev/null

basis() { "$W/basis" -c "$W/basis.yaml" "$@"; }

echo "database $DBNAME: $N contacts with a marketing basis"
psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" -c "CREATE DATABASE $DBNAME"
write_config "$W" "$PORT" "$SESS"
basis migrate >/dev/null
{ echo "email,name,company,phone"; for i in $(seq -w 1 "$N"); do echo "person$i@example.com,Person $i,,"; done; } > "$W/audience.csv"
basis contacts import "$W/audience.csv" --purpose marketing --basis soft_opt_in --source customer_relationship --reason "bench audience" >/dev/null
# The bench measures the campaign alone: mark the privacy notices as done.
psql -q "$DBURL" -c "INSERT INTO outbox (contact_id, kind, purpose, status, finished_at) SELECT id, 'notice', 'privacy_notice', 'cancelled', now() FROM contacts"

start_sink() {
  smtp-sink -u nobody -4 -c "127.0.0.1:$PORT" 1024 >"$W/sink.out" 2>&1 &
  SINK=$!
  for _ in $(seq 50); do ss -ltn | grep -q "127.0.0.1:$PORT " && return; sleep 0.1; done
  echo "smtp-sink did not start"; exit 1
}
stop_sink() { # prints the number of messages the sink counted
  sleep 0.2; kill "$SINK"; wait "$SINK" 2>/dev/null || true
  tr '\r' '\n' < "$W/sink.out" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2
}

run_basis() { # $1 = label, $2 = dkim key or ""
  write_config "$W" "$PORT" "$SESS" "$2"
  id=$(basis campaign create --name "bench $1" --purpose marketing --subject "Novità per {{.FirstName}}" --text "$W/text.txt")
  basis campaign schedule "$id" --at now >/dev/null
  psql -q "$ADMIN" -c CHECKPOINT # the same full-page images in every run's WAL
  start_sink
  t0=$(now); out=$(basis send --once); t=$(echo "$(now) - $t0" | bc)
  got=$(stop_sink)
  rate=$(echo "$N / $t" | bc -l)
  printf '%-32s %6.2fs  %7.0f msg/s  sink=%s  (%s)\n' "basis send --once $1" "$t" "$rate" "$got" "$out"
  eval "RATE_$1=$rate"
}

run_source() {
  start_sink
  t0=$(now); smtp-source -4 -d -s "$SESS" -m "$N" -F "$W/msg.txt" -f info@acme-srl.it -t customer@example.com -M client.example.test "127.0.0.1:$PORT"
  t=$(echo "$(now) - $t0" | bc)
  got=$(stop_sink)
  RATE_source=$(echo "$N / $t" | bc -l)
  printf '%-32s %6.2fs  %7.0f msg/s  sink=%s\n' "smtp-source -d -s $SESS -m $N" "$t" "$RATE_source" "$got"
}

echo "--- $N messages, $SESS connections, $(nproc) CPUs"
run_source
run_basis plain ""
[ -n "${PLAIN_ONLY:-}" ] && exit 0
run_basis ed25519 "$W/ed25519.pem"
run_basis rsa2048 "$W/rsa.pem"
printf 'ratio basis/smtp-source without DKIM: %.2f (target >= 0.50)\n' "$(echo "$RATE_plain / $RATE_source" | bc -l)"

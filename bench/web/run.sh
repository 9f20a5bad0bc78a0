#!/bin/sh
# Web benchmark: 1,000,000 contacts and 5,000,000 timeline entries, then
# wrk -c 32 logged in against the dashboard, the review queue, a contact page
# and two searches.
# Needs PostgreSQL (BENCH_PG, default postgres@127.0.0.1:5432), psql, curl
# and wrk (apt-get install -y wrk). Results go to stdout; copy them to
# docs/benchmarks.md.
set -eu
cd "$(dirname "$0")/../.."
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=basis_bench_web
PORT=${BENCH_PORT:-18080}
DURATION=${BENCH_DURATION:-20s}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=

go build -o "$work/basis" ./cmd/basis
cat > "$work/basis.yaml" <<YAML
database: { url: "$PG/$DB?sslmode=disable" }
data_dir: $work/var
secret_key: "bench-secret-key-0123456789abcdef0123456789"
web: { listen: "127.0.0.1:$PORT", base_url: "http://127.0.0.1:$PORT" }
mailout: { from: "Acme S.r.l. <info@acme-srl.example>" }
mailin: { accounts: [ { name: bench, host: 127.0.0.1, port: 1, tls: none, username: x, password: x } ] }
retention: { enabled: false }
YAML
# Only the web pages are measured. With mailout.smtp set, serve's scheduler
# queues the privacy notice of all 1,000,000 seeded contacts in one INSERT
# that ran through the whole measurement (and was rolled back when the
# server stopped, so every run repeated it); without any mail account serve
# would start demo mode. So: no SMTP (the pages still have their mailer), an
# IMAP account on a closed port (its poller backs off to 5 minutes), no
# retention sweep.
B="$work/basis -c $work/basis.yaml"

if [ "${BENCH_RESEED:-0}" = 1 ] || ! psql "$PG/$DB" -Atc 'SELECT 1 FROM contacts LIMIT 1' >/dev/null 2>&1; then
	psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
	$B migrate >/dev/null
	echo "seeding (1M contacts, 5M activities)..." >&2
	start=$(date +%s)
	psql "$PG/$DB" -q -f bench/web/seed.sql
	echo "seeded in $(( $(date +%s) - start ))s" >&2
else
	$B migrate >/dev/null
fi
psql "$PG/$DB" -qc "DELETE FROM web_sessions; DELETE FROM users WHERE email = 'bench@acme-srl.it'" >/dev/null
echo 'bench-password-123' | $B user add bench@acme-srl.it --role staff >/dev/null

$B serve 2>"$work/serve.log" &
server=$!
for i in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

cookie=$(curl -s -o /dev/null -D - -d 'email=bench@acme-srl.it&password=bench-password-123' "http://127.0.0.1:$PORT/login" |
	sed -n 's/^Set-Cookie: \(basis_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "login failed" >&2; cat "$work/serve.log" >&2; exit 1; }

contact=$(psql "$PG/$DB" -Atc "SELECT id FROM contacts WHERE email = 'person500000@company0.example'")
for path in / /review "/contacts/$contact" "/search?q=person123456" "/search?q=giulia+bianchi"; do
	echo "== GET $path"
	curl -fs -o /dev/null -H "Cookie: $cookie" "http://127.0.0.1:$PORT$path" || { echo "GET $path failed" >&2; exit 1; }
	wrk -t 4 -c 32 -d "$DURATION" --latency -H "Cookie: $cookie" "http://127.0.0.1:$PORT$path" |
		grep -E 'Requests/sec|Latency |50%|90%|99%|Non-2xx|Socket errors'
done

#!/usr/bin/env bash
# The least PostgreSQL work a campaign of N messages needs, whatever the
# sender does: the rows every message must leave behind, each kind written
# by one bulk statement, no round trips, no planning per batch, nothing
# compressed (the evidence is copied from messages already stored). Run it
# after bench/send/run.sh, on the database that leaves (N sent messages at
# least); everything is rolled back. Best of three; prints each statement
# and the sum, in ms and per message.
#
#   bench/send/floor.sh [N=20000]    # BENCH_DATABASE_URL as for run.sh
set -euo pipefail
N=${1:-20000}
DBURL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/basis_bench_send?sslmode=disable}
sql() { cat <<SQL
\\timing on
BEGIN;
SET LOCAL jit = off;
CREATE TEMP TABLE ev ON COMMIT DROP AS SELECT * FROM evidence WHERE kind = 'sent_message' ORDER BY id LIMIT $N;
CREATE TEMP TABLE au ON COMMIT DROP AS SELECT * FROM audit_events WHERE action = 'evidence.added' ORDER BY seq LIMIT $N;
SET LOCAL basis.audit_head_set = on;
INSERT INTO campaigns SELECT (jsonb_populate_record(NULL::campaigns, to_jsonb(c) || jsonb_build_object('id', nextval('campaigns_id_seq')))).*
  FROM campaigns c ORDER BY id DESC LIMIT 1 RETURNING id AS k \\gset
\\echo queue: the outbox rows of the audience
INSERT INTO outbox (contact_id, kind, purpose, campaign_id, next_attempt_at, created_by)
  SELECT c.id, 'campaign', 'marketing', :k, now(), 'floor' FROM contacts c ORDER BY c.id LIMIT $N;
\\echo claim: every row marked sending
UPDATE outbox SET status = 'sending', claimed_by = 1, claimed_at = now(), attempts = attempts + 1 WHERE campaign_id = :k;
\\echo evidence: the exact bytes of every message
INSERT INTO evidence (contact_id, kind, sha256, content, size, content_type, metadata, received_at, created_by)
  SELECT contact_id, kind, sha256, content, size, content_type, metadata, received_at, created_by FROM ev;
\\echo audit: one event per message
INSERT INTO audit_events (seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash)
  SELECT seq + 1000000000, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash FROM au;
\\echo outcome: every row marked sent
UPDATE outbox SET status = 'sent', message_id = '<' || id || '@floor>', evidence_id = id, sent_at = now(), finished_at = now(), claimed_by = NULL
  WHERE campaign_id = :k;
ROLLBACK;
SQL
}
have=$(psql -Atq "$DBURL" -c "SELECT count(*) FROM evidence WHERE kind = 'sent_message'")
[ "$have" -ge "$N" ] || { echo "bench/send/floor.sh: $have sent messages stored, $N needed: run bench/send/run.sh first"; exit 1; }
for run in 1 2 3; do
  psql -q "$DBURL" -c CHECKPOINT
  sql | psql -q -v ON_ERROR_STOP=1 "$DBURL" | awk '/^(queue|claim|evidence|audit|outcome):/ {label=$1} /^Time:/ && label {print label, $2; label=""}'
done | awk -v n="$N" '
  { if (!($1 in best) || $2 < best[$1]) best[$1] = $2; if (!($1 in seen)) { order[++k] = $1; seen[$1] = 1 } }
  END { for (i = 1; i <= k; i++) { l = order[i]; printf "%-10s %8.1f ms  %6.1f us/message\n", l, best[l], 1000 * best[l] / n; sum += best[l] }
        printf "%-10s %8.1f ms  %6.1f us/message (best of 3 each)\n", "sum", sum, 1000 * sum / n }'

# Shared by run.sh and cpu.sh (sourced, not run): the config and the
# message body of the bench campaign.

# write_config DIR PORT CONCURRENCY [DKIM_KEY]: DIR/basis.yaml, sending
# to smtp-sink on 127.0.0.1:PORT without a rate limit, DKIM-signed with
# DKIM_KEY when given.
write_config() {
  cat > "$1/basis.yaml" <<YAML
data_dir: $1/var
web: { base_url: "https://crm.acme-srl.it" }
mailout:
  smtp: { host: 127.0.0.1, port: $2, tls: none }
  from: "Acme S.r.l. <info@acme-srl.it>"
  unsubscribe_mailto: "unsubscribe@acme-srl.it"
  rate_per_second: 0
  concurrency: $3
YAML
  if [ -n "${4:-}" ]; then
    printf '  dkim: { domain: acme-srl.it, selector: bench, private_key_file: %s }\n' "$4" >> "$1/basis.yaml"
  fi
}

# write_body DIR: a ~4 KB body, the same every time, as the campaign text
# DIR/text.txt and as the whole message for smtp-source DIR/msg.txt.
write_body() {
  python3 - "$1" <<'PY'
import sys, random
random.seed(1)
words = "preventivo fornitura consegna impianto offerta cliente ordine magazzino listino sconto qualità servizio assistenza tecnico progetto".split()
lines = []
while sum(len(l) + 1 for l in lines) < 3800:
    lines.append(" ".join(random.choice(words) for _ in range(11)))
body = "\n".join(lines) + "\n"
open(sys.argv[1] + "/text.txt", "w").write("Ciao {{.FirstName}},\n\n" + body)
open(sys.argv[1] + "/msg.txt", "w").write(
    "From: Acme <info@acme-srl.it>\nTo: customer@example.com\nSubject: Novità\nMessage-ID: <bench@acme-srl.it>\n\n" + body)
PY
}

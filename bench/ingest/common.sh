# Shared by run.sh and cpu.sh (sourced, not run).

# write_config DIR HOST PORT USER PASS: DIR/basis.yaml, ingesting the
# INBOX of the bench's private Dovecot (bench/ingest/imapd).
write_config() {
  cat > "$1/basis.yaml" <<YAML
data_dir: $1/var
organization: { staff_domains: [acme-srl.it] }
mailin:
  accounts:
    - { name: shared, host: $2, port: $3, tls: none, username: "$4", password: "$5", mailbox: INBOX, after: flag }
YAML
}

package dossier

// verifyScript recomputes every event hash of audit_proof.json with nothing
// but Python 3's standard library; it is shipped in the dossier.
const verifyScript = `#!/usr/bin/env python3
"""Check the audit events of this dossier without Basis.

Each event's hash is SHA-256 over: the previous event's hash (32 bytes), the
sequence number as 8 bytes big-endian, the time in microseconds since
1970-01-01 UTC ("at_unix_micro") as 8 bytes big-endian, then "actor",
"action" and "contact" each followed by one zero byte, then the payload hash, which is
SHA-256 of the payload's exact bytes (a redacted payload keeps its hash).
Run: python3 verify_audit.py   (in the folder where the dossier was unzipped)
"""
import hashlib, json, struct, sys

proof = json.load(open("audit_proof.json", encoding="utf-8"))
bad = 0
for e in proof["events"]:
    ph = bytes.fromhex(e["payload_sha256"])
    if not e["redacted"] and hashlib.sha256(e["payload"].encode("utf-8")).digest() != ph:
        print("event %d: payload does not match its hash" % e["seq"]); bad += 1
    h = hashlib.sha256()
    h.update(bytes.fromhex(e["prev_hash"]))
    h.update(struct.pack(">Q", e["seq"]))
    h.update(struct.pack(">q", e["at_unix_micro"]))
    for field in (e["actor"], e["action"], e["contact"]):
        h.update(field.encode("utf-8") + b"\0")
    h.update(ph)
    if h.hexdigest() != e["hash"]:
        print("event %d: hash does not match its content" % e["seq"]); bad += 1
print("%d events checked, %d problems; chain head at export: event %d, %s"
      % (len(proof["events"]), bad, proof["head_seq"], proof["head_hash"]))
sys.exit(1 if bad else 0)
`

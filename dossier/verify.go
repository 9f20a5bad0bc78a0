package dossier

// verifyScript checks the whole dossier with nothing but Python 3's standard
// library: the files against their hashes, the audit events against the
// recipe of their hashes and against each other, the export against the
// event that recorded it, and the consent texts against their hashes. It is
// shipped in the dossier; dossier.html explains what it proves.
const verifyScript = `#!/usr/bin/env python3
"""Check this evidence dossier without Basis.

Run: python3 verify_audit.py   (in the folder where the dossier was unzipped)

1. Files: every file listed in manifest.json and dossier-manifest.json has the
   SHA-256 written there, and every file under evidence/ is named by its own
   SHA-256.
2. Audit events (audit_proof.json): each event's hash is SHA-256 over the
   previous event's hash (32 bytes), the sequence number as 8 bytes big-endian,
   the time in microseconds since 1970-01-01 UTC ("at_unix_micro") as 8 bytes
   big-endian, then "actor", "action" and "contact" each followed by one zero
   byte, then the payload hash, which is SHA-256 of the payload's exact bytes
   (a redacted payload keeps its hash). Two events with consecutive numbers
   must link (the later one's prev_hash is the earlier one's hash), and an
   event numbered as the chain head must carry the head's hash: an event
   removed from, or added to, a run of consecutive events breaks one of these.
3. The export: manifest.json's SHA-256 is the one recorded in the audit chain
   by a contact.exported event of this dossier, and every audit event listed
   in contact.json (which manifest.json covers) is in audit_proof.json with
   the same hash.
4. Consents: the SHA-256 of each consent text in a consent record is
   SHA-256(purpose, language, version and text, joined by one zero byte).

Events of other people lie between this person's events and are not in the
dossier; that the chain is unbroken across them is checked on the Basis
installation with "basis audit verify" and "basis audit proof SEQ".
Exit status 0 when everything checks, 1 otherwise.
"""
import hashlib, json, os, struct, sys

problems = []

def problem(msg):
    problems.append(msg)
    print("PROBLEM: " + msg)

def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

# 1. Files.
files = 0
for manifest in ("manifest.json", "dossier-manifest.json"):
    if not os.path.exists(manifest):
        problem("%s is missing" % manifest)
        continue
    for f in load(manifest)["files"]:
        files += 1
        if not os.path.exists(f["path"]):
            problem("%s (listed in %s) is missing" % (f["path"], manifest))
        elif sha256_file(f["path"]) != f["sha256"]:
            problem("%s does not match its SHA-256 in %s: altered" % (f["path"], manifest))
if os.path.isdir("evidence"):
    for name in sorted(os.listdir("evidence")):
        if sha256_file(os.path.join("evidence", name)) != name.split(".")[0]:
            problem("evidence/%s is not named by its SHA-256: altered" % name)

# 2. Audit events.
proof = load("audit_proof.json")
events = proof["events"]
prev = None
for e in events:
    ph = bytes.fromhex(e["payload_sha256"])
    if not e["redacted"] and hashlib.sha256(e["payload"].encode("utf-8")).digest() != ph:
        problem("event %d: payload does not match its hash: edited" % e["seq"])
    h = hashlib.sha256()
    h.update(bytes.fromhex(e["prev_hash"]))
    h.update(struct.pack(">Q", e["seq"]))
    h.update(struct.pack(">q", e["at_unix_micro"]))
    for field in (e["actor"], e["action"], e["contact"]):
        h.update(field.encode("utf-8") + b"\0")
    h.update(ph)
    if h.hexdigest() != e["hash"]:
        problem("event %d: hash does not match its content: edited" % e["seq"])
    if prev is not None:
        if e["seq"] <= prev["seq"]:
            problem("event %d listed after event %d: reordered" % (e["seq"], prev["seq"]))
        elif e["seq"] == prev["seq"] + 1 and e["prev_hash"] != prev["hash"]:
            problem("event %d does not link to event %d: an event was removed, added or changed" % (e["seq"], prev["seq"]))
    if e["seq"] == proof["head_seq"] and e["hash"] != proof["head_hash"]:
        problem("event %d is the chain head but its hash is not the head's" % e["seq"])
    prev = e

# 3. The export recorded in the chain.
if os.path.exists("manifest.json"):
    manifest_sha = sha256_file("manifest.json")
    recorded = False
    for e in events:
        if e["action"] == "contact.exported" and not e["redacted"]:
            if json.loads(e["payload"]).get("manifest_sha256") == manifest_sha:
                recorded = True
    if not recorded:
        problem("manifest.json (SHA-256 %s) is not the one recorded by a contact.exported event" % manifest_sha)

# ... and the events of contact.json, which manifest.json covers, are all in
# audit_proof.json with the same hashes: none was left out of the proof.
if os.path.exists("contact.json"):
    by_seq = dict((e["seq"], e) for e in events)
    for e in load("contact.json").get("audit_events", []):
        p = by_seq.get(e["seq"])
        if p is None:
            problem("event %d (%s) of contact.json is missing from audit_proof.json" % (e["seq"], e["action"]))
        elif p["hash"] != e["hash"]:
            problem("event %d differs between contact.json and audit_proof.json" % e["seq"])

# 4. Consent texts.
consents = 0
for name in sorted(os.listdir("evidence")) if os.path.isdir("evidence") else []:
    if not name.endswith(".json"):
        continue
    try:
        rec = load(os.path.join("evidence", name))
    except ValueError:
        continue
    t = rec.get("text") if isinstance(rec, dict) else None
    if not isinstance(t, dict) or "body" not in t:
        continue
    consents += 1
    joined = "\0".join((rec.get("purpose", ""), t.get("language", ""), t.get("version", ""), t["body"]))
    if hashlib.sha256(joined.encode("utf-8")).hexdigest() != t.get("sha256"):
        problem("evidence/%s: the consent text does not match its SHA-256" % name)

print("%d files, %d audit events, %d consent texts checked: %d problems"
      % (files, len(events), consents, len(problems)))
print("chain head at export: event %d, hash %s" % (proof["head_seq"], proof["head_hash"]))
print("On the Basis installation, \"basis audit proof %d\" must print this hash and end with \"ok\"." % proof["head_seq"])
sys.exit(1 if problems else 0)
`

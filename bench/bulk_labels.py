#!/usr/bin/env python3
"""Give the registry benchmark's bulk-copied registrations real signed label credentials.

bench/registry.sh copies issued rows to reach 10,000 products; the server's self-audit checks
every registration against its log entries and refuses to sign (and to cache pages) while
one has none. This signs a jcstar.label/2 for each registration that lacks one, with the
registry's own key, in the canonical form of docs/label-credential.md, and appends it to
the log (table tlog) and label_statements, as the server would on issuance.
    python3 bench/bulk_labels.py REG.db REGISTRY.key
"""
import base64
import hashlib
import json
import sqlite3
import sys

from cryptography.hazmat.primitives import serialization

db, keyfile = sys.argv[1], sys.argv[2]
key = serialization.load_pem_private_key(open(keyfile, "rb").read(), password=None)
spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
key_id = hashlib.sha256(spki).hexdigest()
canon = lambda v: json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

con = sqlite3.connect(db)
# a credential the server signed: registry id, page URL base and the bound report hash
model = json.loads(con.execute("SELECT statement FROM label_statements LIMIT 1").fetchone()[0])["payload"]
base = model["url"].rsplit("/", 1)[0]
idx = con.execute("SELECT coalesce(max(idx) + 1, 0) FROM tlog").fetchone()[0]
rows = con.execute("SELECT r.reg_no, r.level, r.vendor_org, r.product, r.models, r.firmware, r.issued, r.expires"
                   " FROM registrations r LEFT JOIN label_statements s ON s.reg_no = r.reg_no"
                   " WHERE s.reg_no IS NULL ORDER BY r.reg_no").fetchall()
with con:
    for reg_no, level, vendor, product, models, firmware, issued, expires in rows:
        p = {"schema": "jcstar.label/2", "registration_number": reg_no, "vendor": vendor, "product": product,
             "models": models.split("\n"), "level": level, "issued": issued, "expires": expires, "status": "valid",
             "registry": model["registry"], "url": f"{base}/{reg_no}", "signed_at": model["signed_at"],
             "key_id": key_id, "firmware": firmware, "report_sha256": model["report_sha256"], "sbom_sha256": "none"}
        env = {"payload": p, "signature": base64.b64encode(key.sign(canon(p))).decode()}
        leaf = hashlib.sha256(b"\0" + canon(env)).hexdigest()
        text = canon(env).decode() + "\n"
        con.execute("INSERT INTO tlog (idx, kind, reg_no, leaf_hash, entry, at) VALUES (?, 'label', ?, ?, ?, 0)",
                    (idx, reg_no, leaf, text))
        con.execute("INSERT INTO label_statements (reg_no, statement) VALUES (?, ?)", (reg_no, text))
        idx += 1
    con.execute("UPDATE counters SET v = ? WHERE name = 'log'", (idx,))
print(f"signed and logged {len(rows)} label credentials")

#!/bin/sh
# Benchmark: TLS assessment of one endpoint by jcstar vs sslscan and testssl.sh, on the same
# nginx "device" in a network namespace (tests/integration/lib/tlsdev.sh). Prints wall-clock
# times, ratios, and whether the three tools agree on versions, accepted suites and the
# certificate. Usage: sh bench/tls.sh [path/to/jcstar]   (root; Debian: sslscan testssl.sh)
set -eu
JCSTAR=${1:-build/jcstar}
JCS_SRC=${JCS_SRC:-$(pwd)}
JCS_FIXTURES=${JCS_FIXTURES:-$JCS_SRC/tests/fixtures}
RUNS=${RUNS:-3}
JCSTAR=$(cd "$(dirname "$JCSTAR")" && pwd)/$(basename "$JCSTAR")
[ "$(id -u)" = 0 ] || { echo "bench/tls.sh: needs root (network namespaces)" >&2; exit 1; }
for t in sslscan testssl nginx jq python3; do
	command -v $t >/dev/null || { echo "bench/tls.sh: $t not installed" >&2; exit 1; }
done

. "$JCS_SRC/tests/integration/lib/tlsdev.sh"
tmp=$(mktemp -d)
trap 'tlsdev_down; rm -rf "$tmp"' EXIT INT TERM
tlsdev_up
cd "$tmp"
i=0
until [ "$(ip netns exec "$NSD" ss -ltnH | grep -c "$DEV:443")" -ge 4 ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done

now() { date +%s.%N; }
# timed NAME CMD... : best-of-$RUNS wall time (seconds) into $NAME.t, output of the last run kept
timed() {
	name=$1; shift
	best=""
	n=$RUNS
	[ "$name" = "${name#testssl}" ] || n=1
	for r in $(seq $n); do
		t0=$(now)
		ip netns exec "$NSC" "$@" > "$name.out" 2> "$name.err" || true
		t=$(echo "$(now) - $t0" | bc)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
	done
	echo "$best" > "$name.t"
}

printf "%-10s %-10s %9s %7s %10s\n" endpoint tool seconds conns "jcstar/x"
for ep in weak:4433 hardened:4434; do
	label=${ep%%:*}; port=${ep##*:}
	timed "jcstar-$label" "$JCSTAR" tls $DEV:$port -o "jcstar-$label.json"
	cp "jcstar-$label.out" "$JCS_KEEP_DIR/jcstar-$label.txt" 2>/dev/null || true
	timed "sslscan-$label" sslscan --no-colour --xml="sslscan-$label.xml" $DEV:$port
	timed "testssl-$label" testssl --quiet --color 0 --warnings off --nodns none -p -E -S --jsonfile "testssl-$label.json" $DEV:$port
	python3 - "$label" <<'PY'
import json, re, sys
import xml.etree.ElementTree as ET
label = sys.argv[1]
t = {k: float(open(f"{k}-{label}.t").read()) for k in ("jcstar", "sslscan", "testssl")}
ev = json.load(open(f"jcstar-{label}.json"))
f = {x["id"]: x for x in ev["findings"]}
vmap = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLSv1.0": "TLSv1.0", "TLSv1.1": "TLSv1.1", "TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3"}
j_versions = set(f["probe.tls.protocol"]["evidence"]["offered"])
j_suites = {(c["version"], c["openssl"]) for c in f.get("probe.tls.cipher", {}).get("evidence", {}).get("offered", [])}
cert = f.get("probe.tls.certificate", {}).get("evidence", {})
j_cert = (cert.get("key_bits"), cert.get("signature_hash"), cert.get("expired"))
j_cert_rsa = (cert.get("key_bits") if cert.get("key_type") == "RSA" else None,) + j_cert[1:]
conns = ev["services"][0]["tls_assessment"]["connections"]

x = ET.parse(f"sslscan-{label}.xml").getroot()
s_versions = set()
for p in x.iter("protocol"):
    if p.get("enabled") == "1":
        v = ("SSLv" if p.get("type") == "ssl" else "TLSv") + p.get("version")
        s_versions.add({"TLSv1.0": "TLSv1.0"}.get(v, v))
s_suites = {(c.get("sslversion").replace("TLSv1.0", "TLSv1.0"), c.get("cipher")) for c in x.iter("cipher")
            if c.get("status") in ("accepted", "preferred")}
s_suites = {("TLSv1.0" if v == "TLSv1.0" else v, n) for v, n in s_suites}
pk = next(x.iter("pk"), None)
# sslscan reports an EC key's security strength (128 for P-256), not its size: compare RSA only
if pk is not None and pk.get("type") != "RSA":
    pk = None
sig = next(x.iter("signature-algorithm"), None)
exp = next(x.iter("expired"), None)
s_cert = (int(pk.get("bits")) if pk is not None else None,
          re.sub(r"(?i).*?(sha1|sha256|sha384|sha512|md5).*", r"\1", sig.text).lower() if sig is not None else None,
          (exp.text.strip() == "true") if exp is not None else None)

tj = json.load(open(f"testssl-{label}.json"))
tv = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLS1_1": "TLSv1.1", "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
t_versions = {tv[e["id"]] for e in tj if e["id"] in tv and e["finding"].startswith("offered")}
t_suites = set()
for e in tj:
    m = re.match(r"cipher-(tls1|tls1_1|tls1_2|tls1_3|ssl3)_x[0-9a-f]+$", e["id"])
    if m:
        ver = {"tls1": "TLSv1.0", "tls1_1": "TLSv1.1", "tls1_2": "TLSv1.2", "tls1_3": "TLSv1.3", "ssl3": "SSLv3"}[m.group(1)]
        parts = e["finding"].split()
        code = next(i for i, p in enumerate(parts) if re.fullmatch(r"x[0-9a-f]+", p))
        t_suites.add((ver, parts[code + 1]))
tcert = {e["id"]: e["finding"] for e in tj}
m = re.search(r"(\d+) bits", tcert.get("cert_keySize", ""))
sa = tcert.get("cert_signatureAlgorithm", "").lower()
h = re.search(r"(sha1|sha256|sha384|sha512|md5)", sa.replace("-", ""))
t_cert = (int(m.group(1)) if m else None, h.group(1) if h else None, "expired" in tcert.get("cert_expirationStatus", ""))

def agree(a, b):
    return "agree" if a == b else "DIFFER"
for tool, tt, c in (("jcstar", t["jcstar"], conns), ("sslscan", t["sslscan"], ""), ("testssl.sh", t["testssl"], "")):
    ratio = "" if tool == "jcstar" else "%.3g" % (t["jcstar"] / tt)
    print("%-10s %-10s %9.2f %7s %10s" % (label, tool, tt, c, ratio))
print("  versions  jcstar %s | sslscan %s (%s) | testssl %s (%s)" % (sorted(j_versions), sorted(s_versions),
      agree(j_versions, s_versions), sorted(t_versions), agree(j_versions, t_versions)))
print("  suites    jcstar %d | sslscan %d (%s) | testssl %d (%s)" % (len(j_suites), len(s_suites), agree(j_suites, s_suites),
      len(t_suites), agree(j_suites, t_suites)))
for name, other in (("sslscan", s_suites), ("testssl", t_suites)):
    if other != j_suites:
        print("    only jcstar: %s; only %s: %s" % (sorted(j_suites - other), name, sorted(other - j_suites)))
print("  cert      jcstar %s | sslscan %s (%s) | testssl %s (%s)  (bits, hash, expired)" % (j_cert, s_cert,
      agree(j_cert_rsa, s_cert), t_cert, agree(j_cert, t_cert)))
print("  jcstar verdicts: " + ", ".join("%s=%s" % (k.split(".")[-1], v["result"]) for k, v in f.items()))
PY
done

#!/bin/sh
# jcstar tls against real TLS servers (nginx) and hostile fake servers, all inside two network
# namespaces this test creates: jcs-tlsc-PID (jcstar runs here) and jcs-tlsd-PID (the
# "device", 10.78.3.2), joined by a veth pair. Nothing is configured outside them.
# ctest-lock: netns
set -eu

[ "$(id -u)" = 0 ] || { echo "tls.sh: needs root (network namespaces)" >&2; exit 1; }
for t in nginx openssl jq python3 ip; do
	command -v $t >/dev/null || { echo "tls.sh: $t is required (scripts/debian-packages.txt)" >&2; exit 1; }
done
: "${JCSTAR:?}" "${JCS_SRC:?}" "${JCS_FIXTURES:?}"

. "$JCS_SRC/tests/integration/lib/tlsdev.sh"
tmp=$(mktemp -d)
pids=""
passed=0
failed=0

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	tlsdev_down
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
result() { jq -r --arg id "$2" '.findings[] | select(.id == $id) | .result' "$1"; }
is() { [ "$(result "$1" "$2")" = "$3" ] || { echo "     $2: got '$(result "$1" "$2")', expected '$3'" >&2; return 1; }; }
has() { jq -e "$2" "$1" >/dev/null || { echo "     $1 lacks $2" >&2; return 1; }; }

tlsdev_up
cd "$tmp"
for m in garbage:4440 silent:4441 slowloris:4442 hugecert:4443 legacy:4444 reset:4445; do
	ip netns exec "$NSD" python3 "$JCS_SRC/tests/integration/tls_evil.py" "${m%%:*}" $DEV "${m##*:}" &
	pids="$pids $!"
done
# wait (bounded) until every port listens
listening() { [ "$(ip netns exec "$NSD" ss -ltnH | grep -c "$DEV:44[34]")" -ge 10 ]; }
wait_until 30 listening || { echo "tls.sh: the servers did not all come up" >&2; ip netns exec "$NSD" ss -ltn >&2; exit 1; }

jt() { ip netns exec "$NSC" "$JCSTAR" tls "$@"; }

# --- (a) weak ---
jt $DEV:4433 -o weak.json > weak.txt
check "weak: protocol fails"          is weak.json probe.tls.protocol fail
check "weak: TLS 1.0 and 1.1 offered" has weak.json '.findings[0].evidence.offered | index("TLSv1.0") and index("TLSv1.1")'
check "weak: cipher fails"            is weak.json probe.tls.cipher fail
check "weak: CBC-SHA1 suite listed"   has weak.json '.findings[1].evidence.offending | any(. == "TLSv1.2 TLS_RSA_WITH_AES_128_CBC_SHA")'
check "weak: NULL suite listed"       has weak.json '.findings[1].evidence.offending | any(test("TLS_RSA_WITH_NULL_SHA"))'
check "weak: DH 1024 flagged"         has weak.json '.findings[1].evidence.offered | any(.name == "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" and .verdict == "fail" and (.reasons | test("1024")))'
check "weak: ECDHE-GCM suite passes"  has weak.json '.findings[1].evidence.offered | any(.name == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" and .verdict == "pass")'
check "weak: certificate fails"       is weak.json probe.tls.certificate fail
check "weak: cert reasons"            has weak.json '.findings[2].evidence.fail_reasons | test("1024 bits") and test("sha1") and test("expired")'
check "weak: severity high (NULL)"    has weak.json '.findings[1].severity == "high"'
check "weak: SSLv3 by raw hello"     has weak.json '.findings[0].evidence.raw_clienthello == ["SSLv3"] and (.findings[0].evidence.not_offered | any(.version == "SSLv3"))'
check "weak: summary table"           grep -q "TLSv1.0   offered" weak.txt
check "weak: evidence has services"   has weak.json '.services[0].tls == true and .services[0].port == 4433'

# --- (b) hardened ---
# -o -: the evidence alone on stdout (it must parse), the summary table on stderr
jt $DEV:4434 --sni device.test -o - > good.json 2> good.txt
check "-o -: stdout is the evidence"  has good.json '.schema == "jcstar.evidence/1"'
check "-o -: summary on stderr"       grep -q '^RESULT ' good.txt
check "hardened: protocol passes"     is good.json probe.tls.protocol pass
check "hardened: TLS 1.2 + 1.3"       has good.json '.findings[0].evidence.offered == ["TLSv1.2","TLSv1.3"]'
check "hardened: cipher passes"       is good.json probe.tls.cipher pass
check "hardened: ChaCha20 accepted"   has good.json '.findings[1].evidence.accepted_as_equivalent | index("TLS_CHACHA20_POLY1305_SHA256")'
check "hardened: 2 TLS1.2 suites"     has good.json '[.findings[1].evidence.offered[] | select(.version == "TLSv1.2")] | length == 2'
check "hardened: certificate passes"  is good.json probe.tls.certificate pass
check "hardened: EC P-256, hostname"  has good.json '.findings[2].evidence | .key_type == "EC" and .curve == "prime256v1" and .hostname_match == true'

# --- (c) fixture certificate, wrong name, (d) self-signed: info, not fail ---
jt $DEV:4435 -o fix.json > /dev/null
check "fixture: protocol passes"      is fix.json probe.tls.protocol pass
check "fixture: cipher passes"        is fix.json probe.tls.cipher pass
check "fixture: cert info (name)"     is fix.json probe.tls.certificate info
check "fixture: RSA 2048 sha256"      has fix.json '.findings[2].evidence | .key_bits == 2048 and .signature_hash == "sha256" and .self_signed == false and .hostname_match == false'
jt $DEV:4436 -o ss.json > /dev/null
check "self-signed: cert info"        is ss.json probe.tls.certificate info
check "self-signed: reason"           has ss.json '.findings[2].evidence.info_reasons | test("self-signed")'

# --- hostile servers: no crash, no hang, inconclusive (durations: bench/tls.sh) ---
# timeout(1) only guards against a hang (rc 124), it measures nothing
for m in garbage:4440 silent:4441 slowloris:4442 hugecert:4443 reset:4445; do
	name=${m%%:*}; port=${m##*:}
	rc=0
	timeout 120 ip netns exec "$NSC" "$JCSTAR" tls $DEV:$port --timeout 1500 --budget 6000 -o "$name.json" > "$name.txt" 2>&1 || rc=$?
	check "$name: exits 0 (rc=$rc)"       [ $rc -eq 0 ]
	check "$name: protocol inconclusive"  is "$name.json" probe.tls.protocol inconclusive
	check "$name: service marked not TLS" has "$name.json" '.services[0].tls == false'
done
# nothing listens: named as a refused connection, a runtime error (exit 3), no evidence
rc=0
timeout 120 ip netns exec "$NSC" "$JCSTAR" tls $DEV:4449 --timeout 1500 --budget 6000 -o closed.json > closed.txt 2>&1 || rc=$?
check "closed: exits 3 (rc=$rc)"        [ $rc -eq 3 ]
check "closed: connection refused"      grep -q "connection refused" closed.txt
check "closed: no evidence written"     [ ! -e closed.json ]
check "hugecert: excessive size named"  has hugecert.json '.findings[0].evidence.not_offered + .findings[0].evidence.errors | any(.server_reply // .error | test("excessive|too long|length"))'

# --- legacy device (fake): SSLv3 + 3DES/RC4 only, found with hand-made ClientHellos ---
jt $DEV:4444 --timeout 2000 -o legacy.json > legacy.txt
check "legacy: protocol fails, high"  has legacy.json '.findings[0].result == "fail" and .findings[0].severity == "high"'
check "legacy: SSLv3..TLS1.2 offered" has legacy.json '.findings[0].evidence.offered == ["SSLv3","TLSv1.0","TLSv1.1","TLSv1.2"]'
check "legacy: 3DES and RC4 found"    has legacy.json '[.findings[1].evidence.offered[] | select(.detected_by == "ServerHello") | .name] | index("TLS_RSA_WITH_3DES_EDE_CBC_SHA") and index("TLS_RSA_WITH_RC4_128_SHA")'
check "legacy: 8 suites (4 versions)" has legacy.json '.findings[1].evidence.offending | length == 8'
check "legacy: cipher fails, high"    has legacy.json '.findings[1].result == "fail" and .findings[1].severity == "high"'
check "legacy: no cert: inconclusive" is legacy.json probe.tls.certificate inconclusive

# --- jcstar assess turns the evidence into the S1.1-12 verdict (example declaration) ---
s112() { jq -r '[.criteria[] | select(.criterion == "S1.1-12") | .verdict][0]' "$1"; }
decl=$JCS_SRC/examples/camera/declaration.yaml
"$JCSTAR" assess "$decl" --evidence weak.json -o weak-report.json --quiet > /dev/null 2>&1 || true
"$JCSTAR" assess "$decl" --evidence good.json -o good-report.json --quiet > /dev/null 2>&1 || true
check "assess: weak -> S1.1-12 nonconform" [ "$(s112 weak-report.json)" = nonconform ]
check "assess: hardened -> S1.1-12 conform" [ "$(s112 good-report.json)" = conform ]

# --- budget is honoured ---
jt $DEV:4433 --max-connections 3 -o budget.json > /dev/null
check "budget: at most 3 connections" has budget.json '.services[0].tls_assessment.connections <= 3 and .services[0].tls_assessment.budget_exhausted'
check "budget: verdict not pass"      has budget.json '[.findings[] | select(.id == "probe.tls.cipher") | .result] | all(. != "pass")'

# JCS_KEEP=DIR keeps the summaries and evidence (docs/tls.md quotes them)
[ -n "${JCS_KEEP:-}" ] && cp ./*.txt ./*.json "$JCS_KEEP"/
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

#!/bin/sh
# No verdict from absent evidence, and a probe that survives hostile devices (issue 9):
#  - a device namespace with nothing listening, and an address where no host answers: the probe
#    says inconclusive, exits 4 (incomplete), and assess does not rate S1.1-01/-13 conform;
#  - a JPEG given to jcstar firmware: every firmware check inconclusive, exit 4, S1.1-11 not
#    conform (the clean twin: the example firmware evidence keeps its verdict);
#  - a port that accepts and closes at once (SIGPIPE): the probe finishes and writes its file;
#  - SIGTERM during a probe of a slow device: the evidence gathered so far is written, marked
#    incomplete, nothing of the cut-short service passes. (~25 s)
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_net a 3
trap dev_cleanup EXIT INT TERM
DEV_MOUNTS=""
. "$JCS_SRC/tests/integration/lib/expect.sh"
DECL=$JCS_SRC/examples/camera/declaration.yaml
verdict() { jq -r --arg c "$2" '.criteria[] | select(.criterion == $c) | .verdict' "$1"; }

# 1. nothing listening on the device
EV=$DEV_TMP/empty.json
rc=0
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 1-2000 --declaration "$DECL" -o "$EV" >"$DEV_TMP/out.txt" || rc=$?
[ "$rc" = 4 ] || fail "empty device: exit $rc, expected 4 (incomplete)"
expect probe.interface.risky "$DEV_IP" inconclusive '.reason | test("no TCP port of the list is open")'
expect probe.auth.none "$DEV_IP" inconclusive
expect_none pass
jq -e '.coverage.complete == false and .coverage.tcp.closed == 2000 and .coverage.tcp.open == 0' "$EV" >/dev/null ||
	fail "empty device coverage: $(jq -c .coverage "$EV")"
"$JCSTAR" assess "$DECL" --evidence "$EV" -o "$DEV_TMP/r1.json" >/dev/null || true
for c in S1.1-01 S1.1-13; do
	v=$(verdict "$DEV_TMP/r1.json" $c)
	[ "$v" != conform ] || fail "empty device: $c rated conform"
	ok "empty device: $c $v"
done

# 2. an address where no host answers at all
EV=$DEV_TMP/nohost.json
rc=0
ip netns exec "$CLI" "$JCSTAR" probe 10.77.3.9 --ports 1-200 --timeout 500 -o "$EV" >/dev/null || rc=$?
[ "$rc" = 4 ] || fail "no host: exit $rc, expected 4"
expect probe.interface.risky 10.77.3.9 inconclusive '.reason | test("no answer from the host")'
jq -e '.coverage.complete == false and .coverage.tcp.closed == 0 and .coverage.tcp.no_answer == 200' "$EV" >/dev/null ||
	fail "no host coverage: $(jq -c .coverage "$EV")"

# 3. a JPEG is no firmware
printf '\377\330\377\340\000\020JFIF\000\001\001\000\000\001\000\001\000\000' >"$DEV_TMP/photo.jpg"
head -c 4000 /dev/urandom >>"$DEV_TMP/photo.jpg"
printf '\377\331' >>"$DEV_TMP/photo.jpg"
EV=$DEV_TMP/jpeg.json
rc=0
"$JCSTAR" firmware "$DEV_TMP/photo.jpg" -o "$EV" >/dev/null || rc=$?
[ "$rc" = 4 ] || fail "JPEG: exit $rc, expected 4"
expect fw.secret.hardcoded-credential "" inconclusive
expect_none pass
jq -e '.coverage.complete == false and .coverage.entries == 0' "$EV" >/dev/null || fail "JPEG coverage: $(jq -c .coverage "$EV")"
"$JCSTAR" assess "$DECL" --evidence "$EV" -o "$DEV_TMP/r2.json" >/dev/null || true
v=$(verdict "$DEV_TMP/r2.json" S1.1-11)
[ "$v" = needs-evidence ] || fail "JPEG: S1.1-11 is $v, expected needs-evidence"
# clean twin: a real firmware evidence file keeps its verdict (its private key fails S1.1-11)
"$JCSTAR" assess "$DECL" --evidence "$JCS_SRC/examples/camera/evidence/firmware.json" -o "$DEV_TMP/r3.json" >/dev/null || true
[ "$(verdict "$DEV_TMP/r3.json" S1.1-11)" = nonconform ] || fail "example firmware: S1.1-11 not nonconform"

# 4. accept-then-close (the probe used to die of SIGPIPE, exit 141, nothing written)
dev_run python3 "$JCS_SRC/tests/integration/lib/hostile_dev.py" accept-close "$DEV_IP" 18601 "$DEV_TMP/ac.log" 60
dev_wait_port 18601
for mode in --scan-only ""; do
	EV=$DEV_TMP/ac$mode.json
	rc=0
	ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 18601 $mode --timeout 500 -o "$EV" >/dev/null || rc=$?
	[ "$rc" -lt 128 ] || fail "accept-close $mode: killed by signal (exit $rc)"
	[ -s "$EV" ] || fail "accept-close $mode: no evidence written"
	expect_service 18601 tcp unknown false
done

# 5. SIGTERM mid-probe: a device that answers every line after 5 s
dev_run python3 "$JCS_SRC/tests/integration/lib/hostile_dev.py" slow-login "$DEV_IP" 2323 "$DEV_TMP/slow.log" 120
dev_wait_port 2323
EV=$DEV_TMP/term.json
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 2323 -o "$EV" >"$DEV_TMP/term.txt" 2>&1 &
PROBE=$!
# mid-work = the device has seen the identification and at least one login connection
i=0
while [ "$(grep -c '^conn' "$DEV_TMP/slow.log" 2>/dev/null || true)" -lt 3 ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || { fail "the probe never reached the login checks"; break; }
	sleep 0.1
done
kill -TERM "$PROBE"
rc=0
wait "$PROBE" || rc=$?
[ "$rc" = 4 ] || fail "SIGTERM: exit $rc, expected 4 (incomplete)"
[ -s "$EV" ] || fail "SIGTERM: no evidence written"
jq -e '.coverage.complete == false and .coverage.stopped == "interrupted"' "$EV" >/dev/null ||
	fail "SIGTERM coverage: $(jq -c .coverage "$EV")"
expect_service 2323 tcp telnet false
n=$(jq '[.findings[] | select(.location == "tcp/2323 (telnet)" and .result == "pass")] | length' "$EV")
[ "$n" = 0 ] || fail "SIGTERM: $n pass findings on the service it was examining"
expect probe.interface.risky "$DEV_IP" inconclusive '.reason == "interrupted"'
finish

#!/bin/sh
# The TCP sweep against planted truth (issue 9), for both engines (SYN from a raw socket, and
# connects) over all 65535 ports, and for the fallback without CAP_NET_RAW:
#  - open: real listeners on 1, 22, 2323, 5555, 31337 and 65535 are reported exactly;
#  - filtered: nftables drops 23, 8000-8010 (8005 has a listener behind the drop) and 65000:
#    they appear in coverage.tcp.no_answer_ports, never as closed nor open;
#  - SYN loss: every second SYN to 5555 is dropped, starting with the first one after the rules
#    load, so 5555 is found only through a retransmitted SYN;
#  - every other port is closed;
#  - clean twin: without the firewall, the same sweep finds 8005 open and no silent port.
# Timings are not asserted (bench/probe.sh measures them).
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_need nft python3 setpriv jq
dev_net s 11
trap dev_cleanup EXIT INT TERM
DEV_MOUNTS=""
. "$JCS_SRC/tests/integration/lib/expect.sh"

cat >"$DEV_TMP/listen.py" <<'PY'
import selectors, socket, sys
sel = selectors.DefaultSelector()
for p in sys.argv[1:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(p)))
    s.listen(64)
    sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        c, _ = key.fileobj.accept()
        c.close()
PY
dev_run python3 "$DEV_TMP/listen.py" 1 22 2323 5555 8005 31337 65535
for p in 1 22 2323 5555 8005 31337 65535; do dev_wait_port $p; done

# (re)load the firewall: also restarts the every-second-SYN counter at the first SYN
firewall() {
	ip netns exec "$DEV" nft -f - <<NFT
flush ruleset
table inet sweep {
	chain in {
		type filter hook input priority 0; policy accept;
		tcp dport { 23, 8000-8010, 65000 } drop
		tcp dport 5555 tcp flags syn numgen inc mod 2 == 0 counter drop
	}
}
NFT
}

# sweep NAME ENGINE-EXPECTED OPEN NO-ANSWER [jcstar options...]: run and check one sweep
sweep() {
	name=$1 engine=$2 open=$3 silent=$4
	shift 4
	EV=$DEV_TMP/$name.json
	rc=0
	ip netns exec "$CLI" $WRAP "$JCSTAR" probe "$DEV_IP" --scan-only -o "$EV" "$@" >"$DEV_TMP/$name.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || { fail "$name: exit $rc: $(cat "$DEV_TMP/$name.out")"; return; }
	got=$(jq -c '[.services[].port]' "$EV")
	[ "$got" = "$open" ] && ok "$name: open ports $got" || fail "$name: open ports $got, planted $open"
	got=$(jq -r '.coverage.tcp.no_answer_ports' "$EV")
	[ "$got" = "$silent" ] && ok "$name: no answer from '$got'" || fail "$name: no answer from '$got', planted '$silent'"
	nopen=$(echo "$open" | jq length)
	nsilent=$(echo "$silent" | tr ',' '\n' | awk -F- 'NF { n += NF == 2 ? $2 - $1 + 1 : 1 } END { print n + 0 }')
	listed=$(jq '.coverage.tcp.ports_listed' "$EV")
	jq -e --argjson o "$nopen" --argjson s "$nsilent" --arg e "$engine" \
		'.coverage.tcp | .engine == $e and .open == $o and .no_answer == $s and .ports_swept == .ports_listed
		 and .closed == .ports_listed - $o - $s' "$EV" >/dev/null &&
		ok "$name: $engine sweep of $listed ports, $nopen open, $nsilent no answer, the rest closed" ||
		fail "$name: coverage $(jq -c .coverage.tcp "$EV" | cut -c1-300)"
}

OPEN='[1,22,2323,5555,31337,65535]'
SILENT='23,8000-8010,65000'
WRAP=
firewall
sweep syn syn "$OPEN" "$SILENT" --ports all --fast --sweep syn
jq -e '.coverage.tcp.tries == 3' "$EV" >/dev/null && ok "syn: silent ports got 3 SYNs" || fail "syn: tries $(jq .coverage.tcp.tries "$EV")"
firewall
sweep connect connect "$OPEN" "$SILENT" --ports all --fast --sweep connect
# without CAP_NET_RAW the default engine falls back to connects, and says so
firewall
WRAP="setpriv --bounding-set=-net_raw"
sweep nocap connect "$OPEN" "$SILENT" --ports all --fast
jq -e '.coverage.tcp.engine_note | test("CAP_NET_RAW")' "$EV" >/dev/null && ok "nocap: fallback noted" ||
	fail "nocap: no fallback note: $(jq -c .coverage.tcp "$EV" | cut -c1-300)"
WRAP=
# the default (gentle) pace, default engine, part of the range
firewall
sweep gentle syn '[1,22,2323,5555]' '23' --ports 1-6000
jq -e '.coverage.tcp.rate == 2000' "$EV" >/dev/null && ok "gentle: 2000 probes/s" || fail "gentle: rate $(jq .coverage.tcp.rate "$EV")"
# clean twin: no firewall
ip netns exec "$DEV" nft flush ruleset
sweep twin-syn syn '[1,22,2323,5555,8005,31337,65535]' '' --ports all --fast --sweep syn
sweep twin-connect connect '[1,22,2323,5555,8005,65535]' '' --ports 1-10000,65535 --fast --sweep connect

finish

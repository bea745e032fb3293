#!/bin/sh
# ECHONET Lite (udp/3610) on a real node from the echonet-lite npm package (2.16.2, vendored in
# tests/fixtures/node): identified by its node profile, and a node whose objects take control
# from anyone is a risky interface. The check writes back only the value 0x80 already had.
#   controllable: storage battery 0x027D01 + home solar 0x027901, 0x80 settable
#                 -> probe.interface.risky fail (objects, settable EPCs), probe.auth.none fail
#   readonly:     the same objects, Set property maps empty, every Set refused (SetC_SNA)
#                 -> probe.interface.risky pass for udp/3610, no risky fail
#   nostatus:     objects without an operation status (0x80): nothing to write back
#                 -> probe.interface.risky inconclusive (why), nothing written
# The nodes bind udp/3610, so they run one after the other in the same device namespace.
# tcp/3610: the package speaks UDP only; lib/echonet_tcp_relay.py carries the frames of TCP
# connections to the node and its answers back unchanged, so the TCP path meets the same node.
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_net el 12
trap dev_cleanup EXIT INT TERM
dev_need node
need_fixtures node/echonet-lite/index.js node/date-utils/lib/date-utils.js
. "$JCS_SRC/tests/integration/lib/expect.sh"
# the package joins the ECHONET Lite multicast group when it starts: it needs a route for it
ip -n "$DEV" route add 224.0.0.0/4 dev "$DEV_IFACE"

dev_need python3
dev_run /usr/bin/python3 "$JCS_SRC/tests/integration/lib/echonet_tcp_relay.py" 3610 "$DEV_IP"
dev_wait_port 3610

# the node's socket (the relay's is 127.0.0.1:3610)
node_listens() { ip netns exec "$DEV" ss -lun 'sport = :3610' | grep -q '0.0.0.0:3610'; }

# run_node MODE: start the node, wait (bounded) for its socket; NODE_PID
run_node() {
	: >"$DEV_TMP/sets-$1.log"
	dev_run env NODE_PATH="$JCS_FIXTURES/node" node "$JCS_SRC/tests/integration/lib/echonet_node.js" "$1" "$DEV_TMP/sets-$1.log"
	NODE_PID=$!
	wait_until 30 node_listens || { cat "$DEV_TMP/daemons.log"; fail "$1 node did not come up"; finish; }
}

# stop_node: end it and wait (bounded) until udp/3610 is free for the next one
stop_node() {
	kill "$NODE_PID"
	wait_until 30 not node_listens || { fail "node did not stop"; finish; }
}

run_node controllable
EV=$DEV_TMP/controllable.json
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 3610 --bf-window 2 -o "$EV" >"$DEV_TMP/out.txt" ||
	{ cat "$DEV_TMP/out.txt"; fail "probe failed"; }
cat "$DEV_TMP/out.txt"
stop_node
expect_service 3610 udp echonet false
jq -e '.services[] | select(.service == "echonet") | .echonet.maker_code == "000077" and .echonet.version == "1.13"
	and .echonet.instances == ["027d01", "027901"]' "$EV" >/dev/null || fail "node profile not read: $(jq -c .services "$EV")"
expect probe.interface.risky "udp/3610 (echonet)" fail \
	'.control.result == "accepted" and ([.control.objects[] | select(.control == "accepted") | .eoj] == ["027d01", "027901"])
	 and ([.control.objects[] | select(.eoj == "027d01") | .settable] == [["80"]])'
expect probe.auth.none "udp/3610 (echonet)" fail '.how | test("027d01 \\(storage battery\\): SetC 0x80=30 \\(the value it had\\) answered Set_Res")'
# the same over TCP
expect_service 3610 tcp echonet false
expect probe.interface.risky "tcp/3610 (echonet)" fail \
	'.control.result == "accepted" and ([.control.objects[] | select(.control == "accepted") | .eoj] == ["027d01", "027901"])'
expect probe.auth.none "tcp/3610 (echonet)" fail '.how | test("027901 \\(home solar power generation\\): SetC 0x80=30")'
[ "$(grep -c '^set 027d01 80=30$' "$DEV_TMP/sets-controllable.log")" = 2 ] || fail "expected one Set per path (udp, tcp) on 027d01"
# the node saw only writes of the value it already had (0x80 = 0x30, "on")
grep -q '^set 027d01 80=30$' "$DEV_TMP/sets-controllable.log" || fail "no Set seen by the node: $(cat "$DEV_TMP/sets-controllable.log")"
[ "$(grep -vc '^set 0[12]7[d9]01 80=30$' "$DEV_TMP/sets-controllable.log")" = 0 ] ||
	fail "the probe set something else: $(cat "$DEV_TMP/sets-controllable.log")"

# the clean twin: answers Get, refuses every Set
run_node readonly
EV=$DEV_TMP/readonly.json
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 3610 --bf-window 2 -o "$EV" >"$DEV_TMP/out2.txt" ||
	{ cat "$DEV_TMP/out2.txt"; fail "probe failed"; }
cat "$DEV_TMP/out2.txt"
stop_node
expect_service 3610 udp echonet false
expect probe.interface.risky "udp/3610 (echonet)" pass \
	'.control.result == "refused" and ([.control.objects[].control] | all(. == "refused")) and ([.control.objects[] | select(.eoj == "027d01") | .settable] == [[]])'
expect probe.interface.risky "tcp/3610 (echonet)" pass '.control.result == "refused"'
[ "$(jq '[.findings[] | select(.id == "probe.interface.risky" and .result == "fail")] | length' "$EV")" = 0 ] ||
	fail "read-only ECHONET Lite node reported as a risky interface"
jq -e '.services[] | select(.service == "echonet") | .control_write == false' "$EV" >/dev/null || fail "readonly: control_write"
[ "$(grep -vc '^set 0[12e][7f][d90]01 80=30$' "$DEV_TMP/sets-readonly.log")" = 0 ] ||
	fail "the probe set something else: $(cat "$DEV_TMP/sets-readonly.log")"

# an unfinished check is never a pass: objects whose 0x80 cannot be read are not written
run_node nostatus
EV=$DEV_TMP/nostatus.json
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 3610 --bf-window 2 -o "$EV" >"$DEV_TMP/out3.txt" ||
	{ cat "$DEV_TMP/out3.txt"; fail "probe failed"; }
stop_node
expect probe.interface.risky "udp/3610 (echonet)" inconclusive \
	'.control.result == "incomplete" and (.control.reason | test("2 of 3 objects")) and ([.control.objects[] | select(.eoj == "027d01") | .control] == ["untested"])'
[ "$(jq '[.findings[] | select(.id == "probe.interface.risky" and .result != "inconclusive")] | length' "$EV")" = 0 ] ||
	fail "nostatus: a risky verdict without a finished check: $(jq -c '[.findings[] | select(.id == "probe.interface.risky")]' "$EV")"
[ ! -s "$DEV_TMP/sets-nostatus.log" ] || fail "nostatus: the probe wrote: $(cat "$DEV_TMP/sets-nostatus.log")"
finish

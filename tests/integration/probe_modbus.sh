#!/bin/sh
# Modbus/TCP on Debian's python3-pymodbus: identified by what it answers (also on a port other
# than 502), and a server that takes writes from anyone is a risky interface (control access
# without authentication). Clean twin: the same server refusing writes.
#   tcp/502  pymodbus, writable holding registers   -> probe.interface.risky fail
#   tcp/1502 pymodbus, writes refused               -> no risky finding, control_write false
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_net m 6
trap dev_cleanup EXIT INT TERM
dev_need /usr/bin/python3
/usr/bin/python3 -c 'import pymodbus.server' 2>/dev/null || { echo "SKIP-ERROR: python3-pymodbus (and python3-serial-asyncio) not installed"; exit 1; }
. "$JCS_SRC/tests/integration/lib/expect.sh"
dev_run /usr/bin/python3 "$JCS_SRC/tests/integration/lib/modbus_server.py" 502 writable "$DEV_TMP/writes502.log"
dev_run /usr/bin/python3 "$JCS_SRC/tests/integration/lib/modbus_server.py" 1502 readonly "$DEV_TMP/writes1502.log"
dev_wait_port 502
dev_wait_port 1502
EV=$DEV_TMP/modbus.json
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 502,1502 --bf-window 2 -o "$EV" >"$DEV_TMP/out.txt" ||
	{ cat "$DEV_TMP/out.txt"; fail "probe failed"; }
cat "$DEV_TMP/out.txt"
expect_service 502 tcp modbus false
expect_service 1502 tcp modbus false
expect probe.interface.risky "tcp/502 (modbus)" fail
expect probe.auth.none "tcp/502 (modbus)" fail '.how | test("Write Single Register 0 \\(same value\\) accepted")'
jq -e '.services[] | select(.port == 502) | .control_write == true' "$EV" >/dev/null || fail "502: control_write not recorded"
# the probe really wrote, and only the value the register already had (pymodbus logs
# its block index: register 0 is index 1)
grep -q '^write [01] \[17\]$' "$DEV_TMP/writes502.log" || fail "no write seen by the server: $(cat "$DEV_TMP/writes502.log" 2>/dev/null)"
[ "$(grep -vc '^write [01] \[17\]$' "$DEV_TMP/writes502.log")" = 0 ] || fail "the probe wrote something else"
# the twin: read access, writes refused
jq -e '.services[] | select(.port == 1502) | .control_write == false' "$EV" >/dev/null || fail "1502: control_write"
[ "$(jq '[.findings[] | select(.location == "tcp/1502 (modbus)" and .id == "probe.interface.risky")] | length' "$EV")" = 0 ] ||
	fail "read-only Modbus reported as a risky interface"
[ ! -s "$DEV_TMP/writes1502.log" ] || fail "the read-only server was written"
finish

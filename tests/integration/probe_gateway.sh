#!/bin/sh
# jcstar probe against a home-gateway-like device: net-snmp's snmpd and miniupnpd (UPnP IGD)
# in network namespaces. Planted: v1/v2c communities public (read) and private (write), and an
# IGD that maps ports for anyone. Clean twin: an SNMPv3-only agent and an IGD that refuses
# every mapping.
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_net g 4
trap dev_cleanup EXIT INT TERM
dev_need snmpd miniupnpd nft
. "$JCS_SRC/tests/integration/lib/expect.sh"
dev_snmpd communities
dev_miniupnpd open

EV=$DEV_TMP/weak.json
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 5000 --bf-window 2 -o "$EV" >"$DEV_TMP/out.txt" ||
	{ cat "$DEV_TMP/out.txt"; fail "probe failed"; }
cat "$DEV_TMP/out.txt"
jq -e '[.services[] | select(.port == 161 and .proto == "udp" and .service == "snmp" and (.versions | index("v2c")) and (.versions | index("v1")))] | length == 1' "$EV" >/dev/null ||
	fail "snmp service: $(jq -c '.services' "$EV")"
expect probe.auth.none "udp/161 (snmp)" fail '[.communities[].community] | (index("public") != null and index("private") != null)'
expect probe.auth.default-credential "udp/161 (snmp)" fail '.accepted.password == "public" and ([.communities[].community] | index("private") != null)'
expect probe.interface.risky "udp/161 (snmp)" fail
# the IGD really added the mapping (the device's own table said so) and it was removed again
expect probe.interface.risky "tcp/5000 (upnp-igd)" fail '.add_status == 200 and .verified == true and .deleted == true and .internal_client == "'"$CLI_IP"'"'
ext=$(jq '.findings[] | select(.location == "tcp/5000 (upnp-igd)") | .evidence.external_port' "$EV")
grep "AddPortMapping: ext port $ext to $CLI_IP" "$DEV_TMP/daemons.log" || fail "miniupnpd logged no AddPortMapping of port $ext"
grep "DeletePortMapping" "$DEV_TMP/daemons.log" | grep -q "$ext" || fail "miniupnpd logged no removal of port $ext"
ip netns exec "$DEV" nft list ruleset | grep -q "dport $ext" && fail "the probe left the mapping of port $ext behind"

# the clean twin: SNMPv3 only, IGD that refuses mappings
dev_stop snmpd
dev_stop miniupnpd
dev_snmpd v3
dev_miniupnpd deny
EV=$DEV_TMP/clean.json
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 5000 --bf-window 2 -o "$EV" >"$DEV_TMP/out.txt" ||
	{ cat "$DEV_TMP/out.txt"; fail "probe failed"; }
cat "$DEV_TMP/out.txt"
jq -e '[.services[] | select(.port == 161 and .proto == "udp" and .service == "snmp" and .versions == ["v3"] and (.engine_id | length) > 8)] | length == 1' "$EV" >/dev/null ||
	fail "SNMPv3-only agent not seen: $(jq -c '.services' "$EV")"
expect probe.auth.none "udp/161 (snmp)" pass
expect probe.auth.default-credential "udp/161 (snmp)" pass '.tried == 12'
[ "$(jq '[.findings[] | select(.location == "udp/161 (snmp)" and .result == "fail")] | length' "$EV")" = 0 ] ||
	fail "SNMPv3-only agent failed something"
expect probe.interface.risky "tcp/5000 (upnp-igd)" pass '.add_status >= 400'
finish

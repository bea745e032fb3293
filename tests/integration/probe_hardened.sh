#!/bin/sh
# jcstar probe against a hardened virtual device: nginx HTTPS only (TLS 1.2+, unique password,
# limit_req) and mosquitto over TLS with a password file, new MQTT connections rate-limited by
# nftables. No false fail and no false pass. Then S1.1-14: the device "restarts" with its MQTT
# configuration lost (anonymous again) and --compare reports the reversion. (~50 s)
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_net h 2
trap dev_cleanup EXIT INT TERM
dev_hardened
EV=$DEV_TMP/hard.json
. "$JCS_SRC/tests/integration/lib/expect.sh"

# the Mirai block of the bundled list: complete, so a pass is possible, in the time of a test
# (the whole list against these rate limits takes minutes: bench/probe.sh)
sed '/^#/q' "$JCS_SRC/data/creds/default.txt" | grep -v '^#' >"$DEV_TMP/creds.txt"
# -o -: the evidence alone on stdout, the summary table on stderr
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --profile standard --needed-ports 443/tcp,8883/tcp \
	--creds "$DEV_TMP/creds.txt" --bf-window 20 -o - > "$EV" 2> "$DEV_TMP/summary.txt"
jq -e '.schema == "jcstar.evidence/1"' "$EV" >/dev/null || fail "-o -: stdout is not the evidence alone"
grep -q '^PORT ' "$DEV_TMP/summary.txt" || fail "-o -: no summary on stderr"

expect_service 443 tcp http true
expect_service 8883 tcp mqtt true
expect_none fail
for loc in "tcp/443 (http/tls)" "tcp/8883 (mqtt/tls)"; do
	expect probe.auth.none "$loc" pass
	expect probe.auth.default-credential "$loc" pass '.accepted == null and .tried == .list_size and .errors == 0'
	expect probe.auth.bruteforce "$loc" pass '.protection != null or .sustained_rate_per_min <= .threshold_per_min'
	expect probe.transport.plaintext "$loc" pass
	expect probe.interface.risky "$loc" pass
	# TLS assessment (probe/tls.c) of every TLS port, located like the other findings
	expect probe.tls.protocol "$loc" pass
done
expect probe.tls.cipher "tcp/443 (http/tls)" pass
# the MQTT port's connection rate limit may cut the suite enumeration short: then the
# verdict must say so (inconclusive), never pass or fail on what it did not see
jq -e '[.findings[] | select(.id == "probe.tls.cipher" and .location == "tcp/8883 (mqtt/tls)" and
	(.result == "pass" or .result == "inconclusive"))] | length == 1' "$EV" >/dev/null ||
	fail "probe.tls.cipher on 8883: $(jq -c '[.findings[] | select(.id == "probe.tls.cipher")]' "$EV" | cut -c1-300)"
expect_none fail
[ "$(jq '[.services[] | select(.proto == "tcp")] | length' "$EV")" = 2 ] || fail "unexpected TCP services"

# power cycle that loses the MQTT configuration: anonymous clients come back
for p in $(ip netns pids "$DEV"); do
	if tr '\0' ' ' </proc/"$p"/cmdline | grep -q '^mosquitto '; then
		kill "$p"
		wait_gone 10 "$p" || fail "mosquitto $p did not stop"
	fi
done
wait_until 10 not dev_listens 8883 || fail "port 8883 still listens after mosquitto stopped"
sed -i 's/^allow_anonymous false/allow_anonymous true/; /^password_file/d' "$DEV_TMP/mosquitto.conf"
dev_run mosquitto -c "$DEV_TMP/mosquitto.conf"
dev_wait_port 8883
# the restart also resets the firewall's connection-rate state (a full token bucket)
dev_firewall
EV2=$DEV_TMP/after.json
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 443,8883 --compare "$EV" --max-attempts 5 --login-budget 10 \
	--declaration "$JCS_SRC/examples/camera/declaration.yaml" -o "$EV2"
EV=$EV2
expect probe.auth.none "tcp/8883 (mqtt/tls)" fail
# the camera declaration needs 443/tcp, 554/tcp and 3702/udp: 8883 is undeclared
expect probe.interface.risky "tcp/443 (http/tls)" pass
expect probe.interface.risky "tcp/8883 (mqtt/tls)" fail
expect probe.persistence.reverted "tcp/8883 (mqtt/tls)" fail '.check == "probe.auth.none"'
finish

#!/bin/sh
# jcstar probe against a weak virtual device built from real Debian daemons in network
# namespaces: busybox telnetd + login with a Mirai-list password (support:support), lighttpd
# basic auth admin:admin without rate limit, mosquitto anonymous, vsftpd anonymous.
# Every planted weakness must be reported. (~40 s)
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_net w 1
trap dev_cleanup EXIT INT TERM
dev_weak
EV=$DEV_TMP/weak.json
. "$JCS_SRC/tests/integration/lib/expect.sh"

# (its duration is measured by bench/probe.sh, not asserted here)
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --profile standard --needed-ports 80/tcp -o "$EV" >"$DEV_TMP/out.txt"
cat "$DEV_TMP/out.txt"

jq -e '.schema == "jcstar.evidence/1" and .kind == "probe"' "$EV" >/dev/null || fail "not a probe evidence file"
expect_service 21 tcp ftp false
expect_service 22 tcp ssh false
expect_service 23 tcp telnet false
expect_service 80 tcp http false
expect_service 1883 tcp mqtt false

# telnet: Mirai-list password, confirmed by a command the shell evaluated
expect probe.auth.default-credential "tcp/23 (telnet)" fail \
	'.accepted.user == "support" and .accepted.password == "support" and (.transcript | test("JCS[0-9]+Z"))'
expect probe.interface.risky "tcp/23 (telnet)" fail
expect probe.transport.plaintext "tcp/23 (telnet)" fail
expect probe.auth.none "tcp/23 (telnet)" pass
# busybox login sleeps 3 s after each failure: a real delay, so protected
expect probe.auth.bruteforce "tcp/23 (telnet)" pass '.throttled_at != null and (.latencies_ms | min) >= 1000'

# SSH (dropbear) with the same Mirai-list password
expect probe.auth.default-credential "tcp/22 (ssh)" fail '.accepted.user == "support" and .accepted.password == "support"'
expect probe.auth.none "tcp/22 (ssh)" pass

# web UI: admin:admin and no limit on failed logins
expect probe.auth.default-credential "tcp/80 (http)" fail '.accepted.user == "admin" and .accepted.password == "admin"'
expect probe.auth.bruteforce "tcp/80 (http)" fail \
	'.attempts == 30 and (.latencies_ms | length) == 30 and .throttled_at == null and .locked_out == false and .correct_login_checked == true'
expect probe.transport.plaintext "tcp/80 (http)" fail
expect probe.auth.none "tcp/80 (http)" pass
expect probe.interface.risky "tcp/80 (http)" pass

# MQTT: anonymous, in the clear, and not declared as needed
expect probe.auth.none "tcp/1883 (mqtt)" fail
expect probe.transport.plaintext "tcp/1883 (mqtt)" fail
expect probe.interface.risky "tcp/1883 (mqtt)" fail
expect probe.auth.bruteforce "tcp/1883 (mqtt)" inconclusive '.reason | test("any credentials")'

# FTP: anonymous login
expect probe.auth.none "tcp/21 (ftp)" fail '.how | test("anonymous")'
expect probe.interface.risky "tcp/21 (ftp)" fail
expect probe.transport.plaintext "tcp/21 (ftp)" fail
# vsftpd refuses every other user before asking a password: nothing to guess, nothing judged
[ "$(jq '[.findings[] | select(.location == "tcp/21 (ftp)" and (.id == "probe.auth.bruteforce" or .id == "probe.auth.default-credential"))] | length' "$EV")" = 0 ] ||
	fail "anonymous-only FTP judged for passwords it never asks"

grep -q "probe.auth.default-credential" "$DEV_TMP/out.txt" || fail "summary table lacks findings"
finish

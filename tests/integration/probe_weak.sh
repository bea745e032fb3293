#!/bin/sh
# jcstar probe against a weak virtual device built from real Debian daemons in network
# namespaces: busybox telnetd + login with a Mirai-list password (support:support), lighttpd
# basic auth admin:admin without rate limit, mosquitto anonymous, vsftpd anonymous and with local accounts.
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
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --profile standard --needed-ports 80/tcp --bf-window 6 -o "$EV" >"$DEV_TMP/out.txt"
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
# busybox login sleeps 3 s after each failure, but only on its own connection: parallel
# connections guess far faster than the threshold (tests/integration/probe_bruteforce.sh)
expect probe.auth.bruteforce "tcp/23 (telnet)" fail '.protection == null and .sustained_rate_per_min > .threshold_per_min'

# SSH (dropbear) with the same Mirai-list password
expect probe.auth.default-credential "tcp/22 (ssh)" fail '.accepted.user == "support" and .accepted.password == "support"'
expect probe.auth.none "tcp/22 (ssh)" pass

# web UI: admin:admin and no limit on failed logins
expect probe.auth.default-credential "tcp/80 (http)" fail '.accepted.user == "admin" and .accepted.password == "admin"'
expect probe.auth.bruteforce "tcp/80 (http)" fail \
	'.protection == null and (.latencies_ms | length) == .attempts and .locked_out == false and .correct_login_checked == true'
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
# vsftpd also logs local accounts in: the Mirai-list password works there too
expect probe.auth.default-credential "tcp/21 (ftp)" fail '.accepted.user == "support" and .accepted.password == "support"'
expect probe.auth.bruteforce "tcp/21 (ftp)" fail '.protection == null'
grep -q "probe.auth.default-credential" "$DEV_TMP/out.txt" || fail "summary table lacks findings"
finish

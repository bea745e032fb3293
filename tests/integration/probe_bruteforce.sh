#!/bin/sh
# Brute-force protection (S1.1-04) measured as an attacker would, on real daemons in network
# namespaces, with a short observation window (--bf-window):
#   tcp/23   busybox telnetd + login: 3 s delay per failed login on one connection, but
#            parallel connections reach a high aggregate rate            -> fail
#   tcp/8883 mosquitto over TLS + fail2ban/nftables ban after 10 refused CONNECTs -> pass
#   tcp/8884 the same broker without fail2ban (its twin)                  -> fail
#   tcp/22   OpenSSH, public keys only: nothing to guess                  -> pass, not applicable;
#            no default-credential finding
#   tcp/2222 OpenSSH with password logins and a weak password (its twin)  -> default credential
#            fail, brute force fail
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_net b 3
trap dev_cleanup EXIT INT TERM
dev_need busybox mosquitto mosquitto_passwd fail2ban-server nft ssh-keygen /usr/sbin/sshd openssl
DEV_MOUNTS=""
dev_accounts support support
dev_busybox_telnetd 23
dev_sshd 2222 password
DEV_MOUNTS=""
dev_sshd 22 keys
dev_mqtt_tls 8883
dev_mqtt_tls 8884
dev_fail2ban_mqtt 8883 10
for p in 22 23 2222 8883 8884; do dev_wait_port $p; done
EV=$DEV_TMP/bf.json
. "$JCS_SRC/tests/integration/lib/expect.sh"
printf 'support:support\nadmin:admin\n' >"$DEV_TMP/creds.txt"

ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 22,23,2222,8883,8884 --creds "$DEV_TMP/creds.txt" \
	--bf-window 8 -o "$EV" >"$DEV_TMP/out.txt" || { cat "$DEV_TMP/out.txt"; fail "probe failed"; }
cat "$DEV_TMP/out.txt"

# busybox: every connection waits 3 s after a failure, 8 connections guess at once
expect probe.auth.bruteforce "tcp/23 (telnet)" fail \
	'.parallel == 8 and .protection == null and .sustained_rate_per_min > .threshold_per_min and .window_complete and ((.latencies_ms | min) >= 1000)'
expect probe.auth.default-credential "tcp/23 (telnet)" fail '.accepted.user == "support"'

# fail2ban: the ban is protection, seen on a fresh connection and for another user name
expect probe.auth.bruteforce "tcp/8883 (mqtt/tls)" pass \
	'.protection.scope == "source" and .protection.after_failures <= 100 and .throttled_at != null'
grep -q "Ban $CLI_IP" "$DEV_TMP/f2b/fail2ban.log" || fail "fail2ban did not ban the prober"
ip netns exec "$DEV" nft list ruleset | grep -q "$CLI_IP" || fail "no nftables ban element"
expect probe.auth.bruteforce "tcp/8884 (mqtt/tls)" fail '.protection == null and .window_complete'
for loc in "tcp/8883 (mqtt/tls)" "tcp/8884 (mqtt/tls)"; do
	expect probe.auth.none "$loc" pass
	expect probe.auth.default-credential "$loc" pass '.accepted == null'
done

# OpenSSH keys only: not applicable, never a fail of S1.1-02 or S1.1-04
expect probe.auth.bruteforce "tcp/22 (ssh)" pass '.applicable == false'
[ "$(jq '[.findings[] | select(.location == "tcp/22 (ssh)" and .result == "fail")] | length' "$EV")" = 0 ] ||
	fail "keys-only OpenSSH failed something: $(jq -c '[.findings[] | select(.location == "tcp/22 (ssh)")]' "$EV")"
[ "$(jq '[.findings[] | select(.location == "tcp/22 (ssh)" and .id == "probe.auth.default-credential")] | length' "$EV")" = 0 ] ||
	fail "keys-only OpenSSH judged for default passwords"
expect probe.auth.none "tcp/22 (ssh)" pass
# its twin with password login
expect probe.auth.default-credential "tcp/2222 (ssh)" fail '.accepted.user == "support" and .accepted.password == "support"'
expect probe.auth.bruteforce "tcp/2222 (ssh)" fail '.protection == null'
finish

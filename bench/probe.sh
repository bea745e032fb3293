#!/bin/sh
# jcstar probe side by side with the peer tools on the same namespace device (the weak device
# of tests/integration/probe_weak.sh), printing ratios:
#   1. full TCP sweep of 65535 ports: jcstar probe --ports all --scan-only vs nmap -sT -p- -T4
#      (goal: time ratio <= 0.5)
#   2. default-credential attempts per second vs hydra, same list (200 pairs, the right one
#      last; hydra without -f so that both make all 200 attempts), same service, 16 parallel
#      tasks each (goal: >= hydra, while jcstar confirms
#      each success): HTTP basic auth (lighttpd) and telnet (busybox telnetd + login).
#      Every pair hydra reports is printed: its telnet module takes prompt-like text for success.
#   3. brute-force observation as an attacker sees it (default window 60 s, 8 parallel
#      connections): busybox telnetd + login (3 s delay per failure on one connection) and
#      mosquitto over TLS behind fail2ban + nftables (ban after 10 refused CONNECTs): attempts,
#      elapsed time, aggregate and sustained rate, when and how protection appeared, verdict.
# Usage: sh bench/probe.sh [path/to/jcstar]   (root; needs nmap, hydra and the device daemons)
set -eu
JCSTAR=${1:-build/jcstar}
case $JCSTAR in /*) ;; *) JCSTAR=$(pwd)/$JCSTAR ;; esac
JCS_SRC=$(cd "$(dirname "$0")/.." && pwd)
JCS_FIXTURES=${JCS_FIXTURES:-$JCS_SRC/tests/fixtures}
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_need nmap hydra jq fail2ban-server mosquitto_passwd
dev_net b 9
trap dev_cleanup EXIT INT TERM
dev_weak

now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== TCP sweep, 65535 ports, device $DEV_IP (veth between two namespaces)"
t0=$(now)
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports all --scan-only -o "$DEV_TMP/sweep.json" >/dev/null
t1=$(now)
ip netns exec "$CLI" nmap -n -Pn -sT -p- -T4 "$DEV_IP" -oG "$DEV_TMP/nmap.txt" >/dev/null
t2=$(now)
j=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
n=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }')
jo=$(jq -c '[.services[].port]' "$DEV_TMP/sweep.json")
no=$(grep -o '[0-9]*/open' "$DEV_TMP/nmap.txt" | cut -d/ -f1 | sort -n | paste -sd, -)
echo "jcstar: ${j}s open=$jo (and identified: $(jq -c '[.services[].service]' "$DEV_TMP/sweep.json"))"
echo "nmap:   ${n}s open=[$no]"
[ "$jo" = "[$no]" ] || echo "WARNING: open port lists differ"
echo "sweep time ratio jcstar/nmap = $(ratio "$j" "$n") (goal <= 0.5)"

# 199 wrong pairs from the bundled list, then the right one
cred_list() { grep -v "^$1:$2\$" "$JCS_SRC/data/creds/default.txt" | head -199; echo "$1:$2"; }

bench_creds() { # SERVICE PORT USER PASS HYDRA-TARGET
	cred_list "$3" "$4" >"$DEV_TMP/creds.txt"
	echo "== default credentials, $1 on port $2, 200 pairs (right one last), 16 parallel tasks"
	t0=$(now)
	ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports "$2" --creds "$DEV_TMP/creds.txt" --login-budget 200 \
		--max-attempts 3 -o "$DEV_TMP/creds.json" >/dev/null
	t1=$(now)
	rm -f "$DEV_TMP/hydra.txt"
	ip netns exec "$CLI" hydra -C "$DEV_TMP/creds.txt" -t 16 -I -s "$2" -o "$DEV_TMP/hydra.txt" $5 >"$DEV_TMP/hydra.log" 2>&1 || true
	t2=$(now)
	jq -c '.findings[] | select(.id == "probe.auth.default-credential") | .evidence | {tried, duration_ms, accepted}' "$DEV_TMP/creds.json"
	tried=$(jq '.findings[] | select(.id == "probe.auth.default-credential") | .evidence.tried' "$DEV_TMP/creds.json")
	ms=$(jq '.findings[] | select(.id == "probe.auth.default-credential") | .evidence.duration_ms' "$DEV_TMP/creds.json")
	jr=$(awk -v n="$tried" -v ms="$ms" 'BEGIN { printf "%.1f", n * 1000 / ms }')
	hs=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", b - a }')
	found=$(grep -c "login: $3 *password: $4" "$DEV_TMP/hydra.txt" || true)
	grep "login:" "$DEV_TMP/hydra.txt" | sed "s/^/  hydra reported: /" || true
	hr=$(awk -v s="$hs" 'BEGIN { printf "%.1f", 200 / s }')
	echo "jcstar: $tried attempts in ${ms} ms = $jr/s (whole run incl. scan and brute-force series: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s)"
	echo "hydra:  200 attempts in ${hs}s = $hr/s, found $3:$4: $found ($(grep -c "login:" "$DEV_TMP/hydra.txt" || true) pairs reported)"
	echo "$1 attempts/s ratio jcstar/hydra = $(ratio "$jr" "$hr") (goal >= 1)"
}
bench_creds http 80 admin admin "http-get://$DEV_IP/"
bench_creds telnet 23 support support "telnet://$DEV_IP"

echo "== brute-force observation (default window and parallelism): busybox telnet, mosquitto/TLS + fail2ban"
dev_mqtt_tls 8883
dev_fail2ban_mqtt 8883 10
dev_wait_port 8883
printf 'admin:admin\n' >"$DEV_TMP/bfcreds.txt"
t0=$(now)
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 23,8883 --creds "$DEV_TMP/bfcreds.txt" -o "$DEV_TMP/bf.json" >/dev/null
echo "whole run: $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')s"
jq -r '.findings[] | select(.id == "probe.auth.bruteforce") | .location + ": " + .result + ", " +
	(.evidence.attempts | tostring) + " attempts (" + (.evidence.denied | tostring) + " answered, " +
	(.evidence.blocked | tostring) + " blocked) in " + ((.evidence.elapsed_ms / 100 | floor) / 10 | tostring) + " s over " +
	(.evidence.parallel | tostring) + " connections, aggregate " + (.evidence.rate_per_min | tostring) +
	"/min, sustained " + (.evidence.sustained_rate_per_min | tostring) + "/min (threshold " +
	(.evidence.threshold_per_min | tostring) + "/min), protection: " +
	(if .evidence.protection then (.evidence.protection.how + " after " + (.evidence.protection.after_failures | tostring) +
	" failures at " + (.evidence.protection.at_ms | tostring) + " ms, per " + .evidence.protection.scope) else "none" end)' "$DEV_TMP/bf.json"

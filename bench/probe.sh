#!/bin/sh
# jcstar probe side by side with the peer tools on namespace devices built from real daemons (the
# weak device of tests/integration/probe_weak.sh), printing:
#   1. sweep: full TCP sweep of 65535 ports, RUNS paired runs (jcstar then nmap, alternating
#      which goes first), median times and median of the per-pair ratios (goal: <= 0.5):
#        connect: jcstar probe --ports all --scan-only --fast --sweep connect  vs  nmap -n -Pn -sT -p- -T4
#        SYN:     jcstar probe --ports all --scan-only --fast --sweep syn      vs  nmap -n -Pn -sS -p- -T4
#      each from another namespace (ns->ns, veth) and from the host (host->ns, veth). The jcstar
#      time is the whole command (start-up, identification of the open ports, evidence written).
#      The open ports of both tools are compared on every run.
#   2. creds: the whole bundled default-credential list (data/creds/default.txt) against busybox
#      telnetd + login (3 s delay after each failure), on an account whose password is in no
#      list, so every pair is tried; then the same with support:support, found where it sits.
#   3. http: default-credential attempts per second vs hydra, 200 pairs (right one last), HTTP
#      basic auth (lighttpd), 16 parallel tasks each.
#   4. bf: brute-force observation as an attacker sees it (default window 60 s, 8 parallel
#      connections): busybox telnetd + login and mosquitto over TLS behind fail2ban + nftables:
#      attempts, elapsed time, aggregate and sustained rate, when and how protection appeared.
# Usage: sh bench/probe.sh [path/to/jcstar]     (root; nmap, hydra and the device daemons)
#   RUNS=5 (paired sweep runs), BENCH="sweep creds http bf" (sections to run)
set -eu
JCSTAR=${1:-build/jcstar}
case $JCSTAR in /*) ;; *) JCSTAR=$(pwd)/$JCSTAR ;; esac
JCS_SRC=$(cd "$(dirname "$0")/.." && pwd)
JCS_FIXTURES=${JCS_FIXTURES:-$JCS_SRC/tests/fixtures}
RUNS=${RUNS:-5}
BENCH=${BENCH:-sweep creds http bf}
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_need nmap hydra jq fail2ban-server mosquitto_passwd
dev_net b 9
# host -> device: a second veth from the host's namespace
HOST_IF=jcsbh$$
HOST_DEV_IP=10.78.9.2
cleanup() {
	ip link del "$HOST_IF" 2>/dev/null || true
	dev_cleanup
}
trap cleanup EXIT INT TERM
ip link add "$HOST_IF" type veth peer name jcsbhd netns "$DEV"
ip addr add 10.78.9.1/24 dev "$HOST_IF"
ip -n "$DEV" addr add "$HOST_DEV_IP/24" dev jcsbhd
ip link set "$HOST_IF" up
ip -n "$DEV" link set jcsbhd up
dev_weak

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
has() { case " $BENCH " in *" $1 "*) return 0 ;; esac; return 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(nproc) cores, load average at start $(load)"

# sweep_pair LABEL NS TARGET JCSTAR-SWEEP NMAP-SCAN: RUNS paired runs, medians
sweep_pair() {
	label=$1 ns=$2 target=$3 engine=$4 scan=$5
	run() { if [ "$ns" = host ]; then "$@"; else ip netns exec "$ns" "$@"; fi; }
	: >"$DEV_TMP/j.t"; : >"$DEV_TMP/n.t"; : >"$DEV_TMP/r.t"; : >"$DEV_TMP/s.t"; : >"$DEV_TMP/sr.t"
	jcmd="jcstar probe $target --ports all --scan-only --fast --sweep $engine"
	ncmd="nmap -n -Pn $scan -p- -T4 $target"
	i=0
	while [ $i -lt "$RUNS" ]; do
		for who in $(if [ $((i % 2)) = 0 ]; then echo j n; else echo n j; fi); do
			t0=$(now)
			if [ $who = j ]; then
				run "$JCSTAR" probe "$target" --ports all --scan-only --fast --sweep "$engine" -o "$DEV_TMP/sweep.json" >/dev/null
				tj=$(elapsed "$t0" "$(now)")
			else
				run nmap -n -Pn $scan -p- -T4 "$target" -oG "$DEV_TMP/nmap.txt" >/dev/null
				tn=$(elapsed "$t0" "$(now)")
			fi
		done
		jo=$(jq -c '[.services[].port]' "$DEV_TMP/sweep.json")
		no=$(grep -o '[0-9]*/open' "$DEV_TMP/nmap.txt" | cut -d/ -f1 | sort -n | paste -sd, -)
		[ "$jo" = "[$no]" ] || echo "  WARNING run $i: open ports differ: jcstar $jo, nmap [$no]"
		eng=$(jq -r .coverage.tcp.engine "$DEV_TMP/sweep.json")
		[ "$eng" = "$engine" ] || echo "  WARNING run $i: jcstar ran the $eng engine"
		ts=$(jq '.coverage.tcp.duration_ms / 1000' "$DEV_TMP/sweep.json")
		echo "$ts" >>"$DEV_TMP/s.t"
		ratio "$ts" "$tn" >>"$DEV_TMP/sr.t"
		echo >>"$DEV_TMP/sr.t"
		echo "$tj" >>"$DEV_TMP/j.t"
		echo "$tn" >>"$DEV_TMP/n.t"
		ratio "$tj" "$tn" >>"$DEV_TMP/r.t"
		echo >>"$DEV_TMP/r.t"
		i=$((i + 1))
	done
	printf '%-22s jcstar %5ss  nmap %5ss  ratio %s (median of %s pairs: %s)  open=%s\n' "$label" \
		"$(median <"$DEV_TMP/j.t")" "$(median <"$DEV_TMP/n.t")" "$(median <"$DEV_TMP/r.t")" "$RUNS" \
		"$(paste -sd' ' "$DEV_TMP/r.t")" "$jo"
	printf '%-22s (sweep phase alone: %ss, ratio to the whole nmap run %s)\n' "" "$(median <"$DEV_TMP/s.t")" "$(median <"$DEV_TMP/sr.t")"
	echo "    \$ $jcmd -o sweep.json    vs    \$ $ncmd"
}

if has sweep; then
	echo "== TCP sweep, 65535 ports, weak device (5 open ports), $RUNS paired runs, goal: ratio <= 0.5"
	sweep_pair "connect ns->ns" "$CLI" "$DEV_IP" connect -sT
	sweep_pair "connect host->ns" host "$HOST_DEV_IP" connect -sT
	sweep_pair "SYN ns->ns" "$CLI" "$DEV_IP" syn -sS
	sweep_pair "SYN host->ns" host "$HOST_DEV_IP" syn -sS
	echo "load average after the sweeps: $(load)"
fi

if has creds; then
	# a second busybox telnetd whose only account has a password in no list
	# (own passwd/shadow files: those of the weak device are bind-mounted into its daemons)
	top=$DEV_TMP
	DEV_TMP=$top/operator
	mkdir -p "$DEV_TMP"
	chmod 755 "$DEV_TMP"
	dev_accounts operator 'Qv7-nolist-4k'
	DEV_TMP=$top
	dev_run busybox telnetd -F -p 2323 -l "$DEV_TMP/login.sh"
	dev_wait_port 2323
	DEV_MOUNTS=""
	n=$(grep -cv '^#\|^$' "$JCS_SRC/data/creds/default.txt")
	for case in "2323 none (password in no list): every pair tried" "23 support:support"; do
		port=${case%% *}
		echo "== default credentials, whole bundled list ($n lines), busybox telnetd + login on port $port, right pair: ${case#* }"
		t0=$(now)
		rc=0
		ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports "$port" --bf-window 1 --max-attempts 1 \
			-o "$DEV_TMP/creds.json" >/dev/null 2>&1 || rc=$?
		echo "    \$ jcstar probe $DEV_IP --ports $port --bf-window 1 --max-attempts 1 -o creds.json   (exit $rc, whole run $(elapsed "$t0" "$(now)") s)"
		jq -r '.findings[] | select(.id == "probe.auth.default-credential") | "  " + .result + ": " + .title + " " +
			(.evidence | {tried, list_size, errors, duration_ms, accepted} | tostring)' "$DEV_TMP/creds.json"
		jq -r '.findings[] | select(.id == "probe.auth.default-credential") | .evidence.duration_ms // empty' "$DEV_TMP/creds.json" |
			awk '{ printf "  default-credential phase: %.1f s (goal <= 180 s)\n", $1 / 1000 }'
	done
fi

# 199 wrong pairs from the bundled list, then the right one
cred_list() { grep -v "^$1:$2\$" "$JCS_SRC/data/creds/default.txt" | grep -v '^#' | head -199; echo "$1:$2"; }

if has http; then
	cred_list admin admin >"$DEV_TMP/creds.txt"
	echo "== default credentials, http on port 80, 200 pairs (right one last), 16 parallel tasks"
	ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 80 --creds "$DEV_TMP/creds.txt" --login-budget 200 \
		--max-attempts 3 -o "$DEV_TMP/creds.json" >/dev/null
	t1=$(now)
	rm -f "$DEV_TMP/hydra.txt"
	ip netns exec "$CLI" hydra -C "$DEV_TMP/creds.txt" -t 16 -I -s 80 -o "$DEV_TMP/hydra.txt" "http-get://$DEV_IP/" >"$DEV_TMP/hydra.log" 2>&1 || true
	t2=$(now)
	tried=$(jq '.findings[] | select(.id == "probe.auth.default-credential") | .evidence.tried' "$DEV_TMP/creds.json")
	ms=$(jq '.findings[] | select(.id == "probe.auth.default-credential") | .evidence.duration_ms' "$DEV_TMP/creds.json")
	jr=$(awk -v n="$tried" -v ms="$ms" 'BEGIN { printf "%.1f", n * 1000 / (ms > 0 ? ms : 1) }')
	hs=$(elapsed "$t1" "$t2")
	hr=$(awk -v s="$hs" 'BEGIN { printf "%.1f", 200 / s }')
	echo "jcstar: $tried attempts in ${ms} ms = $jr/s"
	echo "hydra:  200 attempts in ${hs}s = $hr/s, found admin:admin: $(grep -c "login: admin *password: admin" "$DEV_TMP/hydra.txt" || true)"
	echo "http attempts/s ratio jcstar/hydra = $(ratio "$jr" "$hr") (goal >= 1)"
fi

if has bf; then
	echo "== brute-force observation (default window and parallelism): busybox telnet, mosquitto/TLS + fail2ban"
	dev_mqtt_tls 8883
	dev_fail2ban_mqtt 8883 10
	dev_wait_port 8883
	printf 'admin:admin\n' >"$DEV_TMP/bfcreds.txt"
	t0=$(now)
	ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 23,8883 --creds "$DEV_TMP/bfcreds.txt" -o "$DEV_TMP/bf.json" >/dev/null || true
	echo "    \$ jcstar probe $DEV_IP --ports 23,8883 --creds bfcreds.txt -o bf.json   (whole run $(elapsed "$t0" "$(now)") s)"
	jq -r '.findings[] | select(.id == "probe.auth.bruteforce") | .location + ": " + .result + ", " +
		(.evidence.attempts | tostring) + " attempts (" + (.evidence.denied | tostring) + " answered, " +
		(.evidence.blocked | tostring) + " blocked) in " + ((.evidence.elapsed_ms / 100 | floor) / 10 | tostring) + " s over " +
		(.evidence.parallel | tostring) + " connections, aggregate " + (.evidence.rate_per_min | tostring) +
		"/min, sustained " + (.evidence.sustained_rate_per_min | tostring) + "/min (threshold " +
		(.evidence.threshold_per_min | tostring) + "/min), protection: " +
		(if .evidence.protection then (.evidence.protection.how + " after " + (.evidence.protection.after_failures | tostring) +
		" failures at " + (.evidence.protection.at_ms | tostring) + " ms, per " + .evidence.protection.scope) else "none" end)' "$DEV_TMP/bf.json"
fi
echo "load average at the end: $(load)"

#!/bin/sh
# Default credentials (S1.1-02) with the whole bundled list, on real daemons in network
# namespaces (issue 9: a pass after 100 of 774 pairs, with 22 errors, hid root:xc3511):
#   tcp/23, tcp/2323  busybox telnetd + login accepting root:xc3511 (the best-known Mirai pair)
#   tcp/22            dropbear accepting ubnt:ubnt (root logins refused, -w)        -> fail, naming the pair
#   tcp/24            busybox telnetd + login, a strong password only (the clean twin):
#                     every one of the 774 pairs gets a definite answer, 3 s delay per refusal
#                     and a listen queue of 1 notwithstanding                      -> pass
#   tcp/2222          dropbear, a strong password only (its twin)                 -> pass with every
#                     pair answered, or inconclusive saying why; never a fail
# ctest-lock: netns
set -eu
. "$JCS_SRC/tests/integration/lib/probe-devices.sh"
dev_net dc 4
trap dev_cleanup EXIT INT TERM
dev_need busybox dropbear dropbearkey openssl
dev_accounts root xc3511 ubnt ubnt
dev_busybox_telnetd 23
dev_busybox_telnetd 2323
dropbearkey -t ed25519 -f "$DEV_TMP/ssh_host_key" >/dev/null 2>&1
dev_run dropbear -F -E -w -p 22 -r "$DEV_TMP/ssh_host_key"
dev_accounts operator 'Jc5-u1q!xZ-7fQ'
dev_busybox_telnetd 24
dev_run dropbear -F -E -w -p 2222 -r "$DEV_TMP/ssh_host_key"
for p in 22 23 24 2222 2323; do dev_wait_port $p; done
EV=$DEV_TMP/dc.json
. "$JCS_SRC/tests/integration/lib/expect.sh"
LIST=$(grep -c '^[^#].*:' "$JCS_SRC/data/creds/default.txt")

# the bundled list (no --creds), the default login budget
ip netns exec "$CLI" "$JCSTAR" probe "$DEV_IP" --ports 22,23,24,2222,2323 --bf-window 4 -o "$EV" \
	>"$DEV_TMP/out.txt" || true
cat "$DEV_TMP/out.txt"
[ -s "$EV" ] || fail "no evidence written"

for loc in "tcp/23 (telnet)" "tcp/2323 (telnet)"; do
	expect probe.auth.default-credential "$loc" fail \
		'.accepted.user == "root" and .accepted.password == "xc3511" and (.transcript | test("JCS[0-9]+Z"))'
done
expect probe.auth.default-credential "tcp/22 (ssh)" fail '.accepted.user == "ubnt" and .accepted.password == "ubnt"'

# the twins: the whole list, each pair refused by the device itself
expect probe.auth.default-credential "tcp/24 (telnet)" pass \
	".accepted == null and .list_size == $LIST and .tried == .list_size and .answered == .list_size and .errors == 0"
# a pass on either twin only with every pair answered; otherwise inconclusive with the reason
jq -e '[.findings[] | select(.id == "probe.auth.default-credential" and (.location == "tcp/24 (telnet)" or .location == "tcp/2222 (ssh)"))
	| select((.result == "pass" and .evidence.answered == .evidence.list_size and .evidence.errors == 0 and .evidence.list_size > 700)
		or (.result == "inconclusive" and (.evidence.reason | length) > 0))] | length == 2' "$EV" >/dev/null ||
	fail "twins: $(jq -c '[.findings[] | select(.id == "probe.auth.default-credential") | {location, result, e: (.evidence | del(.transcript))}]' "$EV" | cut -c1-600)"
for loc in "tcp/24 (telnet)" "tcp/2222 (ssh)"; do
	[ "$(jq --arg l "$loc" '[.findings[] | select(.location == $l and .id == "probe.auth.default-credential" and .result == "fail")] | length' "$EV")" = 0 ] ||
		fail "false default-credential fail on the twin $loc"
done
# what the twins took (for the reader; durations are measured by bench/probe.sh, never asserted)
jq -r '.findings[] | select(.id == "probe.auth.default-credential") | "\(.location): \(.result) \(.evidence.answered)/\(.evidence.list_size) answered in \(.evidence.duration_ms) ms \(.evidence.reason // "")"' "$EV"
finish

#!/bin/sh
# bench/firmware-audit.sh: cost of the firmware analysis (audit rules, SBOM matcher, NVD/OSV
# matching) on top of the unpacking walk, side by side with the naive peer for version
# detection (unsquashfs -d, then strings | grep over every file), ratios printed.
#  1. walk only (--no-analysis) vs full analysis on a ~64 MiB SquashFS built from /usr/bin:
#     analysis overhead and its throughput
#  2. full jcstar analysis vs `unsquashfs -d` + `strings | grep -E` of the component patterns
#  3. peak RSS of the full analysis (goal <= 128 MiB)
# Usage: bench/firmware-audit.sh [BUILD_DIR]   (needs squashfs-tools, binutils, GNU time)
set -eu
build=${1:-build}
jcstar=$(cd "$build" && pwd)/jcstar
fixtures=${JCS_FIXTURES:-$(pwd)/tests/fixtures}
tmp=$(mktemp -d /tmp/jcs-fwaudit-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for t in unsquashfs mksquashfs strings /usr/bin/time bc; do
	command -v "$t" >/dev/null || { echo "bench/firmware-audit.sh: $t missing" >&2; exit 2; }
done
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
ratio() { echo "scale=1; $1 / $2" | bc -l; }

ls -S /usr/bin | while read -r f; do [ -f "/usr/bin/$f" ] && [ ! -L "/usr/bin/$f" ] && echo "/usr/bin/$f"; done |
	awk -v max=$((160 << 20)) '{ cmd = "stat -c %s \"" $0 "\""; cmd | getline s; close(cmd); if (t + s <= max) { t += s; print } }' \
	> "$tmp/files"
# shellcheck disable=SC2046
mksquashfs $(cat "$tmp/files") "$tmp/big.sqfs" -comp gzip -noappend -no-progress -quiet >/dev/null
raw=$(cat $(cat "$tmp/files") | wc -c)
printf 'image: %s bytes SquashFS, %s files, %s bytes unpacked\n' "$(stat -c %s "$tmp/big.sqfs")" \
	"$(wc -l < "$tmp/files")" "$raw"

# 1. walk vs walk + analysis (best of 3 each)
best() { b=; for _ in 1 2 3; do t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); s=$(secs "$t0" "$t1");
	if [ -z "$b" ] || [ "$(echo "$s < $b" | bc)" = 1 ]; then b=$s; fi; done; echo "$b"; }
walk=$(best "$jcstar" firmware "$tmp/big.sqfs" --no-analysis)
full=$(best "$jcstar" firmware "$tmp/big.sqfs" --vulndb "$fixtures/vulndb")
over=$(secs "$walk" "$full")
printf '\n1. walk only: %.2f s   walk + analysis: %.2f s   analysis: %.2f s (%.0f MB/s of unpacked bytes)\n' \
	"$walk" "$full" "$over" "$(echo "$raw / 1000000 / ($over + 0.001)" | bc -l)"

# 2. the naive peer: extract, then strings | grep the version patterns of every file
pat='BusyBox v[0-9]|OpenSSL [0-9]|SSH-2.0-dropbear_|OpenSSH_[0-9]|lighttpd/[0-9]|nginx/[0-9]|dnsmasq-[0-9]|hostapd v[0-9]|wpa_supplicant v[0-9]|MiniUPnPd/[0-9]|mosquitto version|curl [0-9]|libcurl/[0-9]|UPnP devices/[0-9]|SQLite version [0-9]|deflate [0-9]|uClibc-ng [0-9]|release version [0-9]|Linux version [0-9]'
t0=$(now)
unsquashfs -d "$tmp/x" -no-progress "$tmp/big.sqfs" >/dev/null
find "$tmp/x" -type f -exec strings -a {} + | grep -E -c "$pat" > "$tmp/peer.count" || true
t1=$(now)
peer=$(secs "$t0" "$t1")
printf '2. unsquashfs -d + strings | grep: %.2f s (%s matching lines)   jcstar full analysis: %.2f s   ratio: %sx\n' \
	"$peer" "$(cat "$tmp/peer.count")" "$full" "$(ratio "$peer" "$full")"

# 3. peak RSS of the full analysis
/usr/bin/time -f '%M' -o "$tmp/rss" "$jcstar" firmware "$tmp/big.sqfs" --vulndb "$fixtures/vulndb" >/dev/null 2>&1
printf '3. peak RSS, full analysis of the 64 MiB image: %s MiB (goal <= 128 MiB)\n' "$(( $(cat "$tmp/rss") / 1024 ))"

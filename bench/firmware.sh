#!/bin/sh
# bench/firmware.sh: jcstar firmware at a real-world size, side by side with the peer tools,
# every contender on the same input in one run.
#  The image (built here, >= 64 MiB): real files copied from the host's /usr (regular files
#  under 8 MiB, in path order, until SIZE_MB of input), an xz SquashFS 4 of them behind a
#  legacy U-Boot uImage holding a 4 MiB "kernel" (gzip of host bytes), as vendors ship them.
#  1. full analysis `jcstar firmware -o` vs `binwalk -Me` (goal: <= 0.5x binwalk's wall time)
#  2. unpack only `jcstar firmware --no-analysis` vs `unsquashfs -d` on all cores (goal <= 1.0x)
#  3. peak RSS of the full analysis (goal <= 128 MiB for a 128 MiB image)
# Wall and CPU time (user+sys) are printed: the machine may be shared (the load average is
# printed before and after), CPU time is the steadier figure.
# Usage: bench/firmware.sh [BUILD_DIR]   env: SIZE_MB (input bytes, default 300), JOBS
# (jcstar --jobs, default one per core). Needs squashfs-tools, binwalk, u-boot-tools, bc.
set -eu
build=${1:-build}
jcstar=$(cd "$build" && pwd)/jcstar
size_mb=${SIZE_MB:-300}
jobs=${JOBS:-$(nproc)}
tmp=$(mktemp -d /tmp/jcs-fwbench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for t in binwalk unsquashfs mksquashfs mkimage bc /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench/firmware.sh: $t missing" >&2; exit 2; }
done
ratio() { echo "scale=2; $1 / $2" | bc -l; }
measure() { # measure NAME CMD: "wall cpu rss_kib" of CMD and its children
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time.$1" sh -c "$2" >/dev/null 2>&1 || true
	awk '{printf "%.2f %.2f %d", $1, $2 + $3, $4}' "$tmp/time.$1"
}

echo "machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "building the bench image in $tmp ..."
mkdir -p "$tmp/root"
# deterministic selection: regular files of /usr under 8 MiB, sorted by path, up to SIZE_MB
find /usr -xdev -type f -size -8M -readable -printf '%s %p\n' 2>/dev/null | LC_ALL=C sort -k2 |
	awk -v max=$((size_mb << 20)) -v tot="$tmp/total" \
		'{ if (t + $1 <= max) { t += $1; print substr($0, index($0, " ") + 1) } } END { print t > tot }' \
	> "$tmp/files"
(cd / && sed 's|^/||' "$tmp/files" | tar -cf - --no-recursion -T - 2>/dev/null) | tar -xf - -C "$tmp/root"
mksquashfs "$tmp/root" "$tmp/root.sqfs" -comp xz -all-root -noappend -no-progress -quiet >/dev/null
# a 4 MiB "kernel": the first 4 MiB of the selected files, gzip'd
tr '\n' '\0' < "$tmp/files" | xargs -0 cat 2>/dev/null | head -c $((4 << 20)) | gzip -1 > "$tmp/kernel.gz"
mkimage -A arm -O linux -T kernel -C gzip -a 0x80008000 -e 0x80008000 -n bench-kernel \
	-d "$tmp/kernel.gz" "$tmp/k.uimg" >/dev/null
cat "$tmp/k.uimg" "$tmp/root.sqfs" > "$tmp/big.bin"
rm -rf "$tmp/root"
img=$(stat -c %s "$tmp/big.bin")
printf 'image: %d MiB (uImage kernel %d KiB + xz SquashFS %d MiB), %d files, %d MiB unpacked\n' \
	$((img >> 20)) $(($(stat -c %s "$tmp/k.uimg") >> 10)) $(($(stat -c %s "$tmp/root.sqfs") >> 20)) \
	"$(wc -l < "$tmp/files")" $(($(cat "$tmp/total") >> 20))
[ "$img" -ge $((64 << 20)) ] || echo "WARNING: image under 64 MiB (raise SIZE_MB)"
cat "$tmp/big.bin" "$tmp/root.sqfs" > /dev/null # warm the page cache for every contender

# --- 1. full analysis vs binwalk -Me ---
set -- $(measure jf "'$jcstar' firmware '$tmp/big.bin' --jobs $jobs -o '$tmp/j.json'")
jw=$1 jc=$2 jr=$3
set -- $(measure bw "mkdir -p '$tmp/bw' && cd '$tmp/bw' && binwalk -q --run-as=root -Me -C '$tmp/bw' '$tmp/big.bin'")
bw=$1 bc=$2 br=$3
rm -rf "$tmp/bw"
printf '\n1. full analysis vs binwalk -Me\n'
printf '   jcstar firmware -o (--jobs %s): wall %.2f s, cpu %.2f s, peak RSS %d MiB\n' "$jobs" "$jw" "$jc" $((jr >> 10))
printf '   binwalk -Me:                   wall %.2f s, cpu %.2f s, peak RSS %d MiB\n' "$bw" "$bc" $((br >> 10))
printf '   wall ratio jcstar/binwalk: %s (goal <= 0.5)   cpu ratio: %s\n' "$(ratio "$jw" "$bw")" "$(ratio "$jc" "$bc")"
printf '   findings: %s, components: %s\n' "$(grep -o '"result"' "$tmp/j.json" | wc -l)" \
	"$(grep -o '"purl"' "$tmp/j.json" | wc -l)"

# --- 2. unpack only vs unsquashfs (all cores) ---
set -- $(measure ju "'$jcstar' firmware '$tmp/big.bin' --jobs $jobs --no-analysis")
uw=$1 uc=$2 ur=$3
set -- $(measure us "unsquashfs -q -n -d '$tmp/u' '$tmp/root.sqfs'")
sw=$1 sc=$2 sr=$3
rm -rf "$tmp/u"
printf '\n2. unpack only (decompress and walk every file) vs unsquashfs -d (%s cores)\n' "$(nproc)"
printf '   jcstar --no-analysis: wall %.2f s, cpu %.2f s, peak RSS %d MiB\n' "$uw" "$uc" $((ur >> 10))
printf '   unsquashfs -d:        wall %.2f s, cpu %.2f s, peak RSS %d MiB\n' "$sw" "$sc" $((sr >> 10))
printf '   wall ratio jcstar/unsquashfs: %s (goal <= 1.0)   cpu ratio: %s\n' "$(ratio "$uw" "$sw")" "$(ratio "$uc" "$sc")"

# --- 3. peak RSS ---
printf '\n3. peak RSS of the full analysis: %d MiB for a %d MiB image (goal <= 128 MiB for 128 MiB)\n' \
	$((jr >> 10)) $((img >> 20))
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

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
# Every contender runs RUNS times (interleaved); medians are printed with the load average of
# each run.
# Usage: bench/firmware.sh [BUILD_DIR]   env: SIZE_MB (input bytes, default 300), JOBS
# (jcstar --jobs, default one per core), RUNS (default 3), KEEP=DIR (keep the image there),
# IMAGE=DIR (reuse the image an earlier run kept instead of building it).
# Needs squashfs-tools, binwalk, u-boot-tools, bc.
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
if [ -n "${IMAGE:-}" ]; then
	echo "reusing the bench image in $IMAGE"
	for f in big.bin root.sqfs k.uimg files total; do ln -s "$IMAGE/$f" "$tmp/$f"; done
else
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
	if [ -n "${KEEP:-}" ]; then
		mkdir -p "$KEEP" && cp "$tmp/big.bin" "$tmp/root.sqfs" "$tmp/k.uimg" "$tmp/files" "$tmp/total" "$KEEP"/
	fi
fi
img=$(stat -L -c %s "$tmp/big.bin")
printf 'image: %d MiB (uImage kernel %d KiB + xz SquashFS %d MiB), %d files, %d MiB unpacked\n' \
	$((img >> 20)) $(($(stat -L -c %s "$tmp/k.uimg") >> 10)) $(($(stat -L -c %s "$tmp/root.sqfs") >> 20)) \
	"$(wc -l < "$tmp/files")" $(($(cat "$tmp/total") >> 20))
[ "$img" -ge $((64 << 20)) ] || echo "WARNING: image under 64 MiB (raise SIZE_MB)"
cat "$tmp/big.bin" "$tmp/root.sqfs" > /dev/null # warm the page cache for every contender

# Every contender runs RUNS times, interleaved (jcstar, its peer, jcstar, ...) so that a change
# in the machine's load hits both alike; the figures are the medians, and the load average
# (1 min) at each run is printed: other engineers share the machine, so wall time is noisy.
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
run() { # run NAME CMD: one measurement appended to $tmp/NAME.runs ("wall cpu rss load")
	load=$(cut -d' ' -f1 /proc/loadavg)
	echo "$(measure "$1" "$2") $load" >> "$tmp/$1.runs"
}
col() { cut -d' ' -f"$2" "$tmp/$1.runs" | med; }
loads() { cut -d' ' -f4 "$tmp/$1.runs" | tr '\n' ' '; }
runs=${RUNS:-3}
echo "runs per contender: $runs (medians below)"
for r in $(seq "$runs"); do
	run jf "'$jcstar' firmware '$tmp/big.bin' --jobs $jobs -o '$tmp/j.json'"
	run bw "rm -rf '$tmp/bw' && mkdir -p '$tmp/bw' && cd '$tmp/bw' && binwalk -q --run-as=root -Me -C '$tmp/bw' '$tmp/big.bin'"
	rm -rf "$tmp/bw"
	run ju "'$jcstar' firmware '$tmp/big.bin' --jobs $jobs --no-analysis"
	run us "rm -rf '$tmp/u' && unsquashfs -q -n -d '$tmp/u' '$tmp/root.sqfs'"
	rm -rf "$tmp/u"
	echo "  run $r/$runs done, load $(cut -d' ' -f1-3 /proc/loadavg)"
done
jw=$(col jf 1) jc=$(col jf 2) jr=$(col jf 3) bw=$(col bw 1) bc=$(col bw 2) br=$(col bw 3)
uw=$(col ju 1) uc=$(col ju 2) ur=$(col ju 3) sw=$(col us 1) sc=$(col us 2) sr=$(col us 3)
verdict() { # verdict VALUE GOAL: "met" or "MISSED"
	[ "$(echo "$1 <= $2" | bc -l)" = 1 ] && echo met || echo MISSED
}
printf '\n1. full analysis vs binwalk -Me (load at each run: jcstar %s/ binwalk %s)\n' "$(loads jf)" "$(loads bw)"
printf '   jcstar firmware -o (--jobs %s): wall %.2f s, cpu %.2f s, peak RSS %d MiB\n' "$jobs" "$jw" "$jc" $(($(printf %.0f "$jr") >> 10))
printf '   binwalk -Me:                   wall %.2f s, cpu %.2f s, peak RSS %d MiB\n' "$bw" "$bc" $(($(printf %.0f "$br") >> 10))
r1=$(ratio "$jw" "$bw")
printf '   wall ratio jcstar/binwalk: %s (goal <= 0.5: %s)   cpu ratio: %s\n' "$r1" "$(verdict "$r1" 0.5)" "$(ratio "$jc" "$bc")"
printf '   findings: %s, components: %s\n' "$(grep -o '"result"' "$tmp/j.json" | wc -l)" \
	"$(grep -o '"purl"' "$tmp/j.json" | wc -l)"

printf '\n2. unpack only (decompress and walk every file) vs unsquashfs -d (%s cores; load jcstar %s/ unsquashfs %s)\n' \
	"$(nproc)" "$(loads ju)" "$(loads us)"
printf '   jcstar --no-analysis: wall %.2f s, cpu %.2f s, peak RSS %d MiB\n' "$uw" "$uc" $(($(printf %.0f "$ur") >> 10))
printf '   unsquashfs -d:        wall %.2f s, cpu %.2f s, peak RSS %d MiB\n' "$sw" "$sc" $(($(printf %.0f "$sr") >> 10))
r2=$(ratio "$uw" "$sw")
printf '   wall ratio jcstar/unsquashfs: %s (goal <= 1.0: %s)   cpu ratio: %s\n' "$r2" "$(verdict "$r2" 1.0)" "$(ratio "$uc" "$sc")"

rss=$(($(printf %.0f "$jr") >> 10))
printf '\n3. peak RSS of the full analysis: %d MiB for a %d MiB image (goal <= 128 MiB for 128 MiB: %s)\n' \
	"$rss" $((img >> 20)) "$(verdict "$rss" 128)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: wall times move with the load; cpu is steadier)"

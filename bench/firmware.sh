#!/bin/sh
# bench/firmware.sh: jcstar's firmware walk side by side with the peer tools, ratios printed.
#  1. full walk of every fixture image and of a composite image vs `binwalk -Me` (goal >= 20x)
#  2. SquashFS walk (and --extract) vs `unsquashfs -d` on a ~64 MiB image built from /usr/bin
#     (goal: within 1.5x of unsquashfs)
#  3. peak RSS of the walk on that 64 MiB image (goal <= 128 MiB)
# Usage: bench/firmware.sh [BUILD_DIR]   (needs squashfs-tools, binwalk, u-boot-tools, mtd-utils)
set -eu
build=${1:-build}
jcstar=$(cd "$build" && pwd)/jcstar
fixtures=${JCS_FIXTURES:-$(pwd)/tests/fixtures}
tmp=$(mktemp -d /tmp/jcs-fwbench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for t in binwalk unsquashfs mksquashfs mkimage mkfs.jffs2 /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench/firmware.sh: $t missing" >&2; exit 2; }
done

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
ratio() { echo "scale=1; $1 / $2" | bc -l; }

# --- images ---
echo "building the bench images in $tmp ..."
mkdir -p "$tmp/src"
# ~64 MiB SquashFS: regular files of /usr/bin under 4 MiB, in name order, up to 170 MiB of input
find /usr/bin -maxdepth 1 -type f -size -4M -printf '%s %p\n' | sort -k2 |
	awk -v max=$((170 << 20)) '{ if (t + $1 <= max) { t += $1; print $2 } }' > "$tmp/files"
# shellcheck disable=SC2046
mksquashfs $(cat "$tmp/files") "$tmp/big.sqfs" -comp gzip -noappend -no-progress -quiet >/dev/null
# composite router-style image: uImage(gzip kernel) | SquashFS rootfs | JFFS2 config partition
mkdir -p "$tmp/rootfs/etc" "$tmp/rootfs/bin" "$tmp/cfg"
cp /etc/passwd /etc/group /etc/services "$tmp/rootfs/etc/"
head -n 200 "$tmp/files" | tail -n 60 | xargs -I{} cp {} "$tmp/rootfs/bin/"
cp /etc/hosts /etc/hostname "$tmp/cfg/" 2>/dev/null || cp /etc/passwd "$tmp/cfg/"
head -c 3000000 "$(head -n 1 "$tmp/files")" | gzip -9 > "$tmp/kernel.gz"
mkimage -A mips -O linux -T kernel -C gzip -a 0x80000000 -e 0x80000000 -n bench -d "$tmp/kernel.gz" "$tmp/k.uimg" >/dev/null
mksquashfs "$tmp/rootfs" "$tmp/root.sqfs" -comp xz -noappend -no-progress -quiet >/dev/null
mkfs.jffs2 -r "$tmp/cfg" -e 64KiB -p -o "$tmp/cfg.jffs2"
cat "$tmp/k.uimg" "$tmp/root.sqfs" "$tmp/cfg.jffs2" > "$tmp/composite.bin"
printf '  64 MiB image: %s bytes (%s files), composite: %s bytes\n' "$(stat -c %s "$tmp/big.sqfs")" \
	"$(wc -l < "$tmp/files")" "$(stat -c %s "$tmp/composite.bin")"

# --- 1. full walk vs binwalk -Me ---
# wall time and CPU time (user+sys, children included): the machine may be shared, CPU time is
# the steadier figure
measure() { # measure NAME CMD...: "wall cpu" seconds of CMD and its children
	/usr/bin/time -f '%e %U %S' -o "$tmp/time.$1" sh -c "$2" >/dev/null 2>&1 || true
	awk '{printf "%.2f %.2f", $1, $2 + $3}' "$tmp/time.$1"
}
find "$fixtures/firmware" -type f | sort > "$tmp/images"
echo "$tmp/composite.bin" >> "$tmp/images"
set -- $(measure jw "while read -r i; do '$jcstar' firmware \"\$i\" || true; done < '$tmp/images'")
jw=$1; jc=$2
set -- $(measure bw "while read -r i; do rm -rf '$tmp/bw'; mkdir -p '$tmp/bw'; cd '$tmp/bw' && binwalk -q --run-as=root -Me -C '$tmp/bw' \"\$i\"; done < '$tmp/images'")
bw=$1; bc=$2
printf '\n1. full walk, %s images (every fixture + composite), one process per image\n' "$(wc -l < "$tmp/images")"
printf '   wall: jcstar %.2f s, binwalk -Me %.2f s, ratio %sx   cpu: jcstar %.2f s, binwalk %.2f s, ratio %sx (goal >= 20x)\n' \
	"$jw" "$bw" "$(ratio "$bw" "$jw")" "$jc" "$bc" "$(ratio "$bc" "$jc")"
set -- $(measure jc1 "'$jcstar' firmware '$tmp/composite.bin'")
cw=$1; cc=$2
set -- $(measure bc1 "rm -rf '$tmp/bw'; mkdir -p '$tmp/bw'; cd '$tmp/bw' && binwalk -q --run-as=root -Me -C '$tmp/bw' '$tmp/composite.bin'")
printf '   composite alone: wall jcstar %.2f s, binwalk %.2f s, ratio %sx   cpu: %.2f s vs %.2f s, ratio %sx\n' \
	"$cw" "$1" "$(ratio "$1" "$cw")" "$cc" "$2" "$(ratio "$2" "$cc")"

# --- 2. SquashFS walk vs unsquashfs -d ---
sync
cat "$tmp/big.sqfs" > /dev/null # warm the page cache for every contender
t0=$(now); "$jcstar" firmware "$tmp/big.sqfs" >/dev/null; t1=$(now)
rm -rf "$tmp/x"; "$jcstar" firmware "$tmp/big.sqfs" --extract "$tmp/x" >/dev/null; t2=$(now)
rm -rf "$tmp/u"; unsquashfs -q -n -d "$tmp/u" "$tmp/big.sqfs" >/dev/null; t3=$(now)
rm -rf "$tmp/u1"; unsquashfs -q -n -p 1 -d "$tmp/u1" "$tmp/big.sqfs" >/dev/null; t4=$(now)
walk=$(secs "$t0" "$t1"); ext=$(secs "$t1" "$t2"); uq=$(secs "$t2" "$t3"); uq1=$(secs "$t3" "$t4")
printf '\n2. SquashFS 64 MiB image (gzip)\n   jcstar walk: %.2f s   jcstar --extract: %.2f s   unsquashfs -d: %.2f s   unsquashfs -p 1: %.2f s\n' \
	"$walk" "$ext" "$uq" "$uq1"
printf '   walk/unsquashfs: %s   extract/unsquashfs: %s   extract/unsquashfs -p 1: %s   (goal <= 1.5)\n' \
	"$(ratio "$walk" "$uq")" "$(ratio "$ext" "$uq")" "$(ratio "$ext" "$uq1")"
if diff -r "$tmp/u" "$tmp/x/squashfs@0x0" >/dev/null; then echo "   extracted trees identical"; else
	echo "   extracted trees DIFFER:"; diff -rq "$tmp/u" "$tmp/x/squashfs@0x0" | head -5; fi

# --- 3. peak RSS ---
/usr/bin/time -f '%M' -o "$tmp/rss" "$jcstar" firmware "$tmp/big.sqfs" >/dev/null
/usr/bin/time -f '%M' -o "$tmp/rss2" unsquashfs -q -n -d "$tmp/u2" "$tmp/big.sqfs" >/dev/null
printf '\n3. peak RSS on the 64 MiB image: jcstar %s MiB (goal <= 128), unsquashfs %s MiB\n' \
	"$(($(cat "$tmp/rss") / 1024))" "$(($(cat "$tmp/rss2") / 1024))"

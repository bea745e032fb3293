#!/bin/sh
# Build the NC-200 example firmware image: the bundled root filesystem (rootfs/), Debian's
# busybox binary, an SHA-512 root password hash and a TLS key made now — the key is stored
# unencrypted in the read-only image, the same on every device: the planted weakness the
# analysis must find (S1.1-11). SquashFS (xz) in a legacy U-Boot image after a 64 KiB
# boot-loader area, as on many cameras.  usage: build.sh OUT.bin
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
root=$work/rootfs
cp -a "$here/rootfs" "$root"
mkdir -p "$root/bin" "$root/etc/ssl/private" "$root/etc/ssl/certs"
cp "$(command -v busybox)" "$root/bin/busybox"
for a in sh ash login mount umount reboot; do ln -s busybox "$root/bin/$a"; done
printf 'root:%s:20000:0:99999:7:::\nadmin:!:20000:0:99999:7:::\nnobody:*:0:0:99999:7:::\n' \
	"$(openssl passwd -6 "$(openssl rand -base64 24)")" > "$root/etc/shadow"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$root/etc/ssl/private/device.key" \
	-out "$root/etc/ssl/certs/device.crt" -days 3650 -subj "/CN=NC-200" 2>/dev/null
mksquashfs "$root" "$work/rootfs.sqfs" -comp xz -all-root -noappend -quiet >/dev/null
mkimage -A arm -O linux -T filesystem -C none -n "NC-200 2.4.1 rootfs" -d "$work/rootfs.sqfs" "$work/rootfs.uimg" >/dev/null
head -c 65536 /dev/zero > "$out"
cat "$work/rootfs.uimg" >> "$out"

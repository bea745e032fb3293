#!/bin/sh
# Build the seed corpora of the firmware fuzz targets (fuzz/corpus/fw_*/) from small real
# images made with the standard tools (mksquashfs, mkfs.jffs2, mkfs.ubifs, ubinize, mke2fs,
# mkfs.cramfs, mkimage, cpio, tar, zip, 7z, gzip/xz/bzip2/zstd). Formats without a tool in
# Debian (SquashFS 3, YAFFS2, TRX, TP-Link, DrayTek, Dahua, D-Link MH01) are written by the
# Python below, following the same layouts the readers parse. Run from the source root.
set -eu
out=$(pwd)/fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/root
mkdir -p "$src/etc/init.d" "$src/bin"
printf 'root::0:0:root:/root:/bin/sh\n' > "$src/etc/passwd"
printf '::sysinit:/etc/init.d/rcS\n::askfirst:-/bin/sh\n' > "$src/etc/inittab"
printf '#!/bin/sh\ntelnetd -l /bin/sh\n' > "$src/etc/init.d/rcS"
chmod 755 "$src/etc/init.d/rcS"
seq 1 300 > "$src/etc/numbers"
ln -s /bin/busybox "$src/bin/sh"
for d in walk gzip xz lzma zstd bzip2 tar cpio zip sevenzip squashfs4 squashfs3 cramfs jffs2 yaffs2 ext ubi ubifs \
	 uimage fit trx tplink dahua draytek dlink romfs; do
	rm -rf "$out/fw_$d"
	mkdir -p "$out/fw_$d"
done
printf 'hello firmware\n' > "$tmp/t.txt"
gzip -9 -n -c "$tmp/t.txt" > "$out/fw_gzip/text.gz"
gzip -9 -c "$src/etc/numbers" > "$out/fw_gzip/named.gz"
xz -c "$src/etc/numbers" > "$out/fw_xz/numbers.xz"
xz --format=lzma -c "$src/etc/numbers" > "$out/fw_lzma/numbers.lzma"
zstd -q -c "$src/etc/numbers" > "$out/fw_zstd/numbers.zst"
bzip2 -c "$src/etc/numbers" > "$out/fw_bzip2/numbers.bz2"
(cd "$src" && tar --owner=0 --group=0 -cf "$tmp/r.tar" .) && cp "$tmp/r.tar" "$out/fw_tar/rootfs.tar"
for f in newc odc bin; do (cd "$src" && find . | cpio -o -H $f --quiet > "$out/fw_cpio/rootfs.$f.cpio"); done
(cd "$src" && zip -q -r -y "$tmp/r.zip" .) && cp "$tmp/r.zip" "$out/fw_zip/rootfs.zip"
(cd "$src" && 7z a -bd -bso0 "$tmp/r.7z" . >/dev/null) && cp "$tmp/r.7z" "$out/fw_sevenzip/rootfs.7z"
for c in gzip xz lzo lz4 zstd; do
	mksquashfs "$src" "$out/fw_squashfs4/rootfs-$c.sqfs" -comp $c -noappend -no-progress -nopad -quiet -all-root
done
mkfs.cramfs "$src" "$out/fw_cramfs/rootfs.cramfs"
mkfs.jffs2 -r "$src" -e 8KiB -p -l -o "$out/fw_jffs2/rootfs-le.jffs2" 2>/dev/null
mkfs.jffs2 -r "$src" -e 8KiB -p -b -x zlib -o "$out/fw_jffs2/rootfs-be-rtime.jffs2" 2>/dev/null
mkfs.jffs2 -r "$src" -e 8KiB -p -l -X lzo -x zlib -x rtime -o "$out/fw_jffs2/rootfs-lzo.jffs2" 2>/dev/null
mke2fs -q -t ext2 -b 1024 -N 32 -d "$src" "$out/fw_ext/rootfs.ext2" 128k
mke2fs -q -t ext4 -b 1024 -N 32 -O ^has_journal -d "$src" "$out/fw_ext/rootfs.ext4" 256k
mkfs.ubifs -r "$src" -m 512 -e 15872 -c 32 -x lzo -o "$out/fw_ubifs/rootfs.ubifs"
printf '[rootfs]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\n' "$out/fw_ubifs/rootfs.ubifs" > "$tmp/ubi.ini"
ubinize -o "$out/fw_ubi/rootfs.ubi" -m 512 -p 16KiB "$tmp/ubi.ini" 2>/dev/null
gzip -9 -n -c "$src/etc/numbers" > "$tmp/k.gz"
mkimage -A mips -O linux -T kernel -C gzip -a 0x80000000 -e 0x80000000 -n 'jcstar seed' -d "$tmp/k.gz" "$out/fw_uimage/kernel.uimage" >/dev/null
mkimage -A arm -O linux -T ramdisk -C none -n 'rootfs' -d "$out/fw_squashfs4/rootfs-gzip.sqfs" "$out/fw_uimage/ramdisk.uimage" >/dev/null
cat > "$tmp/fit.its" <<ITS
/dts-v1/;
/ { description = "jcstar seed"; #address-cells = <1>;
    images { kernel { data = /incbin/("$tmp/k.gz"); type = "kernel"; arch = "arm"; os = "linux"; compression = "gzip"; load = <0x80000000>; entry = <0x80000000>; };
             rootfs { data = /incbin/("$out/fw_squashfs4/rootfs-xz.sqfs"); type = "ramdisk"; arch = "arm"; os = "linux"; compression = "none"; }; };
    configurations { default = "c1"; c1 { kernel = "kernel"; ramdisk = "rootfs"; }; }; };
ITS
mkimage -f "$tmp/fit.its" "$out/fw_fit/image.itb" >/dev/null
python3 - "$out" "$src" <<'PY'
import os, struct, sys, zlib, hashlib, io, zipfile
out, src = sys.argv[1], sys.argv[2]

def w(path, data):
    with open(os.path.join(out, path), 'wb') as f:
        f.write(data)

class Bits:
    """Packed C bitfields: LSB-first on little-endian, MSB-first on big-endian."""
    def __init__(self, be): self.be, self.bits = be, []
    def put(self, v, n):
        bits = [(v >> i) & 1 for i in range(n)]
        self.bits += bits[::-1] if self.be else bits
    def bytes(self):
        assert len(self.bits) % 8 == 0
        out = bytearray()
        for i in range(0, len(self.bits), 8):
            chunk = self.bits[i:i + 8]
            out.append(sum(b << (7 - k) for k, b in enumerate(chunk)) if self.be else sum(b << k for k, b in enumerate(chunk)))
        return bytes(out)

def sqfs3(be):
    """SquashFS 3.1: /hello (uncompressed data block) and /etc/passwd, uncompressed metadata."""
    e = '>' if be else '<'
    files = [('hello', b'hello squashfs 3\n'), ('passwd', b'root::0:0:root:/root:/bin/sh\n')]
    data, blocks, pos = b'', [], 128
    for _, body in files:
        blocks.append((pos + len(data), len(body)))
        data += body
    ino = Bits(be)
    offs = []
    for i, (name, body) in enumerate(files):
        offs.append(len(ino.bits) // 8)
        ino.put(2, 4); ino.put(0o644, 12); ino.put(0, 8); ino.put(0, 8); ino.put(0, 32); ino.put(i + 1, 32)
        ino.put(blocks[i][0], 64); ino.put(0xffffffff, 32); ino.put(0, 32); ino.put(len(body), 32)
        ino.put(len(body) | 1 << 24, 32)
    d = Bits(be)
    d.put(len(files) - 1, 8); d.put(0, 32); d.put(1, 32)
    for i, (name, _) in enumerate(files):
        d.put(offs[i], 13); d.put(2, 3); d.put(len(name) - 1, 8); d.put(i, 16)
        for ch in name.encode(): d.put(ch, 8)
    dirb = d.bytes()
    root_off = len(ino.bits) // 8
    ino.put(1, 4); ino.put(0o755, 12); ino.put(0, 8); ino.put(0, 8); ino.put(0, 32); ino.put(3, 32)
    ino.put(2, 32); ino.put(len(dirb) + 3, 19); ino.put(0, 13); ino.put(0, 32); ino.put(3, 32)
    inob = ino.bytes()
    hdr = lambda n: struct.pack(e + 'H', 0x8000 | n)
    itab = 128 + len(data)
    dtab = itab + 2 + len(inob)
    utab = dtab + 2 + len(dirb)
    end = utab + 4
    img = bytearray(128)
    img[0:4] = b'sqsh' if be else b'hsqs'
    struct.pack_into(e + 'I', img, 4, 3)
    struct.pack_into(e + 'HHHH', img, 28, 3, 1, 0, 16)
    img[36], img[37], img[38] = 0x1b, 1, 0
    struct.pack_into(e + 'IQIII', img, 39, 0, root_off, 65536, 0, end)
    struct.pack_into(e + 'QQQQQQQ', img, 63, end, utab, utab + 4, itab, dtab, end, end)
    return bytes(img) + data + hdr(len(inob)) + inob + hdr(len(dirb)) + dirb + struct.pack(e + 'I', 0)

w('fw_squashfs3/le.sqfs3', sqfs3(False))
w('fw_squashfs3/be.sqfs3', sqfs3(True))

def yaffs2(be, page, spare, tagoff):
    e = '>' if be else '<'
    chunks = []
    def chunk(body, obj, cid, nbytes):
        tags = struct.pack(e + 'IIII', 0x1000, obj, cid, nbytes)
        sp = b'\xff' * tagoff + tags
        chunks.append(body.ljust(page, b'\xff') + sp.ljust(spare, b'\xff'))
    def header(typ, parent, name, mode, size, alias=b''):
        h = struct.pack(e + 'IIH', typ, parent, 0xffff) + name.ljust(256, b'\0') + b'\0\0'
        h += struct.pack(e + 'IIIIIIII', mode, 0, 0, 0, 0, 0, size, 0xffffffff) + alias.ljust(160, b'\0')
        return h
    chunk(header(3, 1, b'etc', 0o40755, 0), 0x101, 0, 0xffff)
    body = b'root::0:0:root:/root:/bin/sh\n'
    chunk(header(1, 0x101, b'passwd', 0o100644, len(body)), 0x102, 0, 0xffff)
    chunk(body, 0x102, 1, len(body))
    chunk(header(2, 1, b'sh', 0o120777, 0, b'/bin/busybox'), 0x103, 0, 0xffff)
    return b''.join(chunks)

w('fw_yaffs2/le-2048.yaffs2', yaffs2(False, 2048, 64, 2))
w('fw_yaffs2/be-2048.yaffs2', yaffs2(True, 2048, 64, 2))
w('fw_yaffs2/le-512.yaffs2', yaffs2(False, 512, 16, 0))

gz = zlib.compressobj(9, zlib.DEFLATED, 31)
payload = gz.compress(open(os.path.join(src, 'etc/numbers'), 'rb').read()) + gz.flush()
body = struct.pack('<HHIII', 0, 1, 28, 0, 0) + payload
total = 12 + len(body)
crc = ~zlib.crc32(body) & 0xffffffff
w('fw_trx/gzip.trx', b'HDR0' + struct.pack('<II', total, crc) + body)

sq = open(os.path.join(out, 'fw_squashfs4/rootfs-xz.sqfs'), 'rb').read()
kern = open(os.path.join(out, 'fw_xz/numbers.xz'), 'rb').read()
h = bytearray(512)
h[0:4] = b'\x01\0\0\0'
h[4:24] = b'TP-LINK Technologies'
struct.pack_into('>IIIII', h, 0x7c, 512 + len(kern) + len(sq), 512, len(kern), 512 + len(kern), len(sq))
w('fw_tplink/firmware.bin', bytes(h) + kern + sq)

buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('etc/passwd', 'root::0:0:root:/root:/bin/sh\n')
    z.writestr('etc/inittab', '::askfirst:-/bin/sh\n')
d = bytearray(buf.getvalue()); d[0:2] = b'DH'
w('fw_dahua/firmware.bin', bytes(d))

sq = open(os.path.join(out, 'fw_squashfs4/rootfs-gzip.sqfs'), 'rb').read()
img = b'2RDH' + bytes(0x100 - 4) + sq
w('fw_draytek/vigor.bin', img + b'DrayTekImageMD5\n' + hashlib.md5(img).hexdigest().encode() + b'\n')

def romfs():
    """-rom1fs- volume: /etc (dir with ., .., passwd) and /sh -> /bin/busybox."""
    pad = lambda b: b + b'\0' * (-len(b) % 16)
    def hdr(nxt, typ, spec, data, name, exe=0):
        return struct.pack('>IIII', nxt | typ | exe, spec, len(data), 0) + pad(name + b'\0') + pad(data)
    vol = b'-rom1fs-' + struct.pack('>II', 0, 0) + pad(b'seed\0')
    root = len(vol)
    body = b'root::0:0:root:/root:/bin/sh\n'
    # layout: [root ".", root "..", etc(dir), sh(symlink)] then etc's [".", "..", passwd]
    h = [None] * 7
    offs = [root + 32 * i for i in range(4)]
    etc_first = offs[3] + 32 + 16
    e_offs = [etc_first, etc_first + 32, etc_first + 64]
    out = hdr(offs[1], 0, root, b'', b'.') + hdr(offs[2], 0, root, b'', b'..')
    out += hdr(offs[3], 1, etc_first, b'', b'etc') + hdr(0, 3, 0, b'/bin/busybox', b'sh')
    out += hdr(e_offs[1], 0, etc_first, b'', b'.') + hdr(e_offs[2], 0, root, b'', b'..')
    out += hdr(0, 2, 0, body, b'passwd')
    img = bytearray(vol + out)
    struct.pack_into('>I', img, 8, len(img))
    return bytes(img)

w('fw_romfs/seed.romfs', romfs())

blob = b'Salted__' + bytes(range(8)) + bytes((i * 37) & 0xff for i in range(64))
w('fw_dlink/mh01.bin', b'MH01' + struct.pack('<II', 0x21, len(blob)) + b'\0' * 4 + b'MH01' + struct.pack('<II', 0x21, len(blob)) + b'\0' * 4
  + b'0123456789abcdef0123456789abcdef\n' + blob)
PY
# the whole walk: a composite image (uImage kernel, padding, SquashFS, JFFS2) and single formats
{ cat "$out/fw_uimage/kernel.uimage"; head -c 1000 /dev/zero; cat "$out/fw_squashfs4/rootfs-gzip.sqfs";
  head -c 333 /dev/zero; cat "$out/fw_jffs2/rootfs-le.jffs2"; } > "$out/fw_walk/composite.bin"
cp "$out/fw_trx/gzip.trx" "$out/fw_tplink/firmware.bin" "$out/fw_yaffs2/le-2048.yaffs2" "$out/fw_walk/"
ls -l "$out"/fw_*/ | awk '{s+=$5} END {print "corpus bytes:", s}'

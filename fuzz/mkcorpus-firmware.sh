#!/bin/sh
# Build the seed corpora of the firmware fuzz targets (fuzz/corpus/fw_*/) from small real
# images made with the standard tools (mksquashfs, mkfs.jffs2, mkfs.ubifs, ubinize, mke2fs,
# mkfs.cramfs, genromfs, mkimage, cpio, tar, zip, 7z, gzip/xz/bzip2/zstd), several variants
# of each (block sizes, byte orders, compressors, sparse and hard-linked files). Formats
# without a tool in Debian (SquashFS 3, YAFFS2, TRX, TP-Link, DrayTek, Dahua, D-Link MH01)
# are written by the Python below, following the same layouts the readers parse; so are the
# regress-* inputs (crafted hostile images, each the regression case of a fixed bug, also
# asserted by tests/unit/test_fw_hostile.c). Run from the source root; existing corpus files
# (what fuzzing found) are kept.
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
ln "$src/etc/passwd" "$src/etc/passwd.hard"
head -c 8192 /dev/zero > "$src/bin/zeros"             # two blocks that compress to nothing
truncate -s 12288 "$src/bin/sparse"                  # a hole (explicit holes with mkfs.cramfs -z)
mkdir -p "$src/usr/lib/deep/er/still"
printf 'x' > "$src/usr/lib/deep/er/still/leaf"
chmod 4755 "$src/etc/init.d/rcS"
for d in walk gzip xz lzma zstd bzip2 tar cpio zip sevenzip squashfs4 squashfs3 cramfs jffs2 yaffs2 ext ubi ubifs \
	 uimage fit trx tplink dahua draytek dlink romfs; do
	mkdir -p "$out/fw_$d" # seeds are (re)written by name; what fuzzing added stays
done
printf 'hello firmware\n' > "$tmp/t.txt"
gzip -9 -n -c "$tmp/t.txt" > "$out/fw_gzip/text.gz"
gzip -9 -c "$src/etc/numbers" > "$out/fw_gzip/named.gz"
python3 -c 'import gzip, sys; sys.stdout.buffer.write(gzip.compress(b"x" * 5000, mtime=0))' > "$out/fw_gzip/repeated.gz"
{ gzip -n -c "$tmp/t.txt"; gzip -n -c "$src/etc/inittab"; } > "$out/fw_gzip/two-members.gz"
xz -c "$src/etc/numbers" > "$out/fw_xz/numbers.xz"
xz --format=lzma -c "$src/etc/numbers" > "$out/fw_lzma/numbers.lzma"
zstd -q -c "$src/etc/numbers" > "$out/fw_zstd/numbers.zst"
bzip2 -c "$src/etc/numbers" > "$out/fw_bzip2/numbers.bz2"
for c in none crc32 sha256; do xz --check=$c -c "$tmp/t.txt" > "$out/fw_xz/text-$c.xz"; done
{ xz -c "$tmp/t.txt"; xz -c "$src/etc/inittab"; } > "$out/fw_xz/two-streams.xz"
xz --format=lzma -1 -c "$tmp/t.txt" > "$out/fw_lzma/text.lzma"
zstd -q -19 --no-check -c "$tmp/t.txt" > "$out/fw_zstd/text-nocheck.zst"
{ zstd -q -c "$tmp/t.txt"; zstd -q -c "$src/etc/inittab"; } > "$out/fw_zstd/two-frames.zst"
bzip2 -1 -c "$src/bin/zeros" > "$out/fw_bzip2/zeros.bz2"
(cd "$src" && tar --owner=0 --group=0 -cf "$tmp/r.tar" .) && cp "$tmp/r.tar" "$out/fw_tar/rootfs.tar"
for f in ustar posix oldgnu; do (cd "$src" && tar --format=$f --owner=0 --group=0 -cf "$out/fw_tar/rootfs-$f.tar" etc bin); done
for f in newc odc bin; do (cd "$src" && find . | cpio -o -H $f --quiet > "$out/fw_cpio/rootfs.$f.cpio"); done
(cd "$src" && zip -q -r -y "$tmp/r.zip" .) && cp "$tmp/r.zip" "$out/fw_zip/rootfs.zip"
(cd "$src" && zip -q -0 -r "$tmp/s.zip" etc) && cp "$tmp/s.zip" "$out/fw_zip/stored.zip"
(cd "$src" && 7z a -bd -bso0 "$tmp/r.7z" . >/dev/null) && cp "$tmp/r.7z" "$out/fw_sevenzip/rootfs.7z"
for m in Copy BZip2 PPMd; do (cd "$src" && 7z a -bd -bso0 -m0=$m "$tmp/$m.7z" etc >/dev/null) && cp "$tmp/$m.7z" "$out/fw_sevenzip/etc-$m.7z"; done
for c in gzip xz lzo lz4 zstd; do
	mksquashfs "$src" "$out/fw_squashfs4/rootfs-$c.sqfs" -comp $c -noappend -no-progress -nopad -quiet -all-root
done
mksquashfs "$src" "$out/fw_squashfs4/uncompressed-4k.sqfs" -b 4096 -noI -noD -noF -noX -noappend -no-progress -nopad -quiet
mksquashfs "$src" "$out/fw_squashfs4/no-fragments.sqfs" -no-fragments -no-duplicates -noappend -no-progress -nopad -quiet
mkfs.cramfs "$src" "$out/fw_cramfs/rootfs.cramfs"
mkfs.cramfs -N big -z "$src" "$out/fw_cramfs/big-endian-holes.cramfs"
mkfs.cramfs -b 4096 -n seed -p "$src" "$out/fw_cramfs/padded.cramfs"
genromfs -d "$src" -V seed -f "$out/fw_romfs/genromfs.romfs"
genromfs -d "$src" -a 64 -f "$out/fw_romfs/aligned.romfs"
mkfs.jffs2 -r "$src" -e 8KiB -p -l -o "$out/fw_jffs2/rootfs-le.jffs2" 2>/dev/null
mkfs.jffs2 -r "$src" -e 8KiB -p -b -x zlib -o "$out/fw_jffs2/rootfs-be-rtime.jffs2" 2>/dev/null
mkfs.jffs2 -r "$src" -e 8KiB -p -l -X lzo -x zlib -x rtime -o "$out/fw_jffs2/rootfs-lzo.jffs2" 2>/dev/null
mkfs.jffs2 -r "$src" -e 4KiB -n -l -x zlib -x rtime -o "$out/fw_jffs2/uncompressed-nocleanmarkers.jffs2" 2>/dev/null
mke2fs -q -t ext2 -b 1024 -N 32 -d "$src" "$out/fw_ext/rootfs.ext2" 128k
mke2fs -q -t ext4 -b 1024 -N 32 -O ^has_journal -d "$src" "$out/fw_ext/rootfs.ext4" 256k
mke2fs -q -t ext4 -b 1024 -N 32 -O ^has_journal,64bit,inline_data -d "$src" "$out/fw_ext/64bit-inline.ext4" 256k
mkfs.ubifs -r "$src" -m 512 -e 15872 -c 32 -x lzo -o "$out/fw_ubifs/rootfs.ubifs"
mkfs.ubifs -r "$src" -m 512 -e 15872 -c 32 -x zlib -o "$out/fw_ubifs/zlib.ubifs"
mkfs.ubifs -r "$src" -m 512 -e 15872 -c 32 -x none -o "$out/fw_ubifs/uncompressed.ubifs"
printf '[rootfs]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=dynamic\nvol_name=rootfs\n' "$out/fw_ubifs/rootfs.ubifs" > "$tmp/ubi.ini"
ubinize -o "$out/fw_ubi/rootfs.ubi" -m 512 -p 16KiB "$tmp/ubi.ini" 2>/dev/null
printf '[kernel]\nmode=ubi\nimage=%s\nvol_id=0\nvol_type=static\nvol_name=kernel\n[rootfs]\nmode=ubi\nimage=%s\nvol_id=1\nvol_type=dynamic\nvol_name=rootfs\n' \
	"$out/fw_xz/numbers.xz" "$out/fw_ubifs/uncompressed.ubifs" > "$tmp/ubi2.ini"
ubinize -o "$out/fw_ubi/two-volumes.ubi" -m 512 -p 16KiB "$tmp/ubi2.ini" 2>/dev/null
gzip -9 -n -c "$src/etc/numbers" > "$tmp/k.gz"
mkimage -A mips -O linux -T kernel -C gzip -a 0x80000000 -e 0x80000000 -n 'jcstar seed' -d "$tmp/k.gz" "$out/fw_uimage/kernel.uimage" >/dev/null
mkimage -A arm -O linux -T ramdisk -C none -n 'rootfs' -d "$out/fw_squashfs4/rootfs-gzip.sqfs" "$out/fw_uimage/ramdisk.uimage" >/dev/null
mkimage -A arm -O linux -T multi -C none -n 'multi' -d "$tmp/k.gz:$out/fw_cpio/rootfs.newc.cpio" "$out/fw_uimage/multi.uimage" >/dev/null
cat > "$tmp/fit.its" <<ITS
/dts-v1/;
/ { description = "jcstar seed"; #address-cells = <1>;
    images { kernel { data = /incbin/("$tmp/k.gz"); type = "kernel"; arch = "arm"; os = "linux"; compression = "gzip"; load = <0x80000000>; entry = <0x80000000>; };
             rootfs { data = /incbin/("$out/fw_squashfs4/rootfs-xz.sqfs"); type = "ramdisk"; arch = "arm"; os = "linux"; compression = "none"; }; };
    configurations { default = "c1"; c1 { kernel = "kernel"; ramdisk = "rootfs"; }; }; };
ITS
mkimage -f "$tmp/fit.its" "$out/fw_fit/image.itb" >/dev/null
mkimage -E -f "$tmp/fit.its" "$out/fw_fit/external-data.itb" >/dev/null
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

def sqfs3(be, frag=None):
    """SquashFS 3.1: /hello (uncompressed data block) and /etc/passwd, uncompressed metadata.
    frag=n: /hello instead lives in a stored fragment block of n bytes (n > block size was a
    heap overflow: the reader copied it into a block-sized buffer)."""
    e = '>' if be else '<'
    files = [('hello', b'hello squashfs 3\n'), ('passwd', b'root::0:0:root:/root:/bin/sh\n')]
    data, blocks, pos = b'', [], 128
    for _, body in files:
        blocks.append((pos + len(data), len(body)))
        data += body
    if frag:
        fragpos = pos + len(data)
        data += files[0][1].ljust(frag, b'F')
    ino = Bits(be)
    offs = []
    for i, (name, body) in enumerate(files):
        offs.append(len(ino.bits) // 8)
        ino.put(2, 4); ino.put(0o644, 12); ino.put(0, 8); ino.put(0, 8); ino.put(0, 32); ino.put(i + 1, 32)
        if frag and i == 0:
            ino.put(0, 64); ino.put(0, 32); ino.put(0, 32); ino.put(len(body), 32)
            continue
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
    tail = b''
    nfrags, fstart = 0, utab + 4
    if frag:  # fragment entries (one metadata block), then their index
        fent = utab
        tail = hdr(16) + struct.pack(e + 'QII', fragpos, frag | 1 << 24, 0) + struct.pack(e + 'Q', fent)
        utab = fent + len(tail)
        nfrags, fstart = 1, fent + 2 + 16
    end = utab + 4
    img = bytearray(128)
    img[0:4] = b'sqsh' if be else b'hsqs'
    struct.pack_into(e + 'I', img, 4, 3)
    struct.pack_into(e + 'HHHH', img, 28, 3, 1, 0, 16)
    img[36], img[37], img[38] = 0x1b, 1, 0
    struct.pack_into(e + 'IQIII', img, 39, 0, root_off, 65536, nfrags, end)
    struct.pack_into(e + 'QQQQQQQ', img, 63, end, utab, utab + 4, itab, dtab, fstart if frag else end, end)
    return bytes(img) + data + hdr(len(inob)) + inob + hdr(len(dirb)) + dirb + tail + struct.pack(e + 'I', 0)

w('fw_squashfs3/le.sqfs3', sqfs3(False))
w('fw_squashfs3/be.sqfs3', sqfs3(True))
w('fw_squashfs3/frag.sqfs3', sqfs3(False, 100))
w('fw_squashfs3/regress-stored-fragment-over-block.sqfs3', sqfs3(True, 65536 + 1000))

def ext_img(log_bs, first_data=None):
    """A small ext2/4 image built field by field (with ext_finish): superblock, one group
    descriptor, 16 inodes of 128 bytes, the root directory (inode 2); blk(data) places a
    block and returns its number."""
    bs = 1024 << log_bs
    fd = (1 if bs == 1024 else 0) if first_data is None else first_data
    blocks = {}
    nxt = [fd + 4]   # after superblock, descriptors, inode table (2 blocks when bs is 1 KiB)
    def blk(data):
        b = nxt[0]; nxt[0] += 1
        blocks[b] = data.ljust(bs, b'\0')
        return b
    return bs, fd, blocks, blk, nxt

def ext_finish(state, files, nblocks=None, inode_table=None):
    """files: [(name, mode, i_block (60 bytes), size, flags)] become inodes 3, 4, ... in the
    root; nblocks overrides the declared block count (64-bit counts set INCOMPAT_64BIT and
    huge groups, so the group count stays plausible)."""
    bs, fd, blocks, blk, nxt = state
    d = b''
    names = [(b'.', 2), (b'..', 2)] + [(f[0], 3 + i) for i, f in enumerate(files)]
    for k, (name, ino) in enumerate(names):
        rec = 8 + (len(name) + 3) // 4 * 4
        if k == len(names) - 1:
            rec = bs - len(d)
        d += struct.pack('<IHBB', ino, rec, len(name), 0) + name.ljust(rec - 8, b'\0')
    dirblk = blk(d)
    itab = fd + 2 if inode_table is None else inode_table
    inodes = bytearray(16 * 128)
    def inode(n, mode, iblock, size, flags):
        o = (n - 1) * 128
        struct.pack_into('<HHI', inodes, o, mode, 0, size & 0xffffffff)
        struct.pack_into('<I', inodes, o + 32, flags)
        inodes[o + 40:o + 100] = iblock.ljust(60, b'\0')
    inode(2, 0o40755, struct.pack('<I', dirblk), bs, 0)
    for i, (name, mode, iblock, size, flags) in enumerate(files):
        inode(3 + i, mode, iblock, size, flags)
    total = max(max(blocks) + 1, itab + 2)
    declared = total if nblocks is None else nblocks
    img = bytearray(total * bs)
    for b, data in blocks.items():
        img[b * bs:(b + 1) * bs] = data
    img[itab * bs:itab * bs + len(inodes)] = inodes
    sb = 1024
    struct.pack_into('<II', img, sb, 16, declared & 0xffffffff)
    struct.pack_into('<III', img, sb + 20, fd, bs.bit_length() - 11, 0)
    struct.pack_into('<I', img, sb + 32, 8192 if declared < 1 << 32 else 0x80000000)
    struct.pack_into('<I', img, sb + 40, 16)
    struct.pack_into('<H', img, sb + 56, 0xef53)
    if declared >> 32:
        struct.pack_into('<I', img, sb + 96, 0x80)
        struct.pack_into('<I', img, sb + 0x150, declared >> 32)
    struct.pack_into('<I', img, (fd + 1) * bs + 8, itab)   # group 0: inode table
    return bytes(img)

EXT_EXTENTS = 0x80000
def ext_hdr(n, depth):
    return struct.pack('<HHHHI', 0xf30a, n, max(n, 4), depth, 0)

def ext_file(body):
    """/hello with its data in one extent."""
    st = ext_img(0)
    b = st[3](body)
    return ext_finish(st, [(b'hello', 0o100644, ext_hdr(1, 0) + struct.pack('<IHHI', 0, 1, 0, b), len(body), EXT_EXTENTS)])

def ext_fanout(fan):
    """/big: an extent tree of depth 5 whose index nodes each hold `fan` entries, all pointing
    to the same next-level block: 4 * fan^4 leaf visits when shared blocks are not detected
    (84 entries per 1 KiB block: ~2e8), one of each for fan = 1 (the clean twin)."""
    st = ext_img(0)
    data = st[3](b'extent tree leaf data\n')
    leaf = st[3](ext_hdr(1, 0) + struct.pack('<IHHI', 0, 1, 0, data))
    child = leaf
    for depth in range(1, 5):
        child = st[3](ext_hdr(fan, depth) + struct.pack('<IIHH', 0, child, 0, 0) * fan)
    root = ext_hdr(4 if fan > 1 else 1, 5) + struct.pack('<IIHH', 0, child, 0, 0) * (4 if fan > 1 else 1)
    return ext_finish(st, [(b'big', 0o100644, root, 1024, EXT_EXTENTS)])

def ext_wrap():
    """64 KiB blocks and 2^48 + 3 declared: blocks * block size wraps to the 192 KiB present,
    and an extent at block 2^48 - 1 passed the wrapped range check (read 64 KiB before the
    image). The inode table shares block 0 with the superblock."""
    st = ext_img(6, first_data=0)
    st[4][0] = 2   # root directory in block 2
    ext = ext_hdr(1, 0) + struct.pack('<IHHI', 0, 1, 0xffff, 0xffffffff)
    return ext_finish(st, [(b'wrap', 0o100644, ext, 100, EXT_EXTENTS)], nblocks=(1 << 48) + 3, inode_table=0)

w('fw_ext/crafted.ext', ext_file(b'hello ext\n'))
w('fw_ext/extent-tree.ext', ext_fanout(1))
w('fw_ext/regress-extent-fanout.ext', ext_fanout(84))
w('fw_ext/regress-48bit-wrap.ext', ext_wrap())

def jcrc(b):
    return zlib.crc32(b, 0xffffffff) ^ 0xffffffff  # JFFS2: seed 0, no final inversion

def jffs2_many(n):
    """n directories in the root (distinct names of one length), then "dup" and a newer dirent
    deleting it (inode 0): the newer version must win, so "dup" is not listed. Looking for a
    newer dirent of each name by scanning the rest of the directory was O(n^2) (4M nodes
    allowed: ~10^13 name compares)."""
    out = b''
    def dirent(pino, version, ino, name):
        body = struct.pack('<IIIIBBH', pino, version, ino, 0, len(name), 4, 0) + b'\0' * 8 + name
        h = struct.pack('<HHI', 0x1985, 0xe001, 12 + len(body))
        node = h + struct.pack('<I', jcrc(h)) + body
        return node + b'\0' * (-len(node) % 4)
    for i in range(n):
        out += dirent(1, 1, 2 + i, b'd%05d' % i)
    out += dirent(1, 2, n + 2, b'dup') + dirent(1, 3, 0, b'dup')
    return out

w('fw_jffs2/regress-many-dirents.jffs2', jffs2_many(8192))
w('fw_jffs2/dirents.jffs2', jffs2_many(4))

def ubifs_magics(size):
    """A valid superblock node, then node headers every 24 bytes (bad CRCs): in the first
    half each claims the rest of the image (the reader CRC'd all of it at every magic:
    O(size^2)), in the second half a full inode node (4256 bytes, CRC'd and charged)."""
    sb = bytearray(4096)
    struct.pack_into('<IIQIB', sb, 0, 0x06101831, 0, 0, 4096, 6)
    struct.pack_into('<II', sb, 36, 65536, size // 65536)
    struct.pack_into('<I', sb, 4, zlib.crc32(bytes(sb[8:])) ^ 0xffffffff)  # UBIFS: no final inversion
    out = bytearray(sb)
    while len(out) + 24 <= size:
        nlen = size - len(out) if len(out) < size // 2 else 4256
        out += struct.pack('<IIQIBBH', 0x06101831, 0, 0, nlen, 0, 0, 0)
    return bytes(out.ljust(size, b'\0'))

w('fw_ubifs/regress-magic-every-24-bytes.ubifs', ubifs_magics(2 << 20))

def ubi_last_lnum():
    """The seed UBI image with one data LEB renumbered 0xffffffff (CRC fixed): the volume size
    (highest LEB + 1) * LEB size wrapped to 0 in 32 bits and the LEB was copied far past the
    buffer."""
    img = bytearray(open(os.path.join(out, 'fw_ubi/rootfs.ubi'), 'rb').read())
    peb = 16384
    for o in range(0, len(img), peb):
        vid = o + struct.unpack_from('>I', img, o + 16)[0]
        if img[vid:vid + 4] == b'UBI!' and struct.unpack_from('>I', img, vid + 8)[0] != 0x7fffefff:
            struct.pack_into('>I', img, vid + 12, 0xffffffff)
            struct.pack_into('>I', img, vid + 60, zlib.crc32(bytes(img[vid:vid + 60])) ^ 0xffffffff)
            break
    return bytes(img)

w('fw_ubi/regress-lnum-wrap.ubi', ubi_last_lnum())

def sqfs4_claim(path, size):
    """The uncompressed-inode seed with the file inode of path claiming size bytes: libsquashfs
    allocated and read a block list of size / block size words for it before anything was
    checked (a basic inode: 4 MiB for 4 GiB; an extended one: 1 GiB for 2^40 bytes, minutes
    under ASan at every directory entry that names it)."""
    img = bytearray(open(os.path.join(out, 'fw_squashfs4/uncompressed-4k.sqfs'), 'rb').read())
    want = len(open(os.path.join(src, path), 'rb').read())
    itab, dtab = struct.unpack_from('<QQ', img, 64)
    for i in range(itab + 2, dtab - 56):
        typ = struct.unpack_from('<H', img, i)[0]
        if typ == 2 and struct.unpack_from('<I', img, i + 28)[0] == want:
            struct.pack_into('<I', img, i + 28, size)
            return bytes(img)
        if typ == 9 and struct.unpack_from('<Q', img, i + 24)[0] == want:
            struct.pack_into('<Q', img, i + 24, size)
            return bytes(img)
    raise SystemExit('sqfs4_claim: no file inode of %d bytes' % want)

w('fw_squashfs4/regress-claimed-size.sqfs', sqfs4_claim('etc/numbers', 0xffffffff))
w('fw_squashfs4/regress-claimed-size-ext.sqfs', sqfs4_claim('bin/sparse', 1 << 40))

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

def trx(version, parts, good_crc=True):
    """TRX with the given partitions (version 1: 3 offsets, version 2: 4)."""
    hl = 12 + 4 + 4 * (3 if version == 1 else 4)
    offs, data = [], b''
    for part in parts:
        offs.append(hl + len(data))
        data += part + b'\0' * (-len(part) % 4)
    offs += [0] * ((3 if version == 1 else 4) - len(offs))
    body = struct.pack('<HH', 0, version) + struct.pack('<%dI' % len(offs), *offs) + data
    crc = ~zlib.crc32(body) & 0xffffffff if good_crc else 0x12345678
    return b'HDR0' + struct.pack('<II', 12 + len(body), crc) + body

kern = open(os.path.join(out, 'fw_lzma/numbers.lzma'), 'rb').read()
sq4 = open(os.path.join(out, 'fw_squashfs4/rootfs-xz.sqfs'), 'rb').read()
w('fw_trx/v1-lzma-squashfs.trx', trx(1, [kern, sq4]))
w('fw_trx/v2-four-parts-bad-crc.trx', trx(2, [b'loader', kern, sq4, b'\xde\xad'], good_crc=False))

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
cp "$out/fw_romfs/genromfs.romfs" "$out/fw_cramfs/big-endian-holes.cramfs" "$out/fw_ubi/two-volumes.ubi" \
   "$out/fw_ext/crafted.ext" "$out/fw_squashfs3/be.sqfs3" "$out/fw_fit/image.itb" "$out/fw_walk/"
ls -l "$out"/fw_*/ | awk '{s+=$5} END {print "corpus bytes:", s}'

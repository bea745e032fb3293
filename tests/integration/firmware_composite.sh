#!/bin/sh
# A realistic composite firmware image built here from real Debian binaries (busybox, dropbear,
# installed by scripts/deps.sh) with planted weaknesses: SquashFS root filesystem (mksquashfs)
# inside a legacy U-Boot image (mkimage) after a boot-loader-sized pad. `jcstar firmware`
# must report EXACTLY the planted findings, an SBOM naming busybox and dropbear with their
# Debian versions and a CycloneDX 1.5 document with the structure the schema requires.
set -eu
: "${JCSTAR:?}" "${JCS_SRC:?}" "${JCS_FIXTURES:?}"
for t in mksquashfs mkimage jq openssl; do
	command -v $t >/dev/null || { echo "missing $t (scripts/deps.sh installs it)"; exit 1; }
done
. "$JCS_SRC/tests/integration/lib/wait.sh"
need_fixtures binaries/openssl-1.0.2g-1.1.mga5.i586.rpm.tar.gz vulndb/nvd
BUSYBOX=$(command -v busybox || echo /bin/busybox)
DROPBEAR=/usr/sbin/dropbear
[ -x "$BUSYBOX" ] && [ -x "$DROPBEAR" ] || { echo "needs Debian busybox and dropbear-bin"; exit 1; }

work=$(mktemp -d /tmp/jcs-composite.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/bin "$root"/sbin "$root"/usr/sbin "$root"/usr/bin "$root"/etc/init.d "$root"/etc/rc.button \
	"$root"/etc/ssl/private "$root"/etc/config "$root"/etc/dropbear "$root"/lib/upgrade "$root"/usr/lib/opkg
cp "$BUSYBOX" "$root"/bin/busybox
for a in sh ash login mount; do ln -s busybox "$root"/bin/$a; done
ln -s ../bin/busybox "$root"/sbin/init
ln -s ../../bin/busybox "$root"/usr/sbin/telnetd
cp "$DROPBEAR" "$root"/usr/sbin/dropbear
# a known-vulnerable component: the openssl binary of the fixture package openssl 1.0.2g
tar -xzf "$JCS_FIXTURES"/binaries/openssl-1.0.2g-1.1.mga5.i586.rpm.tar.gz -C "$work" usr/bin/openssl
cp "$work"/usr/bin/openssl "$root"/usr/bin/openssl

# accounts: root with a default password (md5-crypt of "admin"), guest with an empty password,
# ops with a strong random password
strong=$(openssl rand -base64 18)
cat > "$root"/etc/passwd <<EOT
root:x:0:0:root:/root:/bin/ash
guest:x:1000:1000:guest:/home/guest:/bin/ash
ops:x:1001:1001:ops:/home/ops:/bin/ash
nobody:*:65534:65534:nobody:/var:/bin/false
EOT
cat > "$root"/etc/shadow <<EOT
root:$(openssl passwd -1 -salt Jcs0Test admin):19700:0:99999:7:::
guest::19700:0:99999:7:::
ops:$(openssl passwd -6 -salt Jcs0Strong "$strong"):19700:0:99999:7:::
nobody:*:0:0:99999:7:::
EOT
# console shell without login, telnetd started by init; dropbear with password logins off
cat > "$root"/etc/inittab <<'EOT'
::sysinit:/etc/init.d/rcS
::askfirst:-/bin/sh
::respawn:/usr/sbin/telnetd -F -p 23
::shutdown:/bin/umount -a -r
EOT
cat > "$root"/etc/init.d/rcS <<'EOT'
#!/bin/sh
mount -a
/usr/sbin/dropbear -s -g -r /etc/dropbear/dropbear_ed25519_host_key
EOT
# an unencrypted private key shared by every device
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$root"/etc/ssl/private/device.key 2>/dev/null
# TLS verification off in the cloud sync script
cat > "$root"/usr/bin/cloud-sync <<'EOT'
#!/bin/sh
curl -k -s -o /tmp/cfg https://cloud.example.invalid/device/config
EOT
# a hard-coded MQTT password
cat > "$root"/etc/config/mqtt <<'EOT'
config broker 'cloud'
	option host 'mqtt.example.invalid'
	option username 'device'
	option password 'Mqtt-2024!'
EOT
# sysupgrade that writes the image without checking a signature
cat > "$root"/sbin/sysupgrade <<'EOT'
#!/bin/sh
. /lib/upgrade/common.sh
do_upgrade "$1"
EOT
cat > "$root"/lib/upgrade/common.sh <<'EOT'
do_upgrade() {
	mtd -r write "$1" firmware
}
EOT
# factory reset: firstboot and the reset button
printf '#!/bin/sh\n/sbin/jffs2reset "$@"\n' > "$root"/sbin/firstboot
printf '#!/bin/sh\n[ "$SEEN" -ge 5 ] && jffs2reset -y && reboot &\n' > "$root"/etc/rc.button/reset
chmod 755 "$root"/sbin/firstboot "$root"/sbin/sysupgrade "$root"/usr/bin/cloud-sync "$root"/etc/init.d/rcS
# package database of the image
cat > "$root"/usr/lib/opkg/status <<'EOT'
Package: busybox
Version: 1.35.0-4
Status: install user installed
Architecture: x86_64

Package: dropbear
Version: 2022.83-1
Status: install user installed
Architecture: x86_64

Package: libc
Version: 1.1.24-2
Status: install user installed
Architecture: x86_64

Package: kernel
Version: 4.14.195-1-3a4d1e8b0d7c2a7bd38b1c6a1d9bb5e0
Status: install user installed
Architecture: x86_64
EOT
# OpenWrt release and musl's loader: opkg's "libc" is musl, the kernel is 4.14.195
printf "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='19.07.4'\n" > "$root"/etc/openwrt_release
mkdir -p "$root"/lib && ln -s libc.so "$root"/lib/ld-musl-x86_64.so.1

mksquashfs "$root" "$work"/rootfs.sqfs -comp xz -all-root -noappend -quiet >/dev/null
mkimage -A x86 -O linux -T filesystem -C none -n "jcs composite rootfs" -d "$work"/rootfs.sqfs "$work"/rootfs.uimg >/dev/null
# flash layout: 64 KiB boot loader area (zeros), then the uImage
head -c 65536 /dev/zero > "$work"/firmware.bin
cat "$work"/rootfs.uimg >> "$work"/firmware.bin

"$JCSTAR" firmware "$work"/firmware.bin -o "$work"/ev.json --sbom "$work"/sbom.cdx.json \
	--vulndb "$JCS_FIXTURES"/vulndb/nvd > "$work"/out.txt
cat "$work"/out.txt

fail() { echo "FAIL: $*"; exit 1; }

# the same evidence with one thread and with four (decompression, the SBOM signature scan on the
# decompressing workers, and cracking in parallel):
# byte-identical once the run's own times are removed
for j in 1 4; do
	"$JCSTAR" firmware "$work"/firmware.bin --jobs $j -o "$work"/ev$j.json \
		--vulndb "$JCS_FIXTURES"/vulndb/nvd > /dev/null
	jq -S 'del(.started, .finished)' "$work"/ev$j.json > "$work"/ev$j.norm
done
cmp "$work"/ev1.norm "$work"/ev4.norm || fail "--jobs 1 and --jobs 4 give different evidence"
jq -S 'del(.started, .finished)' "$work"/ev.json | cmp - "$work"/ev1.norm || fail "default --jobs differs from --jobs 1"

# exactly the planted findings (result, id, location)
jq -r '.findings[] | "\(.result) \(.id) \(.location)"' "$work"/ev.json | sort > "$work"/got.txt
cat > "$work"/want.txt <<'EOT'
fail fw.account.default-password /etc/shadow:1
fail fw.account.empty-password /etc/shadow:2
fail fw.component.vulnerable /usr/bin/openssl
inconclusive fw.component.vulnerable /usr/lib/opkg/status
fail fw.console.unauthenticated /etc/inittab:2
fail fw.secret.hardcoded-credential /etc/config/mqtt:4
fail fw.secret.private-key /etc/ssl/private/device.key:1
fail fw.service.risky-enabled /etc/inittab:3
fail fw.tls.verification-disabled /usr/bin/cloud-sync:2
fail fw.update.signature /sbin/sysupgrade
pass fw.reset.mechanism /etc/rc.button/reset:2
pass fw.update.mechanism /sbin/sysupgrade
EOT
sort -o "$work"/want.txt "$work"/want.txt
diff -u "$work"/want.txt "$work"/got.txt || fail "findings differ from the planted weaknesses"

# details that matter
[ "$(jq -r '.findings[] | select(.id=="fw.account.default-password") | .evidence.password' "$work"/ev.json)" = admin ] ||
	fail "root's default password not named"
[ "$(jq -r '.findings[] | select(.id=="fw.component.vulnerable" and .result=="fail") | .evidence.id' "$work"/ev.json)" = CVE-2023-0286 ] ||
	fail "openssl 1.0.2g not matched to CVE-2023-0286"
# the kernel comes from opkg: NVD's range alone does not decide (OpenWrt may have backported)
jq -e '.findings[] | select(.id=="fw.component.vulnerable" and .result=="inconclusive") |
	.evidence.id == "CVE-2024-1086" and .evidence.status == "affected-upstream" and .evidence.component == "linux"' \
	"$work"/ev.json >/dev/null || fail "kernel CVE-2024-1086 not judged affected-upstream"
jq -e '.findings[] | select(.id=="fw.service.risky-enabled") | .criteria == ["S1.1-13"]' "$work"/ev.json >/dev/null ||
	fail "criteria not filled in"
jq -e '.kind == "firmware" and .schema == "jcstar.evidence/1"' "$work"/ev.json >/dev/null || fail "evidence header"
# the image analysed, tied by its SHA-256
[ "$(jq -r '.image | "\(.file) \(.size) \(.sha256)"' "$work"/ev.json)" = \
  "firmware.bin $(stat -c %s "$work"/firmware.bin) $(sha256sum "$work"/firmware.bin | cut -d' ' -f1)" ] ||
	fail "evidence image: $(jq -c .image "$work"/ev.json)"

# SBOM: busybox and dropbear (from the Debian binaries and the package database), openssl
jq -r '.components[] | "\(.name) \(.version)"' "$work"/ev.json | sort > "$work"/comps.txt
cat "$work"/comps.txt
grep -qx "busybox 1.35.0" "$work"/comps.txt || fail "busybox 1.35.0 missing"
grep -qx "dropbear 2022.83" "$work"/comps.txt || fail "dropbear 2022.83 missing"
grep -qx "openssl 1.0.2g" "$work"/comps.txt || fail "openssl 1.0.2g missing"
grep -qx "musl 1.1.24" "$work"/comps.txt || fail "OpenWrt libc not named musl 1.1.24"
grep -qx "linux 4.14.195" "$work"/comps.txt || fail "kernel version not normalised to 4.14.195"
[ "$(wc -l < "$work"/comps.txt)" -eq 5 ] || fail "unexpected components"
jq -e '.components[] | select(.name=="musl") | .cpe == "cpe:2.3:a:musl-libc:musl:1.1.24:*:*:*:*:*:*:*" and
	.purl == "pkg:opkg/openwrt/libc@1.1.24-2?distro=openwrt-19.07.4"' "$work"/ev.json >/dev/null ||
	fail "musl CPE/purl"
jq -e '.components[] | select(.name=="busybox") | (.files | index("/bin/busybox")) != null and
	(.files | index("/usr/lib/opkg/status")) != null and .purl == "pkg:opkg/openwrt/busybox@1.35.0-4?distro=openwrt-19.07.4"' \
	"$work"/ev.json >/dev/null || fail "busybox component: files or purl"

# CycloneDX 1.5: the structure bom-1.5.schema.json requires, spelled out
jq -e '
  .bomFormat == "CycloneDX" and .specVersion == "1.5" and .version == 1 and
  (.serialNumber | test("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")) and
  (.metadata.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")) and
  .metadata.component.type == "firmware" and
  (.metadata.tools.components | length == 1) and
  ([.components[] | .type as $t | ["application","library","operating-system","firmware"] | index($t)] | all) and
  ([.components[] | has("name") and has("bom-ref") and (.purl | startswith("pkg:"))] | all) and
  ([.components[] | .cpe // "cpe:2.3:x" | startswith("cpe:2.3:")] | all) and
  ([.components[]."bom-ref"] | length == (unique | length)) and
  ([.components[]."bom-ref"] as $refs | [.dependencies[].dependsOn[] | . as $r | $refs | index($r)] | all) and
  ([.vulnerabilities[] | has("id") and (.affects | length > 0) and
     ([.ratings[] | (.method | IN("CVSSv2","CVSSv3","CVSSv31","CVSSv4")) and
       (.severity | IN("critical","high","medium","low","none","info","unknown"))] | all)] | all)
' "$work"/sbom.cdx.json >/dev/null || fail "CycloneDX structure"
[ "$(jq -r '.vulnerabilities[] | select(.analysis.state=="exploitable") | .id' "$work"/sbom.cdx.json)" = CVE-2023-0286 ] ||
	fail "CycloneDX vulnerability"
[ "$(jq -r '.vulnerabilities[] | select(.analysis.state=="in_triage") | .id' "$work"/sbom.cdx.json)" = CVE-2024-1086 ] ||
	fail "CycloneDX: the kernel's upstream match is in triage"

# CycloneDX 1.5: the official JSON schema (strict), through the CycloneDX library's validator
NODE_DIR="${JCS_BUILD:-$work}/sbom-node"
if [ ! -d "$NODE_DIR/node_modules/@cyclonedx/cyclonedx-library" ]; then
	mkdir -p "$NODE_DIR"
	cp "${JCS_SRC:-.}"/tests/sbom/package.json "${JCS_SRC:-.}"/tests/sbom/package-lock.json "$NODE_DIR"/
	(cd "$NODE_DIR" && npm ci --no-audit --no-fund --silent) || fail "npm ci for the CycloneDX validator failed"
fi
cp "${JCS_SRC:-.}"/tests/sbom/validate.js "$NODE_DIR"/
node "$NODE_DIR"/validate.js "$work"/sbom.cdx.json || fail "CycloneDX 1.5 schema validation"

# the summary table names every finding
grep -q "^fail *high *fw.service.risky-enabled *" "$work"/out.txt || fail "summary table"
# jcstar assess with this evidence and the example declaration (which claims conformity for
# every criterion): the firmware decides S1.1-02/-08/-11/-13 against it, S1.1-06/-15 hold
"$JCSTAR" assess "${JCS_SRC:-.}"/examples/camera/declaration.yaml --evidence "$work"/ev.json \
	--today 2026-11-26 -o "$work"/report.json --sarif "$work"/report.sarif --quiet
for want in S1.1-02=nonconform S1.1-06=conform S1.1-08=nonconform S1.1-11=nonconform \
	S1.1-13=nonconform S1.1-15=conform S1.1-01=nonconform S1.1-12=nonconform; do
	got=$(jq -r --arg c "${want%=*}" '.criteria[] | select(.criterion==$c) | .verdict' "$work"/report.json)
	[ "$got" = "${want#*=}" ] || fail "assess: ${want%=*} is $got, expected ${want#*=}"
done
jq -e '.criteria[] | select(.criterion=="S1.1-08") | .reasons[0] | contains("fw.update.signature")' \
	"$work"/report.json >/dev/null || fail "S1.1-08 reason does not name fw.update.signature"

# the report ties itself to the image and the evidence file; SARIF validates, every result
# with a file location (image paths relative to its root)
[ "$(jq -r '.evidence[0] | "\(.sha256) \(.image.sha256)"' "$work"/report.json)" = \
  "$(sha256sum "$work"/ev.json | cut -d' ' -f1) $(sha256sum "$work"/firmware.bin | cut -d' ' -f1)" ] ||
	fail "report evidence hashes"
. "${JCS_SRC:-.}"/tests/integration/lib/sarif.sh
sarif_check "$work"/report.sarif
jq -e '[.runs[0].results[] | select(.ruleId == "fw.service.risky-enabled") | .locations[0].physicalLocation.artifactLocation |
	.uriBaseId == "FIRMWARE_ROOT" and (.uri | startswith("/") | not)] | length > 0 and all' "$work"/report.sarif >/dev/null ||
	fail "SARIF firmware path"

echo "composite firmware: $(wc -l < "$work"/got.txt) findings as planted"
echo "1 passed, 0 failed"

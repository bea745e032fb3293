#!/bin/sh
# libjcstar as a user gets it: `cmake --install` into a temporary prefix, then the examples
# are built against the installed library with pkg-config alone and run on real inputs:
# verify_label on labels issued here by the installed jcstar (valid with a fresh status
# statement; forged, tampered and statusless ones refused), ci_gate on SquashFS images built
# here (a planted empty password fails the gate, its clean twin passes, random bytes are
# incomplete). Also: the shared library's soname and exports (jcs_* only), and every public
# header compiling on its own from the installed tree.
set -eu
: "${JCS_SRC:?}" "${JCS_BUILD:?}"
for t in cmake pkg-config cc nm readelf mksquashfs; do
	command -v $t >/dev/null || { echo "missing $t (scripts/deps.sh installs it)"; exit 1; }
done
STAGE=$(mktemp -d /tmp/jcs-stage.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect CODE CMD...: run, keep stdout in $STAGE/out.txt, check the exit code
expect() {
	want=$1; shift
	set +e; "$@" >"$STAGE/out.txt" 2>"$STAGE/err.txt"; rc=$?; set -e
	[ "$rc" -eq "$want" ] || { cat "$STAGE/out.txt" "$STAGE/err.txt" >&2; fail "exit $rc, want $want: $*"; }
}

cmake --install "$JCS_BUILD" --prefix "$STAGE/usr" >/dev/null
P=$STAGE/usr
for f in bin/jcstar lib/libjcstar.so lib/pkgconfig/jcstar.pc include/jcstar/jcstar.h include/jcstar/label.h \
	include/jcstar/assess.h include/jcstar/probe.h include/jcstar/tls.h include/jcstar/firmware.h \
	share/man/man1/jcstar.1 share/man/man1/jcstar-label.1; do
	[ -e "$P/$f" ] || fail "not installed: $f"
done
readelf -d "$P/lib/libjcstar.so" | grep -q 'SONAME.*\[libjcstar\.so\.0\]' || fail "soname is not libjcstar.so.0"
nm -D --defined-only "$P/lib/libjcstar.so" | awk '$2 ~ /^[TDRB]$/ {print $3}' >"$STAGE/exports"
grep -q '^jcs_label_check$' "$STAGE/exports" || fail "jcs_label_check not exported"
if grep -v '^jcs_' "$STAGE/exports"; then fail "libjcstar.so exports symbols outside jcs_* (above)"; fi
"$P/bin/jcstar" --version >/dev/null || fail "installed jcstar does not run"

export PKG_CONFIG_PATH="$P/lib/pkgconfig"
CFLAGS="-std=c17 -Wall -Wextra -Werror $(pkg-config --cflags jcstar)"
LIBS="$(pkg-config --libs jcstar) -Wl,-rpath,$P/lib"
# a sanitizer build of the library needs the sanitizer runtimes in every program linking it
grep -q '^JCS_SANITIZE:BOOL=ON' "$JCS_BUILD/CMakeCache.txt" && LIBS="$LIBS -fsanitize=address,undefined"
for h in "$P"/include/jcstar/*.h; do
	printf '#include <jcstar/%s>\nint main(void) { return 0; }\n' "$(basename "$h")" >"$STAGE/h.c"
	# shellcheck disable=SC2086
	cc $CFLAGS -o "$STAGE/h" "$STAGE/h.c" $LIBS || fail "public header $(basename "$h") does not compile alone"
done
for e in verify_label ci_gate; do
	# shellcheck disable=SC2086
	cc $CFLAGS -o "$STAGE/$e" "$JCS_SRC/examples/$e.c" $LIBS || fail "examples/$e.c does not build"
done

# --- verify_label on labels issued by the installed jcstar
J=$P/bin/jcstar
cd "$STAGE"
expect 0 "$J" label keygen --out reg.key --pub reg.pub
expect 0 "$J" label keygen --out other.key --pub other.pub
sign() { # key out
	expect 0 "$J" label sign --key "$1" --regno JCS-1-2026-000042 --vendor "Example Devices" \
		--product "Camera" --model CAM-1 --level 1 --registry registry.example \
		--url https://registry.example/p/JCS-1-2026-000042 -o "$2"
}
sign reg.key real.json
sign other.key forged.json
mkdir log
expect 0 "$J" label log --key reg.key --registry registry.example --out-dir log real.json
[ -s log/real.json.status.json ] || fail "no status statement from jcstar label log"
expect 0 ./verify_label reg.pub real.json log/real.json.status.json
grep -q '^JCS-1-2026-000042: valid$' out.txt || fail "valid label: $(cat out.txt)"
expect 1 ./verify_label reg.pub forged.json log/real.json.status.json
grep -q 'bad signature' out.txt || fail "forged label: $(cat out.txt)"
sed 's/"Camera"/"Camera Pro"/' real.json >tampered.json
cmp -s real.json tampered.json && fail "tampering changed nothing"
expect 1 ./verify_label reg.pub tampered.json log/real.json.status.json
grep -q 'bad signature' out.txt || fail "tampered label: $(cat out.txt)"
expect 1 ./verify_label reg.pub real.json                       # no status statement: never "valid"
grep -q 'status not checked' out.txt || fail "statusless label: $(cat out.txt)"
expect 1 ./verify_label other.pub real.json log/real.json.status.json
grep -q 'bad signature' out.txt || fail "wrong registry key: $(cat out.txt)"
echo '{"payload":' >broken.json
expect 2 ./verify_label reg.pub broken.json

# --- ci_gate on a planted image and its clean twin
mkdir -p bad/etc good/etc
printf 'root:x:0:0:root:/root:/bin/sh\nguest:x:1000:1000::/home/guest:/bin/sh\n' | tee bad/etc/passwd >good/etc/passwd
printf 'root:*:19700:0:99999:7:::\nguest::19700:0:99999:7:::\n' >bad/etc/shadow
printf 'root:*:19700:0:99999:7:::\nguest:*:19700:0:99999:7:::\n' >good/etc/shadow
mksquashfs bad bad.img -quiet -noappend -all-root >/dev/null
mksquashfs good good.img -quiet -noappend -all-root >/dev/null
expect 1 ./ci_gate bad.img bad.json
grep -q "^FAIL high     fw.account.empty-password: Account 'guest'" out.txt || fail "planted finding: $(cat out.txt)"
grep -q '"schema": *"jcstar.evidence/1"' bad.json || fail "no evidence written"
expect 0 ./ci_gate good.img
grep -q '0 failing.*analysis complete' out.txt || fail "clean twin: $(cat out.txt)"
head -c 8192 /dev/urandom >noise.img                             # nothing recognised: not a pass
expect 4 ./ci_gate noise.img
grep -q 'analysis incomplete' out.txt || fail "noise image: $(cat out.txt)"
expect 3 ./ci_gate missing.img
echo "ok: libjcstar installed, examples built with pkg-config and run"

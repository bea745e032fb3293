#!/bin/sh
# An image that could not be read completely is never reported as a complete analysis: a
# SquashFS jcstar cannot read (AVM's big-endian variant) exits 4 (incomplete) with
# coverage.complete false, the unread part in not_tested and no "pass"; the same with
# --no-analysis, and for an input with nothing recognised (a JPEG). Clean twin: a SquashFS
# that reads completely exits 0 with coverage.complete true.
set -eu
J=${JCSTAR:?}
: "${JCS_FIXTURES:?}"
. "$JCS_SRC"/tests/integration/lib/wait.sh
need_fixtures firmware/squashfs/avm_be.sqfs4 firmware/squashfs/gzip.sqfs
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v jq >/dev/null || fail "missing jq"
run() { rc=0; "$J" firmware "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?; }

# 1. unreadable filesystem: incomplete
run "$JCS_FIXTURES"/firmware/squashfs/avm_be.sqfs4 -o "$tmp/avm.json"
[ "$rc" = 4 ] || fail "avm_be.sqfs4: exit $rc, expected 4 (incomplete)"
grep -q 'incomplete: 1 part(s) .* could not be read' "$tmp/err" || fail "avm_be.sqfs4: no incomplete message: $(cat "$tmp/err")"
jq -e '.coverage.complete == false and .coverage.unread_parts == 1 and
	(.coverage.not_tested | length == 1) and (.coverage.not_tested[0].why | test("big-endian"))' \
	"$tmp/avm.json" >/dev/null || fail "avm_be.sqfs4 coverage: $(jq -c .coverage "$tmp/avm.json")"
jq -e '[.findings[] | select(.result == "pass")] | length == 0' "$tmp/avm.json" >/dev/null ||
	fail "avm_be.sqfs4: a pass from an image that could not be read"
run "$JCS_FIXTURES"/firmware/squashfs/avm_be.sqfs4 --no-analysis
[ "$rc" = 4 ] || fail "avm_be.sqfs4 --no-analysis: exit $rc, expected 4"

# 2. nothing recognised (a JPEG): incomplete, with and without analysis
printf '\377\330\377\340\000\020JFIF\000\001\001\000\000\001\000\001\000\000\377\331' > "$tmp/photo.jpg"
run "$tmp/photo.jpg" --no-analysis
[ "$rc" = 4 ] || fail "JPEG --no-analysis: exit $rc, expected 4"
run "$tmp/photo.jpg" -o "$tmp/jpg.json"
[ "$rc" = 4 ] || fail "JPEG: exit $rc, expected 4"
jq -e '.coverage.complete == false' "$tmp/jpg.json" >/dev/null || fail "JPEG: coverage complete"

# clean twin: read completely, exit 0
run "$JCS_FIXTURES"/firmware/squashfs/gzip.sqfs -o "$tmp/ok.json"
[ "$rc" = 0 ] || fail "gzip.sqfs: exit $rc, expected 0: $(cat "$tmp/err")"
jq -e '.coverage.complete == true and .coverage.unread_parts == 0 and (.coverage | has("not_tested") | not)' \
	"$tmp/ok.json" >/dev/null || fail "gzip.sqfs coverage: $(jq -c .coverage "$tmp/ok.json")"
run "$JCS_FIXTURES"/firmware/squashfs/gzip.sqfs --no-analysis
[ "$rc" = 0 ] || fail "gzip.sqfs --no-analysis: exit $rc, expected 0"
echo "firmware incomplete: unreadable image and JPEG exit 4, complete image exits 0"

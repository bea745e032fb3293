#!/bin/sh
# -o -: the machine output alone on stdout (exactly one JSON document that jq parses), the
# human summary on stderr — for jcstar firmware (also with --list) and jcstar assess (each
# report format). tls.sh and probe_hardened.sh check the same for jcstar tls and probe.
set -eu
J=${JCSTAR:?}
: "${JCS_FIXTURES:?}"
ex=examples/camera
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v jq >/dev/null || fail "missing jq"
one_json() { jq -s -e "length == 1 and (.[0] | $2)" "$1" >/dev/null || fail "$1: stdout is not one JSON document with $2: $(head -c 300 "$1")"; }

img=$JCS_FIXTURES/firmware/squashfs/gzip.sqfs
"$J" firmware "$img" -o - > "$tmp/fw.json" 2> "$tmp/fw.err"
one_json "$tmp/fw.json" '.schema == "jcstar.evidence/1" and .kind == "firmware" and (.image.sha256 | length == 64)'
grep -q '^summary: ' "$tmp/fw.err" && grep -q '^RESULT ' "$tmp/fw.err" || fail "firmware summary not on stderr"
"$J" firmware "$img" -o - --list > "$tmp/fwl.json" 2> "$tmp/fwl.err"
one_json "$tmp/fwl.json" '.kind == "firmware"'
grep -q '^squashfs@0x0 ' "$tmp/fwl.err" || fail "--list not on stderr with -o -"
# without -o -, the summary stays on stdout (the twin)
"$J" firmware "$img" > "$tmp/plain.txt" 2>/dev/null
grep -q '^summary: ' "$tmp/plain.txt" || fail "summary left stdout without -o -"

ev="--evidence $ex/evidence/probe.json --evidence $ex/evidence/firmware.json"
# shellcheck disable=SC2086
"$J" assess $ex/declaration.yaml $ev -o - > "$tmp/r.json" 2> "$tmp/r.err"
one_json "$tmp/r.json" '.schema == "jcstar.report/1"'
grep -q '^S1.1-01   nonconform' "$tmp/r.err" || fail "assess summary not on stderr"
# shellcheck disable=SC2086
"$J" assess $ex/declaration.yaml $ev --sarif - --html "$tmp/r.html" > "$tmp/r.sarif" 2> "$tmp/r.err"
one_json "$tmp/r.sarif" '.version == "2.1.0"'
grep -q "^html .*r.html" "$tmp/r.err" || fail "assess: written files not listed on stderr"
# two reports on stdout would mix: refused
set +e
# shellcheck disable=SC2086
"$J" assess $ex/declaration.yaml $ev -o - --sarif - > /dev/null 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q 'only one report may go to stdout' "$tmp/err" || fail "two outputs on stdout: exit $rc"
echo "1 passed, 0 failed"

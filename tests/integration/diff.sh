#!/bin/sh
# jcstar diff on real reports: assess the example camera, then again with one evidence finding
# changed (probe.auth.bruteforce pass → fail): the diff names S1.1-04 worse and the changed
# finding, --fail-on regression exits 1; the reverse direction is an improvement (exit 0); a
# report against itself (the clean twin) has no change. Evidence files diff too; -o - gives JSON
# alone on stdout; bad input exits 2.
set -eu
J=${JCSTAR:?}
ex=examples/camera
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v jq >/dev/null || fail "missing jq"

jq '(.findings[] | select(.id == "probe.auth.bruteforce")) |= (.result = "fail" | .severity = "high")' \
	$ex/evidence/probe.json > "$tmp/probe2.json"
"$J" assess $ex/declaration.yaml --evidence $ex/evidence/probe.json --evidence $ex/evidence/firmware.json \
	--today 2026-11-26 -o "$tmp/old.json" --quiet
"$J" assess $ex/declaration.yaml --evidence "$tmp/probe2.json" --evidence $ex/evidence/firmware.json \
	--today 2026-11-26 -o "$tmp/new.json" --quiet

# text to stdout by default; exit 0 without --fail-on
"$J" diff "$tmp/old.json" "$tmp/new.json" > "$tmp/out.txt" || fail "diff exit $?"
grep -q '^  S1.1-04   conform        → nonconform      worse' "$tmp/out.txt" || fail "text: $(cat "$tmp/out.txt")"
grep -q '^  ~ pass→fail  *probe.auth.bruteforce  *tcp/443 (https) .*\[regression\]$' "$tmp/out.txt" || fail "text finding"
grep -q '^regression: yes' "$tmp/out.txt" || fail "text regression"

# --fail-on regression: 1 one way, 0 the other way, 0 against itself
set +e
"$J" diff "$tmp/old.json" "$tmp/new.json" --fail-on regression -q -o "$tmp/d.json"; rc=$?
"$J" diff "$tmp/new.json" "$tmp/old.json" --fail-on regression -q -o "$tmp/back.json"; rc2=$?
"$J" diff "$tmp/old.json" "$tmp/old.json" --fail-on regression -q -o "$tmp/same.json"; rc3=$?
set -e
[ $rc -eq 1 ] && [ $rc2 -eq 0 ] && [ $rc3 -eq 0 ] || fail "--fail-on exits $rc $rc2 $rc3 (want 1 0 0)"
jq -e '.schema == "jcstar.diff/1" and .kind == "report" and .summary.regression and
	.summary.criteria_worse == 1 and .summary.findings_changed == 1 and .summary.findings_added == 0 and
	(.criteria | length == 1) and .criteria[0].criterion == "S1.1-04" and .criteria[0].old == "conform" and
	.criteria[0].new == "nonconform" and .findings[0].id == "probe.auth.bruteforce" and
	.findings[0].old.result == "pass" and .findings[0].new.result == "fail"' "$tmp/d.json" >/dev/null ||
	fail "JSON diff: $(cat "$tmp/d.json")"
[ "$(jq -r .old.sha256 "$tmp/d.json")" = "$(sha256sum "$tmp/old.json" | cut -d' ' -f1)" ] || fail "old sha256"
jq -e '(.summary.regression | not) and .summary.criteria_better == 1 and .criteria[0].change == "better"' \
	"$tmp/back.json" >/dev/null || fail "reverse diff"
jq -e '(.criteria | length) == 0 and (.findings | length) == 0 and (.summary.regression | not)' \
	"$tmp/same.json" >/dev/null || fail "self diff is not empty"

# evidence files, and -o -: JSON alone on stdout (the summary on stderr)
"$J" diff $ex/evidence/probe.json "$tmp/probe2.json" -o - 2> "$tmp/err" | jq -e '.kind == "evidence" and
	.summary.findings_regressed == 1 and (.criteria | length) == 0' >/dev/null || fail "evidence diff via -o -"
grep -q '^regression: yes' "$tmp/err" || fail "summary not on stderr"
"$J" diff $ex/evidence/probe.json "$tmp/probe2.json" --format json | jq -e .summary >/dev/null || fail "--format json"

# bad input: a report against evidence, a declaration, one file: exit 2 with the reason
set +e
"$J" diff "$tmp/old.json" $ex/evidence/probe.json 2> "$tmp/err"; a=$?
"$J" diff "$tmp/old.json" $ex/declaration.yaml 2>> "$tmp/err"; b=$?
"$J" diff "$tmp/old.json" 2>> "$tmp/err"; c=$?
"$J" diff "$tmp/old.json" "$tmp/new.json" --fail-on anything 2>> "$tmp/err"; d=$?
set -e
[ $a -eq 2 ] && [ $b -eq 2 ] && [ $c -eq 2 ] && [ $d -eq 2 ] || fail "bad input exits $a $b $c $d"
grep -q 'is a report but .*probe.json is evidence' "$tmp/err" || fail "mixed kinds message"
grep -q 'declaration.yaml:1:1: invalid JSON' "$tmp/err" || fail "not JSON message: $(cat "$tmp/err")"
echo "1 passed, 0 failed"

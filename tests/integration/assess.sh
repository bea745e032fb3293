#!/bin/sh
# jcstar assess on the example camera: verdicts, every report form, --fail-on, and bad input
# (exit 2 with file:line:column, nothing written).
set -eu
J=${JCSTAR:?}
ex=examples/camera
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ev="--evidence $ex/evidence/probe.json --evidence $ex/evidence/firmware.json"

# shellcheck disable=SC2086
"$J" assess $ex/declaration.yaml $ev --today 2026-11-26 -o "$tmp/r.json" --html "$tmp/r.html" \
	--sarif "$tmp/r.sarif" --checklist "$tmp/r.csv" > "$tmp/out.txt"
grep -q '^S1.1-01   nonconform' "$tmp/out.txt" || fail "summary table"
grep -q 'Not ready to declare ★1: 4 nonconform, 2 need evidence.' "$tmp/out.txt" || fail "summary line"
python3 - "$tmp" <<'PY'
import json, sys, csv, io
d = sys.argv[1]
r = json.load(open(d + "/r.json"))
assert r["schema"] == "jcstar.report/1"
v = {c["criterion"]: c for c in r["criteria"]}
assert list(v) == ["S1.1-%02d" % i for i in range(1, 17)]
want = {"S1.1-01": "nonconform", "S1.1-04": "conform", "S1.1-05": "needs-evidence", "S1.1-11": "nonconform",
        "S1.1-12": "nonconform", "S1.1-13": "nonconform", "S1.1-14": "needs-evidence", "S1.1-16": "conform"}
for k, w in want.items():
    assert v[k]["verdict"] == w, (k, v[k]["verdict"], v[k]["reasons"])
# reasons name the deciding findings
assert any("probe.auth.none at tcp/554" in s for s in v["S1.1-01"]["reasons"])
assert any("fw.secret.private-key" in s for s in v["S1.1-11"]["reasons"])
assert any("fw.component.vulnerable" in s for s in v["S1.1-13"]["reasons"])
assert all(c["reasons"] and c["reasons_ja"] for c in r["criteria"])
assert r["summary"]["counts"] == {"conform": 10, "nonconform": 4, "needs-evidence": 2, "not-applicable": 0}
s = {x["id"]: x for x in r["schemes"]}
assert s["psti"]["ready"] is False and s["psti"]["not_met"] == ["psti-2"]
sarif = json.load(open(d + "/r.sarif"))
assert sarif["version"] == "2.1.0"
rules = {x["ruleId"] for x in sarif["runs"][0]["results"]}
assert {"probe.auth.none", "fw.secret.private-key", "fw.component.vulnerable"} <= rules, rules
raw = open(d + "/r.csv", encoding="utf-8-sig").read()
rows = list(csv.reader(io.StringIO(raw)))
assert len(rows) == 17 and rows[1][1] == "S1.1-01" and rows[1][7] == "不適合", rows[1]
html = open(d + "/r.html", encoding="utf-8").read()
assert "<script" not in html and html.count('<section class="crit"') == 16
assert "<svg" in html  # the brute-force latency chart
print("reports ok")
PY

# --fail-on
set +e
# shellcheck disable=SC2086
"$J" assess $ex/declaration.yaml $ev --fail-on nonconform --quiet; rc=$?
set -e
[ $rc -eq 1 ] || fail "--fail-on nonconform exit $rc"

# JSON to stdout
# shellcheck disable=SC2086
"$J" assess $ex/declaration.yaml $ev -o - --quiet | python3 -c 'import json,sys; assert json.load(sys.stdin)["level"]==1'

# a declaration with an error: exit 2, file:line:column, nothing written
printf 'schema: jcstar.declaration/1\nproduct:\n  vendor: A\n  model: B\n  type: camera\n  firmware_version: "1"\n  support_end: 2025-02-30\nlevel: 1\nanswers: {}\n' > "$tmp/bad.yaml"
set +e
"$J" assess "$tmp/bad.yaml" -o "$tmp/never.json" --html "$tmp/never.html" 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "bad declaration exit $rc"
grep -q "bad.yaml:7:16: " "$tmp/err" || fail "bad declaration message: $(cat "$tmp/err")"
[ ! -e "$tmp/never.json" ] && [ ! -e "$tmp/never.html" ] || fail "half-written output"

# bad evidence: exit 2, named
echo '{"schema":"jcstar.evidence/1","kind":"probe","subject":"x","findings":[{"id":"nope","result":"fail"}]}' > "$tmp/ev.json"
set +e
"$J" assess $ex/declaration.yaml --evidence "$tmp/ev.json" -o "$tmp/never.json" 2> "$tmp/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "bad evidence exit $rc"
grep -q "ev.json: findings\[0\]: unknown finding id 'nope'" "$tmp/err" || fail "bad evidence message"
[ ! -e "$tmp/never.json" ] || fail "half-written output"

# usage errors
set +e
"$J" assess 2>/dev/null; rc=$?
set -e
[ $rc -eq 2 ] || fail "usage exit $rc"
echo "1 passed, 0 failed"

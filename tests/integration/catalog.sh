#!/bin/sh
# jcstar catalog: the ★1 list in every format, crosswalks, errors.
set -eu
J=${JCSTAR:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$J" catalog --format json > "$tmp/c.json"
python3 - "$tmp/c.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["schema"] == "jcstar.catalog/1"
ids = [x["id"] for x in c["criteria"]]
assert ids == ["S1.1-%02d" % i for i in range(1, 17)], ids
for x in c["criteria"]:
    assert x["title"]["ja"] and x["title"]["en"] and x["method"] in ("doc", "device", "doc+scan")
    assert x["crosswalk"], x["id"]
prov = {(s["id"], p["ref"]) for s in c["schemes"] for p in s["provisions"]}
for x in c["criteria"]:
    for r in x["crosswalk"]:
        assert (r["scheme"], r["ref"]) in prov, r
print("catalog json ok")
PY
"$J" catalog | grep -q '^S1.1-04   device' || fail "text table"
"$J" catalog --crosswalk psti | grep -q 'psti-1\*' || fail "psti crosswalk marks official"
"$J" catalog --crosswalk cls | grep -q 'not mapped\|no ★1 criterion mapped: 5.1-3' || fail "cls uncovered"
[ "$("$J" catalog --format csv | wc -l)" -eq 17 ] || fail "csv rows"
# ★2 criteria are not published: refused (exit 2), never printed as ★1; the profile says so
if "$J" catalog --level 2 --format json > /dev/null 2> "$tmp/lvl2.err"; then echo "FAIL: --level 2 accepted" >&2; exit 1; fi
grep -q "not published" "$tmp/lvl2.err" || { echo "FAIL: --level 2: $(cat "$tmp/lvl2.err")" >&2; exit 1; }
"$J" catalog --format json | python3 -c 'import json,sys; c=json.load(sys.stdin); assert len(c["criteria"])==16; assert [p for p in c["profiles"] if p["id"]=="star2-camera"][0]["published"] is False'
set +e
"$J" catalog --crosswalk nope 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "unknown scheme exit $rc"
grep -q "unknown scheme 'nope'" "$tmp/err" || fail "unknown scheme message"
echo "1 passed, 0 failed"

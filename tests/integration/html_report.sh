#!/bin/sh
# The HTML report of the example camera: a Japanese label on every table header, no English
# finding title inside the Japanese reasons, and a print layout that headless Chromium really
# prints: every PDF page carries the running header (product, firmware version, level, date)
# and "N / M" in the footer. Japanese glyphs need a CJK font (fonts-noto-cjk).
set -eu
J=${JCSTAR:?}
ex=examples/camera
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for t in chromium pdftotext pdfinfo fc-list python3 jq; do
	command -v $t >/dev/null || fail "missing $t (scripts/debian-packages.txt)"
done
[ -n "$(fc-list :lang=ja family)" ] || fail "no font covers Japanese: Japanese would print as boxes (fonts-noto-cjk)"

"$J" assess $ex/declaration.yaml --evidence $ex/evidence/probe.json --evidence $ex/evidence/firmware.json \
	--today 2026-11-26 -o "$tmp/r.json" --html "$tmp/r.html" --quiet

python3 - "$tmp" <<'PY'
import json, re, sys
d = sys.argv[1]
html = open(d + "/r.html", encoding="utf-8").read()
ths = re.findall(r"<th>(.*?)</th>", html)
assert len(ths) > 20, ths
untranslated = [t for t in set(ths) if t != "ID" and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", t)]
assert not untranslated, untranslated
r = json.load(open(d + "/r.json"))
cited = 0
for c in r["criteria"]:
    for f in c["findings"]:
        for ja in c["reasons_ja"]:
            if f["id"] in ja:
                cited += 1
                assert f["title"] not in ja, (c["criterion"], ja)
assert cited >= 10, cited
# the English reasons keep the evidence's own titles
assert any("RTSP DESCRIBE" in s for s in r["criteria"][0]["reasons"])
assert "認証なしでアクセスできるネットワークサービス" in r["criteria"][0]["reasons_ja"][0]
# what a reader sees: no raw identifiers (snake_case states), and every verdict word beside
# its Japanese ("不適合 / nonconform")
import html as H
text = H.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>|<script.*?</script>", "", html, flags=re.S)))
raw = sorted(set(re.findall(r"\b[a-z]+_[a-z_]+\b", text)))
assert not raw, raw
bare = re.sub(r"[\u3040-\u30ff\u4e00-\u9fff]+ / (needs-evidence|not-applicable|nonconform|conform)", "",
             text.replace(r["summary"]["statement"], "")) # the English summary sentence stays English
left = sorted(set(re.findall(r"\b(needs-evidence|not-applicable|nonconform|conform)\b", bare)))
assert not left, ("verdict words without their Japanese", left)
print("labels ok: %d headers, %d cited findings" % (len(ths), cited))
PY

# print to PDF as a reviewer would (A4), then read each page's text
chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --no-first-run \
	--user-data-dir="$tmp/chromium" --print-to-pdf="$tmp/r.pdf" "file://$tmp/r.html" >/dev/null 2>&1 ||
	fail "chromium --print-to-pdf"
pages=$(pdfinfo "$tmp/r.pdf" | awk '/^Pages:/ {print $2}')
[ "$pages" -ge 5 ] || fail "only $pages pages"
date=$(jq -r '.generated[0:10]' "$tmp/r.json")
i=1
while [ $i -le "$pages" ]; do
	pdftotext -layout -f $i -l $i "$tmp/r.pdf" "$tmp/p.txt"
	grep -q "Acme Corp. NC-200 — ファームウェア / firmware 2.4.1" "$tmp/p.txt" || fail "page $i: no running header"
	grep -q "JC-STAR ★1 — $date" "$tmp/p.txt" || fail "page $i: no level and date in the header"
	grep -Eq "^ +$i / $pages\$" "$tmp/p.txt" || fail "page $i: no page number '$i / $pages'"
	i=$((i + 1))
done
pdftotext "$tmp/r.pdf" - | grep -q "適合性自己評価レポート" || fail "Japanese title not in the PDF text"
# as Chromium printed it: no raw identifier (snake_case state ids) reaches the reader
raw=$(pdftotext "$tmp/r.pdf" - | grep -Eo '\b[a-z]+_[a-z_]+\b' | sort -u | tr '\n' ' ')
[ -z "$raw" ] || fail "untranslated identifiers in the printed report: $raw"
echo "print layout ok: $pages pages"
echo "1 passed, 0 failed"

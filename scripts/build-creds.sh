#!/bin/sh
# Rebuild data/creds/default.txt (user:pass per line) from the third-party lists in
# $JCS_FIXTURES/creds (sources and licences: data/creds/README.md), ordered by how often a
# pair is exploited in the wild: the Mirai botnet pairs first (in Mirai's own order), then the
# rest, pairs found in more lists first, ties in order of first appearance. Also
# data/creds/vendor.txt: vendor defaults, which the probe moves right after the Mirai pairs
# for the vendor the declaration names.
set -eu
F=${JCS_FIXTURES:-$(dirname "$0")/../tests/fixtures}/creds
OUT=${1:-$(dirname "$0")/../data/creds/default.txt}
VOUT=$(dirname "$OUT")/vendor.txt
{
	# Mirai: "user pass", "(none)" = empty password
	tr -d '\r' < "$F/seclists/mirai-botnet.txt" | awk '{u=$1; p=$2; if (p=="(none)") p=""; print "mirai\t" u ":" p}'
	for l in telnet ssh ftp; do
		tr -d '\r' < "$F/seclists/$l-betterdefaultpasslist.txt" | sed 's/ *$//' | grep ':' | sed "s/^/$l\t/"
	done
	tr -d '\r' < "$F/routersploit/defaults.txt" | grep ':' | sed 's/^/routersploit\t/'
} | awk -F'\t' '
	{ pair = $2; if (!(pair in first)) { first[pair] = NR; order[++n] = pair }
	  if ($1 == "mirai") mirai[pair] = 1
	  key = $1 SUBSEP pair; if (!(key in seen)) { seen[key] = 1; lists[pair]++ } }
	END { for (i = 1; i <= n; i++) { p = order[i]
		printf "%d\t%d\t%07d\t%s\n", (p in mirai) ? 0 : 1, (p in mirai) ? 0 : 99 - lists[p], first[p], p } }' |
	sort -t '	' -k1,1n -k2,2n -k3,3n |
	awk -F'\t' '$1 == 1 && !marked { print "# end of the Mirai/IoT-botnet pairs: vendor defaults for the declared vendor go here"; marked = 1 }
		{ print $4 }' > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
wc -l "$OUT"

# Vendor defaults (vendor<TAB>user:pass), tried right after the Mirai pairs when the declaration
# names the vendor. <BLANK> is an empty password; rows without a user name are left out.
python3 - "$F/seclists/default-passwords.csv" >"$VOUT.tmp" <<'PY'
import csv, sys
seen = set()
with open(sys.argv[1], newline="", encoding="utf-8", errors="replace") as f:
    for row in csv.DictReader(f):
        v, u, p = ((row.get(k) or "").strip() for k in ("Vendor", "Username", "Password"))
        p = "" if p == "<BLANK>" else p
        if not v or not u or u in ("<BLANK>", "<N/A>") or p == "<N/A>" or " " in u or ":" in u or "\t" in v + u + p or "\n" in v + u + p:
            continue
        if (v.lower(), u, p) not in seen:
            seen.add((v.lower(), u, p))
            print(f"{v}\t{u}:{p}")
PY
mv "$VOUT.tmp" "$VOUT"
wc -l "$VOUT"

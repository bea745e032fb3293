#!/bin/sh
# Rebuild data/creds/default.txt (user:pass per line) from the third-party lists in
# $JCS_FIXTURES/creds (sources and licences: data/creds/README.md). Pairs found in more
# lists come first; ties keep the order of first appearance (Mirai list first).
set -eu
F=${JCS_FIXTURES:-$(dirname "$0")/../tests/fixtures}/creds
OUT=${1:-$(dirname "$0")/../data/creds/default.txt}
{
	# Mirai: "user pass", "(none)" = empty password
	tr -d '\r' < "$F/seclists/mirai-botnet.txt" | awk '{u=$1; p=$2; if (p=="(none)") p=""; print "mirai\t" u ":" p}'
	for l in telnet ssh ftp; do
		tr -d '\r' < "$F/seclists/$l-betterdefaultpasslist.txt" | sed 's/ *$//' | grep ':' | sed "s/^/$l\t/"
	done
	tr -d '\r' < "$F/routersploit/defaults.txt" | grep ':' | sed 's/^/routersploit\t/'
} | awk -F'\t' '
	{ pair = $2; if (!(pair in first)) { first[pair] = NR; order[++n] = pair }
	  key = $1 SUBSEP pair; if (!(key in seen)) { seen[key] = 1; lists[pair]++ } }
	END { for (i = 1; i <= n; i++) printf "%d\t%07d\t%s\n", lists[order[i]], first[order[i]], order[i] }' |
	sort -t '	' -k1,1nr -k2,2n | cut -f3- > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
wc -l "$OUT"

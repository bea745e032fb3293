# Assertions on an evidence file with jq. Source after setting EV=path.
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }

# expect ID LOCATION RESULT [JQ-CONDITION on .evidence]
expect() {
	cond=${4:-true}
	if jq -e --arg id "$1" --arg loc "$2" --arg r "$3" \
		"[.findings[] | select(.id == \$id and .location == \$loc and .result == \$r) | select(.evidence | $cond)] | length > 0" \
		"$EV" >/dev/null; then
		ok "$1 $2 $3"
	else
		fail "$1 $2 expected $3${4:+ with $4}; got: $(jq -c --arg id "$1" --arg loc "$2" \
			'[.findings[] | select(.id == $id and .location == $loc) | {result, evidence}]' "$EV" | cut -c1-400)"
	fi
}

# expect_none RESULT: no finding has this result
expect_none() {
	n=$(jq --arg r "$1" '[.findings[] | select(.result == $r)] | length' "$EV")
	if [ "$n" = 0 ]; then ok "no $1 findings"; else
		fail "$n $1 findings: $(jq -c --arg r "$1" '[.findings[] | select(.result == $r) | {id, location}]' "$EV")"
	fi
}

# expect_service PORT PROTO NAME TLS
expect_service() {
	if jq -e --argjson p "$1" --arg pr "$2" --arg s "$3" --argjson t "$4" \
		'[.services[] | select(.port == $p and .proto == $pr and .service == $s and .tls == $t)] | length == 1' \
		"$EV" >/dev/null; then
		ok "service $1/$2 $3 tls=$4"
	else
		fail "service $1/$2 $3 tls=$4 not found: $(jq -c .services "$EV")"
	fi
}

finish() {
	if [ "$FAILS" -ne 0 ]; then echo "$FAILS assertion(s) failed"; exit 1; fi
	echo "all assertions passed"
}

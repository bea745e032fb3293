#!/bin/sh
# Registry API: the same suite on a real PostgreSQL that this test starts (initdb into a
# temp dir as the postgres user, unix socket only) and stops, plus two servers sharing it.
. "$JCS_SRC/tests/registry/lib.sh"
start_postgres || exit 1
start_server "$PG_URL" || exit 1
. "$JCS_SRC/tests/registry/suite.sh"
# a second server process on the same database: same registry, and concurrent issuance
# through both (the same application at once: one wins; different ones: distinct numbers)
FIRST=$URL
start_server "$PG_URL" || exit 1
SECOND=$URL
api GET "/api/v1/products/$REG3" ""
check "second server process shares the database" test "$CODE:$(jb .reg_no)" = "200:$REG3"
URL=$FIRST
IDS=""
for i in 1 2 3 4 5 6; do
	api POST /api/v1/applications "$T_V1" "$(app_json "Concurrent $i" 1 "CC-$i")"
	id=$(jb .id)
	upload "$id" "$T_V1" report "$REG_TMP/report.json"
	upload "$id" "$T_V1" checklist "$REG_TMP/checklist.csv"
	for s in "$T_V1 submit" "$T_RV start_review" "$T_RV inquire" "$T_GL answer" "$T_RV accept" "$T_AD confirm_fee"; do
		set -- $s
		api POST "/api/v1/applications/$id/transitions" "$1" "{\"action\":\"$2\",\"question\":\"q\",\"answer\":\"a\"}"
	done
	check "app $id ready for issuance" test "$(jb .state)" = fee_confirmed
	IDS="$IDS $id"
done
RACERS=""
for id in $IDS; do
	for u in "$FIRST" "$SECOND"; do
		curl -s -m 60 -o /dev/null -w "$id %{http_code}\n" -X POST -H "Authorization: Bearer $T_RV" \
			-H 'Content-Type: application/json' --data '{"action":"issue"}' \
			"$u/api/v1/applications/$id/transitions" >>"$REG_TMP/race.txt" &
		RACERS="$RACERS $!"
	done
done
wait $RACERS # each curl is bounded (-m 60)
for id in $IDS; do
	check "app $id: one server issued, the other got 409" test "$(grep "^$id " "$REG_TMP/race.txt" | awk '{print $2}' | sort | tr '\n' ' ')" = "200 409 "
done
api GET "/api/v1/products?q=concurrent" ""
check "six distinct registration numbers" test "$(jb '.total'):$(jb '[.items[].reg_no] | unique | length')" = "6:6"
api GET /api/v1/log/sth ""
check "one log leaf per issuance (7 + 6)" test "$(jb .payload.tree_size)" = 13
finish

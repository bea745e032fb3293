# Crash test body (sourced after lib.sh with $DB set): kill -9 the server while a bounded
# loop issues labels, restart it, and check that no issued label was lost or duplicated and
# that the transparency log is consistent with what was issued.
N=10
start_server "$DB" || exit 1
make_docs
T_V=$(new_user acme vendor "Acme") || exit 1
T_R=$(new_user rev reviewer "IPA") || exit 1
T_G=$(new_user gov liaison "METI") || exit 1
tr_() { api POST "/api/v1/applications/$1/transitions" "$2" "$3"; [ "$CODE" = 200 ] || { echo "setup $3: $CODE $(cat "$BODY")" >&2; exit 1; }; }
IDS=""
i=0
while [ $i -lt $N ]; do
	api POST /api/v1/applications "$T_V" "$(app_json "Device $i" 1 "DEV-$i")"
	id=$(jb .id)
	upload_report "$id" "$T_V" "DEV-$i" 1 0 Acme
	upload "$id" "$T_V" checklist "$REG_TMP/checklist.csv"
	tr_ "$id" "$T_V" '{"action":"submit"}'
	tr_ "$id" "$T_R" '{"action":"start_review"}'
	tr_ "$id" "$T_R" '{"action":"inquire","question":"q"}'
	tr_ "$id" "$T_G" '{"action":"answer","answer":"a"}'
	tr_ "$id" "$T_R" '{"action":"accept"}'
	tr_ "$id" "$ADMIN" '{"action":"confirm_fee"}'
	IDS="$IDS $id"
	i=$((i + 1))
done
# one label before the crash, to prove the log only grows
FIRST_ID=${IDS# }
FIRST_ID=${FIRST_ID%% *}
REST=${IDS# }
REST=${REST#* }
api POST "/api/v1/applications/$FIRST_ID/transitions" "$T_R" '{"action":"issue"}'
check "first label before the crash" test "$CODE" = 200
curl -s "$URL/api/v1/log/sth" >"$REG_TMP/sth-before.json"
curl -s "$URL/api/v1/key" >"$REG_TMP/pub.pem"

# the issuing loop: bounded (one pass over N applications), results in done.txt
: >"$REG_TMP/done.txt"
(
	for id in $REST; do
		c=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $T_R" \
			-H 'Content-Type: application/json' --data '{"action":"issue"}' "$URL/api/v1/applications/$id/transitions")
		echo "$id $c" >>"$REG_TMP/done.txt"
	done
) &
LOOP=$!
# kill -9 once a few labels are out (bounded wait: 20 s)
w=0
while [ "$(grep -c ' 200$' "$REG_TMP/done.txt")" -lt 4 ] && [ $w -lt 400 ]; do
	sleep 0.05
	w=$((w + 1))
done
kill -9 "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
forget_server "$SRV_PID"
wait "$LOOP" 2>/dev/null
ISSUED_BEFORE=$(grep -c ' 200$' "$REG_TMP/done.txt")
check "labels were being issued when the server was killed ($ISSUED_BEFORE)" test "$ISSUED_BEFORE" -ge 4
check "the kill interrupted the loop" test "$(grep -vc ' 200$' "$REG_TMP/done.txt")" -ge 1

start_server "$DB" || exit 1
# every label acknowledged before the crash is there
for id in $(awk '$2 == 200 {print $1}' "$REG_TMP/done.txt"); do
	api GET "/api/v1/applications/$id" "$T_R"
	check "acknowledged issuance of $id survived" test "$(jb .state):$(jb '.registration.reg_no | length > 0')" = "issued:true"
done
# no half-done issuance: state issued <=> a registration exists; finish the rest
for id in $IDS; do
	api GET "/api/v1/applications/$id" "$T_R"
	st=$(jb .state)
	has=$(jb '.registration != null')
	case "$st:$has" in
	issued:true | fee_confirmed:false) ok ;;
	*) bad "app $id is $st with registration=$has" ;;
	esac
	if [ "$st" = fee_confirmed ]; then
		api POST "/api/v1/applications/$id/transitions" "$T_R" '{"action":"issue"}'
		check "issue $id after restart" test "$CODE" = 200
	fi
done
api GET "/api/v1/products?limit=500" ""
check "exactly $N registrations" test "$(jb .total)" = "$N"
check "no duplicate registration numbers" test "$(jb '[.items[].reg_no] | unique | length')" = "$N"
check "no duplicate models" test "$(jb '[.items[].models[0]] | unique | length')" = "$N"
api GET /api/v1/log/sth ""
cp "$BODY" "$REG_TMP/sth-after.json"
check "log holds one leaf per label" test "$(jb .payload.tree_size)" = "$N"
leaves=""
i=0
while [ $i -lt $N ]; do
	api GET "/api/v1/log/entries/$i" ""
	leaves="$leaves $(jb .reg_no)"
	i=$((i + 1))
done
check "log leaves name each registration once" test "$(echo $leaves | tr ' ' '\n' | sort -u | wc -l)" = "$N"
# consistency: the tree before the crash is a prefix of the tree after it
M=$(jq -r .payload.tree_size "$REG_TMP/sth-before.json")
curl -s "$URL/api/v1/log/consistency?first=$M&second=$N" >"$REG_TMP/cons.json"
check "log after the crash extends the log before it" "$JCSTAR" label consistency --key "$REG_TMP/pub.pem" \
	--old "$REG_TMP/sth-before.json" --new "$REG_TMP/sth-after.json" --proof "$REG_TMP/cons.json"
# and every label verifies with its inclusion proof
api GET "/api/v1/products?limit=500" ""
for reg in $(jb '.items[].reg_no'); do
	curl -s "$URL/api/v1/products/$reg/bundle" >"$REG_TMP/b.json"
	jq -c .label "$REG_TMP/b.json" >"$REG_TMP/l.json"
	jq -c .inclusion "$REG_TMP/b.json" >"$REG_TMP/p.json"
	jq -c .sth "$REG_TMP/b.json" >"$REG_TMP/s.json"
	jq -c .status "$REG_TMP/b.json" >"$REG_TMP/t.json"
	check "label $reg verifies, is in the log and valid by its status statement" "$JCSTAR" label verify \
		"$REG_TMP/l.json" --key "$REG_TMP/pub.pem" --proof "$REG_TMP/p.json" --sth "$REG_TMP/s.json" \
		--status "$REG_TMP/t.json" >/dev/null
done
finish

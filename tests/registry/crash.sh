# Crash test body (sourced after lib.sh with $DB set). An open-ended issuance loop (create an
# application, take it to fee_confirmed, issue its label, again) runs until a request fails.
# Once N labels are out, with the loop provably still running, the server is killed with
# SIGKILL: the kill is what ends the loop. After a restart: every acknowledged label is there,
# no application is half-issued, registration numbers and log leaves have no gap and no
# duplicate, the log after the crash extends the log before it, and the first label issued
# after the restart takes the next number, is in the log and verifies.
N=4     # labels the loop issues before the kill
CAP=500 # the loop's own bound (never reached: the kill ends it after N + 1 rounds at most)
start_server "$DB" || exit 1
make_docs
T_V=$(new_user acme vendor "Acme") || exit 1
T_R=$(new_user rev reviewer "IPA") || exit 1
T_G=$(new_user gov liaison "METI") || exit 1

# ready K: application "Device K" filed and taken to fee_confirmed; its id in $APP. Every
# request's outcome goes to $LOG; returns 1 at the first unexpected answer.
ready() {
	api POST /api/v1/applications "$T_V" "$(app_json "Device $1" 1 "DEV-$1")"
	echo "new-$1 $CODE" >>"$LOG"
	[ "$CODE" = 201 ] || return 1
	APP=$(jb .id)
	for kind in report checklist; do
		f=$REG_TMP/report.json
		[ $kind = checklist ] && f=$REG_TMP/checklist.csv
		upload "$APP" "$T_V" $kind "$f"
		echo "$APP-$kind $CODE" >>"$LOG"
		[ "$CODE" = 201 ] || return 1
	done
	for step in "$T_V submit" "$T_R start_review" "$T_R inquire" "$T_G answer" "$T_R accept" "$ADMIN confirm_fee"; do
		a=${step#* }
		case $a in
		inquire) body='{"action":"inquire","question":"q"}' ;;
		answer) body='{"action":"answer","answer":"a"}' ;;
		*) body="{\"action\":\"$a\"}" ;;
		esac
		api POST "/api/v1/applications/$APP/transitions" "${step%% *}" "$body"
		echo "$APP-$a $CODE" >>"$LOG"
		[ "$CODE" = 200 ] || return 1
	done
}
# issue: issue $APP's label; "APP issue CODE" in $LOG
issue() {
	api POST "/api/v1/applications/$APP/transitions" "$T_R" '{"action":"issue"}'
	echo "$APP issue $CODE" >>"$LOG"
	[ "$CODE" = 200 ]
}
serial() { echo "$1" | sed 's/.*-0*//'; } # JCS-1-2026-000042 -> 42

# one label before the crash, to prove the log only grows
LOG=$REG_TMP/setup.txt
ready 0 && issue || { bad "setup: $(tail -1 "$LOG")"; finish; exit 1; }
curl -s -m 60 "$URL/api/v1/log/sth" >"$REG_TMP/sth-before.json"
curl -s -m 60 "$URL/api/v1/key" >"$REG_TMP/pub.pem"

# the open-ended issuance loop (its own body file: the main shell may use $BODY meanwhile)
LOG=$REG_TMP/loop.txt
: >"$LOG"
(
	BODY=$REG_TMP/loop.body
	k=1
	while [ $k -le $CAP ] && ready $k && issue; do k=$((k + 1)); done
	echo "$k" >"$REG_TMP/loop.end"
) &
LOOP=$!
issued() { grep -c ' issue 200$' "$LOG"; }
loop_busy() { [ "$(issued)" -ge $N ] || [ -e "$REG_TMP/loop.end" ]; }
wait_until 300 loop_busy || bad "the loop did not issue $N labels (log: $(tail -1 "$LOG"))"
if [ -e "$REG_TMP/loop.end" ]; then
	bad "the issuance loop stopped by itself before the kill: $(tail -1 "$LOG")"
	finish
	exit 1
fi
kill -9 "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
forget_server "$SRV_PID"
wait "$LOOP"
ISSUED_BEFORE=$(issued)
echo "killed in round $(cat "$REG_TMP/loop.end") after $ISSUED_BEFORE labels; last request: $(tail -1 "$LOG")"
check "$N labels were out when the server was killed ($ISSUED_BEFORE)" test "$ISSUED_BEFORE" -ge $N
# the loop ends only on a failed request; a refused connection (000) means the kill ended it
check "the kill ended the loop (last request: $(tail -1 "$LOG"))" test "$(tail -1 "$LOG" | awk '{print $NF}')" = 000
check "the loop was mid-run, far from its bound ($(cat "$REG_TMP/loop.end"))" test "$(cat "$REG_TMP/loop.end")" -lt $CAP

start_server "$DB" || exit 1
LOG=$REG_TMP/after.txt
# every label acknowledged before the crash is there
for id in $(awk '$2 == "issue" && $3 == 200 {print $1}' "$REG_TMP/setup.txt" "$REG_TMP/loop.txt"); do
	api GET "/api/v1/applications/$id" "$T_R"
	check "acknowledged issuance of $id survived" test "$(jb .state):$(jb '.registration.reg_no | length > 0')" = "issued:true"
done
# no half-done issuance: state issued <=> a registration exists, for every application
api GET /api/v1/applications "$T_R"
APPS=$(jb '.[].id')
check "the applications are listed" test -n "$APPS"
K=0
for id in $APPS; do
	api GET "/api/v1/applications/$id" "$T_R"
	case "$(jb .state):$(jb '.registration != null')" in
	issued:true) K=$((K + 1)) ;;
	issued:* | *:true) bad "app $id is $(jb .state) with registration=$(jb '.registration != null')" ;;
	*) ok ;;
	esac
done
check "at least the acknowledged labels are issued ($K)" test "$K" -ge $((ISSUED_BEFORE + 1))
api GET "/api/v1/products?limit=500" ""
check "$K registrations" test "$(jb .total)" = "$K"
check "registration numbers 1..$K, no gap, no duplicate" \
	test "$(jb '.items[].reg_no' | sed 's/.*-0*//' | sort -n | tr '\n' ' ')" = "$(seq 1 $K | tr '\n' ' ')"
api GET /api/v1/log/sth ""
check "the log holds one leaf per label" test "$(jb .payload.tree_size)" = "$K"

# the first label after the restart: the next number, the next log leaf, and it verifies
ready restart && issue || bad "issuance after the restart: $(tail -1 "$LOG")"
REG=$(jb .registration.reg_no)
[ -n "$REG" ] && [ "$REG" != null ] || { api GET "/api/v1/applications/$APP" "$T_R"; REG=$(jb .registration.reg_no); }
check "the first label after the restart is number $((K + 1)) ($REG)" test "$(serial "$REG")" = $((K + 1))
api GET "/api/v1/log/entries/$K" ""
check "log leaf $K is that label" test "$(jb .reg_no)" = "$REG"
K=$((K + 1))

api GET /api/v1/log/sth ""
cp "$BODY" "$REG_TMP/sth-after.json"
check "the log holds $K leaves" test "$(jb .payload.tree_size)" = "$K"
leaves=""
i=0
while [ $i -lt $K ]; do
	api GET "/api/v1/log/entries/$i" ""
	leaves="$leaves $(jb .reg_no)"
	i=$((i + 1))
done
check "log leaves name each registration once" test "$(echo $leaves | tr ' ' '\n' | sort -u | wc -l)" = "$K"
# consistency: the tree before the crash is a prefix of the tree after it
M=$(jq -r .payload.tree_size "$REG_TMP/sth-before.json")
curl -s -m 60 "$URL/api/v1/log/consistency?first=$M&second=$K" >"$REG_TMP/cons.json"
check "log after the crash extends the log before it" "$JCSTAR" label consistency --key "$REG_TMP/pub.pem" \
	--old "$REG_TMP/sth-before.json" --new "$REG_TMP/sth-after.json" --proof "$REG_TMP/cons.json"
# and every label verifies with its inclusion proof
api GET "/api/v1/products?limit=500" ""
for reg in $(jb '.items[].reg_no'); do
	curl -s -m 60 "$URL/api/v1/products/$reg/bundle" >"$REG_TMP/b.json"
	jq -c .label "$REG_TMP/b.json" >"$REG_TMP/l.json"
	jq -c .inclusion "$REG_TMP/b.json" >"$REG_TMP/p.json"
	jq -c .sth "$REG_TMP/b.json" >"$REG_TMP/s.json"
	check "label $reg verifies and is in the log" "$JCSTAR" label verify "$REG_TMP/l.json" --key "$REG_TMP/pub.pem" \
		--proof "$REG_TMP/p.json" --sth "$REG_TMP/s.json" >/dev/null
done
finish

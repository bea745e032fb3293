# The registry API suite: every transition of the workflow table with its allowed role and
# every other role refused, run against the server at $URL with admin token $ADMIN.
# Sourced by tests/integration/registry_api_*.sh after lib.sh and start_server.

make_docs
T_V1=$(new_user acme vendor "Acme Devices K.K.") || exit 1
T_V2=$(new_user other vendor "Other Corp") || exit 1
T_RV=$(new_user rev reviewer "IPA review") || exit 1
T_GL=$(new_user gov liaison "METI") || exit 1
T_LB=$(new_user laba lab "Lab A") || exit 1
T_LB2=$(new_user labb lab "Lab B") || exit 1
T_AD=$ADMIN
T_PUB=""
ACTORS="V1 V2 RV GL LB LB2 AD PUB"
tok() { eval "printf %s \"\$T_$1\""; }

# step APP ACTION ALLOWED EXPECT_STATE [EXTRA_JSON]: every other actor is refused (a refusal
# changes nothing, else the allowed actor's attempt from the same state would fail); then
# ALLOWED succeeds, the application is in EXPECT_STATE and the audit trail ends with it.
step() {
	_app=$1 _act=$2 _who=$3 _want=$4 _extra=${5:-}
	_body="{\"action\":\"$_act\"${_extra:+,$_extra}}"
	for a in $ACTORS; do
		[ "$a" = "$_who" ] && continue
		api POST "/api/v1/applications/$_app/transitions" "$(tok "$a")" "$_body"
		case "$a:$CODE" in
		PUB:401 | *:403 | *:404) ok ;;
		*) bad "$_act by $a on app $_app: expected refusal, got $CODE $(cat "$BODY")" ;;
		esac
	done
	api POST "/api/v1/applications/$_app/transitions" "$(tok "$_who")" "$_body"
	check "$_act by $_who on app $_app: got $CODE $(head -c 300 "$BODY")" test "$CODE" = 200
	check "$_act: app $_app in $_want, audited" test "$(jb '.state + ":" + .audit[-1].action')" = "$_want:$_act"
}

# --- accounts and authentication
api GET /api/v1/me "$T_V1"
check "me" test "$(jb .role):$(jb .org)" = "vendor:Acme Devices K.K."
api GET /api/v1/me ""
check "me anonymous is 401" test "$CODE" = 401
api GET /api/v1/me "0000000000000000000000000000000000000000000000000000000000000000"
check "bad token is 401" test "$CODE" = 401
api POST /api/v1/users "$T_RV" '{"name":"x","role":"admin","org":"x"}'
check "only admin creates accounts" test "$CODE" = 403
api POST /api/v1/users "$T_AD" '{"name":"acme","role":"vendor","org":"dup"}'
check "duplicate account is 409" test "$CODE" = 409

# --- filing: only vendors create; documents are checked
api POST /api/v1/applications "$T_RV" "$(app_json Router 1 RT-1)"
check "reviewer cannot file" test "$CODE" = 403
api POST /api/v1/applications "" "$(app_json Router 1 RT-1)"
check "public cannot file" test "$CODE" = 401
api POST /api/v1/applications "$T_V1" '{"product":"x","level":9,"models":["a"]}'
check "bad level is 400" test "$CODE" = 400
api POST /api/v1/applications "$T_V1" "$(app_json 'Home Router AX' 1 RT-AX1)"
check "vendor files a draft" test "$CODE:$(jb .state)" = "201:draft"
A=$(jb .id)
api GET "/api/v1/applications/$A" "$T_V2"
check "another vendor cannot see it" test "$CODE" = 404
api GET /api/v1/applications "$T_V2"
check "another vendor's list is empty" test "$(jb 'length')" = 0
api GET "/api/v1/applications/$A" "$T_GL"
check "liaison sees nothing before an inquiry" test "$CODE" = 404

api POST "/api/v1/applications/$A/transitions" "$T_V1" '{"action":"submit"}'
check "submit without documents is refused" test "$CODE" = 400
printf 'not json' >"$REG_TMP/bad.json"
upload "$A" "$T_V1" report "$REG_TMP/bad.json"
check "a report must be a jcstar report" test "$CODE" = 400
printf '{"schema":"jcstar.report/1"}\n' >"$REG_TMP/tiny.json"
upload "$A" "$T_V1" report "$REG_TMP/tiny.json"
check "a 29-byte report with only its schema is refused" test "$CODE:$(wc -c <"$REG_TMP/tiny.json")" = "400:29"
report_json CAM-100 1 0 "Example Devices K.K." >"$REG_TMP/other.json"
upload "$A" "$T_V1" report "$REG_TMP/other.json"
check "a report about another product is refused" sh -c "test $CODE = 400 && jq -r .message '$BODY' | grep -q 'another product'"
report_json RT-AX1 1 | jq -c '.summary.ready = true | .criteria[0].verdict = "nonconform"' >"$REG_TMP/liar.json"
upload "$A" "$T_V1" report "$REG_TMP/liar.json"
check "a report whose summary contradicts its verdicts is refused" test "$CODE" = 400
printf 'not,a,checklist\n' >"$REG_TMP/notcl.csv"
upload "$A" "$T_V1" checklist "$REG_TMP/notcl.csv"
check "'not,a,checklist' is refused" test "$CODE" = 400
upload_report "$A" "$T_V2" RT-AX1 1
check "another vendor cannot attach" test "$CODE" = 404
printf '{"bomFormat":"SPDX","specVersion":"1.5","components":[]}' >"$REG_TMP/notcdx.json"
upload "$A" "$T_V1" sbom "$REG_TMP/notcdx.json"
check "an SBOM that is not CycloneDX is refused" test "$CODE" = 400
printf '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"version":"1.36.1"}]}' >"$REG_TMP/noname.json"
upload "$A" "$T_V1" sbom "$REG_TMP/noname.json"
check "an SBOM component without a name is refused" test "$CODE" = 400
printf '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"application","name":"busybox","version":"1.36.1","purl":"pkg:generic/busybox@1.36.1"}]}' >"$REG_TMP/sbom.json"
upload "$A" "$T_V1" sbom "$REG_TMP/sbom.json"
check "a CycloneDX SBOM is attached" test "$CODE" = 201
upload_report "$A" "$T_V1" RT-AX1 1
check "report attached" test "$CODE" = 201
upload "$A" "$T_V1" checklist "$REG_TMP/checklist.csv"
check "checklist attached" test "$CODE" = 201
upload "$A" "$T_LB" evaluation "$REG_TMP/eval.txt"
check "no lab for a ★1 application" test "$CODE" = 404

# --- the ★1 path: every transition, every role
step "$A" submit V1 submitted
check "application number issued" sh -c "jq -r .app_no '$BODY' | grep -Eq '^APP-[0-9]{4}-[0-9]{6}$'"
step "$A" start_review RV under_review
api POST "/api/v1/applications/$A/transitions" "$T_RV" '{"action":"accept"}'
check "accept needs the supply-chain inquiry first" test "$CODE" = 409
api POST "/api/v1/applications/$A/transitions" "$T_RV" '{"action":"inquire"}'
check "inquire needs a question" test "$CODE" = 400
step "$A" inquire RV inquiry '"question":"Any supply-chain concerns about Acme RT-AX1?"'
api GET "/api/v1/applications/$A" "$T_GL"
check "liaison sees the inquiry" test "$CODE:$(jb .question)" = "200:Any supply-chain concerns about Acme RT-AX1?"
step "$A" answer GL inquiry_answered '"answer":"No concerns."'
step "$A" accept RV accepted
step "$A" confirm_fee AD fee_confirmed
api GET "/api/v1/applications/$A" "$T_RV"
check "the reviewer sees the report's verdicts, no differences" test "$(jb .review.ready):$(jb '.review.verdicts | length'):$(jb '.review.differences | length')" = "true:2:0"
step "$A" issue RV issued
REG=$(jb .registration.reg_no)
check "registration number format" sh -c "echo '$REG' | grep -Eq '^JCS-1-[0-9]{4}-[0-9]{6}$'"
check "expiry is issue + 2 years" test "$(jb .registration.expires | cut -c1-4)" = "$(( $(jb .registration.issued | cut -c1-4) + 2 ))"

# the page cache is keyed by the raw query: a search for the text "Acme&level=1" must not
# answer the search for Acme at level 1
check "search for the literal text 'Acme&level=1' finds nothing" sh -c "curl -s '$URL/?q=Acme%26level%3D1' | grep -vq '$REG' && ! curl -s '$URL/?q=Acme%26level%3D1' | grep -q '$REG'"
check "and does not poison the search for Acme at level 1" sh -c "curl -s '$URL/?q=Acme&level=1' | grep -q '$REG'"
api GET "/api/v1/products?q=Acme%26level%3D1" ""
check "API: encoded & is data" test "$(jb .total)" = 0
api GET "/api/v1/products?q=Acme&level=1" ""
check "API: Acme at level 1 after it" test "$(jb .total)" = 1
api GET "/api/v1/products/$REG" ""
check "public product page data" test "$CODE:$(jb .status):$(jb '.models[0]')" = "200:valid:RT-AX1"
curl -s "$URL/api/v1/key" >"$REG_TMP/pub.pem"
curl -s "$URL/api/v1/products/$REG/label" >"$REG_TMP/label.json"
"$JCSTAR" label verify "$REG_TMP/label.json" --key "$REG_TMP/pub.pem" >/dev/null 2>&1
check "a label alone verifies only as 'status not checked' (exit 6)" test $? = 6
sed 's/Home Router AX/Home Router AY/' "$REG_TMP/label.json" >"$REG_TMP/label-bad.json"
check "a changed byte fails verification" sh -c "! '$JCSTAR' label verify '$REG_TMP/label-bad.json' --key '$REG_TMP/pub.pem' >/dev/null 2>&1"
curl -s "$URL/api/v1/products/$REG/bundle" >"$REG_TMP/bundle.json"
jq -c .inclusion "$REG_TMP/bundle.json" >"$REG_TMP/proof.json"
jq -c .sth "$REG_TMP/bundle.json" >"$REG_TMP/sth.json"
"$JCSTAR" label verify "$REG_TMP/label.json" --key "$REG_TMP/pub.pem" --proof "$REG_TMP/proof.json" \
	--sth "$REG_TMP/sth.json" >/dev/null 2>&1
check "label is in the transparency log (status not checked without a statement)" test $? = 6
check "the offline bundle verifies: valid, status checked" sh -c "'$JCSTAR' label verify '$REG_TMP/bundle.json' \
	--key '$REG_TMP/pub.pem' | grep -q 'status       checked: valid'"
api GET "/api/v1/products/$REG/status" ""
check "status statement" test "$CODE:$(jb .payload.status):$(jb .payload.registration_number)" = "200:valid:$REG"
cp "$BODY" "$REG_TMP/status1.json"
check "status statement verifies with the label" "$JCSTAR" label verify "$REG_TMP/label.json" \
	--key "$REG_TMP/pub.pem" --status "$REG_TMP/status1.json" >/dev/null
api GET "/api/v1/products/JCS-1-2026-999999/status" ""
check "status of an unknown label is 404" test "$CODE" = 404

# --- jcstar.label/2: the credential binds the reviewed report, the SBOM and the firmware
sha() { sha256sum <"$1" | cut -c1-64; }
check "the label is a jcstar.label/2 binding the report's and the SBOM's SHA-256 and the firmware" test \
	"$(jq -r '.payload | [.schema, .report_sha256, .sbom_sha256, .firmware] | join(" ")' "$REG_TMP/label.json")" = \
	"jcstar.label/2 $(sha "$REG_TMP/report-$A.json") $(sha "$REG_TMP/sbom.json") 1.0"
"$JCSTAR" label verify "$REG_TMP/bundle.json" --key "$REG_TMP/pub.pem" --report "$REG_TMP/report-$A.json" \
	--sbom "$REG_TMP/sbom.json" >"$REG_TMP/v.txt" 2>&1
check "clean: the reviewed report and the SBOM are confirmed, the bundle is valid" \
	sh -c "test $? = 0 && grep -q 'report file  .* is the report the label binds' '$REG_TMP/v.txt' && \
	grep -q \"sbom         sha256 $(sha "$REG_TMP/sbom.json")\" '$REG_TMP/v.txt'"
{ cat "$REG_TMP/report-$A.json"; echo; } >"$REG_TMP/report-swap.json"
for f in other.json report-swap.json; do
	"$JCSTAR" label verify "$REG_TMP/bundle.json" --key "$REG_TMP/pub.pem" --report "$REG_TMP/$f" >"$REG_TMP/v.txt" 2>&1
	check "swapped report $f: report mismatch (exit 7), not valid" \
		test "$?:$(head -1 "$REG_TMP/v.txt" | cut -d: -f2)" = "7: report mismatch"
done
"$JCSTAR" label verify "$REG_TMP/bundle.json" --key "$REG_TMP/pub.pem" --json --sbom "$REG_TMP/report-$A.json" >"$REG_TMP/v.json" 2>&1
check "the report given as the SBOM: sbom mismatch (exit 7, JSON)" \
	test "$?:$(jq -r '.status + ":" + (.exit_code | tostring) + ":" + .label.sbom_sha256' "$REG_TMP/v.json")" = \
	"7:sbom mismatch:7:$(sha "$REG_TMP/sbom.json")"
jq -c --arg h "$(sha "$REG_TMP/other.json")" '.payload.report_sha256 = $h' "$REG_TMP/label.json" >"$REG_TMP/label-rh.json"
"$JCSTAR" label verify "$REG_TMP/label-rh.json" --key "$REG_TMP/pub.pem" --report "$REG_TMP/other.json" >/dev/null 2>&1
check "a label whose report hash was changed to another report's fails as a bad signature (exit 1)" test $? = 1
check "label SVG" sh -c "curl -s '$URL/products/$REG/label.svg' | grep -q '<svg'"
check "label PNG" sh -c "curl -s '$URL/products/$REG/label.png' | head -c 4 | grep -q PNG"

# --- after issue
api POST "/api/v1/applications/$A/transitions" "$T_V1" '{"action":"notify_change","changes":{"firmware":"1.1"}}'
check "a change notification needs a reason" test "$CODE" = 400
api POST "/api/v1/applications/$A/transitions" "$T_V1" '{"action":"notify_change","reason":"x","changes":{"vendor":"evil"}}'
check "only documented fields change" test "$CODE" = 400
# a change of firmware needs a new report about it (and a new SBOM: this label binds one); the
# re-signed credential never claims that the old report assessed the new firmware
api GET /api/v1/log/sth ""
N0=$(jb .payload.tree_size)
FW11='"reason":"firmware 1.1 fixes CVE-2026-0001","changes":{"firmware":"1.1","update_info":"https://acme.example/fw"}'
api POST "/api/v1/applications/$A/transitions" "$T_V1" "{\"action\":\"notify_change\",$FW11}"
check "planted: new firmware with the old report is refused (400, needs a new report)" \
	sh -c "test $CODE = 400 && jq -r .message '$BODY' | grep -q 'firmware 1.1 needs a new jcstar report'"
report_json RT-AX1 1 0 "" 1.1 >"$REG_TMP/report-$A-1.1.json"
report_json RT-AX1 1 2 "" 1.1 >"$REG_TMP/report-$A-1.1-nc.json"
upload "$A" "$T_V1" report "$REG_TMP/report-$A-1.1-nc.json"
check "an issued label takes a report about new firmware" test "$CODE" = 201
api POST "/api/v1/applications/$A/transitions" "$T_V1" "{\"action\":\"notify_change\",$FW11}"
check "planted: the new firmware's report is not ready: refused (400), no override for a vendor" \
	sh -c "test $CODE = 400 && jq -r .message '$BODY' | grep -q 'not ready to declare'"
upload "$A" "$T_V1" report "$REG_TMP/other.json"
check "a report about another product is still refused while issued" test "$CODE" = 400
upload "$A" "$T_V1" report "$REG_TMP/report-$A-1.1.json"
check "the new firmware's ready report is attached" test "$CODE" = 201
api POST "/api/v1/applications/$A/transitions" "$T_V1" '{"action":"notify_change","reason":"new desk","changes":{"contact":"psirt2@example.com"}}'
check "planted: a change that keeps firmware 1.0 does not bind the report about 1.1 (400)" \
	sh -c "test $CODE = 400 && jq -r .message '$BODY' | grep -q 'attached after the label was signed'"
api POST "/api/v1/applications/$A/transitions" "$T_V1" "{\"action\":\"notify_change\",$FW11}"
check "planted: new firmware and report but the label's old SBOM: refused (400)" \
	sh -c "test $CODE = 400 && jq -r .message '$BODY' | grep -q 'needs its own SBOM'"
api GET /api/v1/log/sth ""
check "refused change notices are not logged" test "$(jb .payload.tree_size)" = "$N0"
jq -c '.components[0].version = "1.36.2" | .components[0].purl = "pkg:generic/busybox@1.36.2"' "$REG_TMP/sbom.json" >"$REG_TMP/sbom-1.1.json"
upload "$A" "$T_V1" sbom "$REG_TMP/sbom-1.1.json"
check "the new firmware's SBOM is attached" test "$CODE" = 201
step "$A" notify_change V1 issued "$FW11"
curl -s "$URL/api/v1/products/$REG/bundle" >"$REG_TMP/bundle-1.1.json"
check "the re-signed credential binds firmware 1.1, its report and its SBOM" test \
	"$(jq -r '.label.payload | [.firmware, .report_sha256, .sbom_sha256] | join(" ")' "$REG_TMP/bundle-1.1.json")" = \
	"1.1 $(sha "$REG_TMP/report-$A-1.1.json") $(sha "$REG_TMP/sbom-1.1.json")"
"$JCSTAR" label verify "$REG_TMP/bundle-1.1.json" --key "$REG_TMP/pub.pem" --report "$REG_TMP/report-$A-1.1.json" \
	--sbom "$REG_TMP/sbom-1.1.json" >"$REG_TMP/v.txt" 2>&1
check "clean: label verify --report/--sbom with the new firmware's documents: valid (exit 0)" test $? = 0
"$JCSTAR" label verify "$REG_TMP/bundle-1.1.json" --key "$REG_TMP/pub.pem" --report "$REG_TMP/report-$A.json" >"$REG_TMP/v.txt" 2>&1
check "the old report against the re-signed label: report mismatch (exit 7)" \
	test "$?:$(head -1 "$REG_TMP/v.txt" | cut -d: -f2)" = "7: report mismatch"
api GET "/api/v1/products/$REG" ""
check "change reaches the public page" test "$(jb .firmware)" = "1.1"
api GET /api/v1/log/sth ""
N1=$(jb .payload.tree_size)
api POST "/api/v1/applications/$A/transitions" "$T_V1" '{"action":"notify_change","reason":"again","changes":{"firmware":"1.1","update_info":"https://acme.example/fw"}}'
check "an identical change notice is refused (409)" test "$CODE" = 409
api GET /api/v1/log/sth ""
check "and is not logged again" test "$(jb .payload.tree_size)" = "$N1"
api POST "/api/v1/applications/$A/transitions" "$T_V1" '{"action":"notify_change","reason":"new desk","changes":{"contact":"psirt2@example.com"}}'
curl -s "$URL/api/v1/products/$REG/bundle" >"$REG_TMP/bundle-c.json"
check "clean twin: a change that keeps the firmware re-signs on the same report and SBOM" test \
	"$CODE:$(jq -r '.label.payload | [.firmware, .report_sha256, .sbom_sha256] | join(" ")' "$REG_TMP/bundle-c.json")" = \
	"200:1.1 $(sha "$REG_TMP/report-$A-1.1.json") $(sha "$REG_TMP/sbom-1.1.json")"
check "clean twin: it verifies with the report it binds" "$JCSTAR" label verify "$REG_TMP/bundle-c.json" \
	--key "$REG_TMP/pub.pem" --report "$REG_TMP/report-$A-1.1.json" >/dev/null
step "$A" renew RV issued
step "$A" suspend RV suspended '"reason":"under investigation"'
curl -s "$URL/api/v1/products/$REG/bundle" >"$REG_TMP/bundle-s.json"
"$JCSTAR" label verify "$REG_TMP/bundle-s.json" --key "$REG_TMP/pub.pem" >"$REG_TMP/v.txt" 2>&1
check "a suspended label's bundle fails (suspended, exit 1), even in the second it was signed" \
	test "$?:$(head -1 "$REG_TMP/v.txt" | cut -d: -f2)" = "1: suspended"
api GET "/api/v1/products?status=suspended" ""
check "suspended filter" test "$(jb '.items[0].reg_no')" = "$REG"
step "$A" reinstate RV issued
curl -s "$URL/api/v1/products/$REG/bundle" >"$REG_TMP/bundle-r.json"
check "reinstated (same second or not): the new bundle verifies" "$JCSTAR" label verify "$REG_TMP/bundle-r.json" \
	--key "$REG_TMP/pub.pem" >/dev/null
jq -c .label "$REG_TMP/bundle-s.json" >"$REG_TMP/label-s.json"
jq -c .status "$REG_TMP/bundle-r.json" >"$REG_TMP/status-r.json"
"$JCSTAR" label verify "$REG_TMP/label-s.json" --key "$REG_TMP/pub.pem" --status "$REG_TMP/status-r.json" >"$REG_TMP/superseded.txt" 2>&1
rc=$?
# reinstatement signs a new credential; only when it fell in the same second as the old one are
# the two byte-identical (the same leaf), and then the old one is the current one
if [ "$(jq -cS .payload "$REG_TMP/label-s.json")" = "$(jq -cS .label.payload "$REG_TMP/bundle-r.json")" ]; then
	check "the credential from before the suspension, identical to the reinstated one, is current" test $rc = 0
else
	check "the credential from before the suspension is superseded" sh -c "test $rc = 1 && grep -q superseded '$REG_TMP/superseded.txt'"
fi
api POST "/api/v1/applications/$A/transitions" "$T_RV" '{"action":"revoke"}'
check "revocation needs a reason" test "$CODE" = 400

# procurement before revocation: ★1 label meets low, not high
api POST /api/v1/procurement "" '{"importance":"low","models":["RT-AX1","NOPE-1"]}'
check "procurement low: labelled and meets" test "$(jb '.results[0].labelled'):$(jb '.results[0].meets'):$(jb '.results[1].labelled')" = "true:true:false"
api POST /api/v1/procurement "" '{"importance":"high","models":["RT-AX1"]}'
check "procurement high: ★1 does not meet ★3" test "$(jb .required_level):$(jb '.results[0].meets')" = "3:false"
check "procurement wording never claims security" sh -c "! grep -qi 'is secure' '$BODY'"
printf 'model\nRT-AX1\n"NOPE,2"\n' >"$REG_TMP/models.csv"
CODE=$(curl -s -o "$BODY" -w '%{http_code}' -F importance=medium -F "file=@$REG_TMP/models.csv" "$URL/api/v1/procurement")
check "procurement CSV upload" test "$CODE:$(jb '.results | length'):$(jb '.results[1].model')" = "200:2:NOPE,2"
api POST /api/v1/procurement "" '{"importance":"critical","models":["RT-AX1"]}'
check "unknown importance is 400" test "$CODE" = 400

step "$A" revoke RV revoked '"reason":"nonconformity found in inspection\n<b>second line</b>"'
curl -s "$URL/api/v1/products/$REG/bundle" >"$REG_TMP/bundle-x.json"
"$JCSTAR" label verify "$REG_TMP/bundle-x.json" --key "$REG_TMP/pub.pem" >"$REG_TMP/v.txt" 2>&1
check "the revoked label's offline bundle fails: revoked, exit 1" test "$?:$(head -1 "$REG_TMP/v.txt" | cut -d: -f2)" = "1: revoked"
curl -s "$URL/api/v1/revocations" >"$REG_TMP/revs.json"
check "revoked label fails verification" sh -c "! '$JCSTAR' label verify '$REG_TMP/label.json' --key '$REG_TMP/pub.pem' --revocations '$REG_TMP/revs.json' >/dev/null 2>&1"
api POST "/api/v1/applications/$A/transitions" "$T_RV" '{"action":"revoke","reason":"again"}'
check "revoked is final" test "$CODE" = 409
api GET "/api/v1/products?status=revoked&q=rt-ax" ""
check "revoked listed with status" test "$(jb .total):$(jb '.items[0].status')" = "1:revoked"

# --- withdraw (draft and submitted) and reject (under review and after the inquiry)
for from in draft submitted; do
	api POST /api/v1/applications "$T_V1" "$(app_json "W $from" 1 "W-$from")"
	W=$(jb .id)
	upload_report "$W" "$T_V1" "W-$from" 1
	upload "$W" "$T_V1" checklist "$REG_TMP/checklist.csv"
	[ $from = submitted ] && step "$W" submit V1 submitted
	step "$W" withdraw V1 withdrawn
done
for at in under_review inquiry_answered; do
	api POST /api/v1/applications "$T_V1" "$(app_json "R $at" 2 "R-$at")"
	R=$(jb .id)
	upload_report "$R" "$T_V1" "R-$at" 2
	upload "$R" "$T_V1" checklist "$REG_TMP/checklist.csv"
	step "$R" submit V1 submitted
	step "$R" start_review RV under_review
	if [ $at = inquiry_answered ]; then
		step "$R" inquire RV inquiry '"question":"q"'
		step "$R" answer GL inquiry_answered '"answer":"a"'
	fi
	api POST "/api/v1/applications/$R/transitions" "$T_RV" '{"action":"reject"}'
	check "reject needs a reason" test "$CODE" = 400
	step "$R" reject RV rejected '"reason":"checklist incomplete"'
done

# --- ★3: the accredited lab's evaluation report is required before acceptance
api POST /api/v1/applications "$T_V1" "$(app_json 'Camera Pro' 3 CAM-3)"
check "★3 needs a lab" test "$CODE" = 400
api POST /api/v1/applications "$T_V1" "$(app_json 'Camera Pro 見守りカメラ' 3 CAM-3 'Lab A')"
C=$(jb .id)
upload_report "$C" "$T_V1" CAM-3 3
upload "$C" "$T_V1" checklist "$REG_TMP/checklist.csv"
upload "$C" "$T_V1" evaluation "$REG_TMP/eval.txt"
check "a vendor cannot upload the evaluation report" test "$CODE" = 403
upload "$C" "$T_LB2" evaluation "$REG_TMP/eval.txt"
check "another lab cannot see the application" test "$CODE" = 404
step "$C" submit V1 submitted
step "$C" start_review RV under_review
step "$C" inquire RV inquiry '"question":"q"'
step "$C" answer GL inquiry_answered '"answer":"a"'
api POST "/api/v1/applications/$C/transitions" "$T_RV" '{"action":"accept"}'
check "★3 accept without evaluation report is refused" test "$CODE" = 400
upload "$C" "$T_LB" evaluation "$REG_TMP/eval.txt"
check "the assigned lab uploads the evaluation report" test "$CODE" = 201
api GET /api/v1/applications "$T_LB"
check "the lab sees its assigned application" test "$(jb 'length'):$(jb '.[0].id')" = "1:$C"
step "$C" accept RV accepted
step "$C" confirm_fee AD fee_confirmed
step "$C" issue RV issued
REG3=$(jb .registration.reg_no)
check "★3 registration number" sh -c "echo '$REG3' | grep -Eq '^JCS-3-'"
api POST /api/v1/procurement "" '{"importance":"high","models":["CAM-3"]}'
check "★3 meets high importance" test "$(jb '.results[0].meets'):$(jb '.results[0].valid_until')" = "true:$(jb '.results[0].valid_until')"
# expiry is the server's own transition
for a in V1 RV AD; do
	api POST "/api/v1/applications/$C/transitions" "$(tok $a)" '{"action":"expire"}'
	check "expire by $a refused" test "$CODE" = 403
done

# --- full-text search (trigram index): Japanese, short needles, mixed case
for q in '見守りカメラ' 'カメラ' '見守' 'camera pro' 'CAM-3'; do
	CODE=$(curl -s -o "$BODY" -w '%{http_code}' -G --data-urlencode "q=$q" "$URL/api/v1/products")
	check "search '$q' finds the camera" test "$CODE:$(jb .total):$(jb '.items[0].reg_no')" = "200:1:$REG3"
done
CODE=$(curl -s -o "$BODY" -w '%{http_code}' -G --data-urlencode "q=見守りルーター" "$URL/api/v1/products")
check "search for text no product has finds nothing" test "$CODE:$(jb .total)" = "200:0"
CODE=$(curl -s -o "$BODY" -w '%{http_code}' -G --data-urlencode "model=am-3" --data-urlencode "vendor=DEVICES" "$URL/api/v1/products")
check "model and vendor substrings" test "$(jb .total):$(jb '.items[0].reg_no')" = "1:$REG3"
check "Japanese search on the web page" sh -c "curl -s -G --data-urlencode 'q=見守りカメラ' '$URL/' | grep -q '$REG3'"

# --- procurement upload in Shift_JIS (as Excel writes it in Japan)
printf '型番\nCAM-3\nカメラ-9\n' | iconv -f UTF-8 -t CP932 >"$REG_TMP/sjis.csv"
CODE=$(curl -s -o "$BODY" -w '%{http_code}' -F importance=high -F "file=@$REG_TMP/sjis.csv" "$URL/api/v1/procurement")
check "Shift_JIS CSV upload is read" test "$CODE:$(jb '.results | length'):$(jb '.results[0].meets'):$(jb '.results[1].model')" = "200:2:true:カメラ-9"
printf '\357\273\277model\nCAM-3\n' >"$REG_TMP/bom.csv"
CODE=$(curl -s -o "$BODY" -w '%{http_code}' -F importance=high -F "file=@$REG_TMP/bom.csv" "$URL/api/v1/procurement")
check "UTF-8 CSV with a BOM is read" test "$CODE:$(jb '.results | length'):$(jb '.results[0].model')" = "200:1:CAM-3"

# --- filing validates what signing needs; an application that cannot be issued can leave
# fee_confirmed
api POST /api/v1/applications "$T_V1" "$(app_json "$(printf 'Router \302\205 X')" 1 C1-1)"
check "a C1 control (U+0085) in the product is refused at filing" test "$CODE" = 400
# 256 model numbers of 128 bytes, mostly '"' (each escaped to two bytes in the statement)
jq -nc '{product:"P",category:"c",level:1,models:[range(256) | ("\"" * 125) + ("00" + tostring)[-3:]],
	firmware:"1",support_end:"2030-01-01",contact:"c",update_info:"u"}' >"$REG_TMP/big-models.json"
api POST /api/v1/applications "$T_V1" "$(cat "$REG_TMP/big-models.json")"
check "models whose label would exceed 64 KiB are refused at filing" sh -c "test '$CODE' = 400 && grep -q 'exceed' '$BODY'"
api POST /api/v1/applications "$T_V1" "$(app_json 'Stuck Router' 1 STUCK-1)"
K=$(jb .id)
upload_report "$K" "$T_V1" STUCK-1 1
upload "$K" "$T_V1" checklist "$REG_TMP/checklist.csv"
for s in "$T_V1 submit" "$T_RV start_review" "$T_RV inquire" "$T_GL answer" "$T_RV accept" "$T_AD confirm_fee"; do
	set -- $s
	api POST "/api/v1/applications/$K/transitions" "$1" "{\"action\":\"$2\",\"question\":\"q\",\"answer\":\"a\"}"
done
check "application $K waits in fee_confirmed" test "$(jb .state)" = fee_confirmed
step "$K" reject RV rejected '"reason":"cannot be issued"'

# --- public list, exports, log
api GET "/api/v1/products?level=3" ""
check "level filter" test "$(jb .total):$(jb '.items[0].reg_no')" = "1:$REG3"
api GET "/api/v1/products?vendor=acme&model=cam" ""
check "vendor+model filter" test "$(jb .total)" = 1
check "CSV export starts with a BOM and the header" sh -c "curl -s '$URL/products.csv' | head -1 | grep -q \"^$(printf '\357\273\277')reg_no,level,vendor\""
check "JSON export" sh -c "curl -s '$URL/products.json' | jq -e '.total == 2' >/dev/null"
api GET /api/v1/log/sth ""
N=$(jb .payload.tree_size)
check "log has issue+change+change+renew+suspend+reinstate+revoke+issue = 8 leaves" test "$N" = 8
api GET "/api/v1/log/consistency?first=1&second=$N" ""
check "consistency proof" test "$CODE:$(jb .second)" = "200:$N"
api GET "/api/v1/log/inclusion?index=9" ""
check "inclusion of a missing leaf is 404" test "$CODE" = 404
api GET /api/v1/log/entries/0 ""
check "log entry 0 is the first label" test "$(jb .kind):$(jb .reg_no)" = "label:$REG"

# --- audit trail records who, when, why
api GET "/api/v1/applications/$A" "$T_V1"
check "audit trail" test "$(jb '[.audit[] | select(.action=="revoke")][0].reason'):$(jb '[.audit[] | select(.action=="revoke")][0].actor')" = "nonconformity found in inspection
<b>second line</b>:rev"
check "a multi-line reason is shown escaped on the product page" sh -c "curl -s '$URL/products/$REG' | grep -q 'nonconformity found in inspection' && curl -s '$URL/products/$REG' | grep -q '&lt;b&gt;second line&lt;/b&gt;' && ! curl -s '$URL/products/$REG' | grep -q '<b>second'"

# --- CSV export: cells that a spreadsheet would run as formulas get a ' inside the quotes
api POST /api/v1/applications "$T_V1" '{"product":"=1+2","category":"router","level":1,"models":["=HYPERLINK(\"http://x\",\"y\")","@SUM(A1)"],"firmware":"-1","support_end":"2030-12-31","contact":"+81 3","update_info":"u"}'
F=$(jb .id)
report_json '=HYPERLINK("http://x","y")' 1 0 "" -1 >"$REG_TMP/report-formula.json"
upload "$F" "$T_V1" report "$REG_TMP/report-formula.json"
upload "$F" "$T_V1" checklist "$REG_TMP/checklist.csv"
for s in "$T_V1 submit" "$T_RV start_review" "$T_RV inquire" "$T_GL answer" "$T_RV accept" "$T_AD confirm_fee" "$T_RV issue"; do
	set -- $s
	api POST "/api/v1/applications/$F/transitions" "$1" "{\"action\":\"$2\",\"question\":\"q\",\"answer\":\"a\"}"
done
check "formula product issued" test "$(jb .state)" = issued
curl -s "$URL/products.csv" >"$REG_TMP/export.csv"
check "CSV: product formula neutralised" grep -q ",'=1+2," "$REG_TMP/export.csv"
WANT=",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\");@SUM(A1)\","
check "CSV: models formula neutralised inside the quotes" grep -qF "$WANT" "$REG_TMP/export.csv"
check "CSV: firmware and contact neutralised" sh -c "grep -qF \",'-1,\" '$REG_TMP/export.csv' && grep -qF \",'+81 3,\" '$REG_TMP/export.csv'"
check "CSV: no cell starts with a bare formula character" sh -c "! tr -d '\\r' <'$REG_TMP/export.csv' | tr ',' '\\n' | grep -q '^\"*[=+@-]'"

# --- change notices are rate limited per application
api GET /api/v1/log/sth ""
N1=$(jb .payload.tree_size)
codes=""
for i in 1 2 3 4 5 6 7 8 9 10 11; do
	api POST "/api/v1/applications/$F/transitions" "$T_V1" "{\"action\":\"notify_change\",\"reason\":\"r$i\",\"changes\":{\"update_info\":\"https://x.example/fw/$i\"}}"
	codes="$codes$CODE "
done
check "10 change notices an hour, the 11th is 429 ($codes)" test "$codes" = "200 200 200 200 200 200 200 200 200 200 429 "
api GET /api/v1/log/sth ""
check "only the accepted notices are logged" test "$(jb .payload.tree_size)" = $((N1 + 10))

# --- a suspension reason with a newline through the web form (reviewer with a password)
api POST /api/v1/users "$T_AD" '{"name":"rev2","role":"reviewer","org":"IPA review","password":"reviewer-password"}'
web_login rev2 reviewer-password "$REG_TMP/jar-rev"
CSRF=$(curl -s -b "$REG_TMP/jar-rev" "$URL/apps/$F" | sed -n 's/.*name=csrf value="\([0-9a-f]*\)".*/\1/p' | head -1)
W=$(curl -s -b "$REG_TMP/jar-rev" -o /dev/null -w '%{http_code}' --data "csrf=$CSRF&action=suspend&reason=first+line%0D%0Asecond+%3Cline%3E" "$URL/apps/$F/action")
api GET "/api/v1/applications/$F" "$T_RV"
check "web form: suspension with a multi-line reason" test "$W:$(jb .state)" = "303:suspended"
check "web form: the reason is kept and shown escaped" sh -c "curl -s -b '$REG_TMP/jar-rev' '$URL/apps/$F' | grep -q 'second &lt;line&gt;'"

# --- self-audit: tampering behind the server's back is detected, nothing tampered shows as
# valid, and the registry refuses to sign until the database is repaired
api GET /api/v1/admin/audit "$T_AD"
check "self-audit passed at start: $(head -c 300 "$BODY")" test "$CODE:$(jb .ok):$(jb .problems_total)" = "200:true:0"
api GET /api/v1/admin/audit "$T_RV"
check "the audit report is for admins" test "$CODE" = 403
check "admin status page" sh -c "curl -s -H 'Authorization: Bearer $T_AD' '$URL/admin' | grep -q 'id=audit class=st-valid'"
# a registration edited from revoked to valid
db_sql "UPDATE registrations SET status = 'valid' WHERE reg_no = '$REG'"
api POST /api/v1/admin/audit "$T_AD"
check "edited registration detected" test "$(jb .ok):$(jb '.problems[0].reg_no')" = "false:$REG"
check "the problem says what the log says" sh -c "jq -r '.problems[0].problem' '$BODY' | grep -q 'the log says revoked'"
api GET "/api/v1/products/$REG" ""
check "the tampered registration is not shown as valid" test "$(jb .status)" = unverified
api GET "/api/v1/products?status=valid&q=rt-ax" ""
check "nor in the list" test "$(jb '[.items[] | select(.status == "valid")] | length')" = 0
api POST /api/v1/procurement "" '{"importance":"low","models":["RT-AX1"]}'
check "nor in the procurement check" test "$(jb '.results[0].meets'):$(jb '.results[0].status')" = "false:unverified"
check "the product page says unverified" sh -c "curl -s '$URL/products/$REG?lang=ja' | grep -q '未検証'"
check "admin status page shows the failure" sh -c "curl -s -H 'Authorization: Bearer $T_AD' '$URL/admin' | grep -q '$REG'"
api GET /api/v1/log/sth ""
check "no tree head is signed while the audit fails" test "$CODE" = 503
api GET "/api/v1/products/$REG3/bundle" ""
check "no bundle either" test "$CODE" = 503
check "reported loudly on stderr" grep -q "SELF-AUDIT FAILED" "$REG_TMP/srv.$SRV_PID.err"
db_sql "UPDATE registrations SET status = 'revoked' WHERE reg_no = '$REG'"
api POST /api/v1/admin/audit "$T_AD"
check "repaired: the audit passes again" test "$(jb .ok)" = true
api GET "/api/v1/products/$REG" ""
check "and the page shows the log's status" test "$(jb .status)" = revoked
# one leaf hash changed: the server refuses to sign a different root for the same size (no fork)
api GET /api/v1/log/sth ""
ROOT=$(jb .payload.root_hash)
check "tree head before tampering" test "$CODE" = 200
api GET /api/v1/log/entries/0 ""
LEAF0=$(jb .leaf_hash)
db_sql "UPDATE tlog SET leaf_hash = CASE WHEN substr(leaf_hash, 1, 1) = '0' THEN '1' ELSE '0' END || substr(leaf_hash, 2) WHERE idx = 0"
api GET /api/v1/log/sth ""
# the server's Merkle tree (logtree.c) holds the hashes it read when the leaves were appended,
# so it goes on signing the same root, never the changed one; a restarted server that reads the
# changed leaf refuses (the head guard compares with the heads it signed: tree_heads)
check "no forked root before any audit ran: the same root or a refusal" \
	sh -c "test '$CODE:$(jb .payload.root_hash)' = '200:$ROOT' || test '$CODE' = 503"
api POST /api/v1/admin/audit "$T_AD"
check "changed leaf hash detected" sh -c "jq -r '.problems[].problem' '$BODY' | grep -q 'leaf 0: stored leaf hash does not match'"
db_sql "UPDATE tlog SET leaf_hash = '$LEAF0' WHERE idx = 0"
api POST /api/v1/admin/audit "$T_AD"
check "leaf repaired: audit passes" test "$(jb .ok)" = true
api GET /api/v1/log/sth ""
check "signing resumes with the same root" test "$CODE:$(jb .payload.root_hash)" = "200:$ROOT"

# --- review on evidence: a report that is not ready (5 nonconform) gives no label without an
# audited override
api POST /api/v1/applications "$T_V1" "$(app_json 'NC Router' 1 NC-1)"
NC=$(jb .id)
upload_report "$NC" "$T_V1" NC-1 1 5
check "a not-ready report can be attached" test "$CODE" = 201
upload "$NC" "$T_V1" checklist "$REG_TMP/checklist.csv"
for s in "$T_V1 submit" "$T_RV start_review" "$T_RV inquire" "$T_GL answer" "$T_RV accept" "$T_AD confirm_fee"; do
	set -- $s
	api POST "/api/v1/applications/$NC/transitions" "$1" "{\"action\":\"$2\",\"question\":\"q\",\"answer\":\"a\"}"
done
check "ready for issuance" test "$(jb .state)" = fee_confirmed
check "the review shows 5 nonconform" test "$(jb .review.ready):$(jb '.review.counts.nonconform')" = "false:5"
check "the review page shows the verdicts (ja)" sh -c "curl -s -H 'Authorization: Bearer $T_RV' '$URL/apps/$NC?lang=ja' | grep -q '宣言はできません.*id=verdicts'"
check "the review page shows the verdicts (en)" sh -c "curl -s -H 'Authorization: Bearer $T_RV' '$URL/apps/$NC?lang=en' | grep -q 'NOT ready.*id=verdicts'"
api POST "/api/v1/applications/$NC/transitions" "$T_RV" '{"action":"issue"}'
check "no label for a 5-nonconform report" sh -c "test $CODE = 400 && jq -r .message '$BODY' | grep -q 'not ready to declare'"
api POST "/api/v1/applications/$NC/transitions" "$T_RV" '{"action":"issue","override":"nonconformities fixed in 1.0.1, retest attached"}'
check "issued with an override" test "$CODE:$(jb .state)" = "200:issued"
check "the override is audited with its reason" test "$(jb '[.audit[] | select(.action == "override")][0].reason' | cut -c1-33)" = "nonconformities fixed in 1.0.1, r"
curl -s "$URL/api/v1/products/$(jb .registration.reg_no)/bundle" >"$REG_TMP/bundle-nc.json"
check "an application without an SBOM: the label says so" \
	test "$(jq -r '.label.payload | .sbom_sha256 + " " + .report_sha256' "$REG_TMP/bundle-nc.json")" = "none $(sha "$REG_TMP/report-$NC.json")"
"$JCSTAR" label verify "$REG_TMP/bundle-nc.json" --key "$REG_TMP/pub.pem" --sbom "$REG_TMP/sbom.json" >"$REG_TMP/v.txt" 2>&1
check "so no SBOM file is confirmed against it (exit 7)" sh -c "test $? = 7 && grep -q 'had no SBOM' '$REG_TMP/v.txt'"

# --- pre-fill a new application from report.json (API: body or multipart; web form)
report_json NC-200 2 0 "Acme Devices K.K." 2.4.1 | jq -c '.product += {models: ["NC-200W", "NC-200"],
	type: "network camera", support_end: "2030-03-31", security_contact: "security@acme.example"}' >"$REG_TMP/pf.json"
pf_fields='[.vendor, .product, (.models | join(",")), .firmware, (.level | tostring), .category, .support_end, .contact] | join("|")'
PF_WANT="Acme Devices K.K.|NC-200 (network camera)|NC-200,NC-200W|2.4.1|2|network camera|2030-03-31|security@acme.example"
CODE=$(curl -s -m 60 -o "$BODY" -w '%{http_code}' -H "Authorization: Bearer $T_V1" -H 'Content-Type: application/json' \
	--data-binary "@$REG_TMP/pf.json" "$URL/api/v1/applications/prefill")
check "prefill from a report.json body: vendor, product, models, firmware, level, category, support, contact" \
	test "$CODE:$(jq -r "$pf_fields" "$BODY"):$(jb .warning)" = "200:$PF_WANT:null"
CODE=$(curl -s -m 60 -o "$BODY" -w '%{http_code}' -H "Authorization: Bearer $T_V1" -F "file=@$REG_TMP/pf.json" \
	"$URL/api/v1/applications/prefill")
check "prefill from a multipart upload gives the same" test "$CODE:$(jq -r "$pf_fields" "$BODY")" = "200:$PF_WANT"
jq -c '. + {update_info: "monthly updates"} | del(.vendor)' "$BODY" >"$REG_TMP/pf-app.json"
api POST /api/v1/applications "$T_V1" "$(cat "$REG_TMP/pf-app.json")"
PF=$(jb .id)
check "the pre-filled fields file an application" test "$CODE:$(jb .level):$(jb .firmware)" = "201:2:2.4.1"
upload "$PF" "$T_V1" report "$REG_TMP/pf.json"
check "and the same report attaches to it without differences" test "$CODE" = 201
CODE=$(curl -s -m 60 -o "$BODY" -w '%{http_code}' -H "Authorization: Bearer $T_V2" -F "file=@$REG_TMP/pf.json" \
	"$URL/api/v1/applications/prefill")
check "another supplier's report: filled in, with a warning naming both" \
	sh -c "test $CODE = 200 && jq -r .warning '$BODY' | grep -q \"vendor 'Acme Devices K.K.', this account files for 'Other Corp'\""
CODE=$(curl -s -m 60 -o "$BODY" -w '%{http_code}' -H "Authorization: Bearer $T_V1" -F "file=@$REG_TMP/tiny.json" \
	"$URL/api/v1/applications/prefill")
check "a report that would be refused as an attachment fills in nothing (400)" test "$CODE:$(jb .vendor)" = "400:null"
CODE=$(curl -s -m 60 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T_RV" -F "file=@$REG_TMP/pf.json" \
	"$URL/api/v1/applications/prefill")
check "only vendors pre-fill (403)" test "$CODE" = 403
CODE=$(curl -s -m 60 -o /dev/null -w '%{http_code}' -F "file=@$REG_TMP/pf.json" "$URL/api/v1/applications/prefill")
check "anonymous: 401" test "$CODE" = 401
curl -s -m 60 -H "Authorization: Bearer $T_V1" -F "report=@$REG_TMP/pf.json" "$URL/apps/new?lang=en" >"$REG_TMP/pf.html"
check "web form filled in from the report" sh -c "grep -q 'id=prefilled' '$REG_TMP/pf.html' && \
	grep -q 'name=product type=text size=60 value=\"NC-200 (network camera)\"' '$REG_TMP/pf.html' && \
	grep -q 'name=firmware type=text size=60 value=\"2.4.1\"' '$REG_TMP/pf.html' && \
	grep -q 'name=support_end type=date size=60 value=\"2030-03-31\"' '$REG_TMP/pf.html' && \
	grep -q '<option value=\"2\" selected>' '$REG_TMP/pf.html' && \
	tr '\n' '~' <'$REG_TMP/pf.html' | grep -q 'name=models[^>]*>NC-200~NC-200W</textarea>' && \
	! grep -q 'id=vendor-differs' '$REG_TMP/pf.html'"
report_json 'NC"><script>x</script>' 1 | jq -c '.product.type = "cam&<i>"' >"$REG_TMP/pf-evil.json"
curl -s -m 60 -H "Authorization: Bearer $T_V2" -F "report=@$REG_TMP/pf-evil.json" "$URL/apps/new?lang=en" >"$REG_TMP/pf.html"
check "pre-filled values are escaped; another supplier is flagged" sh -c "grep -q 'id=vendor-differs' '$REG_TMP/pf.html' && \
	grep -q 'value=\"NC&quot;&gt;&lt;script&gt;x&lt;/script&gt; (cam&amp;&lt;i&gt;)\"' '$REG_TMP/pf.html' && \
	! grep -q '<script>x' '$REG_TMP/pf.html' && ! grep -q '<i>' '$REG_TMP/pf.html'"
CODE=$(curl -s -m 60 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T_V1" -F "report=@$REG_TMP/tiny.json" "$URL/apps/new")
check "web: a bad report is an error page (400)" test "$CODE" = 400

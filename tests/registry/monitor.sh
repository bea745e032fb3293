# Living labels end to end (docs/monitoring.md), sourced after lib.sh by
# tests/integration/registry_monitor_{sqlite,pg}.sh with $DBURL set. The server watches
# $FEEDS (scanned every second) and a known-exploited case is overdue at once
# (--kev-deadline 0). Planted truth and clean twins:
#   RT-MON1 (busybox 1.24.1, linux 5.10.100, libcurl4 7.88.1-10+deb12u4 on Debian 12):
#     CVE-2016-2147 (NVD, busybox <= 1.24.2)          -> case
#     CVE-2024-1086 (NVD, kernel; in CISA KEV)         -> case, KEV, overdue: under review
#     CVE-2023-46218 (Debian OSV: fixed in deb12u5)    -> case (the distribution says affected)
#     CVE-2023-38545 (NVD libcurl < 8.4.0, but Debian fixed it in deb12u4, a backport) -> NO case
#   CAM-MON2 (busybox 1.36.1, linux 6.6.30, libcurl4 7.88.1-10+deb12u3):
#     CVE-2023-38545 -> case (deb12u3 predates Debian's fix: the same advisory says affected)
#     CVE-2023-46218 -> case (as on RT-MON1)
#     CVE-2016-2147, CVE-2024-1086 -> no case (versions outside the ranges); never under review
FX="$JCS_SRC/tests/fixtures"
NODE_DIR="$JCS_BUILD/sbom-node"
make_docs
T_V1=$(new_user acme vendor "Acme Devices K.K.") || exit 1
T_V2=$(new_user other vendor "Other Corp") || exit 1
T_RV=$(new_user rev reviewer "IPA review") || exit 1
T_GL=$(new_user gov liaison "METI") || exit 1

# the vendor's webhook receiver (verifies the signature itself)
python3 "$JCS_SRC/tests/registry/webhook_receiver.py" "$REG_TMP/hook.port" "$REG_TMP/hook.secret" \
	"$REG_TMP/hook.log" fail-first >"$REG_TMP/hook.out" 2>&1 &
HOOK_PID=$!
REG_PIDS="$REG_PIDS $HOOK_PID"
wait_until 30 test -s "$REG_TMP/hook.port" || { bad "webhook receiver did not start"; finish; exit 1; }
api POST /api/v1/webhook "$T_V1" "{\"url\":\"http://127.0.0.1:$(cat "$REG_TMP/hook.port")/hook\"}"
check "vendor sets a webhook, gets its secret" test "$CODE:$(jb '.secret | length')" = "200:64"
jb .secret >"$REG_TMP/hook.secret"
api POST /api/v1/webhook "$T_RV" '{"url":"http://127.0.0.1:9/x"}'
check "only vendors set webhooks" test "$CODE" = 403

# label PRODUCT MODEL SBOM: file, review and issue with the SBOM on file -> $REGNO, $APP
label() {
	api POST /api/v1/applications "$T_V1" "$(app_json "$1" 1 "$2")"
	APP=$(jb .id)
	upload_report "$APP" "$T_V1" "$2" 1
	upload "$APP" "$T_V1" checklist "$REG_TMP/checklist.csv"
	upload "$APP" "$T_V1" sbom "$3"
	check "$2: SBOM attached" test "$CODE" = 201
	for s in "$T_V1 submit" "$T_RV start_review" "$T_RV inquire" "$T_GL answer" "$T_RV accept" "$ADMIN confirm_fee" \
		"$T_RV issue"; do
		set -- $s
		api POST "/api/v1/applications/$APP/transitions" "$1" "{\"action\":\"$2\",\"question\":\"q\",\"answer\":\"a\"}"
	done
	check "$2 issued" test "$CODE:$(jb .state)" = "200:issued"
	REGNO=$(jb .registration.reg_no)
}
label "Router MON1" RT-MON1 "$FX/monitor/sbom-router.json"
R1=$REGNO A1=$APP
label "Camera MON2" CAM-MON2 "$FX/monitor/sbom-camera.json"
R2=$REGNO
api GET "/api/v1/products/$R1" ""
check "no feed yet: no case, not under review" test "$(jb .monitoring.open):$(jb .under_review)" = "0:false"

# drop the feeds: NVD records (real, fkie-cad copies), Debian OSV advisories, a KEV catalogue
mkdir -p "$REG_TMP/drop"
cp "$FX/vulndb/nvd/CVE-2016-2147.json" "$FX/vulndb/nvd/CVE-2023-38545.json" "$FX/vulndb/nvd/CVE-2024-1086.json" \
	"$FX/vulndb/osv-debian/DEBIAN-CVE-2023-38545.json" "$FX/vulndb/osv-debian/DEBIAN-CVE-2023-46218.json" \
	"$FX/monitor/kev-cve-2024-1086.json" "$REG_TMP/drop/"
mv "$REG_TMP/drop/"* "$FEEDS/"
cases_of() { # cases_of REGNO -> sorted "VULN:COMPONENT:STATE" lines of the public API
	curl -s -m 30 "$URL/api/v1/products/$1" | jq -r '.monitoring.cases[] | "\(.vuln):\(.component):\(.state)"' | sort
}
three_cases() { test "$(cases_of "$R1" | wc -l)" -ge 3; }
wait_until 60 three_cases
check "the dropped feeds open the three planted cases on RT-MON1 (and only them)" test "$(cases_of "$R1" | tr '\n' ' ')" = \
	"CVE-2016-2147:busybox:open CVE-2023-46218:libcurl:open CVE-2024-1086:linux:open "
check "the Debian-backported CVE-2023-38545 opens no case on RT-MON1" sh -c "! curl -s '$URL/api/v1/products/$R1' | grep -q CVE-2023-38545"
check "twin: CAM-MON2 (deb12u3, before Debian's fix) has CVE-2023-38545, and CVE-2023-46218" \
	test "$(cases_of "$R2" | tr '\n' ' ')" = "CVE-2023-38545:libcurl:open CVE-2023-46218:libcurl:open "

api GET "/api/v1/products/$R1" ""
check "public API: open cases, the KEV case, under review" \
	test "$(jb .monitoring.open):$(jb .monitoring.open_kev):$(jb .under_review):$(jb .open_cases)" = "3:1:true:3"
check "the KEV case is marked known-exploited and overdue" \
	test "$(jb '.monitoring.cases[] | select(.vuln == "CVE-2024-1086") | "\(.kev):\(.overdue)"')" = "true:true"
api GET "/api/v1/products/$R2" ""
check "clean twin: CAM-MON2 is not under review" test "$(jb .under_review):$(jb .monitoring.open_kev)" = "false:0"
api GET "/api/v1/products?q=MON1" ""
check "the public list shows the open cases and under review" test "$(jb '.items[0] | "\(.open_cases):\(.under_review)"')" = "3:true"
check "product page (en) says under review" sh -c "curl -s '$URL/products/$R1?lang=en' | grep -q 'Under review'"
check "product page (ja) says 審査中" sh -c "curl -s '$URL/products/$R1?lang=ja' | grep -q '審査中'"
check "product page lists the case" sh -c "curl -s '$URL/products/$R1?lang=en' | grep -q 'CVE-2024-1086'"
check "clean twin page is not under review" sh -c "! curl -s '$URL/products/$R2?lang=en' | grep -q 'Under review'"
api GET "/api/v1/products/$R1" ""
check "suspension stays the reviewer's: the label is still valid" test "$(jb .status)" = valid

# the webhook: the first attempt is refused by the receiver, the retry arrives signed
hook_ok() { grep -q "^OK case.opened $R1 CVE-2024-1086" "$REG_TMP/hook.log" 2>/dev/null; }
five_opened() { test "$(grep -c '^OK case.opened' "$REG_TMP/hook.log" 2>/dev/null)" = 5; }
wait_until 60 five_opened
check "webhook received, signature verified by the receiver" hook_ok
check "no delivery failed the receiver's signature check" sh -c "! grep -q '^BAD' '$REG_TMP/hook.log'"
check "the first (refused) attempt was retried" grep -q '^RETRY' "$REG_TMP/hook.log"
api GET /api/v1/webhook/deliveries "$T_V1"
check "delivery log: the vendor's deliveries, one retried" test "$(jb '[.[] | select(.attempts >= 2 and .status == "delivered")] | length')" = 1
check "CAM-MON2's cases went to the same vendor" test "$(jb '[.[] | select(.event == "case.opened")] | length')" = 5

# cases in the app: vendor and reviewer see them; another vendor does not
api GET "/api/v1/cases?reg_no=$R1" "$T_V1"
check "vendor's case list" test "$CODE:$(jb length)" = "200:3"
C_BB=$(jb '.[] | select(.vuln == "CVE-2016-2147") | .id')
C_K=$(jb '.[] | select(.vuln == "CVE-2024-1086") | .id')
api GET /api/v1/cases "$T_V2"
check "another vendor sees none" test "$CODE:$(jb length)" = "200:0"
api GET "/api/v1/cases/$C_BB" "$T_V2"
check "another vendor cannot open it" test "$CODE" = 404
api GET /api/v1/cases "$T_RV"
check "reviewer sees every case" test "$(jb length)" = 5
api GET /api/v1/cases ""
check "public has no case list" test "$CODE" = 401

# the vendor's answer: not_affected needs a CycloneDX justification and a detail
api POST "/api/v1/cases/$C_BB/transitions" "$T_V1" '{"action":"not_affected","detail":"x"}'
check "not_affected without a justification is refused" test "$CODE" = 400
api POST "/api/v1/cases/$C_BB/transitions" "$T_V1" '{"action":"not_affected","justification":"because","detail":"x"}'
check "an unknown justification is refused" test "$CODE" = 400
api POST "/api/v1/cases/$C_BB/transitions" "$T_RV" '{"action":"not_affected","justification":"code_not_reachable","detail":"x"}'
check "the reviewer cannot answer for the vendor" test "$CODE" = 403
api POST "/api/v1/cases/$C_BB/transitions" "$T_V1" '{"action":"acknowledge"}'
check "acknowledge is not possible on an open case" test "$CODE" = 409
api POST "/api/v1/cases/$C_BB/transitions" "$T_V1" '{"action":"assess"}'
check "vendor starts assessing" test "$CODE:$(jb .state)" = "200:assessing"
api POST "/api/v1/cases/$C_BB/transitions" "$T_V1" \
	'{"action":"not_affected","justification":"code_not_reachable","detail":"the image has no setuid busybox and no udhcpc option 121 handler"}'
check "vendor answers not_affected with a justification" test "$CODE:$(jb .state):$(jb .justification)" = "200:not_affected:code_not_reachable"
api POST "/api/v1/cases/$C_BB/transitions" "$T_RV" '{"action":"acknowledge"}'
check "reviewer acknowledges" test "$CODE:$(jb .state)" = "200:acknowledged"
api GET "/api/v1/applications/$A1" "$T_RV"
check "every case state change is in the application's audit trail" \
	test "$(jb '[.audit[] | select(.action == "case_open" or .action == "case_update")] | length')" = 6

# VEX: CycloneDX 1.5, validated against the official schema
curl -s -m 30 "$URL/api/v1/products/$R1/vex" >"$REG_TMP/vex.json"
check "VEX: the not-affected case with its justification" test \
	"$(jq -r '.vulnerabilities[] | select(.id == "CVE-2016-2147") | "\(.analysis.state):\(.analysis.justification)"' "$REG_TMP/vex.json")" = \
	"not_affected:code_not_reachable"
check "VEX: the open KEV case in triage" test \
	"$(jq -r '.vulnerabilities[] | select(.id == "CVE-2024-1086") | .analysis.state' "$REG_TMP/vex.json")" = in_triage
if [ ! -d "$NODE_DIR/node_modules/@cyclonedx/cyclonedx-library" ]; then
	mkdir -p "$NODE_DIR"
	cp "$JCS_SRC/tests/sbom/package.json" "$JCS_SRC/tests/sbom/package-lock.json" "$NODE_DIR/"
	(cd "$NODE_DIR" && npm ci --no-audit --no-fund --silent) || bad "npm ci for the CycloneDX validator failed"
fi
cp "$JCS_SRC/tests/sbom/validate.js" "$NODE_DIR/"
check "VEX validates against the CycloneDX 1.5 schema" node "$NODE_DIR/validate.js" "$REG_TMP/vex.json"
jq '.vulnerabilities[0].analysis.state = "maybe"' "$REG_TMP/vex.json" >"$REG_TMP/vex-bad.json"
check "the validator rejects a broken VEX (it can fail)" sh -c "! node '$NODE_DIR/validate.js' '$REG_TMP/vex-bad.json' >/dev/null 2>&1"

# procurement: open known-exploited vulnerabilities per model
api POST /api/v1/procurement "" '{"importance":"low","models":["RT-MON1","CAM-MON2","NONE-1"]}'
check "procurement: open KEV column" test "$(jb '[.results[].open_kev] | map(tostring) | join(",")')" = "1,0,null"

# the KEV case: affected with a fix date stays under review; fixed needs the firmware of a
# change notice; a new SBOM with the notice replaces the index
api POST "/api/v1/cases/$C_K/transitions" "$T_V1" '{"action":"affected","fix_date":"2026-13-01"}'
check "affected needs a real fix date" test "$CODE" = 400
api POST "/api/v1/cases/$C_K/transitions" "$T_V1" '{"action":"affected","fix_date":"2026-12-31","detail":"kernel 5.10.210 in firmware 1.1"}'
check "vendor: affected, fix planned" test "$CODE:$(jb .state)" = "200:affected"
api GET "/api/v1/products/$R1" ""
check "affected is unresolved: still under review" test "$(jb .under_review)" = true
api POST "/api/v1/cases/$C_K/transitions" "$T_V1" '{"action":"fixed","fixed_version":"1.1"}'
check "fixed before the change notice is refused" test "$CODE" = 400
jq '(.components[] | select(.name == "linux")) |= (.version = "5.10.210" | .purl = "pkg:generic/linux@5.10.210")' \
	"$FX/monitor/sbom-router.json" >"$REG_TMP/sbom-1.1.json"
upload "$A1" "$T_V1" sbom "$REG_TMP/sbom-1.1.json"
check "an issued label takes the new firmware's SBOM" test "$CODE" = 201
report_json RT-MON1 1 0 "" 1.1 >"$REG_TMP/report-1.1.json"
upload "$A1" "$T_V1" report "$REG_TMP/report-1.1.json"
check "and the new firmware's report (a firmware change needs one)" test "$CODE" = 201
api POST "/api/v1/applications/$A1/transitions" "$T_V1" '{"action":"notify_change","reason":"kernel fix","changes":{"firmware":"1.1"}}'
check "change notice for firmware 1.1" test "$CODE" = 200
api POST "/api/v1/cases/$C_K/transitions" "$T_V1" '{"action":"fixed","fixed_version":"1.1"}'
check "fixed in the noticed firmware" test "$CODE:$(jb .state):$(jb .fixed_version)" = "200:fixed:1.1"
not_review() { test "$(curl -s -m 30 "$URL/api/v1/products/$R1" | jq -r .under_review)" = false; }
wait_until 30 not_review
check "resolved: no longer under review" not_review

# incremental import through the admin API: the same document again is skipped; a changed
# record is updated in place and matched
api POST "/api/v1/admin/feeds?name=osv-46218" "$T_V1" "$(cat "$FX/vulndb/osv-debian/DEBIAN-CVE-2023-46218.json")"
check "feed upload is for admins" test "$CODE" = 403
api POST "/api/v1/admin/feeds?name=osv-46218" "$ADMIN" "$(cat "$FX/vulndb/osv-debian/DEBIAN-CVE-2023-46218.json")"
check "admin upload: one record, unchanged (already imported from the directory)" \
	test "$CODE:$(jb .records):$(jb .changed):$(jb .cases_opened)" = "200:1:0:0"
api POST "/api/v1/admin/feeds?name=osv-46218" "$ADMIN" "$(cat "$FX/vulndb/osv-debian/DEBIAN-CVE-2023-46218.json")"
check "the same document again is skipped" test "$(jb .skipped):$(jb .records)" = "1:0"
jq -c '.affected[0].package.name = "busybox" | .affected[0].package.ecosystem = "Debian:12" | .id = "DEBIAN-TEST-1"' \
	"$FX/vulndb/osv-debian/DEBIAN-CVE-2023-46218.json" >"$REG_TMP/osv-x.json"
api POST "/api/v1/admin/feeds?name=osv-x" "$ADMIN" "$(cat "$REG_TMP/osv-x.json")"
check "a Debian advisory about a package no label has from Debian opens nothing" test "$(jb .changed):$(jb .cases_opened)" = "1:0"
api POST "/api/v1/admin/feeds?name=bad" "$ADMIN" '{"hello":"world"}'
check "a document in no known feed format is refused" test "$CODE" = 400
kill "$HOOK_PID" 2>/dev/null
wait "$HOOK_PID" 2>/dev/null
forget_server "$HOOK_PID"

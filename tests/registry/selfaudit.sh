# Self-audit under a running server and across a restart, on the store at $DB (sourced by
# tests/integration/registry_selfaudit_*.sh after lib.sh). Tampering here is consistent:
# whole rows of the log are swapped, so every entry still hashes to its leaf, is signed and
# is filed under its own registration; only the order of the log changes.
SERVE_ARGS="--audit-interval 1"
start_server "$DB" || exit 1
make_docs
T_V=$(new_user acme vendor "Acme Devices K.K.") || exit 1
T_RV=$(new_user rev reviewer "IPA review") || exit 1
T_GL=$(new_user gov liaison "METI") || exit 1

# issue_label MODEL: file, document and issue a ★1 label -> $CODE 200
issue_label() {
	api POST /api/v1/applications "$T_V" "$(app_json "Camera $1" 1 "$1")"
	_id=$(jb .id)
	upload_report "$_id" "$T_V" "$1" 1
	upload "$_id" "$T_V" checklist "$REG_TMP/checklist.csv"
	for _s in "$T_V submit" "$T_RV start_review" "$T_RV inquire" "$T_GL answer" "$T_RV accept" "$ADMIN confirm_fee" \
		"$T_RV issue"; do
		set -- $_s
		api POST "/api/v1/applications/$_id/transitions" "$1" "{\"action\":\"$2\",\"question\":\"q\",\"answer\":\"a\"}"
	done
	check "label for $1 issued" test "$CODE:$(jb .state)" = "200:issued"
	LAST_REG=$(jb .registration.reg_no)
}
# swap_leaves I J: exchange two whole log rows (entry, hash, registration), keeping indexes gapless
swap_leaves() {
	db_sql "UPDATE tlog SET idx = -1 WHERE idx = $1; UPDATE tlog SET idx = $1 WHERE idx = $2; UPDATE tlog SET idx = $2 WHERE idx = -1"
}
sth_code() { api GET /api/v1/log/sth ""; [ "$CODE" = "$1" ]; }
audit_ok() { api GET /api/v1/admin/audit "$ADMIN"; [ "$(jb .ok)" = "$1" ]; }
audit_says() { api GET /api/v1/admin/audit "$ADMIN"; jq -r '.problems[].problem' "$BODY" | grep -q "$1"; }

issue_label SA-1
issue_label SA-2
issue_label SA-3
api GET /api/v1/log/sth ""
check "a tree head of 3 leaves is signed" test "$CODE:$(jb .payload.tree_size)" = "200:3"

issue_label SA-4
issue_label SA-5
# the server reads leaves 3 and 4 (a status statement) but signs no tree head over them
api GET "/api/v1/products/$LAST_REG/status" ""
check "status statement at 5 leaves, no tree head recorded for them" test "$CODE:$(jb .payload.tree_size)" = "200:5"

# --- 1. under the running server: leaves 3 and 4 swapped. No signed head covers them, every
# entry is intact: only the server's cached tree knows the order. The periodic audit (every
# second here) must notice it and refuse to sign.
# (nothing asks for a tree head meanwhile: a head signed from the cached tree would record the
# true order and let the head guard see the change; the audit must see it by itself)
swap_leaves 3 4
wait_until 30 audit_ok false
check "the periodic self-audit refuses to sign after the swap under the running server" sth_code 503
check "its report says the log was changed under the running server" \
	audit_says "log leaf 3 in the database is not the leaf this server appended or read"
check "reported loudly on stderr" grep -q "SELF-AUDIT FAILED" "$REG_TMP/srv.$SRV_PID.err"
api GET "/api/v1/products/$LAST_REG/status" ""
check "no status statement either" test "$CODE" = 503
swap_leaves 3 4
wait_until 30 audit_ok true
api GET /api/v1/log/sth ""
check "repaired: the periodic audit passes, signing resumes over all 5 leaves" test "$CODE:$(jb .payload.tree_size)" = "200:5"
ROOT5=$(jb .payload.root_hash)

# --- 2. across a restart: leaves 0 and 1 swapped while the server is stopped. The new server's
# tree reads the swapped leaves; the head guard (heads it signed, table tree_heads) catches it.
stop_server
swap_leaves 0 1
start_server "$DB" || exit 1
check "after a restart on a changed log no tree head is signed" sth_code 503
check "the start-up audit names the signed head the log no longer extends" \
	audit_says "tree head: the first 5 leaves no longer have the root signed for them"
api POST /api/v1/admin/audit "$ADMIN"
check "and an audit on request agrees" test "$(jb .ok)" = false
stop_server
swap_leaves 0 1
start_server "$DB" || exit 1
api GET /api/v1/log/sth ""
check "repaired and restarted: the same root as before" test "$CODE:$(jb .payload.root_hash)" = "200:$ROOT5"

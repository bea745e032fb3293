# Shared helpers for the registry integration tests (sourced, not run by ctest).
# Needs: $JCSTAR, curl, jq. Every server binds to 127.0.0.1 and is stopped by cleanup.

: "${JCSTAR:?JCSTAR must point at the built jcstar}"
command -v curl >/dev/null || { echo "curl missing (scripts/debian-packages.txt)"; exit 1; }
command -v jq >/dev/null || { echo "jq missing (scripts/debian-packages.txt)"; exit 1; }
. "${JCS_SRC:?}/tests/integration/lib/wait.sh"

REG_TMP=$(mktemp -d /tmp/jcs-reg.XXXXXX)
chmod 755 "$REG_TMP"
REG_PIDS=""
PG_DIR=""
PASS=0
FAIL=0

reg_cleanup() {
	for p in $REG_PIDS; do kill "$p" 2>/dev/null; done
	for p in $REG_PIDS; do wait "$p" 2>/dev/null; done
	if [ -n "$PG_DIR" ]; then
		pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
	fi
	rm -rf "$REG_TMP"
}
trap reg_cleanup EXIT INT TERM

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then ok; else bad "$d"; fi
}
# finish: stop every server cleanly (SIGTERM) and require exit status 0, so a sanitizer
# report at exit (leak, error) fails the test; then print the tally.
finish() {
	for p in $REG_PIDS; do
		[ -f "$REG_TMP/srv.$p.err" ] || continue
		kill "$p" 2>/dev/null
		wait "$p"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			bad "server $p exited with status $rc"
			tail -30 "$REG_TMP/srv.$p.err" >&2
		fi
	done
	REG_PIDS=""
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
# forget a server that the test killed on purpose
forget_server() {
	REG_PIDS=$(echo " $REG_PIDS " | sed "s/ $1 / /")
}

# the server has printed its address, or has died (start_server then reports why)
_listening() {
	grep -q '^jcstar registry listening on ' "$1" || ! kill -0 "$SRV_PID" 2>/dev/null
}

# start_server DBURL [THREADS]: starts jcstar serve (extra options in $SERVE_ARGS); sets $URL,
# $ADMIN, $SRV_PID
start_server() {
	DB_URL=$1
	_out=$(mktemp "$REG_TMP/serve.XXXXXX")
	# shellcheck disable=SC2086
	"$JCSTAR" serve --db "$1" --listen 127.0.0.1:0 --key "$REG_TMP/registry.key" ${2:+--threads "$2"} ${SERVE_ARGS:-} \
		>"$_out" 2>"$_out.err" &
	SRV_PID=$!
	REG_PIDS="$REG_PIDS $SRV_PID"
	ln -sf "$_out.err" "$REG_TMP/srv.$SRV_PID.err"
	wait_until "${START_WAIT:-30}" _listening "$_out"
	URL=$(sed -n 's/^jcstar registry listening on //p' "$_out")
	[ -n "$URL" ] || { echo "server did not start" >&2; cat "$_out.err" >&2; return 1; }
	_t=$(sed -n 's/^first admin token: //p' "$_out")
	[ -n "$_t" ] && ADMIN=$_t
	return 0
}

# db_sql SQL: run SQL on the server's database behind its back (tamper tests)
db_sql() {
	case "$DB_URL" in
	sqlite:*) sqlite3 "${DB_URL#sqlite:}" "$1" ;;
	*) pg_as psql -q -v ON_ERROR_STOP=1 "$DB_URL" -c "$1" >/dev/null ;;
	esac
}

stop_server() {
	kill "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
	forget_server "$SRV_PID"
}

# api METHOD PATH TOKEN [JSON] -> $CODE, body in $BODY (file)
BODY="$REG_TMP/body"
api() {
	_m=$1 _p=$2 _t=$3
	shift 3
	if [ $# -gt 0 ]; then
		CODE=$(curl -s -m 60 -o "$BODY" -w '%{http_code}' -X "$_m" ${_t:+-H "Authorization: Bearer $_t"} \
			-H 'Content-Type: application/json' --data-binary "$1" "$URL$_p")
	else
		CODE=$(curl -s -m 60 -o "$BODY" -w '%{http_code}' -X "$_m" ${_t:+-H "Authorization: Bearer $_t"} "$URL$_p")
	fi
}
# upload APP TOKEN KIND FILE
upload() {
	CODE=$(curl -s -m 60 -o "$BODY" -w '%{http_code}' ${2:+-H "Authorization: Bearer $2"} -F "kind=$3" \
		-F "file=@$4" "$URL/api/v1/applications/$1/attachments")
}
jb() { jq -r "$1" "$BODY"; }

# new_user NAME ROLE ORG [PASSWORD] -> prints token
new_user() {
	if [ -n "$4" ]; then
		api POST /api/v1/users "$ADMIN" "{\"name\":\"$1\",\"role\":\"$2\",\"org\":\"$3\",\"password\":\"$4\"}"
	else
		api POST /api/v1/users "$ADMIN" "{\"name\":\"$1\",\"role\":\"$2\",\"org\":\"$3\"}"
	fi
	[ "$CODE" = 201 ] || { echo "cannot create $1: $CODE $(cat "$BODY")" >&2; return 1; }
	jb .token
}

# web_login NAME PASSWORD JAR [curl args...]: sign in through the form (CSRF cookie and
# field from GET /login) -> $CODE; the session cookie lands in JAR
web_login() {
	_n=$1 _pw=$2 _jar=$3
	shift 3
	_tok=$(curl -s -c "$_jar" "$@" "$URL/login" | sed -n 's/.*name=csrf value="\([0-9a-f]*\)".*/\1/p' | head -1)
	CODE=$(curl -s -b "$_jar" -c "$_jar" -o "$BODY" -w '%{http_code}' "$@" \
		--data-urlencode "csrf=$_tok" --data-urlencode "name=$_n" --data-urlencode "password=$_pw" "$URL/login")
}

# Sample documents
make_docs() {
	report_json DEV 1 >"$REG_TMP/report.json"
	printf 'criterion,answer\nS1.1-01,conform\n' >"$REG_TMP/checklist.csv"
	printf 'evaluation report (ISO/IEC 17025 lab)\n' >"$REG_TMP/eval.txt"
}

# report_json MODEL LEVEL [NONCONFORM [VENDOR [FIRMWARE]]]: a jcstar.report/1 (docs/report.md)
# for the product app_json files, with NONCONFORM (default 0) nonconform criteria and two conform
report_json() {
	jq -cn --arg m "$1" --argjson l "$2" --argjson nc "${3:-0}" --arg v "${4:-Acme Devices K.K.}" \
		--arg fw "${5:-1.0}" '
	  ([range(0; $nc) | {criterion: ("S1.1-" + (10 + . | tostring)), verdict: "nonconform"}]
	   + [{criterion: "S1.1-01", verdict: "conform"}, {criterion: "S1.1-02", verdict: "conform"}]) as $c
	  | {schema: "jcstar.report/1", level: $l,
	     product: {vendor: $v, model: $m, models: [], firmware_version: $fw},
	     summary: {ready: ($nc == 0),
	               statement: (if $nc == 0 then "Ready to declare ★\($l)."
	                           else "Not ready to declare ★\($l): \($nc) nonconform." end),
	               counts: {conform: 2, nonconform: $nc, "needs-evidence": 0, "not-applicable": 0}},
	     criteria: $c}'
}
# upload_report APP TOKEN MODEL LEVEL [NONCONFORM [VENDOR]]
upload_report() {
	report_json "$3" "$4" "${5:-0}" "${6:-}" >"$REG_TMP/report-$1.json"
	upload "$1" "$2" report "$REG_TMP/report-$1.json"
}

# app_json PRODUCT LEVEL MODEL [LAB]
app_json() {
	printf '{"product":"%s","category":"router","level":%s,"models":["%s"],"firmware":"1.0",' "$1" "$2" "$3"
	printf '"support_end":"2030-12-31","contact":"psirt@example.com","update_info":"monthly updates","lab":"%s"}' "${4:-}"
}

# PostgreSQL started by the test: initdb into a temp dir as a non-root user, unix socket only.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
pg_as() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
start_postgres() {
	[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server missing (package postgresql)" >&2; return 1; }
	PG_DIR="$REG_TMP/pg"
	mkdir -p "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust >"$REG_TMP/initdb.log" 2>&1 ||
		{ cat "$REG_TMP/initdb.log" >&2; return 1; }
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
		-o "-k $PG_DIR -c listen_addresses= -p 5432 -c fsync=on -c synchronous_commit=on" start \
		>/dev/null 2>&1 || { cat "$PG_DIR/log" >&2; return 1; }
	pg_as "$PG_BIN/createdb" -h "$PG_DIR" -p 5432 -U postgres jcstar || return 1
	PG_URL="postgresql:///jcstar?host=$PG_DIR&port=5432&user=postgres"
}

# e2e_setup SCRIPT.mjs NAME: headless Chromium (Debian chromium) driven by playwright-core
# (npm, pinned by tests/e2e/package-lock.json, installed once into the build directory); copies
# SCRIPT beside it as $NODE_E2E/SCRIPT and makes ART=$JCS_BUILD/artifacts/NAME empty.
e2e_setup() {
	[ -x /usr/bin/chromium ] || { echo "chromium missing (scripts/debian-packages.txt)"; exit 1; }
	command -v npm >/dev/null || { echo "npm missing (scripts/debian-packages.txt)"; exit 1; }
	NODE_E2E="$JCS_BUILD/e2e-node"
	if [ ! -d "$NODE_E2E/node_modules/playwright-core" ]; then
		mkdir -p "$NODE_E2E"
		cp "$JCS_SRC/tests/e2e/package.json" "$JCS_SRC/tests/e2e/package-lock.json" "$NODE_E2E/"
		(cd "$NODE_E2E" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent) ||
			{ echo "npm ci failed"; exit 1; }
	fi
	cp "$JCS_SRC/tests/e2e/$1" "$NODE_E2E/"
	ART="$JCS_BUILD/artifacts/$2"
	rm -rf "$ART"
	mkdir -p "$ART"
}

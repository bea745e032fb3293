#!/bin/sh
# Registry benchmark (not a test): wrk on a cached product page and on list searches that
# miss the page cache (trigram index) with 10,000 labelled products, side by side with nginx
# serving the same page as a static file in the same run; the cached page's p99 alone and
# while cache-miss searches load the server; server RSS under a flood of announced 4 MiB
# bodies; tree head and inclusion proof latency with 100,000 log entries; label issuance
# throughput with durable commits on SQLite and PostgreSQL.
#   sh bench/registry.sh [build/jcstar]
# Goals: cache-miss search >= 0.25x nginx's static req/s; the cached page's p99 under
# cache-miss load within 2x of its p99 alone. Everything binds 127.0.0.1 (the flood comes
# from 127.0.0.3).

JCSTAR=${1:-build/jcstar}
case "$JCSTAR" in /*) ;; *) JCSTAR=$PWD/$JCSTAR ;; esac
JCS_SRC=$(cd "$(dirname "$0")/.." && pwd)
export JCSTAR JCS_SRC
for t in wrk nginx curl jq sqlite3 python3; do
	command -v $t >/dev/null || [ -x /usr/sbin/$t ] || { echo "bench/registry.sh: $t missing"; exit 1; }
done
. "$JCS_SRC/tests/registry/lib.sh"
DUR=${BENCH_SECONDS:-10}
CONN=${BENCH_CONNECTIONS:-32}
ISSUE=${BENCH_ISSUE:-200}
TOTAL=10000
LOGN=100000
# wrk's connections all come from 127.0.0.1: lift the per-client cap for the benchmark
SERVE_ARGS="--per-client 256"

# curl config listing one url (and a discarded body) per line: PATH_TEMPLATE(with %d) FROM TO
urls() {
	i=$2
	while [ "$i" -le "$3" ]; do printf 'url = "%s'"$1"'"\noutput = "/dev/null"\n' "$URL" "$i"; i=$((i + 1)); done
}

# prepare_fee_confirmed N: N applications waiting for issuance (ids 1..N on a fresh store)
prepare() {
	n=$1
	make_docs
	T_V=$(new_user acme vendor "Acme Devices K.K.") && T_R=$(new_user rev reviewer IPA) &&
		T_G=$(new_user gov liaison METI) || exit 1
	urls '/api/v1/applications#%d' 1 "$n" >"$REG_TMP/create.cfg"
	app='{"product":"Device","category":"router","level":1,"models":["DEV"],"firmware":"1.0","support_end":"2030-12-31","contact":"psirt@example.com","update_info":"u"}'
	curl -s -K "$REG_TMP/create.cfg" -H "Authorization: Bearer $T_V" -H 'Content-Type: application/json' \
		-d "$app"
	urls '/api/v1/applications/%d/attachments' 1 "$n" >"$REG_TMP/att.cfg"
	curl -s -K "$REG_TMP/att.cfg" -H "Authorization: Bearer $T_V" -F kind=report -F "file=@$REG_TMP/report.json"
	curl -s -K "$REG_TMP/att.cfg" -H "Authorization: Bearer $T_V" -F kind=checklist -F "file=@$REG_TMP/checklist.csv"
	urls '/api/v1/applications/%d/transitions' 1 "$n" >"$REG_TMP/tr.cfg"
	for step in "$T_V submit" "$T_R start_review" "$T_R inquire" "$T_G answer" "$T_R accept" "$ADMIN confirm_fee"; do
		set -- $step
		got=$(curl -s -K "$REG_TMP/tr.cfg" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
			-d "{\"action\":\"$2\",\"question\":\"q\",\"answer\":\"a\"}" -w '%{http_code}\n' | grep -c '^200')
		[ "$got" = "$n" ] || { echo "prepare: $2 succeeded $got/$n times"; exit 1; }
	done
}

# issuance: time ISSUE issue requests (4 in parallel), print labels per second
issuance() {
	t0=$(date +%s.%N)
	ok=$(curl -s -K "$REG_TMP/tr.cfg" --parallel --parallel-max 4 --no-progress-meter -H "Authorization: Bearer $T_R" \
		-H 'Content-Type: application/json' -d '{"action":"issue"}' -w '%{http_code}\n' | grep -c '^200')
	t1=$(date +%s.%N)
	[ "$ok" = "$ISSUE" ] || echo "  warning: $ok/$ISSUE issued"
	echo "$ok $t0 $t1" | awk '{printf "%.0f", $1 / ($3 - $2)}'
}

ms() { # wrk latency (us/ms/s) -> ms
	awk -v v="$1" 'BEGIN { if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v }'
}
wrk_run() { # URL [LUA] [THREADS CONNS OUT] -> "rps p99ms p50ms"
	_o=${5:-$REG_TMP/wrk.out}
	wrk -t"${3:-2}" -c"${4:-$CONN}" -d"${DUR}s" --latency ${2:+-s "$2"} "$1" >"$_o" 2>&1
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$_o")
	p99=$(ms "$(awk '$1 == "99%" {print $2}' "$_o")")
	p50=$(ms "$(awk '$1 == "50%" {print $2}' "$_o")")
	non2xx=$(awk '/Non-2xx/ {print $NF}' "$_o")
	[ -n "$non2xx" ] && echo "  warning: $non2xx non-2xx answers from $1" >&2
	echo "${rps:-0} ${p99:-0} ${p50:-0}"
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# the server's CPU time (user + system) in clock ticks: CPU per request does not depend on
# what else the machine runs, req/s does
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "== issuance throughput (durable commits; $ISSUE labels, 4 concurrent clients)"
start_server "sqlite:$REG_TMP/reg.db" 2 || exit 1
prepare "$ISSUE"
SQ_ISSUE=$(issuance)
echo "  SQLite (WAL, synchronous=FULL): $SQ_ISSUE labels/s"
SQ_URL=$URL SQ_PID=$SRV_PID SQ_ADMIN=$ADMIN
if start_postgres; then
	start_server "$PG_URL" 2 || exit 1
	prepare "$ISSUE"
	PG_ISSUE=$(issuance)
	echo "  PostgreSQL (synchronous_commit=on): $PG_ISSUE labels/s"
	stop_server
else
	echo "  PostgreSQL: not available"
fi
URL=$SQ_URL SRV_PID=$SQ_PID ADMIN=$SQ_ADMIN

echo "== growing the SQLite registry to $TOTAL labelled products (bulk copy of issued rows)"
stop_server
sqlite3 "$REG_TMP/reg.db" <<SQL
PRAGMA foreign_keys=ON;
BEGIN;
CREATE TEMP TABLE n AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $TOTAL - $ISSUE) SELECT i FROM c;
INSERT INTO applications (id, app_no, vendor_id, vendor_org, lab_org, state, level, product, category, models, firmware,
  support_end, contact, update_info, question, answer, reason, created, updated)
  SELECT 100000 + i, printf('APP-B-%06d', i), a.vendor_id, printf('Vendor %d K.K.', i % 97), '', 'issued', 1 + (i % 2) * 2,
  printf('Product %d', i), CASE i % 3 WHEN 0 THEN 'router' WHEN 1 THEN 'camera' ELSE 'home-gateway' END,
  printf('BULK-%05d', i), a.firmware, a.support_end, a.contact, a.update_info, 'q', 'a', '', a.created, a.updated
  FROM n, applications a WHERE a.id = 1;
INSERT INTO registrations (reg_no, app_id, level, vendor_org, product, category, models, firmware, support_end, contact,
  update_info, status, issued, expires, reason, updated)
  SELECT printf('JCS-%d-2026-%06d', ap.level, 500000 + ap.id - 100000), ap.id, ap.level, ap.vendor_org, ap.product, ap.category,
  ap.models, ap.firmware, ap.support_end, ap.contact, ap.update_info, 'valid', r.issued, r.expires, '', r.updated
  FROM applications ap, registrations r WHERE ap.id > 100000 AND r.app_id = 1;
INSERT INTO models (reg_no, model) SELECT reg_no, models FROM registrations WHERE app_id > 100000;
COMMIT;
SQL
# each bulk registration gets a signed, logged credential: the self-audit must pass, else the
# server signs nothing and caches no page
python3 "$JCS_SRC/bench/bulk_labels.py" "$REG_TMP/reg.db" "$REG_TMP/registry.key" | sed 's/^/  /'
[ -n "${BENCH_KEEP_DB:-}" ] && cp "$REG_TMP/reg.db" "$BENCH_KEEP_DB"
start_server "sqlite:$REG_TMP/reg.db" 2 || exit 1
api GET "/api/v1/products?limit=1" ""
echo "  $(jb .total) labelled products"
api GET /api/v1/admin/audit "$ADMIN"
[ "$(jb .ok)" = true ] || { echo "bench/registry.sh: the self-audit fails: $(head -c 400 "$BODY")"; exit 1; }
REG=$(sqlite3 "$REG_TMP/reg.db" "SELECT reg_no FROM registrations WHERE app_id = 100777")
PAGE="/products/$REG"
SEARCH="/?model=bulk-0777&status=valid"

echo "== nginx serving the same page as a static file"
mkdir -p "$REG_TMP/www" "$REG_TMP/nginx"
curl -s "$URL$PAGE" >"$REG_TMP/www/page.html"
cat >"$REG_TMP/nginx/nginx.conf" <<NGX
worker_processes 2;
pid $REG_TMP/nginx/nginx.pid;
error_log $REG_TMP/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $REG_TMP/nginx; proxy_temp_path $REG_TMP/nginx; fastcgi_temp_path $REG_TMP/nginx;
  uwsgi_temp_path $REG_TMP/nginx; scgi_temp_path $REG_TMP/nginx;
  server { listen 127.0.0.1:18089; root $REG_TMP/www; default_type text/html; }
}
NGX
nginx -c "$REG_TMP/nginx/nginx.conf" || exit 1
NGINX_PID=$(cat "$REG_TMP/nginx/nginx.pid")
REG_PIDS="$REG_PIDS $NGINX_PID"
set -- $(wrk_run "http://127.0.0.1:18089/page.html"); NG_RPS=$1 NG_P99=$2
set -- $(wrk_run "$URL$PAGE"); PP_RPS=$1 PP_P99=$2
set -- $(wrk_run "$URL$SEARCH"); LS_RPS=$1 LS_P99=$2
# distinct searches: every request a different model number, so the page cache misses
cat >"$REG_TMP/miss.lua" <<'LUA'
request = function() return wrk.format(nil, "/?model=bulk-" .. math.random(0, 99999) .. "&status=valid") end
LUA
C0=$(cpu_ticks "$SRV_PID")
set -- $(wrk_run "$URL/" "$REG_TMP/miss.lua"); LM_RPS=$1 LM_P99=$2
LM_CPU=$(echo "$(cpu_ticks "$SRV_PID") $C0 $LM_RPS $DUR $(getconf CLK_TCK)" | awk '{printf "%.0f", ($1 - $2) / $5 * 1e6 / ($3 * $4)}')
# the cached page alone, then while 8 connections keep asking for cache-miss searches
set -- $(wrk_run "$URL$PAGE" "" 1 16); AL_RPS=$1 AL_P99=$2
wrk -t1 -c8 -d"$((DUR + 2))s" -s "$REG_TMP/miss.lua" "$URL/" >"$REG_TMP/wrk-bg.out" 2>&1 &
BG=$!
sleep 1
set -- $(wrk_run "$URL$PAGE" "" 1 16); UL_RPS=$1 UL_P99=$2
wait $BG
BG_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$REG_TMP/wrk-bg.out")
kill "$NGINX_PID"

echo "== body flood: 50 connections announce 4 MiB bodies to GET / (from 127.0.0.3)"
RSS0=$(rss_kb "$SRV_PID")
FLOOD=$(python3 "$JCS_SRC/tests/registry/dos.py" flood 127.0.0.1 "${URL##*:}" 127.0.0.3 50 GET /)
RSS1=$(rss_kb "$SRV_PID")
echo "  $FLOOD; server RSS ${RSS0} kB before, ${RSS1} kB after"

echo "== transparency log with $LOGN entries (the newest label credential repeated: real signed leaves)"
stop_server
# the self-audit checks every leaf at start: made-up leaves would (rightly) stop all signing
sqlite3 "$REG_TMP/reg.db" <<SQL
BEGIN;
INSERT INTO tlog (idx, kind, reg_no, leaf_hash, entry, at)
  WITH RECURSIVE c(i) AS (SELECT (SELECT max(idx) + 1 FROM tlog) UNION ALL SELECT i + 1 FROM c WHERE i < $LOGN - 1)
  SELECT c.i, t.kind, t.reg_no, t.leaf_hash, t.entry, t.at
  FROM c, (SELECT * FROM tlog WHERE kind = 'label' ORDER BY idx DESC LIMIT 1) t;
UPDATE counters SET v = (SELECT count(*) FROM tlog) WHERE name = 'log';
COMMIT;
SQL
t0=$(date +%s%N)
START_WAIT=900 start_server "sqlite:$REG_TMP/reg.db" 2 || exit 1
t1=$(date +%s%N)
echo "  server start with the start-up self-audit of $LOGN entries: $(echo "$t0 $t1" | awk '{printf "%.0f", ($2 - $1) / 1e6}') ms"
t0=$(date +%s%N)
curl -s -o /dev/null "$URL/api/v1/log/sth"
t1=$(date +%s%N)
COLD=$(echo "$t0 $t1" | awk '{printf "%.1f", ($2 - $1) / 1e6}')
api GET /api/v1/log/sth ""
echo "  tree size $(jb .payload.tree_size); first tree head after start (reads every leaf once): $COLD ms"
set -- $(wrk_run "$URL/api/v1/log/sth" "" 1 4); STH_RPS=$1 STH_P99=$2 STH_P50=$3
set -- $(wrk_run "$URL/api/v1/log/inclusion?index=77777" "" 1 4); INC_RPS=$1 INC_P99=$2 INC_P50=$3
BREG=$(sqlite3 "$REG_TMP/reg.db" "SELECT reg_no FROM tlog WHERE kind = 'label' ORDER BY idx LIMIT 1")
set -- $(wrk_run "$URL/api/v1/products/$BREG/bundle" "" 1 4); BUN_RPS=$1 BUN_P99=$2 BUN_P50=$3

printf '\n%-40s %10s %9s %8s\n' "target (wrk -t2 -c$CONN -d${DUR}s)" "req/s" "p99 ms" "vs nginx"
printf '%-40s %10.0f %9.2f %8s\n' "nginx static page" "$NG_RPS" "$NG_P99" "100%"
printf '%-40s %10.0f %9.2f %7.0f%%\n' "jcstar product page (cached)" "$PP_RPS" "$PP_P99" "$(echo "$PP_RPS $NG_RPS" | awk '{print 100 * $1 / $2}')"
printf '%-40s %10.0f %9.2f %7.0f%%\n' "jcstar list search (10k, cached)" "$LS_RPS" "$LS_P99" "$(echo "$LS_RPS $NG_RPS" | awk '{print 100 * $1 / $2}')"
printf '%-40s %10.0f %9.2f %7.0f%%   goal >= 25%%\n' "jcstar list search, cache misses" "$LM_RPS" "$LM_P99" "$(echo "$LM_RPS $NG_RPS" | awk '{print 100 * $1 / $2}')"
printf '%-40s %10s us of server CPU per request (user + system)\n' "  cache misses, CPU" "$LM_CPU"
printf '\n%-40s %10s %9s\n' "cached page (wrk -t1 -c16)" "req/s" "p99 ms"
printf '%-40s %10.0f %9.2f\n' "alone" "$AL_RPS" "$AL_P99"
printf '%-40s %10.0f %9.2f   %.2fx of alone, goal <= 2x\n' "with cache-miss load (c8, $(printf '%.0f' "$BG_RPS") req/s)" "$UL_RPS" "$UL_P99" "$(echo "$UL_P99 $AL_P99" | awk '{print $1 / $2}')"
printf '\n%-40s %10s %9s %9s\n' "log, $LOGN entries (wrk -t1 -c4)" "req/s" "p50 ms" "p99 ms"
printf '%-40s %10.0f %9.2f %9.2f\n' "tree head (cached)" "$STH_RPS" "$STH_P50" "$STH_P99"
printf '%-40s %10.0f %9.2f %9.2f\n' "inclusion proof, index 77777" "$INC_RPS" "$INC_P50" "$INC_P99"
printf '%-40s %10.0f %9.2f %9.2f\n' "offline bundle (label+proof+head)" "$BUN_RPS" "$BUN_P50" "$BUN_P99"
printf '\nbody flood: %s; RSS %s kB -> %s kB\n' "$FLOOD" "$RSS0" "$RSS1"
printf 'issuance: SQLite %s labels/s, PostgreSQL %s labels/s\n' "$SQ_ISSUE" "${PG_ISSUE:-n/a}"

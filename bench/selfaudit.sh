#!/bin/sh
# Self-audit benchmark (not a test): the full self-audit (every leaf's hash, signature and
# filing, the head guard, every registration against its log entries) of a SQLite registry
# whose log holds N real signed entries — one issued label credential, repeated N times
# (the same valid leaf), so every entry costs a real signature check.
#   sh bench/selfaudit.sh [build/jcstar] [N (default 100000)]
# Prints the wall and CPU time (the server's user + system, robust to a loaded machine) of a
# server start (which audits before it listens) and of POST /api/v1/admin/audit (RUNS runs,
# default 3).
JCSTAR=${1:-build/jcstar}
case "$JCSTAR" in /*) ;; *) JCSTAR=$PWD/$JCSTAR ;; esac
N=${2:-100000}
RUNS=${RUNS:-3}
JCS_SRC=$(cd "$(dirname "$0")/.." && pwd)
export JCSTAR JCS_SRC
for t in curl jq sqlite3; do command -v $t >/dev/null || { echo "bench/selfaudit.sh: $t missing"; exit 1; }; done
. "$JCS_SRC/tests/registry/lib.sh"
DB="sqlite:$REG_TMP/reg.db"
START_WAIT=900 # the start-up audit of a large log takes a while
SERVE_ARGS="--audit-interval 86400" # no periodic audit during the measured ones
start_server "$DB" || exit 1
make_docs
T_V=$(new_user acme vendor "Acme Devices K.K.") && T_R=$(new_user rev reviewer IPA) &&
	T_G=$(new_user gov liaison METI) || exit 1
api POST /api/v1/applications "$T_V" "$(app_json "Camera" 1 CAM-1)"
ID=$(jb .id)
upload_report "$ID" "$T_V" CAM-1 1
upload "$ID" "$T_V" checklist "$REG_TMP/checklist.csv"
for s in "$T_V submit" "$T_R start_review" "$T_R inquire" "$T_G answer" "$T_R accept" "$ADMIN confirm_fee" "$T_R issue"; do
	set -- $s
	api POST "/api/v1/applications/$ID/transitions" "$1" "{\"action\":\"$2\",\"question\":\"q\",\"answer\":\"a\"}"
done
[ "$(jb .state)" = issued ] || { echo "issuance failed: $(cat "$BODY")"; exit 1; }
stop_server
sqlite3 "$REG_TMP/reg.db" <<SQL
BEGIN;
INSERT INTO tlog (idx, kind, reg_no, leaf_hash, entry, at)
  WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $N - 1)
  SELECT c.i, t.kind, t.reg_no, t.leaf_hash, t.entry, t.at FROM c, tlog t WHERE t.idx = 0;
UPDATE counters SET v = (SELECT count(*) FROM tlog) WHERE name = 'log';
COMMIT;
SQL
cpu() { awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$SRV_PID/stat"; } # seconds
t0=$(date +%s%N)
start_server "$DB" 2 || exit 1
t1=$(date +%s%N)
echo "log entries: $(sqlite3 "$REG_TMP/reg.db" 'SELECT count(*) FROM tlog'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
C0=$(cpu)
echo "server start (audits before listening): $(echo "$t0 $t1" | awk '{printf "%.0f", ($2 - $1) / 1e6}') ms wall, $C0 s CPU"
i=1
while [ "$i" -le "$RUNS" ]; do
	T=$(curl -s -m 3600 -o "$BODY" -w '%{time_total}' -X POST -H "Authorization: Bearer $ADMIN" \
		-H 'Content-Type: application/json' --data '{}' "$URL/api/v1/admin/audit")
	C1=$(cpu)
	echo "POST /api/v1/admin/audit run $i: $(echo "$T" | awk '{printf "%.0f", $1 * 1000}') ms wall, $(echo "$C0 $C1" | awk '{printf "%.1f", $2 - $1}') s CPU, ok $(jb .ok), tree_size $(jb .tree_size), problems $(jb .problems_total)"
	C0=$C1 i=$((i + 1))
done
finish >/dev/null

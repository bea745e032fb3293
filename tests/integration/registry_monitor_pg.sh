#!/bin/sh
# Living labels end to end on PostgreSQL (started by the test): the same as the SQLite test.
. "$JCS_SRC/tests/registry/lib.sh"
start_postgres || exit 1
FEEDS="$REG_TMP/feeds"
mkdir -p "$FEEDS"
SERVE_ARGS="--feeds $FEEDS --feeds-interval 1 --kev-deadline 0" start_server "$PG_URL" || exit 1
. "$JCS_SRC/tests/registry/monitor.sh"
finish

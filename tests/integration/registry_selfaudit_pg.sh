#!/bin/sh
# Registry self-audit under a running server and across a restart, on PostgreSQL (started by
# the test, unix socket only).
. "$JCS_SRC/tests/registry/lib.sh"
start_postgres || exit 1
DB=$PG_URL
. "$JCS_SRC/tests/registry/selfaudit.sh"
finish

#!/bin/sh
# Registry crash test on a test-started PostgreSQL: kill -9 the server while issuing labels.
. "$JCS_SRC/tests/registry/lib.sh"
start_postgres || exit 1
DB=$PG_URL
. "$JCS_SRC/tests/registry/crash.sh"

#!/bin/sh
# Registry API: the same suite on a real PostgreSQL that this test starts (initdb into a
# temp dir as the postgres user, unix socket only) and stops, plus two servers sharing it.
. "$JCS_SRC/tests/registry/lib.sh"
start_postgres || exit 1
start_server "$PG_URL" || exit 1
. "$JCS_SRC/tests/registry/suite.sh"
# a second server process on the same database sees the same registry
FIRST=$URL
start_server "$PG_URL" || exit 1
api GET "/api/v1/products/$REG3" ""
check "second server process shares the database" test "$CODE:$(jb .reg_no)" = "200:$REG3"
URL=$FIRST
finish

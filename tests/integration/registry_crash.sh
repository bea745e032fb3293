#!/bin/sh
# Registry crash test on SQLite (WAL, synchronous=FULL): kill -9 while issuing labels.
. "$JCS_SRC/tests/registry/lib.sh"
DB="sqlite:$REG_TMP/reg.db"
. "$JCS_SRC/tests/registry/crash.sh"

#!/bin/sh
# Registry self-audit under a running server and across a restart, on SQLite.
. "$JCS_SRC/tests/registry/lib.sh"
DB="sqlite:$REG_TMP/reg.db"
. "$JCS_SRC/tests/registry/selfaudit.sh"
finish

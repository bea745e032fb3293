#!/bin/sh
# Registry API: every workflow transition and role, on the embedded SQLite store.
. "$JCS_SRC/tests/registry/lib.sh"
start_server "sqlite:$REG_TMP/reg.db" || exit 1
. "$JCS_SRC/tests/registry/suite.sh"
finish

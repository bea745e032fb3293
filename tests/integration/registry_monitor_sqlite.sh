#!/bin/sh
# Living labels end to end on SQLite: SBOM on file, feeds dropped into --feeds, cases,
# signed webhooks, VEX (CycloneDX 1.5 schema), KEV deadline -> under review.
. "$JCS_SRC/tests/registry/lib.sh"
FEEDS="$REG_TMP/feeds"
mkdir -p "$FEEDS"
SERVE_ARGS="--feeds $FEEDS --feeds-interval 1 --kev-deadline 0" start_server "sqlite:$REG_TMP/reg.db" || exit 1
. "$JCS_SRC/tests/registry/monitor.sh"
finish

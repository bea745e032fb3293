#!/bin/sh
# Living labels in headless Chromium (Debian chromium + playwright-core from npm): after the
# monitoring scenario (tests/registry/monitor.sh), the product page with an open case in
# Japanese and English. Screenshots: $JCS_BUILD/artifacts/registry-monitor/*.png
. "$JCS_SRC/tests/registry/lib.sh"
e2e_setup monitor.mjs registry-monitor
FEEDS="$REG_TMP/feeds"
mkdir -p "$FEEDS"
SERVE_ARGS="--feeds $FEEDS --feeds-interval 1 --kev-deadline 0" start_server "sqlite:$REG_TMP/reg.db" || exit 1
. "$JCS_SRC/tests/registry/monitor.sh"
REG_URL=$URL ARTIFACTS=$ART REG_NO=$R1 timeout 120 node "$NODE_E2E/monitor.mjs"
check "product page with open cases in ja and en (Chromium)" test $? = 0
finish

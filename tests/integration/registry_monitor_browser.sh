#!/bin/sh
# Living labels in headless Chromium (Debian chromium + playwright-core from npm): after the
# monitoring scenario (tests/registry/monitor.sh), the product page with an open case in
# Japanese and English. Screenshots: $JCS_BUILD/artifacts/registry-monitor/*.png
. "$JCS_SRC/tests/registry/lib.sh"
[ -x /usr/bin/chromium ] || { echo "chromium missing (scripts/debian-packages.txt)"; exit 1; }
command -v npm >/dev/null || { echo "npm missing (scripts/debian-packages.txt)"; exit 1; }
NODE_E2E="$JCS_BUILD/e2e-node"
if [ ! -d "$NODE_E2E/node_modules/playwright-core" ]; then
	mkdir -p "$NODE_E2E"
	cp "$JCS_SRC/tests/e2e/package.json" "$JCS_SRC/tests/e2e/package-lock.json" "$NODE_E2E/"
	(cd "$NODE_E2E" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent) ||
		{ echo "npm ci failed"; exit 1; }
fi
cp "$JCS_SRC/tests/e2e/monitor.mjs" "$NODE_E2E/"
ART="$JCS_BUILD/artifacts/registry-monitor"
rm -rf "$ART"
mkdir -p "$ART"
FEEDS="$REG_TMP/feeds"
mkdir -p "$FEEDS"
SERVE_ARGS="--feeds $FEEDS --feeds-interval 1 --kev-deadline 0" start_server "sqlite:$REG_TMP/reg.db" || exit 1
. "$JCS_SRC/tests/registry/monitor.sh"
REG_URL=$URL ARTIFACTS=$ART REG_NO=$R1 timeout 120 node "$NODE_E2E/monitor.mjs"
check "product page with open cases in ja and en (Chromium)" test $? = 0
finish

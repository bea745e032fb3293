#!/bin/sh
# Registry end to end in headless Chromium (Debian chromium + playwright-core from npm):
# file, review, inquire, issue through the web UI, then find the product in the public
# list. Screenshots: $JCS_BUILD/artifacts/registry-browser/*.png
. "$JCS_SRC/tests/registry/lib.sh"
e2e_setup registry.mjs registry-browser
start_server "sqlite:$REG_TMP/reg.db" || exit 1
make_docs
report_json HUB-H1 1 0 "Acme Home K.K." 2.4.0 >"$REG_TMP/report.json" # the product registry.mjs files
for u in "vendor vendor Acme Home K.K." "reviewer reviewer IPA" "liaison liaison METI" "finance admin IPA"; do
	set -- $u
	name=$1 role=$2
	shift 2
	new_user "$name" "$role" "$*" "e2e-password-$name" >/dev/null || exit 1
done
REG_URL=$URL ARTIFACTS=$ART DOCS=$REG_TMP timeout 240 node "$NODE_E2E/registry.mjs"

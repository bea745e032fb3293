#!/bin/sh
# Every test that reads tests/fixtures, run with JCS_FIXTURES pointing at an empty directory:
# each must fail cleanly (exit status 1, not a crash or a signal) and name the missing file
# with the reason. A clone with a damaged fixture tree gets a clear failure, never a segfault.
set -u
: "${JCS_SRC:?}" "${JCS_BUILD:?}"
EMPTY=$(mktemp -d /tmp/jcs-nofixtures.XXXXXX)
trap 'rm -rf "$EMPTY"' EXIT
failed=0
for t in test_fw_analysis_fixtures test_fw_fixtures test_fw_hostile test_fw_sbom test_fw_vuln test_tls \
	integration/firmware_composite.sh; do
	case $t in
	*.sh) JCS_FIXTURES=$EMPTY sh "$JCS_SRC/tests/$t" >"$EMPTY/out" 2>&1 ;;
	*) JCS_FIXTURES=$EMPTY "$JCS_BUILD/$t" >"$EMPTY/out" 2>&1 ;;
	esac
	rc=$?
	if [ $rc -ne 1 ]; then
		echo "FAIL: $t exited with status $rc without its fixtures (expected 1)"
		failed=$((failed + 1))
	elif ! grep -q "fixture $EMPTY/.*: No such file or directory" "$EMPTY/out"; then
		echo "FAIL: $t does not name the missing fixture:"
		tail -5 "$EMPTY/out"
		failed=$((failed + 1))
	else
		echo "ok: $t: $(grep -m1 "fixture $EMPTY/" "$EMPTY/out")"
	fi
done
[ $failed -eq 0 ]

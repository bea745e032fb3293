#!/bin/sh
# SARIF from jcstar assess on the example camera: valid against the SARIF 2.1.0 schema, every
# result with a physical file location (firmware path relative to the image root with its line,
# the evidence file plus the endpoint for device findings, the declaration at the answer's line
# for criteria it decides), and the declaration and evidence files listed with their SHA-256.
# The validator itself must reject a broken log. (The composite firmware image's SARIF is
# checked in firmware_composite.sh.)
set -eu
J=${JCSTAR:?}
ex=examples/camera
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
. "${JCS_SRC:-.}"/tests/integration/lib/sarif.sh
for t in jq node npm sha256sum; do command -v $t >/dev/null || fail "missing $t (scripts/debian-packages.txt)"; done

"$J" assess $ex/declaration.yaml --evidence $ex/evidence/probe.json --evidence $ex/evidence/firmware.json \
	--today 2026-11-26 --sarif "$tmp/r.sarif" -o "$tmp/r.json" --quiet
# the same with absolute paths: file: URIs without a base id
"$J" assess "$PWD/$ex/declaration.yaml" --evidence "$PWD/$ex/evidence/probe.json" \
	--evidence "$PWD/$ex/evidence/firmware.json" --today 2026-11-26 --sarif "$tmp/abs.sarif" --quiet
sarif_check "$tmp/r.sarif" "$tmp/abs.sarif"

res() { jq -c --arg id "$1" "[.runs[0].results[] | select(.ruleId == \$id)]$2" "$tmp/r.sarif"; }
# firmware: the image-relative path and the line, not "device.key:" or "/etc/…"
[ "$(res fw.secret.private-key '[0].locations[0].physicalLocation')" = \
  '{"artifactLocation":{"uri":"etc/ssl/private/device.key","uriBaseId":"FIRMWARE_ROOT"},"region":{"startLine":1}}' ] ||
	fail "fw.secret.private-key location: $(res fw.secret.private-key '[0].locations')"
[ "$(res fw.component.vulnerable '[0].locations[0].physicalLocation.artifactLocation.uri')" = '"bin/busybox"' ] ||
	fail "fw.component.vulnerable location"
# device: the evidence file, the endpoint as a logical location on the subject
[ "$(res probe.auth.none '[0].locations[0].physicalLocation.artifactLocation.uri')" = \
  '"examples/camera/evidence/probe.json"' ] || fail "probe.auth.none artifact"
[ "$(res probe.auth.none '[0].locations[0].logicalLocations[0].fullyQualifiedName')" = '"192.0.2.10 tcp/554 (rtsp)"' ] ||
	fail "probe.auth.none logical location: $(res probe.auth.none '[0].locations')"
# declaration-based: S1.1-05 (the cited policy lacks a timeline) at line 45 with both documents;
# S1.1-14 (not answered) on the declaration; conform criteria are not results
[ "$(res S1.1-05 '[0].locations[0].physicalLocation.region.startLine')" = 45 ] || fail "S1.1-05 line"
[ "$(res S1.1-05 '[0].relatedLocations | map(.physicalLocation.artifactLocation.uri)')" = \
  '["examples/camera/docs/security.txt","examples/camera/docs/disclosure-policy.md"]' ] || fail "S1.1-05 documents"
[ "$(res S1.1-14 '[0].locations[0].physicalLocation.artifactLocation.uri')" = '"examples/camera/declaration.yaml"' ] ||
	fail "S1.1-14 location"
[ "$(res S1.1-02 '| length')" = 0 ] || fail "a conform criterion is a result"
[ "$(jq '.runs[0].results | length' "$tmp/r.sarif")" = 7 ] || fail "expected 7 results: $(jq -c '[.runs[0].results[].ruleId]' "$tmp/r.sarif")"
# the report and the SARIF artifacts: the SHA-256 of each input as read
[ "$(jq -r '[.declaration_sha256, .evidence[].sha256] | join(" ")' "$tmp/r.json")" = \
  "$(sha256sum $ex/declaration.yaml $ex/evidence/probe.json $ex/evidence/firmware.json | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')" ] ||
	fail "report hashes: $(jq -c '[.declaration_sha256, .evidence[].sha256]' "$tmp/r.json")"
for f in $ex/declaration.yaml $ex/evidence/probe.json $ex/evidence/firmware.json; do
	[ "$(jq -r --arg u "$f" '.runs[0].artifacts[] | select(.location.uri == $u) | .hashes."sha-256"' "$tmp/r.sarif")" = \
	  "$(sha256sum "$f" | cut -d' ' -f1)" ] || fail "artifact hash of $f"
done
jq -e '[.runs[0].results[].locations[0].physicalLocation.artifactLocation | select(.uriBaseId != "FIRMWARE_ROOT") |
	(.uri | startswith("file:///")) and (has("uriBaseId") | not)] | length == 5 and all' \
	"$tmp/abs.sarif" >/dev/null || fail "absolute paths are not file: URIs"

# the validator rejects a log whose result has no message (so a pass above means something)
jq '.runs[0].results[0] |= del(.message)' "$tmp/r.sarif" > "$tmp/broken.sarif"
if (sarif_check "$tmp/broken.sarif") 2>/dev/null; then fail "a broken SARIF log validated"; fi
echo "1 passed, 0 failed"

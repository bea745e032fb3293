# SARIF checks shared by integration tests (source it; needs fail(), jq, node and npm).
# sarif_check FILE...: each file validates against the SARIF 2.1.0 schema (tests/sarif/) and
# every result has a physical location with a non-empty file URI that is not malformed
# (a relative path with no ':' — so no "path:" left over — or a file: URI), and a line ≥ 1
# wherever a region is given.
sarif_check() {
	_node=${JCS_BUILD:-${TMPDIR:-/tmp}}/sarif-node
	if [ ! -d "$_node/node_modules/ajv-draft-04" ]; then
		mkdir -p "$_node"
		cp "${JCS_SRC:-.}"/tests/sarif/package.json "${JCS_SRC:-.}"/tests/sarif/package-lock.json "$_node"/
		(cd "$_node" && npm ci --no-audit --no-fund --silent) || fail "npm ci for the SARIF validator failed"
	fi
	cp "${JCS_SRC:-.}"/tests/sarif/validate.js "${JCS_SRC:-.}"/tests/sarif/sarif-schema-2.1.0-rtm.5.json "$_node"/
	node "$_node"/validate.js "$@" || fail "SARIF 2.1.0 schema validation: $*"
	for _f in "$@"; do
		jq -e '[.runs[].results[] | .locations[0].physicalLocation as $p |
			($p.artifactLocation.uri // "") as $u |
			($u != "" and (($u | startswith("file:///")) or ($u | contains(":") | not)) and
			 (($p.region.startLine // 1) >= 1))] | all' "$_f" >/dev/null ||
			fail "$_f: a result without a well-formed physical location"
	done
}

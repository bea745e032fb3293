#!/bin/sh
# make demo: assess the bundled example product (Acme Corp. NC-200 network camera) end to end
# and print where the reports are.
set -eu
J=${1:-build/jcstar}
ex=examples/camera
out=out/demo
mkdir -p "$out"
evidence="--evidence $ex/evidence/probe.json --evidence $ex/evidence/firmware.json"

echo "== jcstar assess $ex/declaration.yaml"
# shellcheck disable=SC2086
"$J" assess "$ex/declaration.yaml" $evidence -o "$out/report.json" --html "$out/report.html" \
	--sarif "$out/report.sarif" --checklist "$out/checklist.csv"
echo
echo "Open $out/report.html in a browser (it prints to PDF); $out/report.json is the machine-readable report."

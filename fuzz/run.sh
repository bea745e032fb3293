#!/bin/sh
# make fuzz: run every libFuzzer target for SECONDS each, growing its corpus in place.
set -eu
build=$1; secs=$2
for t in "$build"/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t" | sed 's/^fuzz_//')
	mkdir -p "fuzz/corpus/$name"
	echo "fuzz: $name for ${secs}s"
	"$t" -max_total_time="$secs" -max_len=65536 "fuzz/corpus/$name"
done

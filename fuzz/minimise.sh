#!/bin/sh
# Minimise the corpus of each given target (default: all) in place with libFuzzer's -merge=1:
# of the inputs fuzzing added (named by their SHA-1) it keeps the smallest set that reaches
# the same coverage; named inputs (seeds from fuzz/mkcorpus-firmware.sh, recorded replies,
# regress* cases, the twins tests read) are always kept.
#   fuzz/minimise.sh BUILD [NAME...]
set -eu
build=$1; shift
names=${*:-$(ls fuzz/corpus)}
export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
for name in $names; do
	t=$build/fuzz_$name
	[ -x "$t" ] || continue
	tmp=$(mktemp -d)
	nice -n 19 "$t" -merge=1 -max_len=1048576 -timeout=25 "$tmp" "fuzz/corpus/$name" > "$build/fuzz-logs/merge-$name.log" 2>&1
	for f in fuzz/corpus/"$name"/*; do # named inputs stay, under their names (merge names by SHA-1)
		h=$(sha1sum < "$f" | cut -d' ' -f1)
		if [ "$(basename "$f")" != "$h" ]; then
			rm -f "$tmp/$h"
			cp "$f" "$tmp"/
		fi
	done
	before=$(ls "fuzz/corpus/$name" | wc -l)
	rm -rf "fuzz/corpus/$name" && mv "$tmp" "fuzz/corpus/$name" && chmod 755 "fuzz/corpus/$name"
	echo "minimise: $name $before -> $(ls "fuzz/corpus/$name" | wc -l) inputs"
done

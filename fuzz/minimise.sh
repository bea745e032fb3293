#!/bin/sh
# Minimise the corpus of each given target (default: all) in place with libFuzzer's -merge=1:
# keeps the smallest set of inputs that reaches the same coverage, plus every regress*
# input (crafted or found regressions are kept by name, whatever their coverage).
#   fuzz/minimise.sh BUILD [NAME...]
set -eu
build=$1; shift
names=${*:-$(ls fuzz/corpus)}
for name in $names; do
	t=$build/fuzz_$name
	[ -x "$t" ] || continue
	tmp=$(mktemp -d)
	nice -n 19 "$t" -merge=1 -max_len=1048576 -timeout=25 "$tmp" "fuzz/corpus/$name" > "$build/fuzz-logs/merge-$name.log" 2>&1
	for f in fuzz/corpus/"$name"/*; do # kept inputs keep their names (merge names them by SHA-1)
		h=$(sha1sum < "$f" | cut -d' ' -f1)
		case $(basename "$f") in
		regress*) cp "$f" "$tmp"/ ;;
		*) [ -f "$tmp/$h" ] && [ "$(basename "$f")" != "$h" ] && mv "$tmp/$h" "$tmp/$(basename "$f")" || true ;;
		esac
	done
	for f in fuzz/corpus/"$name"/regress*; do # a regress* kept by merge is there twice: drop the hash copy
		if [ -f "$f" ]; then rm -f "$tmp/$(sha1sum < "$f" | cut -d' ' -f1)"; fi
	done
	before=$(ls "fuzz/corpus/$name" | wc -l)
	rm -rf "fuzz/corpus/$name" && mv "$tmp" "fuzz/corpus/$name" && chmod 755 "fuzz/corpus/$name"
	echo "minimise: $name $before -> $(ls "fuzz/corpus/$name" | wc -l) inputs"
done

#!/bin/sh
# make fuzz: run the libFuzzer targets one after the other, SECONDS each, growing each corpus
# (fuzz/corpus/NAME) with the format's dictionary (fuzz/dict/NAME.dict) when there is one.
#   fuzz/run.sh BUILD SECONDS [NAME...]     default: every target, firmware first
# One fuzzer at a time, at nice 19. Crashes go to BUILD/fuzz-artifacts/NAME/, the log of each
# run to BUILD/fuzz-logs/NAME.log; the last lines give runs, coverage (cov) and features (ft),
# summarised in BUILD/fuzz-logs/summary.tsv (docs/hacking.md, "Fuzzing", keeps the table).
# After a campaign, minimise a corpus with fuzz/minimise.sh.
set -u
build=$1; secs=$2; shift 2
names=${*:-$(ls "$build" | sed -n 's/^fuzz_\(fw_.*\)$/\1/p'; ls "$build" | sed -n 's/^fuzz_\([^f].*\|f[^w].*\)$/\1/p')}
mkdir -p "$build/fuzz-logs"
summary=$build/fuzz-logs/summary.tsv
[ -f "$summary" ] || printf 'target\tseconds\truns\tcov\tft\tcorpus\tcrashes\n' > "$summary"
status=0
for name in $names; do
	t=$build/fuzz_$name
	case $name in *_replay) continue ;; esac
	[ -x "$t" ] || { echo "fuzz: no target $t" >&2; status=1; continue; }
	mkdir -p "fuzz/corpus/$name" "$build/fuzz-artifacts/$name"
	dict=
	[ -f "fuzz/dict/$name.dict" ] && dict=-dict=fuzz/dict/$name.dict
	echo "fuzz: $name for ${secs}s ${dict:+($dict)}"
	nice -n 19 "$t" -max_total_time="$secs" -max_len=65536 -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
		$dict -artifact_prefix="$build/fuzz-artifacts/$name/" "fuzz/corpus/$name" > "$build/fuzz-logs/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-logs/$name.log" | tail -1)
	# the last status line: "#RUNS  NEW  cov: C ft: F corp: ..." (the first cov:/ft: of the line)
	cov=$(awk '/^#[0-9]/ { c = ""; for (i = 1; i < NF; i++) if ($i == "cov:") { c = $(i + 1); break } if (c != "") last = c } END { print last }' "$build/fuzz-logs/$name.log")
	ft=$(awk '/^#[0-9]/ { c = ""; for (i = 1; i < NF; i++) if ($i == "ft:") { c = $(i + 1); break } if (c != "") last = c } END { print last }' "$build/fuzz-logs/$name.log")
	crashes=$(ls "$build/fuzz-artifacts/$name" | wc -l)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$secs" "${runs:-?}" "${cov:-?}" "${ft:-?}" \
		"$(ls "fuzz/corpus/$name" | wc -l)" "$crashes" >> "$summary"
	if [ $rc -ne 0 ]; then
		echo "fuzz: $name stopped with status $rc (see $build/fuzz-logs/$name.log, $build/fuzz-artifacts/$name/)" >&2
		status=1
	fi
done
column -t "$summary" 2>/dev/null || cat "$summary"
exit $status

#!/bin/sh
# make fuzz: run the libFuzzer targets one after the other, SECONDS each, growing each corpus
# (fuzz/corpus/NAME) with the format's dictionary (fuzz/dict/NAME.dict) when there is one.
#   fuzz/run.sh BUILD SECONDS [NAME[:SECS]...]     default: every target, firmware first
# NAME:SECS runs that target SECS seconds instead (make fuzz FUZZ_TARGETS="fw_cpio:420 http").
# FUZZ_MAX_LEN (default 65536): UBI/UBIFS images keep their files past the first 64 KiB.
# One fuzzer at a time, at nice ${FUZZ_NICE:-19} (FUZZ_NICE=0 on a quiet machine). Crashes go to BUILD/fuzz-artifacts/NAME/, the log of each
# run to BUILD/fuzz-logs/NAME.log; the last lines give runs, coverage (cov) and features (ft),
# summarised in BUILD/fuzz-logs/summary.tsv (docs/hacking.md, "Fuzzing", keeps the table).
# After a campaign, minimise a corpus with fuzz/minimise.sh.
set -u
build=$1; secs=$2; shift 2
names=${*:-$(ls "$build" | sed -n 's/^fuzz_\(fw_.*\)$/\1/p'; ls "$build" | sed -n 's/^fuzz_\([^f].*\|f[^w].*\)$/\1/p')}
mkdir -p "$build/fuzz-logs"
# the test suite's leak suppressions (a libfyaml leak stopped fuzz_yaml in its initial corpus)
export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
summary=$build/fuzz-logs/summary.tsv
[ -f "$summary" ] || printf 'target\tseconds\truns\tcov\tft\tcorpus\tcrashes\tslow\n' > "$summary"
status=0
for arg in $names; do
	name=${arg%%:*}
	t_secs=$secs
	[ "$name" = "$arg" ] || t_secs=${arg#*:}
	t=$build/fuzz_$name
	case $name in *_replay) continue ;; esac
	[ -x "$t" ] || { echo "fuzz: no target $t" >&2; status=1; continue; }
	mkdir -p "fuzz/corpus/$name" "$build/fuzz-artifacts/$name"
	dict=
	[ -f "fuzz/dict/$name.dict" ] && dict=-dict=fuzz/dict/$name.dict
	echo "fuzz: $name for ${t_secs}s ${dict:+($dict)}"
	nice -n "${FUZZ_NICE:-19}" "$t" -max_total_time="$t_secs" -max_len="${FUZZ_MAX_LEN:-65536}" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
		$dict -artifact_prefix="$build/fuzz-artifacts/$name/" "fuzz/corpus/$name" > "$build/fuzz-logs/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-logs/$name.log" | tail -1)
	# the last status line: "#RUNS  NEW  cov: C ft: F corp: ..." (the first cov:/ft: of the line)
	cov=$(awk '/^#[0-9]/ { c = ""; for (i = 1; i < NF; i++) if ($i == "cov:") { c = $(i + 1); break } if (c != "") last = c } END { print last }' "$build/fuzz-logs/$name.log")
	ft=$(awk '/^#[0-9]/ { c = ""; for (i = 1; i < NF; i++) if ($i == "ft:") { c = $(i + 1); break } if (c != "") last = c } END { print last }' "$build/fuzz-logs/$name.log")
	# crash-, leak-, timeout-, oom- inputs; slow units (over 10 s, often a starved fuzzer) apart
	crashes=$(ls "$build/fuzz-artifacts/$name" | grep -cv '^slow-unit-')
	slow=$(ls "$build/fuzz-artifacts/$name" | grep -c '^slow-unit-')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$t_secs" "${runs:-?}" "${cov:-?}" "${ft:-?}" \
		"$(ls "fuzz/corpus/$name" | wc -l)" "$crashes" "$slow" >> "$summary"
	if [ $rc -ne 0 ]; then
		echo "fuzz: $name stopped with status $rc (see $build/fuzz-logs/$name.log, $build/fuzz-artifacts/$name/)" >&2
		status=1
	fi
done
column -t "$summary" 2>/dev/null || cat "$summary"
exit $status

# Bounded waits for the integration tests (sourced). A test never sleeps a fixed time in place
# of a condition: it waits for the condition itself, polling every 0.1 s, and gives up after a
# bound counted in polls (not measured on the clock), so a loaded machine only makes it slower.

# wait_until SECONDS CMD...: run CMD until it succeeds; return 1 after SECONDS*10 failed polls.
wait_until() {
	_wu_left=$(($1 * 10))
	shift
	until "$@"; do
		[ "$_wu_left" -gt 0 ] || return 1
		_wu_left=$((_wu_left - 1))
		sleep 0.1
	done
}

# not CMD...: succeeds when CMD fails (wait_until 10 not port_open 80)
not() { ! "$@"; }

# wait_gone SECONDS PID: wait until process PID has exited (a zombie child counts as gone).
wait_gone() {
	wait_until "$1" _wait_dead "$2"
}
_wait_dead() { ! kill -0 "$1" 2>/dev/null || ps -o stat= -p "$1" | grep -q '^Z'; }

# need_fixtures REL...: every file or directory under $JCS_FIXTURES (tests/fixtures) is readable,
# or the test fails now, naming the file and the reason.
need_fixtures() {
	for _nf in "$@"; do
		_nf_path=${JCS_FIXTURES:?}/$_nf
		if ! _nf_err=$(head -c 0 -- "$_nf_path" 2>&1 >/dev/null) || [ ! -r "$_nf_path" ]; then
			[ -n "$_nf_err" ] || _nf_err="not readable"
			echo "FAIL: fixture $_nf_path: ${_nf_err##*: } (tests/fixtures/MANIFEST.md)" >&2
			exit 1
		fi
	done
}

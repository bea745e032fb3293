# jcstar — two user commands:
#   make demo    install what is missing, build, assess the bundled example product
#   make check   install what is missing, build (-Werror), run every test, then again under ASan+UBSan
# Developer targets: make fuzz (long libFuzzer runs), make bench (side-by-side benchmarks).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
# tests wait on daemons and processes more than on the CPU: run twice as many as cores
TEST_JOBS ?= $(shell echo $$(( $(JOBS) * 2 )))

.PHONY: demo check deps build build-asan fuzz bench clean

demo: build
	@sh examples/demo.sh build/jcstar

check: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJCS_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build build -j $(JOBS)
	cd build && ctest --output-on-failure -j $(TEST_JOBS)
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DJCS_WERROR=ON -DJCS_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(TEST_JOBS)

deps:
	@sh scripts/deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j $(JOBS) --target jcstar -- --no-print-directory -s

# make fuzz FUZZ_SECONDS=N [FUZZ_TARGETS="fw_ext:600 http ..."]: one target at a time, N seconds each
# (NAME:S: S seconds; firmware first), then the table in build-fuzz/fuzz-logs/summary.tsv (docs/hacking.md)
fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJCS_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	sh fuzz/run.sh build-fuzz $${FUZZ_SECONDS:-60} $(FUZZ_TARGETS)

bench: build
	@for b in bench/*.sh; do sh "$$b" build/jcstar || exit 1; done

clean:
	rm -rf build build-asan build-fuzz

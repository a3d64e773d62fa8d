# Thin wrapper over CMake; every target works on a fresh Debian 12 machine.
#   make        release build into build/
#   make test   install missing packages, style and dependency checks, then every ctest suite
#               (unit, integration, fuzz-corpus replay) with gcc -Werror, again under clang
#               ASan+UBSan, and finally the unit tests and the daemon scenarios (ctest label
#               "tsan") under clang ThreadSanitizer (make test-tsan, into build-tsan/): any
#               report fails the run; tests/tsan.supp stays empty or justifies each entry
#   make fuzz   libFuzzer builds of the fuzz targets, each run for FUZZ_SECONDS
#   make bench  every benchmark at its `bench:` size (scripts/run-benches.sh: RESULT lines, under
#               10 minutes on 2 cores; never gates CI; ctest bench.smoke runs each at a tiny size)
#   make demo   the end-to-end demo
#   make install   release build, then cmake --install into PREFIX (default /usr/local) under
#                  DESTDIR; docs/packaging.md
#   make deb    release build, then build/slsfwd_<version>_<arch>.deb (cpack -G DEB)
# The test and fuzz builds are the presets of CMakePresets.json (release, asan, tsan, fuzz): the
# same cache settings, compiler and test environment from an IDE or by hand, e.g.
# `cmake --preset asan && cmake --build --preset asan && ctest --preset asan`.
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local
# Twice the cores: most scenarios wait on sockets and timers, not the CPU (the credential
# rotation alone idles through 3 minutes); the long ones carry a COST so they start first.
CTEST_JOBS ?= $(shell echo $$(( $(JOBS) * 2 )))
CTEST_FLAGS = -j$(CTEST_JOBS)

.PHONY: all build deps check test test-release test-asan test-tsan fuzz bench demo clean install deb

all: build

build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build -j$(JOBS)

deps:
	bash scripts/install-deps.sh

check: deps
	bash scripts/check.sh

test: deps check test-release test-asan test-tsan

# Preset release: gcc -Werror into build/.
test-release:
	cmake --preset release >/dev/null
	cmake --build --preset release -j$(JOBS)
	ctest --preset release $(CTEST_FLAGS)

# Preset asan: clang ASan+UBSan into build-asan/; its test preset sets
# ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 and UBSAN_OPTIONS=print_stacktrace=1.
test-asan:
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j$(JOBS)
	ctest --preset asan $(CTEST_FLAGS)

# Preset tsan: clang ThreadSanitizer into build-tsan/; its test preset runs the labels unit|tsan
# with TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=tests/tsan.supp.
# halt_on_error: the first report ends the process, so a race fails its test even where the
# test does not check the exit code (tests/integration/lib.sh also fails on report files).
# scripts/tsan-run.sh turns address randomization off when the kernel's is too wide for TSan.
test-tsan:
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j$(JOBS)
	bash scripts/tsan-run.sh build-tsan ctest --preset tsan $(CTEST_FLAGS)

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j$(JOBS)
	bash scripts/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

bench: deps build
	bash scripts/run-benches.sh build

demo: deps build
	bash scripts/demo.sh

install: build
	DESTDIR="$(DESTDIR)" cmake --install build --prefix "$(PREFIX)" --component slsfwd

deb: build
	cd build && cpack -G DEB

clean:
	rm -rf build build-asan build-tsan build-fuzz

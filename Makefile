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
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local
# Twice the cores: most scenarios wait on sockets and timers, not the CPU (the credential
# rotation alone idles through 3 minutes); the long ones carry a COST so they start first.
CTEST_JOBS ?= $(shell echo $$(( $(JOBS) * 2 )))
CTEST = ctest --output-on-failure -j$(CTEST_JOBS)

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

test-release:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSF_WERROR=ON >/dev/null
	cmake --build build -j$(JOBS)
	cd build && $(CTEST)

test-asan:
	CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSF_WERROR=ON -DSF_SANITIZE=ON >/dev/null
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $(CTEST)

# halt_on_error: the first report ends the process, so a race fails its test even where the
# test does not check the exit code (tests/integration/lib.sh also fails on report files).
# scripts/tsan-run.sh turns address randomization off when the kernel's is too wide for TSan.
TSAN_OPTIONS_CI = halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp

test-tsan:
	CC=clang cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSF_WERROR=ON -DSF_TSAN=ON >/dev/null
	cmake --build build-tsan -j$(JOBS)
	cd build-tsan && TSAN_OPTIONS=$(TSAN_OPTIONS_CI) bash ../scripts/tsan-run.sh . $(CTEST) -L 'unit|tsan'

fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSF_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j$(JOBS)
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

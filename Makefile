# Thin wrapper over CMake; every target works on a fresh Debian 12 machine.
#   make        release build into build/
#   make test   install missing packages, style and dependency checks, then every ctest suite
#               (unit, integration, fuzz-corpus replay) with gcc -Werror, and again under
#               clang ASan+UBSan
#   make fuzz   libFuzzer builds of the fuzz targets, each run for FUZZ_SECONDS
#   make bench  benchmark programs (print RESULT lines; never gate CI)
#   make demo   the end-to-end demo
#   make install   release build, then cmake --install into PREFIX (default /usr/local) under
#                  DESTDIR; docs/packaging.md
#   make deb    release build, then build/slsfwd_<version>_<arch>.deb (cpack -G DEB)
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local
CTEST = ctest --output-on-failure -j$(JOBS)

.PHONY: all build deps check test test-release test-asan fuzz bench demo clean install deb

all: build

build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build -j$(JOBS)

deps:
	bash scripts/install-deps.sh

check: deps
	bash scripts/check.sh

test: deps check test-release test-asan

test-release:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSF_WERROR=ON >/dev/null
	cmake --build build -j$(JOBS)
	cd build && $(CTEST)

test-asan:
	CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSF_WERROR=ON -DSF_SANITIZE=ON >/dev/null
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $(CTEST)

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
	rm -rf build build-asan build-fuzz

#!/usr/bin/env bash
# tsan-run.sh BUILD_DIR COMMAND...: runs COMMAND (ctest) so that ThreadSanitizer binaries of
# BUILD_DIR can start on this kernel.
#
# TSan maps its shadow memory at fixed addresses and, up to LLVM 17 (Debian 12 ships clang 14),
# dies with "FATAL: ThreadSanitizer: unexpected memory mapping" when the kernel randomizes
# mmap bases with more than 28 bits (vm.mmap_rnd_bits; Debian 12's stock kernel uses 28, some
# newer kernels 32). The probe runs one instrumented binary as is; if it cannot start, the
# command runs under `setarch -R` (no address randomization for it and its children, which the
# personality flag passes on), and if even that is refused (a container whose seccomp profile
# forbids personality()), it says how to lower the entropy instead.
set -euo pipefail
build=$1
shift
probe=("$build/slsfwd" version)
arch=$(uname -m)

if "${probe[@]}" >/dev/null 2>&1; then
    exec "$@"
fi
if setarch "$arch" -R "${probe[@]}" >/dev/null 2>&1; then
    echo "tsan-run: ThreadSanitizer needs address randomization off here" \
        "(vm.mmap_rnd_bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo '?')):" \
        "running under setarch $arch -R" >&2
    exec setarch "$arch" -R "$@"
fi
echo "tsan-run: ThreadSanitizer binaries cannot start on this machine:" >&2
"${probe[@]}" 2>&1 | head -n 3 >&2 || true
echo "tsan-run: setarch -R is refused too; lower the entropy with" \
    "'sysctl vm.mmap_rnd_bits=28' (root) and run again" >&2
exit 1

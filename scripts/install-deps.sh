#!/usr/bin/env bash
# Installs the Debian packages slsfwd needs to build, test and run the demo.
# Only packages that are missing are installed; `apt-get update` runs once, and only then.
# Nothing is fetched from anywhere but the Debian archive.
set -euo pipefail

packages=(
    build-essential cmake pkg-config
    clang libclang-rt-14-dev clang-format-16
    libcurl4-openssl-dev libssl-dev liblz4-dev libzstd-dev zlib1g-dev libisal-dev
    libyaml-dev libjansson-dev libmicrohttpd-dev libprotobuf-c-dev protobuf-c-compiler
    libcmocka-dev
    lz4 zstd openssl curl procps jq tinyproxy-bin
    prometheus                      # promtool: tests of packaging/prometheus (ctest -L prometheus)
    rsyslog rsyslog-openssl
    libivykis0 libjson-c5 libnet1 libpcre3 libwrap0 libglib2.0-0 libcap2
)

# syslog-ng-core conflicts with rsyslog as a Debian package (both provide system-log-daemon),
# so the tests run it unpacked from its .deb, beside the installed rsyslog
# (docs/protocol/syslog.md §Test receivers).
SYSLOG_NG_ROOT=/opt/slsfwd-test/syslog-ng
install_syslog_ng() {
    [ -x "$SYSLOG_NG_ROOT/usr/sbin/syslog-ng" ] && return 0
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download syslog-ng-core >/dev/null 2>&1) ||
        { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && (cd "$tmp" && apt-get download syslog-ng-core); }
    $sudo mkdir -p "$SYSLOG_NG_ROOT"
    $sudo dpkg -x "$tmp"/syslog-ng-core_*.deb "$SYSLOG_NG_ROOT"
    rm -rf "$tmp"
}

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
install_syslog_ng

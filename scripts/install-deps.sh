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
    lz4 zstd openssl curl procps jq
    rsyslog rsyslog-openssl
)

missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"

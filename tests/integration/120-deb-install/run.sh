#!/usr/bin/env bash
# The Debian package and `make install` (docs/packaging.md):
#   1. cpack builds the .deb from $SF_BUILD into a temporary directory;
#   2. dpkg-deb -I/-c: control fields, Depends from dpkg-shlibdeps, the conffile, maintainer
#      scripts, and exactly the expected files (no test tools), with their modes: among them
#      the Prometheus rules and every packaging/grafana/*.json under /usr/share/slsfwd/;
#   3. the units: ExecStart, user, stop timeout and every hardening directive; then
#      systemd-analyze verify when it is installed;
#   4. dpkg-deb -x into a throwaway root, and the extracted slsfwd prints the package version;
#   5. cmake --install with DESTDIR and prefix /usr/local (what `make install` runs): units
#      that point at /usr/local, and a second install keeps an edited configuration;
#   6. only as root (CI runs as root on a throwaway machine): a real dpkg -i, a reinstall
#      (the upgrade path), dpkg -r and dpkg --purge, checking the user, the configuration's
#      owner and mode, and that nothing was enabled or started; afterwards the machine is as
#      before (package purged, the slsfwd user and group removed if this test created them).
#      Not root, SF_DEB_NO_SYSTEM_INSTALL=1, or a slsfwd already on the machine: that part is
#      skipped, said so loudly, and the last line does not claim it.
source "$SF_TESTS/lib.sh"

# --- restore the machine whatever happens (runs before lib.sh's cleanup) ---
INSTALLED=0 MADE_USER=0 MADE_GROUP=0
restore_machine() {
    if [ "$INSTALLED" = 1 ]; then
        dpkg --purge slsfwd >>"$T/dpkg-restore.log" 2>&1 || echo "WARN: dpkg --purge slsfwd failed" >&2
    fi
    if [ "$MADE_USER" = 1 ] && getent passwd slsfwd >/dev/null; then
        userdel slsfwd >>"$T/dpkg-restore.log" 2>&1 || echo "WARN: userdel slsfwd failed" >&2
    fi
    if [ "$MADE_GROUP" = 1 ] && getent group slsfwd >/dev/null; then
        groupdel slsfwd >>"$T/dpkg-restore.log" 2>&1 || echo "WARN: groupdel slsfwd failed" >&2
    fi
    for d in /var/lib/slsfwd /var/log/slsfwd; do
        if [ "${HAD_DIR[$d]:-1}" = 0 ] && [ -d "$d" ]; then
            rm -rf "$d"
        fi
    done
}
declare -A HAD_DIR=()
on_exit() {
    local rc=$?
    restore_machine
    (exit $rc) # lib.sh's cleanup reads the exit status from $?
    cleanup
}
trap on_exit EXIT

arch=$(dpkg --print-architecture)
want_version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$SF_BUILD/CMakeCache.txt")
[ -n "$want_version" ] || fail "no CMAKE_PROJECT_VERSION in $SF_BUILD/CMakeCache.txt"

# --- 1. build the package ---
[ -f "$SF_BUILD/CPackConfig.cmake" ] ||
    fail "$SF_BUILD/CPackConfig.cmake missing: does CMakeLists.txt include cmake/sf_package.cmake?"
cpack -G DEB --config "$SF_BUILD/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1 ||
    fail "cpack failed: $(tail -n 20 "$T/cpack.log")"
DEB="$T/pkg/slsfwd_${want_version}_${arch}.deb"
[ -f "$DEB" ] || fail "expected $DEB, cpack made: $(ls "$T/pkg")"

# --- 2. control data and contents ---
field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = slsfwd ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$want_version" ] || fail "Version: $(field Version), want $want_version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
[ "$(field Section)" = admin ] || fail "Section: $(field Section)"
[[ "$(field Maintainer)" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] || fail "Maintainer: $(field Maintainer)"
[ -n "$(field Description)" ] || fail "no Description"
depends=$(field Depends)
for dep in adduser libc6 libcurl4 libssl3; do
    [[ ", $depends," =~ ,\ ${dep}[\ ,] ]] || fail "Depends lacks $dep (dpkg-shlibdeps?): $depends"
done
echo "Depends: $depends"

dpkg-deb -e "$DEB" "$T/control"
[ "$(cat "$T/control/conffiles")" = /etc/slsfwd/slsfwd.yaml ] ||
    fail "conffiles: $(cat "$T/control/conffiles")"
for script in postinst prerm postrm; do
    [ -x "$T/control/$script" ] || fail "maintainer script $script missing or not executable"
    sh -n "$T/control/$script" || fail "$script: syntax error"
done

# Every file, its mode and owner; nothing else may be in the package.
dpkg-deb -c "$DEB" >"$T/contents.log"
awk '$1 !~ /^d/ {print $1, $2, $6}' "$T/contents.log" | sort >"$T/files.txt"
sort >"$T/files.want" <<EOF
-rw-r----- root/root ./etc/slsfwd/slsfwd.yaml
-rw-r--r-- root/root ./lib/systemd/system/slsfwd.service
-rw-r--r-- root/root ./lib/systemd/system/slsfwd@.service
-rwxr-xr-x root/root ./usr/bin/slsfwd
-rw-r--r-- root/root ./usr/share/doc/slsfwd/CONFIGURATION.md
-rw-r--r-- root/root ./usr/share/doc/slsfwd/README.md
-rw-r--r-- root/root ./usr/share/doc/slsfwd/examples/slsfwd.example.yaml
-rw-r--r-- root/root ./usr/share/doc/slsfwd/operations.md
-rw-r--r-- root/root ./usr/share/doc/slsfwd/packaging.md
-rw-r--r-- root/root ./usr/share/slsfwd/prometheus/slsfwd-rules.yaml
EOF
# Every Grafana dashboard of the source tree ships too (none is also fine).
SRC=$(cd "$SF_TESTS/../.." && pwd)
shopt -s nullglob
dashboards=("$SRC"/packaging/grafana/*.json)
shopt -u nullglob
for f in "${dashboards[@]}"; do
    echo "-rw-r--r-- root/root ./usr/share/slsfwd/grafana/$(basename "$f")"
done | sort -o "$T/files.want" - "$T/files.want"
diff -u "$T/files.want" "$T/files.txt" >"$T/files-diff.log" ||
    fail "package files differ from the expected list: $(cat "$T/files-diff.log")"
! grep -Eq 'sls-emulator|hec-receiver|syslog-recorder|seqcheck|fuzz|bench' "$T/contents.log" ||
    fail "a test tool is in the package: $(grep -E 'sls-emulator|hec-receiver|syslog-recorder|seqcheck|fuzz|bench' "$T/contents.log")"

# --- 3. the units ---
dpkg-deb -x "$DEB" "$T/root"
# The monitoring files are the source's, byte for byte (docs/operations.md points at them).
cmp -s "$SRC/packaging/prometheus/slsfwd-rules.yaml" "$T/root/usr/share/slsfwd/prometheus/slsfwd-rules.yaml" ||
    fail "the packaged slsfwd-rules.yaml differs from packaging/prometheus/slsfwd-rules.yaml"
for f in "${dashboards[@]}"; do
    cmp -s "$f" "$T/root/usr/share/slsfwd/grafana/$(basename "$f")" ||
        fail "the packaged $(basename "$f") differs from packaging/grafana/$(basename "$f")"
done
units="$T/root/lib/systemd/system"
hardening=(
    Type=notify NotifyAccess=main User=slsfwd Group=slsfwd LogsDirectory=slsfwd
    KillSignal=SIGTERM TimeoutStopSec=60s TimeoutStartSec=30s LimitCORE=0 Restart=on-failure RestartSec=10s
    NoNewPrivileges=yes CapabilityBoundingSet= ProtectSystem=strict ProtectHome=yes
    PrivateTmp=yes PrivateDevices=yes ProtectKernelTunables=yes ProtectKernelModules=yes
    ProtectKernelLogs=yes ProtectControlGroups=yes "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"
    RestrictNamespaces=yes LockPersonality=yes MemoryDenyWriteExecute=yes
    SystemCallArchitectures=native SystemCallFilter=@system-service WantedBy=multi-user.target
)
check_unit() { # check_unit FILE EXECSTART STATEDIR
    local file=$1 line
    grep -qxF "ExecStart=$2" "$file" || fail "$(basename "$file"): ExecStart is not '$2'"
    grep -qxF "StateDirectory=$3" "$file" || fail "$(basename "$file"): StateDirectory is not $3"
    grep -qxF "WorkingDirectory=/var/lib/$3" "$file" ||
        fail "$(basename "$file"): WorkingDirectory is not /var/lib/$3"
    for line in "${hardening[@]}"; do
        grep -qxF "$line" "$file" || fail "$(basename "$file") lacks '$line'"
    done
    [ "$(grep -c '^ExecStart=' "$file")" -eq 1 ] || fail "$(basename "$file"): more than one ExecStart"
}
check_unit "$units/slsfwd.service" "/usr/bin/slsfwd run -c /etc/slsfwd/slsfwd.yaml" slsfwd
check_unit "$units/slsfwd@.service" "/usr/bin/slsfwd run -c /etc/slsfwd/%i.yaml" slsfwd/%i

# systemd-analyze verify needs the binary at its ExecStart path: point copies at the extracted one.
if command -v systemd-analyze >/dev/null; then
    mkdir -p "$T/verify"
    sed "s#/usr/bin/slsfwd#$T/root/usr/bin/slsfwd#" "$units/slsfwd.service" >"$T/verify/slsfwd.service"
    sed "s#/usr/bin/slsfwd#$T/root/usr/bin/slsfwd#" "$units/slsfwd@.service" >"$T/verify/slsfwd@it.service"
    systemd-analyze verify "$T/verify/slsfwd.service" "$T/verify/slsfwd@it.service" \
        >"$T/systemd-verify.log" 2>&1 || fail "systemd-analyze verify: $(cat "$T/systemd-verify.log")"
    [ ! -s "$T/systemd-verify.log" ] || fail "systemd-analyze verify warns: $(cat "$T/systemd-verify.log")"
    echo "ok: systemd-analyze verify"
else
    echo "SKIP: systemd-analyze verify (systemd-analyze not installed); the units were only grepped"
fi

# --- 4. the extracted binary ---
got=$("$T/root/usr/bin/slsfwd" version) || fail "extracted slsfwd version failed"
[ "$got" = "slsfwd $want_version" ] || fail "extracted slsfwd version: '$got', want 'slsfwd $want_version'"
echo "ok: extracted package: $got"

# --- 5. make install: cmake --install, DESTDIR, another prefix ---
dest="$T/destdir"
DESTDIR="$dest" cmake --install "$SF_BUILD" --prefix /usr/local --component slsfwd \
    >"$T/install.log" 2>&1 || fail "cmake --install failed"
[ -x "$dest/usr/local/bin/slsfwd" ] || fail "make install: no /usr/local/bin/slsfwd"
[ "$(stat -c %a "$dest/usr/local/etc/slsfwd/slsfwd.yaml")" = 640 ] ||
    fail "make install: /usr/local/etc/slsfwd/slsfwd.yaml is not 0640"
[ -f "$dest/usr/local/share/doc/slsfwd/CONFIGURATION.md" ] || fail "make install: no docs"
[ -f "$dest/usr/local/share/slsfwd/prometheus/slsfwd-rules.yaml" ] ||
    fail "make install: no /usr/local/share/slsfwd/prometheus/slsfwd-rules.yaml"
for f in "${dashboards[@]}"; do
    [ -f "$dest/usr/local/share/slsfwd/grafana/$(basename "$f")" ] ||
        fail "make install: no /usr/local/share/slsfwd/grafana/$(basename "$f")"
done
grep -qxF "ExecStart=/usr/local/bin/slsfwd run -c /usr/local/etc/slsfwd/slsfwd.yaml" \
    "$dest/usr/local/lib/systemd/system/slsfwd.service" || fail "make install: unit ExecStart"
grep -qxF "ExecStart=/usr/local/bin/slsfwd run -c /usr/local/etc/slsfwd/%i.yaml" \
    "$dest/usr/local/lib/systemd/system/slsfwd@.service" || fail "make install: template ExecStart"
[ -z "$(find "$dest" -name 'sls-emulator*' -o -name 'hec-receiver*' -o -name seqcheck -o -name syslog-recorder)" ] ||
    fail "make install installs a test tool"
echo "# edited by the admin" >>"$dest/usr/local/etc/slsfwd/slsfwd.yaml"
DESTDIR="$dest" cmake --install "$SF_BUILD" --prefix /usr/local --component slsfwd \
    >>"$T/install.log" 2>&1 || fail "second cmake --install failed"
grep -qx "# edited by the admin" "$dest/usr/local/etc/slsfwd/slsfwd.yaml" ||
    fail "a second make install overwrote the edited configuration"
echo "ok: make install (DESTDIR, PREFIX=/usr/local, configuration kept)"

# --- 6. the real install, as root only ---
skip_reason=""
if [ "$(id -u)" -ne 0 ]; then
    skip_reason="not root (uid $(id -u)): dpkg -i needs root; CI runs this as root"
elif [ -n "${SF_DEB_NO_SYSTEM_INSTALL:-}" ]; then
    skip_reason="SF_DEB_NO_SYSTEM_INSTALL is set"
fi
if [ -z "$skip_reason" ]; then
    # Two runs at once (release and asan trees, two developers) must not share the machine.
    exec 9>/tmp/slsfwd-deb-test.lock
    flock -w 120 9 || skip_reason="another run of this test held /tmp/slsfwd-deb-test.lock for 120 s"
fi
if [ -z "$skip_reason" ]; then
    status=$(dpkg-query -W -f='${db:Status-Status}' slsfwd 2>/dev/null || true)
    if [ -n "$status" ] && [ "$status" != not-installed ]; then
        skip_reason="a slsfwd package is already on this machine ($status); not touching it"
    else
        for p in /usr/bin/slsfwd /etc/slsfwd /lib/systemd/system/slsfwd.service; do
            [ ! -e "$p" ] || skip_reason="$p exists (installed by hand?); dpkg would overwrite it"
        done
    fi
fi

if [ -n "$skip_reason" ]; then
    echo "SKIP: real dpkg install/upgrade/remove/purge NOT tested: $skip_reason"
    echo "PASS (package built and checked, extracted binary runs, make install; the real dpkg install was skipped)"
    exit 0
fi

getent passwd slsfwd >/dev/null || MADE_USER=1
getent group slsfwd >/dev/null || MADE_GROUP=1
for d in /var/lib/slsfwd /var/log/slsfwd; do
    if [ -e "$d" ]; then HAD_DIR[$d]=1; else HAD_DIR[$d]=0; fi
done
dpkg_q() { # dpkg_q ARGS...: dpkg without prompts, output in $T/dpkg.log
    echo "+ dpkg $*" >>"$T/dpkg.log"
    dpkg --force-confdef --force-confold "$@" </dev/null >>"$T/dpkg.log" 2>&1
}

INSTALLED=1
dpkg_q -i "$DEB" || fail "dpkg -i failed: $(tail -n 20 "$T/dpkg.log")"
got=$(/usr/bin/slsfwd version) || fail "installed slsfwd version failed"
[ "$got" = "slsfwd $want_version" ] || fail "installed slsfwd version: '$got'"
grep -q "edit /etc/slsfwd/slsfwd.yaml" "$T/dpkg.log" || fail "postinst did not say what to do next"

IFS=: read -r _ _ uid _ _ home shell < <(getent passwd slsfwd) || fail "postinst made no slsfwd user"
[ "$uid" -lt 1000 ] || fail "slsfwd is not a system user (uid $uid)"
[ "$shell" = /usr/sbin/nologin ] || fail "slsfwd's shell is $shell"
[ "$home" = /var/lib/slsfwd ] || fail "slsfwd's home is $home"
[ "$(id -gn slsfwd)" = slsfwd ] || fail "slsfwd's group is $(id -gn slsfwd)"
[ "$(stat -c '%a %U %G' /etc/slsfwd/slsfwd.yaml)" = "640 root slsfwd" ] ||
    fail "/etc/slsfwd/slsfwd.yaml is $(stat -c '%a %U %G' /etc/slsfwd/slsfwd.yaml)"
[ "$(stat -c '%a %U %G' /etc/slsfwd)" = "750 root slsfwd" ] ||
    fail "/etc/slsfwd is $(stat -c '%a %U %G' /etc/slsfwd)"
runuser -u slsfwd -- head -c1 /etc/slsfwd/slsfwd.yaml >/dev/null || fail "slsfwd cannot read its config"
! runuser -u nobody -- head -c1 /etc/slsfwd/slsfwd.yaml >/dev/null 2>&1 || fail "nobody can read the config"
runuser -u slsfwd -- /usr/bin/slsfwd version >/dev/null || fail "slsfwd version as slsfwd"
# The installed rules are what docs/operations.md tells the operator to load.
command -v promtool >/dev/null ||
    fail "promtool is not installed (Debian package prometheus; scripts/install-deps.sh installs it)"
promtool check rules /usr/share/slsfwd/prometheus/slsfwd-rules.yaml >"$T/promtool.log" 2>&1 ||
    fail "promtool check rules on the installed rules: $(cat "$T/promtool.log")"
[ ! -e /var/lib/slsfwd ] || [ "${HAD_DIR[/var/lib/slsfwd]}" = 1 ] || fail "postinst made /var/lib/slsfwd"

# Installed but neither enabled nor started.
[ -z "$(find /etc/systemd/system -name 'slsfwd*.service' 2>/dev/null)" ] ||
    fail "the package enabled a unit: $(find /etc/systemd/system -name 'slsfwd*.service')"
if [ -d /run/systemd/system ]; then
    ! systemctl is-active --quiet slsfwd.service || fail "the package started slsfwd.service"
fi
if command -v systemd-analyze >/dev/null; then
    cp /lib/systemd/system/slsfwd@.service "$T/verify/slsfwd@installed.service"
    systemd-analyze verify /lib/systemd/system/slsfwd.service "$T/verify/slsfwd@installed.service" \
        >"$T/systemd-verify-installed.log" 2>&1 ||
        fail "systemd-analyze verify (installed): $(cat "$T/systemd-verify-installed.log")"
fi

# Reinstall (the upgrade path of the maintainer scripts): the admin's edit and the owner stay.
echo "# edited by the admin" >>/etc/slsfwd/slsfwd.yaml
dpkg_q -i "$DEB" || fail "dpkg -i over the installed package failed: $(tail -n 20 "$T/dpkg.log")"
grep -qx "# edited by the admin" /etc/slsfwd/slsfwd.yaml || fail "reinstall replaced the edited conffile"
[ "$(stat -c '%a %U %G' /etc/slsfwd/slsfwd.yaml)" = "640 root slsfwd" ] ||
    fail "after reinstall /etc/slsfwd/slsfwd.yaml is $(stat -c '%a %U %G' /etc/slsfwd/slsfwd.yaml)"

# Remove keeps the configuration; purge takes it and the statoverrides.
dpkg_q -r slsfwd || fail "dpkg -r failed: $(tail -n 20 "$T/dpkg.log")"
[ ! -e /usr/bin/slsfwd ] || fail "dpkg -r left /usr/bin/slsfwd"
[ ! -e /lib/systemd/system/slsfwd.service ] || fail "dpkg -r left the unit"
[ -f /etc/slsfwd/slsfwd.yaml ] || fail "dpkg -r removed the configuration"
dpkg_q --purge slsfwd || fail "dpkg --purge failed: $(tail -n 20 "$T/dpkg.log")"
INSTALLED=0
[ ! -e /etc/slsfwd ] || fail "dpkg --purge left /etc/slsfwd: $(ls -la /etc/slsfwd)"
! dpkg-statoverride --list | grep -q slsfwd || fail "purge left statoverrides: $(dpkg-statoverride --list | grep slsfwd)"
getent passwd slsfwd >/dev/null || fail "purge removed the slsfwd user (Debian keeps system users)"

made_user=$MADE_USER made_group=$MADE_GROUP
restore_machine
MADE_USER=0 MADE_GROUP=0
if [ "$made_user" = 1 ]; then
    ! getent passwd slsfwd >/dev/null || fail "the slsfwd user is still there after the test"
fi
if [ "$made_group" = 1 ]; then
    ! getent group slsfwd >/dev/null || fail "the slsfwd group is still there after the test"
fi
echo "ok: dpkg -i, reinstall, -r, --purge as root; machine restored"
echo "PASS"

#!/usr/bin/env bash
# Installs what qcaps needs on Debian 12, 13 or testing with apt, only what is missing.
#   scripts/setup-deps.sh [--build] [--qemu] [--libvirt] [--extra] [--bench] [--chroot]
# --build: compiler, meson, libraries; --qemu: the QEMU packages probed by run.sh and the
# slow tests, with the firmware and swtpm their documents describe (libvirt reports TPM
# emulator backends only where swtpm is installed); --extra: valgrind, clang and its
# compiler-rt (libclang-rt-N-dev, N the major
# version `clang --version` says), jq (sanitizer/valgrind/fuzz runs); --libvirt: libvirt
# for conformance runs; --bench: what bench/run.sh needs (libvirt to compare with, gnuplot
# for the chart, inotify-tools, GNU time for peak RSS, and hyperfine where the suite ships
# it: Debian testing has none, and bench/run.sh then times with bench/spawn-time.c);
# --chroot: mmdebstrap, for scripts/chroot.sh.
# No option = --build --qemu. Another apt holding dpkg's or the package lists' lock (an
# unattended upgrade, a second setup run) is waited for, up to 10 minutes.
set -euo pipefail

build=(build-essential pkg-config meson ninja-build libjson-c-dev libevent-dev
       libxml2-dev libxml2-utils libcmocka-dev)
qemu=(qemu-system-x86 qemu-system-arm qemu-system-misc qemu-system-ppc ovmf qemu-efi-aarch64
      swtpm swtpm-tools)
# The runtime's package is named after clang's major version (libclang-rt-14-dev on Debian
# 12, -19- on 13, -21- on testing): it is chosen once clang is there.
extra=(valgrind clang jq python3-jsonschema)
libvirt=(libvirt-daemon-system libvirt-clients)
bench=(libvirt-daemon-system libvirt-clients gnuplot-nox inotify-tools time)
bench_if_shipped=(hyperfine)
chroot=(mmdebstrap)

want=()
optional=()
rt=0
[ $# -eq 0 ] && set -- --build --qemu
for a in "$@"; do
    case "$a" in
        --build) want+=("${build[@]}") ;;
        --qemu) want+=("${qemu[@]}") ;;
        --extra) want+=("${extra[@]}"); rt=1 ;;
        --libvirt) want+=("${libvirt[@]}") ;;
        --bench) want+=("${bench[@]}"); optional+=("${bench_if_shipped[@]}") ;;
        --chroot) want+=("${chroot[@]}") ;;
        *) echo "setup-deps: unknown option '$a'" >&2; exit 1 ;;
    esac
done

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
apt=(apt-get -o DPkg::Lock::Timeout=600) # apt-get install waits for dpkg's lock itself
updated=0
# apt_update: refreshes the package lists; apt-get update does not wait for their lock, so
# it is tried again every 10 s while another apt holds it (60 times at most).
apt_update() {
    local i out
    for i in $(seq 60); do
        if out=$("${sudo[@]}" "${apt[@]}" update -qq 2>&1); then
            [ -z "$out" ] || printf '%s\n' "$out" >&2
            updated=1
            return 0
        fi
        grep -q 'Could not get lock' <<<"$out" || break
        [ "$i" -gt 1 ] || echo "setup-deps: waiting for another apt to release its lock" >&2
        sleep 10
    done
    printf '%s\n' "$out" >&2
    return 1
}
# install PACKAGE...: installs those of them that are not installed.
install_missing() {
    local p missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine has no package lists yet; refresh them once, then install.
    [ "$updated" -eq 1 ] || apt_update
    "${sudo[@]}" "${apt[@]}" install -y -qq "${missing[@]}" >/dev/null
}

install_missing "${want[@]}"
# Packages some suites do not have: installed where apt has a candidate (after refreshing
# the package lists once, as a fresh machine has none), else skipped with a note.
has_candidate() { apt-cache policy "$1" 2>/dev/null | grep -q '^ *Candidate: [0-9]'; }
for p in "${optional[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' && continue
    if ! has_candidate "$p" && [ "$updated" -eq 0 ]; then
        apt_update
    fi
    if has_candidate "$p"; then
        install_missing "$p"
    else
        echo "setup-deps: this suite ships no $p; going on without it" >&2
    fi
done
if [ "$rt" -eq 1 ]; then
    # The compiler-rt of the clang that `clang` runs (the suite's default one, unless
    # another is installed as clang).
    major=$(clang --version 2>/dev/null | sed -nE '1s/.*clang version ([0-9]+)\..*/\1/p')
    [ -n "$major" ] ||
        { echo "setup-deps: cannot tell clang's version from 'clang --version'" >&2; exit 1; }
    install_missing "libclang-rt-$major-dev"
fi

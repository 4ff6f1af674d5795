#!/usr/bin/env bash
# Installs what qcaps needs on Debian 12 with apt, only what is missing.
#   scripts/setup-deps.sh [--build] [--qemu] [--libvirt] [--extra] [--bench]
# --build: compiler, meson, libraries; --qemu: the QEMU packages probed by run.sh and the
# slow tests; --extra: valgrind, clang, jq (sanitizer/valgrind/fuzz runs); --libvirt: libvirt for
# conformance runs; --bench: what bench/run.sh needs (libvirt to compare with, gnuplot for
# the chart, inotify-tools, GNU time for peak RSS, hyperfine). No option = --build --qemu.
set -euo pipefail

build=(build-essential pkg-config meson ninja-build libjson-c-dev libevent-dev
       libxml2-dev libxml2-utils libcmocka-dev)
qemu=(qemu-system-x86 qemu-system-arm qemu-system-misc qemu-system-ppc ovmf qemu-efi-aarch64)
extra=(valgrind clang libclang-rt-14-dev jq)
libvirt=(libvirt-daemon-system libvirt-clients)
bench=(libvirt-daemon-system libvirt-clients gnuplot-nox inotify-tools time hyperfine)

want=()
[ $# -eq 0 ] && set -- --build --qemu
for a in "$@"; do
    case "$a" in
        --build) want+=("${build[@]}") ;;
        --qemu) want+=("${qemu[@]}") ;;
        --extra) want+=("${extra[@]}") ;;
        --libvirt) want+=("${libvirt[@]}") ;;
        --bench) want+=("${bench[@]}") ;;
        *) echo "setup-deps: unknown option '$a'" >&2; exit 1 ;;
    esac
done

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "setup-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them once, then install.
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null

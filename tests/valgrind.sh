#!/usr/bin/env bash
# valgrind over `qcaps probe`, replayed from a fixture and live against the installed
# x86_64 QEMU (both passes), and over `qcaps warm` (cold, then fresh) of a few installed
# binaries plus `qcaps domcaps` from that cache (rendered, then read back by the engine
# and by the front binary), and over `qcaps diff` of two generations' fixtures: exits
# non-zero on any invalid access or definite/indirect leak.
# The front `qcaps` execs `qcaps-engine` for everything but a kept domcaps answer, and
# valgrind does not follow exec here, so the engine is run directly.
#   tests/valgrind.sh [BUILD_DIR]      (default build-test)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-test}
engine=$build/qcaps-engine
front=$build/qcaps
# valgrind 3.19 does not know pidfd_open (the launcher then polls instead): drop its
# warnings about that syscall, keep everything else it says.
vg=(valgrind -q --error-exitcode=3 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --track-origins=yes)

quiet() { grep -vE 'unhandled amd64-linux syscall: 434|write your own handler|README_MISSING_SYSCALL|consider this a bug|valgrind.org/support/bug_reports' || true; }

shopt -s nullglob
fixtures=(fixtures/qmp/*/caps_*_x86_64.replies fixtures/qmp/*/caps_*_aarch64.replies)
[ ${#fixtures[@]} -gt 0 ] || { echo "valgrind.sh: no fixtures found" >&2; exit 1; }
for fx in "${fixtures[@]}"; do
    echo "valgrind: qcaps probe --fixture $fx"
    "${vg[@]}" "$engine" probe --fixture "$fx" --format json >/dev/null 2> >(quiet >&2)
done
for emu in /usr/bin/qemu-system-x86_64 /usr/bin/qemu-system-aarch64; do
    [ -x "$emu" ] || continue
    echo "valgrind: qcaps probe --emulator $emu"
    "${vg[@]}" "$engine" probe --emulator "$emu" --format json >/dev/null 2> >(quiet >&2)
done
# warm: several probes on one loop, then the cache hit paths (warm finds it fresh, domcaps
# reads the entry). QEMU itself is not run under valgrind (no --trace-children).
warm=()
for emu in /usr/bin/qemu-system-{x86_64,aarch64,riscv64,avr}; do
    [ -x "$emu" ] && warm+=("$emu")
done
if [ ${#warm[@]} -gt 0 ]; then
    cache=$(mktemp -d)
    trap 'rm -rf "$cache"' EXIT
    echo "valgrind: qcaps warm ${warm[*]} (cold)"
    "${vg[@]}" "$engine" warm --cache-dir "$cache" --jobs 2 "${warm[@]}" >/dev/null \
        2> >(quiet >&2)
    echo "valgrind: qcaps warm (fresh)"
    "${vg[@]}" "$engine" warm --cache-dir "$cache" --jobs 2 "${warm[@]}" >/dev/null \
        2> >(quiet >&2)
    for how in "rendered from the entry" "answer read back"; do
        echo "valgrind: qcaps-engine domcaps --emulator ${warm[0]} ($how)"
        "${vg[@]}" "$engine" domcaps --cache-dir "$cache" --emulator "${warm[0]}" >/dev/null \
            2> >(quiet >&2)
    done
    echo "valgrind: qcaps domcaps --emulator ${warm[0]} (front binary, answer read back)"
    "${vg[@]}" "$front" domcaps --cache-dir "$cache" --emulator "${warm[0]}" >/dev/null \
        2> >(quiet >&2)
fi
# qcaps diff over two generations' fixtures, as models and as documents (exit 1: they
# differ), and a side that is no source at all (exit 2).
old_fx=(fixtures/qmp/bookworm/caps_*_x86_64.replies)
new_fx=(fixtures/qmp/forky/caps_*_x86_64.replies)
if [ ${#old_fx[@]} -gt 0 ] && [ ${#new_fx[@]} -gt 0 ]; then
    for args in "" "--document domcaps --machine q35" "--format json"; do
        echo "valgrind: qcaps diff $args ${old_fx[0]} ${new_fx[0]}"
        rc=0
        # shellcheck disable=SC2086
        "${vg[@]}" "$engine" diff $args "${old_fx[0]}" "${new_fx[0]}" >/dev/null \
            2> >(quiet >&2) || rc=$?
        [ "$rc" -eq 1 ] || { echo "valgrind.sh: qcaps diff exited $rc, expected 1" >&2; exit 1; }
    done
    echo "valgrind: qcaps diff with a side that is no source"
    rc=0
    "${vg[@]}" "$engine" diff "${old_fx[0]}" /etc/passwd >/dev/null 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || { echo "valgrind.sh: qcaps diff of /etc/passwd exited $rc" >&2; exit 1; }
fi
# A failing probe must release everything too.
echo "valgrind: qcaps probe --emulator /bin/true (fails)"
rc=0
"${vg[@]}" "$engine" probe --emulator /bin/true >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { echo "valgrind.sh: expected exit 2 from the failing probe, got $rc" >&2; exit 1; }
echo "valgrind: clean"

#!/usr/bin/env bash
# valgrind over `qcaps probe`, replayed from a fixture and live against the installed
# x86_64 QEMU (both passes): exits non-zero on any invalid access or definite/indirect leak.
#   tests/valgrind.sh [BUILD_DIR]      (default build-test)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-test}
# valgrind 3.19 does not know pidfd_open (the launcher then polls instead): drop its
# warnings about that syscall, keep everything else it says.
vg=(valgrind -q --error-exitcode=3 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --track-origins=yes)

quiet() { grep -vE 'unhandled amd64-linux syscall: 434|write your own handler|README_MISSING_SYSCALL|consider this a bug|valgrind.org/support/bug_reports' || true; }

shopt -s nullglob
fixtures=(fixtures/qmp/caps_*_x86_64.replies fixtures/qmp/caps_*_aarch64.replies)
[ ${#fixtures[@]} -gt 0 ] || { echo "valgrind.sh: no fixtures found" >&2; exit 1; }
for fx in "${fixtures[@]}"; do
    echo "valgrind: qcaps probe --fixture $fx"
    "${vg[@]}" "$build/qcaps" probe --fixture "$fx" --format json >/dev/null 2> >(quiet >&2)
done
for emu in /usr/bin/qemu-system-x86_64 /usr/bin/qemu-system-aarch64; do
    [ -x "$emu" ] || continue
    echo "valgrind: qcaps probe --emulator $emu"
    "${vg[@]}" "$build/qcaps" probe --emulator "$emu" --format json >/dev/null 2> >(quiet >&2)
done
# A failing probe must release everything too.
echo "valgrind: qcaps probe --emulator /bin/true (fails)"
rc=0
"${vg[@]}" "$build/qcaps" probe --emulator /bin/true >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { echo "valgrind.sh: expected exit 2 from the failing probe, got $rc" >&2; exit 1; }
echo "valgrind: clean"

#!/usr/bin/env bash
# The main job: set up a Debian 12 machine (packages), build qcaps, then
#   1. probe every installed qemu-system-* into the capability cache (qcaps warm --refresh),
#   2. show the host's native emulator: its model summary and its domainCapabilities,
#      answered from the cache,
#   3. one line per binary: version, target, passes, machines, CPU models, flags.
# The cache goes to $QCAPS_CACHE_DIR (default here: ./build/run-cache, so that the job
# leaves the system cache alone).
set -euo pipefail
cd "$(dirname "$0")"

scripts/setup-deps.sh --build --qemu
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

export QCAPS_CACHE_DIR=${QCAPS_CACHE_DIR:-$PWD/build/run-cache}
qcaps=./build/qcaps
native=/usr/bin/qemu-system-$(uname -m)

echo "== qcaps warm --refresh"
warm_rc=0
"$qcaps" warm --refresh || warm_rc=$?
echo

if [ -x "$native" ]; then
    echo "== qcaps probe --emulator $native"
    "$qcaps" probe --emulator "$native"
    echo
    echo "== qcaps domcaps --emulator $native"
    "$qcaps" domcaps --emulator "$native"
    echo
fi

echo "== every installed qemu-system-* binary"
printf '%-36s %-8s %-12s %-9s %8s %9s %6s\n' \
    BINARY VERSION TARGET PASSES MACHINES CPUMODELS FLAGS
for bin in /usr/bin/qemu-system-*; do
    [ -x "$bin" ] || continue
    out=$("$qcaps" probe --emulator "$bin" 2>&1) || { echo "$out" >&2; continue; }
    awk -v bin="$bin" '
        /^version:/   { ver = $2 }
        /^target:/    { tgt = $2 }
        /^(kvm|tcg):$/ { acc = acc (acc ? "+" : "") substr($1, 1, 3) }
        /^  machines:/ && m == "" { m = $2; sub(",", "", m) }
        /^  cpu models:/ && c == "" { c = ($3 ~ /^[0-9]/) ? $3 : "-" }
        /^flags:/     { fl = $2 }
        END { printf "%-36s %-8s %-12s %-9s %8s %9s %6s\n", bin, ver, tgt, acc, m, c, fl }' \
        <<<"$out"
done
exit "$warm_rc"

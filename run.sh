#!/usr/bin/env bash
# The main job: set up a Debian 12 machine (packages), build qcaps, then probe every
# installed qemu-system-* binary: a full summary of the host's native one, then one line
# per binary with its version, target, passes, machine and CPU-model counts, flags, time.
set -euo pipefail
cd "$(dirname "$0")"

scripts/setup-deps.sh --build --qemu
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

qcaps=./build/qcaps
native=/usr/bin/qemu-system-$(uname -m)
if [ -x "$native" ]; then
    echo "== qcaps probe --emulator $native"
    "$qcaps" probe --emulator "$native"
    echo
fi

echo "== every installed qemu-system-* binary"
printf '%-36s %-8s %-12s %-9s %8s %9s %6s %8s\n' \
    BINARY VERSION TARGET PASSES MACHINES CPUMODELS FLAGS TIME
failed=0
for bin in /usr/bin/qemu-system-*; do
    [ -x "$bin" ] || continue
    start=$(date +%s%N)
    if out=$("$qcaps" probe --emulator "$bin" 2>&1); then
        ms=$(( ($(date +%s%N) - start) / 1000000 ))
        awk -v bin="$bin" -v ms="$ms" '
            /^version:/   { ver = $2 }
            /^target:/    { tgt = $2 }
            /^(kvm|tcg):$/ { acc = acc (acc ? "+" : "") substr($1, 1, 3) }
            /^  machines:/ && !m { m = $2; sub(",", "", m) }
            /^  cpu models:/ && c == "" { c = ($3 ~ /^[0-9]/) ? $3 : "-" }
            /^flags:/     { fl = $2 }
            END { printf "%-36s %-8s %-12s %-9s %8s %9s %6s %6dms\n",
                         bin, ver, tgt, acc, m, c == "" ? "-" : c, fl, ms }' <<<"$out"
    else
        failed=$((failed + 1))
        echo "$out" >&2
    fi
done
[ "$failed" -eq 0 ] || { echo "$failed binaries failed to probe" >&2; exit 2; }

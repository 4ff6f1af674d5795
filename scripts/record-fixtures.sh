#!/usr/bin/env bash
# Re-records fixtures/qmp/ from every installed qemu-system-* binary, then rewrites
# fixtures/expected/ from the new recordings. Run on a KVM host so that native binaries get
# both passes.   scripts/record-fixtures.sh [BUILD_DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
qcaps="$build/qcaps"
[ -x "$qcaps" ] || { echo "record-fixtures: build qcaps first ($qcaps)" >&2; exit 1; }
mkdir -p fixtures/qmp fixtures/expected

for bin in /usr/bin/qemu-system-*; do
    [ -x "$bin" ] || continue
    suffix=${bin##*/qemu-system-}
    suffix=${suffix/-/+}                # qemu-system-x86_64-microvm -> x86_64+microvm
    tmp=$(mktemp fixtures/qmp/.rec.XXXXXX)
    "$qcaps" record --emulator "$bin" --output "$tmp"
    # read the whole summary (an early exit would SIGPIPE qcaps under pipefail)
    version=$("$qcaps" probe --fixture "$tmp" | awk '/^version:/ && !v {v = $2} END {print v}')
    rm -f fixtures/qmp/caps_*_"$suffix".replies
    mv "$tmp" "fixtures/qmp/caps_${version}_${suffix}.replies"
    chmod 0644 "fixtures/qmp/caps_${version}_${suffix}.replies"
done

# Expected models and documents follow from the fixtures: regenerate them through the
# tests that compare against them.
rm -f fixtures/expected/*.json
QC_TEST_REGENERATE=1 meson test -C "$build" replay test-domcaps-golden test-hostcaps >/dev/null
ls fixtures/qmp | wc -l | xargs echo "record-fixtures: fixtures recorded:"

#!/usr/bin/env bash
# Re-records one fixture set, fixtures/qmp/SET/, from every installed qemu-system-* binary
# (symlinks such as Debian 13's qemu-system-amd64 are aliases of a recorded binary and are
# skipped, but for qemu-system-ppc64le, the binary libvirt takes for ppc64le guests), then
# rewrites fixtures/expected/ from the recordings. Run on a KVM host so that
# native binaries get both passes.
#   scripts/record-fixtures.sh [BUILD_DIR [SET]]
# BUILD_DIR defaults to build; SET to this system's Debian codename (bookworm, trixie,
# forky: /etc/os-release). Inside another generation's chroot:
#   scripts/chroot.sh run trixie -- sh -c 'meson setup /tmp/b && ninja -C /tmp/b &&
#       scripts/record-fixtures.sh /tmp/b'     (then copy fixtures/ back: see fixtures/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
set_name=${2:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}
qcaps="$build/qcaps"
[ -x "$qcaps" ] || { echo "record-fixtures: build qcaps first ($qcaps)" >&2; exit 1; }
[[ "$set_name" =~ ^[a-z][a-z0-9]*$ ]] ||
    { echo "record-fixtures: no fixture set name (give SET)" >&2; exit 1; }
dir=fixtures/qmp/$set_name
mkdir -p "$dir" "fixtures/expected/$set_name"

recorded=0
for bin in /usr/bin/qemu-system-*; do
    [ -x "$bin" ] || continue
    [ ! -L "$bin" ] || [ "$bin" = /usr/bin/qemu-system-ppc64le ] || continue
    suffix=${bin##*/qemu-system-}
    suffix=${suffix/-/+}                # qemu-system-x86_64-microvm -> x86_64+microvm
    tmp=$(mktemp "$dir/.rec.XXXXXX")
    if ! "$qcaps" record --emulator "$bin" --output "$tmp"; then
        rm -f "$tmp"
        echo "record-fixtures: $bin failed to probe" >&2
        exit 1
    fi
    # read the whole summary (an early exit would SIGPIPE qcaps under pipefail)
    version=$("$qcaps" probe --fixture "$tmp" | awk '/^version:/ && !v {v = $2} END {print v}')
    rm -f "$dir"/caps_*_"$suffix".replies
    mv "$tmp" "$dir/caps_${version}_${suffix}.replies"
    chmod 0644 "$dir/caps_${version}_${suffix}.replies"
    recorded=$((recorded + 1))
done

# Expected models and documents follow from the fixtures: regenerate them through the
# tests that compare against them.
rm -f "fixtures/expected/$set_name"/*.json
QC_TEST_REGENERATE=1 meson test -C "$build" replay test-domcaps-golden test-hostcaps >/dev/null
echo "record-fixtures: $recorded fixtures recorded in $dir"

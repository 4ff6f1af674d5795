#!/usr/bin/env bash
# Conformance: compares qcaps with the installed libvirt, as sets of facts (tests/helpers/
# xmlfacts: element path + attributes + text, order-insensitive).
#   tests/conformance/run.sh [BUILD_DIR]      (default build-test; needs a running libvirtd)
# Comparisons: `virsh capabilities` vs `qcaps capabilities`, then for every emulator that
# libvirt lists, `virsh domcapabilities` vs `qcaps domcaps` for its default machine and
# q35, virt, pseries, s390-ccw-virtio where it has them, with each virttype it offers.
# Per comparison it prints the number of libvirt facts missing from qcaps and of facts
# extra in qcaps, and every missing one. A difference matching a pattern of
# allowed-differences.txt (regex against "<comparison> <missing|extra> <fact>", see that
# file) is a known difference (KNOWN-DIFFERENCES.md). Exit 1 when any libvirt fact is
# missing without a pattern; unexplained extras are listed but do not fail. Exit 77 when
# libvirt is not installed or not reachable. Work files: BUILD_DIR/conformance/.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:-build-test}
qcaps=$build/qcaps
xmlfacts=$build/tests/helpers/xmlfacts
allowed=tests/conformance/allowed-differences.txt
uri=qemu:///system
work=$build/conformance

command -v virsh >/dev/null || { echo "conformance: virsh not installed, skipped"; exit 77; }
[ -x "$qcaps" ] && [ -x "$xmlfacts" ] || { echo "conformance: build $build first" >&2; exit 2; }
virsh -c "$uri" uri >/dev/null 2>&1 || { echo "conformance: libvirtd not reachable, skipped"; exit 77; }

rm -rf "$work"
mkdir -p "$work"
# The patterns, without comments; every pattern line must give its reason after " # ".
patterns=$work/patterns
if grep -vE '^[[:space:]]*(#|$)' "$allowed" | grep -vqE ' # .+'; then
    echo "conformance: $allowed: a pattern without a '# reason':" >&2
    grep -vE '^[[:space:]]*(#|$)' "$allowed" | grep -vE ' # .+' >&2
    exit 2
fi
grep -vE '^[[:space:]]*(#|$)' "$allowed" | sed -E 's/[[:space:]]+# .*$//' > "$patterns" || true

total_bad=0
summary=$work/summary
: > "$summary"

# compare NAME LIBVIRT_XML QCAPS_XML
compare() {
    local name=$1 lv=$2 qc=$3 f=$work/$1
    "$xmlfacts" "$lv" | LC_ALL=C sort -u > "$f.libvirt.facts"
    if ! "$xmlfacts" "$qc" 2>/dev/null | LC_ALL=C sort -u > "$f.qcaps.facts"; then
        : > "$f.qcaps.facts"
    fi
    LC_ALL=C comm -23 "$f.libvirt.facts" "$f.qcaps.facts" | sed "s|^|$name missing |" > "$f.missing"
    LC_ALL=C comm -13 "$f.libvirt.facts" "$f.qcaps.facts" | sed "s|^|$name extra |" > "$f.extra"
    grep -vEf "$patterns" "$f.missing" > "$f.missing.bad" || true
    grep -vEf "$patterns" "$f.extra" > "$f.extra.bad" || true
    local nm ne nmb neb
    nm=$(wc -l < "$f.missing"); ne=$(wc -l < "$f.extra")
    nmb=$(wc -l < "$f.missing.bad"); neb=$(wc -l < "$f.extra.bad")
    printf '%-48s missing %4d (%d unexplained)  extra %4d (%d unexplained)\n' \
        "$name" "$nm" "$nmb" "$ne" "$neb" | tee -a "$summary"
    if [ "$nm" -gt 0 ]; then
        sed -n '1,400p' "$f.missing" | sed 's/^/    - /'
    fi
    if [ "$neb" -gt 0 ]; then
        sed -n '1,40p' "$f.extra.bad" | sed 's/^/    + /'
    fi
    total_bad=$((total_bad + nmb))
}

echo "== capabilities"
virsh -c "$uri" capabilities > "$work/capabilities.libvirt.xml"
"$qcaps" capabilities > "$work/capabilities.qcaps.xml" 2> "$work/capabilities.qcaps.err" || true
compare capabilities "$work/capabilities.libvirt.xml" "$work/capabilities.qcaps.xml"

echo "== domcapabilities"
caps=$work/capabilities.libvirt.xml
for emu in $(xmllint --xpath '//guest/arch/emulator/text()' "$caps" 2>/dev/null | sort -u); do
    bin=$(basename "$emu")
    arch=$(xmllint --xpath "string((//guest/arch[emulator='$emu'])[last()]/@name)" "$caps")
    machines=$(xmllint --xpath "(//guest/arch[emulator='$emu'])[last()]/machine/text()" "$caps" \
               2>/dev/null | sort -u)
    types=$(xmllint --xpath "(//guest/arch[emulator='$emu'])[last()]/domain/@type" "$caps" \
            2>/dev/null | sed -E 's/ *type="([a-z]+)"/\1\n/g' | sort -u)
    for machine in default q35 virt pseries s390-ccw-virtio; do
        if [ "$machine" != default ] && ! printf '%s\n' "$machines" | grep -qx "$machine"; then
            continue
        fi
        for vt in $types; do
            name="domcaps:$bin:$machine:$vt"
            largs=(--emulatorbin "$emu" --arch "$arch" --virttype "$vt")
            qargs=(--emulator "$emu" --arch "$arch" --virttype "$vt")
            if [ "$machine" != default ]; then
                largs+=(--machine "$machine")
                qargs+=(--machine "$machine")
            fi
            if ! virsh -c "$uri" domcapabilities "${largs[@]}" > "$work/$name.libvirt.xml" \
                    2> "$work/$name.libvirt.err"; then
                echo "$name: libvirt refuses it ($(head -c 200 "$work/$name.libvirt.err")), skipped"
                continue
            fi
            "$qcaps" domcaps "${qargs[@]}" > "$work/$name.qcaps.xml" \
                2> "$work/$name.qcaps.err" || true
            compare "$name" "$work/$name.libvirt.xml" "$work/$name.qcaps.xml"
        done
    done
done

echo "== summary"
cat "$summary"
if [ "$total_bad" -gt 0 ]; then
    echo "conformance: $total_bad libvirt facts missing from qcaps without a known reason"
    exit 1
fi
echo "conformance: every difference is a known one"

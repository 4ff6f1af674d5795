#!/usr/bin/env bash
# Conformance: compares qcaps with the installed libvirt, as sets of facts (tests/helpers/
# xmlfacts: element path + attributes + text, order-insensitive).
#   tests/conformance/run.sh [BUILD_DIR]      (default build-test; needs a running libvirtd)
# The running libvirt's version (`virsh version`, "Using library: libvirt X.Y.Z") selects
# the qcaps generation compared, passed as `--libvirt GEN` to every qcaps call: 9.0.x ->
# 9.0, 11.3.x -> 11.3, 12.8.x -> 12.8; any other version is an error (exit 2).
# Comparisons: `virsh capabilities` vs `qcaps capabilities`, then for every emulator that
# libvirt lists, `virsh domcapabilities` vs `qcaps domcaps` for its default machine and
# q35, virt, pseries, s390-ccw-virtio where it has them, with each virttype it offers.
# Per comparison it prints the number of libvirt facts missing from qcaps and of facts
# extra in qcaps, and every missing one. A difference matching a pattern of
# allowed-differences.txt that applies to this generation (regex against
# "<comparison> <missing|extra> <fact>", see that file) is a known difference
# (KNOWN-DIFFERENCES.md). Exit 1 when any libvirt fact is missing without a pattern;
# unexplained extras are listed but do not fail. Exit 77 when libvirt is not installed or
# not reachable, 2 on trouble. Work files, all in BUILD_DIR/conformance/ (made afresh):
#   NAME.{libvirt,qcaps}.xml, NAME.{libvirt,qcaps}.facts   per comparison NAME
#   NAME.missing, NAME.extra      every libvirt fact qcaps lacks / qcaps fact libvirt lacks,
#                                 as "NAME missing|extra FACT" lines
#   NAME.missing.bad, NAME.extra.bad   those no pattern explains
#   all.missing, all.extra (and .bad)  the same over every comparison
#   comparisons.tsv   per comparison: name, missing, missing unexplained, extra, extra
#                     unexplained, qcaps status (ok, empty or its exit code)
#   refused.tsv       the domcapabilities libvirt refuses (not compared): name, libvirt's
#                     error, qcaps status (qcaps is asked anyway)
#   summary.tsv       one header line, then one line for the run: generation, qemu
#                     (`virsh version` "Running hypervisor"), libvirt (X.Y.Z), comparisons,
#                     binaries listed (emulators in `virsh capabilities`), binaries probed
#                     (of those, the ones qcaps wrote a domcaps document for, compared
#                     or not), missing, missing unexplained, extra, extra unexplained
#   patterns          the patterns of allowed-differences.txt for this generation
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${1:-build-test}
qcaps=$build/qcaps
xmlfacts=$build/tests/helpers/xmlfacts
allowed=tests/conformance/allowed-differences.txt
uri=qemu:///system
work=$build/conformance
# libvirt release series -> qcaps generation (qcaps --libvirt).
generations="9.0 11.3 12.8"

command -v virsh >/dev/null || { echo "conformance: virsh not installed, skipped"; exit 77; }
[ -x "$qcaps" ] && [ -x "$xmlfacts" ] || { echo "conformance: build $build first" >&2; exit 2; }
virsh -c "$uri" uri >/dev/null 2>&1 || { echo "conformance: libvirtd not reachable, skipped"; exit 77; }

rm -rf "$work"
mkdir -p "$work"

# The generation: that of the libvirt library virsh uses (the daemon is the same package).
virsh -c "$uri" version > "$work/virsh-version" 2>&1 ||
    { echo "conformance: virsh version failed: $(cat "$work/virsh-version")" >&2; exit 2; }
lv_version=$(sed -nE 's/^Using library: libvirt ([0-9][0-9.]*).*/\1/p' "$work/virsh-version")
qemu_version=$(sed -nE 's/^Running hypervisor: QEMU ([0-9][0-9.]*).*/\1/p' "$work/virsh-version")
[ -n "$lv_version" ] ||
    { echo "conformance: no 'Using library: libvirt X.Y.Z' in virsh version:" >&2
      cat "$work/virsh-version" >&2; exit 2; }
gen=
for g in $generations; do
    case "$lv_version" in "$g".*) gen=$g ;; esac
done
[ -n "$gen" ] || {
    # shellcheck disable=SC2086 # one word per generation
    echo "conformance: libvirt $lv_version is no generation qcaps writes (supported:" \
         "$(printf '%s.x\n' $generations | paste -sd, | sed 's/,/, /g'))" >&2
    exit 2
}
echo "conformance: libvirt $lv_version, QEMU ${qemu_version:-?}: qcaps --libvirt $gen"

# The patterns that apply to this generation, without comments (see allowed-differences.txt):
# a line "## libvirt GEN..." (or "## libvirt all") scopes the patterns below it; every
# pattern must be under one and give its reason after " # ".
patterns=$work/patterns
if ! awk -v gen="$gen" -v known="$generations" -v file="$allowed" '
    BEGIN { n = split(known, k, " "); for (i = 1; i <= n; i++) ok[k[i]] = 1; ok["all"] = 1 }
    /^## libvirt( |$)/ {
        applies = 0; scoped = 1
        if (NF < 3) { printf "%s:%d: a scope with no generation\n", file, NR > "/dev/stderr"; bad = 1 }
        for (i = 3; i <= NF; i++) {
            if (!($i in ok)) { printf "%s:%d: unknown generation %s (known: %s, all)\n", file, NR, $i, known > "/dev/stderr"; bad = 1 }
            if ($i == gen || $i == "all") applies = 1
        }
        next
    }
    /^[[:space:]]*(#|$)/ { next }
    {
        if ($0 !~ / # .+/) { printf "%s:%d: a pattern without a \"# reason\": %s\n", file, NR, $0 > "/dev/stderr"; bad = 1; next }
        if (!scoped) { printf "%s:%d: a pattern before any \"## libvirt GEN\" line: %s\n", file, NR, $0 > "/dev/stderr"; bad = 1; next }
        if (applies) { sub(/[[:space:]]+# .*$/, ""); print }
    }
    END { exit bad }' "$allowed" > "$patterns"; then
    echo "conformance: $allowed is malformed" >&2
    exit 2
fi
# A pattern grep cannot compile would silently explain nothing (or everything).
prc=0
grep -Ef "$patterns" /dev/null || prc=$?
[ "$prc" -le 1 ] || { echo "conformance: $allowed: a pattern for $gen is no valid regex" >&2; exit 2; }
echo "conformance: $(wc -l < "$patterns") patterns of $allowed apply to $gen"

total_bad=0 total_missing=0 total_extra=0 total_extra_bad=0 comparisons=0
summary=$work/summary
: > "$summary"
printf 'name\tmissing\tmissing_unexplained\textra\textra_unexplained\tqcaps\n' > "$work/comparisons.tsv"

# compare NAME LIBVIRT_XML QCAPS_XML QCAPS_STATUS
compare() {
    local name=$1 lv=$2 qc=$3 qst=$4 f=$work/$1
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
    printf '%s\t%d\t%d\t%d\t%d\t%s\n' "$name" "$nm" "$nmb" "$ne" "$neb" "$qst" >> "$work/comparisons.tsv"
    if [ "$nm" -gt 0 ]; then
        sed -n '1,400p' "$f.missing" | sed 's/^/    - /'
    fi
    if [ "$neb" -gt 0 ]; then
        sed -n '1,40p' "$f.extra.bad" | sed 's/^/    + /'
    fi
    cat "$f.missing" >> "$work/all.missing"
    cat "$f.missing.bad" >> "$work/all.missing.bad"
    cat "$f.extra" >> "$work/all.extra"
    cat "$f.extra.bad" >> "$work/all.extra.bad"
    comparisons=$((comparisons + 1))
    total_bad=$((total_bad + nmb))
    total_missing=$((total_missing + nm))
    total_extra=$((total_extra + ne))
    total_extra_bad=$((total_extra_bad + neb))
}
: > "$work/all.missing"; : > "$work/all.missing.bad"; : > "$work/all.extra"; : > "$work/all.extra.bad"
printf 'name\tlibvirt_error\tqcaps\n' > "$work/refused.tsv"

# run_qcaps OUT ERR ARGS...: runs qcaps, prints its first error line if it fails; the status
# ("ok" or the exit code) is in $qstatus.
run_qcaps() {
    local out=$1 err=$2 rc=0
    shift 2
    "$qcaps" "$@" > "$out" 2> "$err" || rc=$?
    if [ "$rc" -ne 0 ]; then
        qstatus=$rc
        echo "qcaps $1 failed (exit $rc): $(head -n 1 "$err")"
    elif [ ! -s "$out" ]; then
        qstatus=empty
        echo "qcaps $1 wrote nothing"
    else
        qstatus=ok
    fi
}

echo "== capabilities"
virsh -c "$uri" capabilities > "$work/capabilities.libvirt.xml"
run_qcaps "$work/capabilities.qcaps.xml" "$work/capabilities.qcaps.err" capabilities --libvirt "$gen"
compare capabilities "$work/capabilities.libvirt.xml" "$work/capabilities.qcaps.xml" "$qstatus"

echo "== domcapabilities"
caps=$work/capabilities.libvirt.xml
emulators=$(xmllint --xpath '//guest/arch/emulator/text()' "$caps" 2>/dev/null | sort -u || true)
listed=0 probed=0
for emu in $emulators; do
    listed=$((listed + 1))
    got=0
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
            qargs=(--emulator "$emu" --arch "$arch" --virttype "$vt" --libvirt "$gen")
            if [ "$machine" != default ]; then
                largs+=(--machine "$machine")
                qargs+=(--machine "$machine")
            fi
            lrc=0
            virsh -c "$uri" domcapabilities "${largs[@]}" > "$work/$name.libvirt.xml" \
                2> "$work/$name.libvirt.err" || lrc=$?
            # qcaps is asked in any case: "binaries probed" counts its documents.
            run_qcaps "$work/$name.qcaps.xml" "$work/$name.qcaps.err" domcaps "${qargs[@]}"
            [ "$qstatus" != ok ] || got=1
            if [ "$lrc" -ne 0 ]; then
                lerr=$(grep -v '^error: failed to get emulator capabilities$' \
                       "$work/$name.libvirt.err" | tr '\n' ' ' | head -c 200)
                echo "$name: libvirt refuses it (${lerr% }), not compared (qcaps: $qstatus)"
                printf '%s\t%s\t%s\n' "$name" "${lerr% }" "$qstatus" >> "$work/refused.tsv"
                continue
            fi
            compare "$name" "$work/$name.libvirt.xml" "$work/$name.qcaps.xml" "$qstatus"
        done
    done
    probed=$((probed + got))
done

printf 'generation\tqemu\tlibvirt\tcomparisons\tbinaries_listed\tbinaries_probed\tmissing\tmissing_unexplained\textra\textra_unexplained\n' \
    > "$work/summary.tsv"
printf '%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n' "$gen" "${qemu_version:--}" "$lv_version" \
    "$comparisons" "$listed" "$probed" "$total_missing" "$total_bad" "$total_extra" \
    "$total_extra_bad" >> "$work/summary.tsv"

echo "== summary (libvirt $lv_version, qcaps --libvirt $gen)"
cat "$summary"
echo "binaries: $listed listed by libvirt, $probed with a qcaps document;" \
     "$comparisons comparisons; facts missing $total_missing ($total_bad unexplained)," \
     "extra $total_extra ($total_extra_bad unexplained)"
if [ "$total_bad" -gt 0 ]; then
    echo "conformance: $total_bad libvirt facts missing from qcaps without a known reason"
    exit 1
fi
echo "conformance: every difference is a known one"

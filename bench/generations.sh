#!/usr/bin/env bash
# bench/generations.sh: bench/run.sh --quick in the chroot of each Debian generation, so that
# qcaps is measured against each generation's libvirt on that generation's QEMU binaries.
#   bench/generations.sh [SUITE...]    (root; SUITE: bookworm, trixie, forky; default all three)
# For each suite, one after another (never in parallel: the figures are CPU-bound):
#   scripts/chroot.sh run SUITE --rev HEAD --host-net --out TMP -- ./bench/run.sh --quick --results /out
# (the committed HEAD, so the other engineers' uncommitted work is not measured; --host-net
# because run.sh's setup-deps installs gnuplot-nox, hyperfine, inotify-tools and time into
# the chroot with apt the first time), then copies TMP's results.{md,csv,png} and run.sh's
# output (run.log) to bench/results/SUITE/. The load average (/proc/loadavg) is taken before
# and after each suite. Prints one table for all suites (also kept in
# bench/results/generations.md): per suite its QEMU and libvirt, the load, and qcaps against
# that libvirt for the cold x86_64 probe, warm all (libvirt's set of binaries) and the
# cached domcaps and host capabilities queries (whole process), each with its ratio.
# Exit status: 0 every suite ran; 2 some suite failed (its row says so; the others still run).
set -euo pipefail

self=$(readlink -f "$0")
repo=$(dirname "$(dirname "$self")")
results=$repo/bench/results

die() { echo "generations: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (scripts/chroot.sh)"
case "${1:-}" in -h|--help) sed -n '2,17p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[ $# -gt 0 ] || set -- bookworm trixie forky
for s in "$@"; do [[ "$s" =~ ^[a-z][a-z0-9-]*$ ]] || die "not a suite name: '$s'"; done

rev=$(git -C "$repo" rev-parse --short HEAD)
tmp=$(mktemp -d /tmp/qcaps-generations.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# csv FILE MEASURE SUBJECT TOOL-PREFIX -> the median (ms) of the first matching row
csv() {
    awk -F, -v m="$2" -v s="$3" -v t="$4" \
        '$1 == m && $2 == s && index($3, t) == 1 { print $5; exit }' "$1"
}
fmt() { # ms -> human
    awk -v v="$1" 'BEGIN { if (v == "") print "-"; else if (v >= 1000) printf "%.2f s", v / 1000;
        else if (v >= 10) printf "%.0f ms", v; else printf "%.2f ms", v }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.1fx", a / b }'; }
vs() { # QCAPS LIBVIRT -> "q vs l (l/q x)"
    echo "$(fmt "$1") vs $(fmt "$2") ($(ratio "$2" "$1"))"
}

rows=()
fail=0
for suite in "$@"; do
    out=$tmp/$suite
    mkdir -p "$out"
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "== $suite: bench/run.sh --quick in its chroot (qcaps $rev; load average $load0)" >&2
    rc=0
    "$repo/scripts/chroot.sh" run "$suite" --rev HEAD --host-net --out "$out" -- \
        ./bench/run.sh --quick --results /out 2>&1 | tee "$tmp/$suite.log" >&2 || rc=$?
    load1=$(cut -d' ' -f1-3 /proc/loadavg)
    if [ "$rc" -ne 0 ] || [ ! -s "$out/results.csv" ] || [ ! -s "$out/results.md" ]; then
        echo "generations: $suite failed (exit $rc; its output: bench/results/$suite/run.log)" >&2
        mkdir -p "$results/$suite"
        cp "$tmp/$suite.log" "$results/$suite/run.log"
        rows+=("| $suite | | | $load0 → $load1 | failed (exit $rc) | | | | | | |")
        fail=1
        continue
    fi
    mkdir -p "$results/$suite"
    cp "$out/results.csv" "$out/results.md" "$results/$suite/"
    [ ! -f "$out/results.png" ] || cp "$out/results.png" "$results/$suite/"
    cp "$tmp/$suite.log" "$results/$suite/run.log"
    # run.sh wrote results.md at /out, outside its tree: point its link at bench/README.md.
    sed -i 's|(\([^()]*\)README\.md#profiles)|(../../README.md#profiles)|' "$results/$suite/results.md"

    f=$results/$suite/results.csv
    q=$(awk -F, 'NR == 2 { print $10; exit }' "$f")
    l=$(awk -F, 'NR == 2 { print $11; exit }' "$f")
    c_q=$(csv "$f" cold x86_64 qcaps); c_l=$(csv "$f" cold x86_64 libvirt)
    c_f=$(csv "$f" floor-queries x86_64 qmp-floor)
    # warm all on libvirt's set ("libvirt's set (N binaries)"), qcaps with its default --jobs
    lvset=$(awk -F, '$1 == "warm-all" && index($2, "libvirt'"'"'s set") == 1 { print $2; exit }' "$f")
    jobs=$(awk -F, -v s="$lvset" '$1 == "warm-all" && $2 == s && $3 ~ /^qcaps \(jobs [0-9]+\)$/ && $3 != "qcaps (jobs 1)" { print $3; exit }' "$f")
    w_q=$(csv "$f" warm-all "$lvset" "${jobs:-qcaps (jobs 1)}"); w_l=$(csv "$f" warm-all "$lvset" libvirt)
    d_q=$(csv "$f" cached-domcaps x86_64 "qcaps domcaps"); d_l=$(csv "$f" cached-domcaps x86_64 virsh)
    h_q=$(csv "$f" cached-capabilities host "qcaps capabilities"); h_l=$(csv "$f" cached-capabilities host virsh)
    kvm=$(sed -n 's/^KVM for libvirt: .*its x86_64 probe \(had a KVM pass\|had no KVM pass\)\.$/\1/p' "$results/$suite/results.md")
    timer=$(sed -n 's/^Timer of the whole-process figures: \([^ ,]*\).*/\1/p' "$results/$suite/results.md")
    rows+=("| $suite | $q | $l | $load0 → $load1 | $(vs "$c_q" "$c_l") | $(fmt "$c_f") ($(ratio "$c_q" "$c_f")) | $(vs "$w_q" "$w_l") | $(vs "$d_q" "$d_l") | $(vs "$h_q" "$h_l") | ${kvm:-?} | ${timer:-?} |")
done

{
    echo "Made by \`bench/generations.sh $*\` on $(date -u '+%Y-%m-%d %H:%M UTC'), qcaps $rev, $(nproc) CPUs,"
    echo "each suite's \`bench/run.sh --quick\` in its chroot (median of 3 runs for qcaps, 1 libvirt"
    echo "daemon start; details per suite in bench/results/SUITE/results.md). Load: the 1, 5 and 15 min"
    echo "load averages before → after the suite's run. Targets: each libvirt / qcaps ratio ≥ 10x."
    echo
    echo "| suite | QEMU | libvirt | load before → after | cold x86_64 probe: qcaps vs libvirt (ratio) | floor, same queries (qcaps / floor) | warm all, libvirt's set: qcaps vs libvirt (ratio) | cached domcaps x86_64: qcaps vs virsh (ratio) | cached host capabilities: qcaps vs virsh (ratio) | libvirt's x86_64 probe | timer |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} >"$tmp/table.md"
# The table of this run; rows of suites not run this time are not kept.
cp "$tmp/table.md" "$results/generations.md"
cat "$tmp/table.md"
[ "$fail" -eq 0 ] || exit 2

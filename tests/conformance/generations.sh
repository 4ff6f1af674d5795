#!/usr/bin/env bash
# Conformance per libvirt generation: tests/conformance/run.sh in a chroot of each Debian
# suite (scripts/chroot.sh), against that suite's QEMU and libvirt. Root only.
#   tests/conformance/generations.sh [--out DIR] [--rev REV | --work-tree | --tree DIR]
#                                    [SUITE...]
# SUITE: bookworm (QEMU 7.2, libvirt 9.0), trixie (10.0, 11.3), forky (11.1, 12.8); default
# all three. For each suite: `scripts/chroot.sh ensure SUITE` (made and cached in
# /var/tmp/qcaps-chroots on first use), then in the chroot, from a fresh copy of the git
# revision REV (default HEAD: committed files only, so the other engineers' uncommitted
# work in progress is not tested; --work-tree copies this work tree instead, --tree DIR
# that one, as `chroot.sh run --tree` does):
#   1. build qcaps: `meson setup /tmp/b && ninja -C /tmp/b` (builds tests/helpers/xmlfacts,
#      which run.sh takes from /tmp/b/tests/helpers/, too);
#   2. start that chroot's libvirtd and virtlogd (`scripts/in-chroot.sh libvirtd-start`);
#   3. `tests/conformance/run.sh /tmp/b` with a fresh qcaps cache (QCAPS_CACHE_DIR on the
#      chroot's /tmp, so no model of an earlier build is used);
#   4. stop the daemons and what they started, by pid, on every path (`scripts/in-chroot.sh
#      libvirtd-stop`; chroot.sh then kills, by pid, whatever still runs in the chroot).
# The chroot has no network but loopback, so libvirt's networks stay in it.
# Results, per suite, in DIR/SUITE/ (default DIR: build-conformance/ in this repository,
# ignored by git; made afresh for each suite run): every work file of run.sh (per
# comparison NAME: NAME.missing, NAME.extra, the facts and both documents; all.missing,
# all.extra, comparisons.tsv, summary.tsv; see run.sh), run.log (run.sh's output),
# build.log, libvirtd.log, status (ok, differences, or "trouble: WHAT"). Then one table for
# all suites on stdout, also kept in DIR/table.txt, and DIR/summary.tsv (run.sh's
# summary.tsv line per suite, the suite first).
# Where all three chroots exist, schema/cpumap-x86.inc of the tested source must be what
# scripts/gen-cpumap.py makes of their libvirt CPU maps (else "STALE" below the table).
# Exit status: 0 all suites ran and no libvirt fact is missing without a pattern of
# allowed-differences.txt; 1 some suite has unexplained missing facts, or the CPU map data
# is stale; 2 trouble (a chroot,
# build, daemon or run.sh failure, a process left behind, a usage error).
set -euo pipefail

self=$(readlink -f "$0")
repo=$(dirname "$(dirname "$(dirname "$self")")")

# --- inside the chroot: /src is the copied tree, /out the suite's result directory --------
if [ "${1:-}" = __inside ]; then
    cd /src
    out=/out
    build=/tmp/b
    child=''
    started=0
    say() { echo "  $*"; }
    status() { printf '%s\n' "$1" > "$out/status"; }
    # run_bg CMD...: CMD in the background, waited for, so that a signal's trap runs at once.
    run_bg() {
        local rc=0
        "$@" &
        child=$!
        wait "$child" || rc=$?
        child=''
        return "$rc"
    }
    stop_daemons() {
        [ "$started" -eq 1 ] || return 0
        started=0
        say "stopping libvirtd and virtlogd"
        if ! scripts/in-chroot.sh libvirtd-stop >> "$out/libvirtd.log" 2>&1; then
            status "trouble: processes left in the chroot after libvirtd-stop (libvirtd.log)"
            sed 's/^/    /' "$out/libvirtd.log" >&2
            return 1
        fi
    }
    # shellcheck disable=SC2317 # the traps call these
    on_exit() {
        local rc=$?
        stop_daemons || rc=2
        exit "$rc"
    }
    # shellcheck disable=SC2317
    on_signal() {
        [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true
        status "trouble: interrupted"
        exit 2
    }
    trap on_exit EXIT
    trap on_signal INT TERM HUP
    status "trouble: unfinished"

    say "building qcaps in $build (build.log)"
    if ! run_bg sh -c "meson setup $build && ninja -C $build" > "$out/build.log" 2>&1; then
        status "trouble: build failed (build.log)"
        tail -n 20 "$out/build.log" | sed 's/^/    /' >&2
        exit 2
    fi
    say "starting libvirtd (libvirtd.log)"
    started=1
    if ! run_bg scripts/in-chroot.sh libvirtd-start > "$out/libvirtd.log" 2>&1; then
        status "trouble: libvirtd-start failed (libvirtd.log)"
        sed 's/^/    /' "$out/libvirtd.log" >&2
        exit 2
    fi
    say "comparing: tests/conformance/run.sh $build (run.log)"
    rc=0
    export QCAPS_CACHE_DIR=/tmp/qcaps-cache
    run_bg tests/conformance/run.sh "$build" \
        > "$out/run.log" 2>&1 || rc=$?
    [ ! -d "$build/conformance" ] || cp -a "$build/conformance/." "$out/"
    grep -E '^(conformance|binaries):' "$out/run.log" | sed 's/^/  /' || true
    case "$rc" in
        0) status ok ;;
        1) status differences ;;
        *) status "trouble: run.sh exit $rc (run.log)"
           tail -n 5 "$out/run.log" | sed 's/^/    /' >&2
           rc=2 ;;
    esac
    stop_daemons || rc=2
    exit "$rc"
fi

# --- on the host ------------------------------------------------------------------------
die() { echo "generations: $*" >&2; exit 2; }
usage() { awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$self"; }

outdir=$repo/build-conformance
rev=HEAD
tree=''
suites=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) [ -n "${2:-}" ] || die "--out needs a directory"; outdir=$2; shift ;;
        --rev) [ -n "${2:-}" ] || die "--rev needs a git revision"; rev=$2; shift ;;
        --work-tree) tree=$repo ;;
        --tree) [ -n "${2:-}" ] || die "--tree needs a directory"; tree=$(readlink -f "$2"); shift ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option '$1'" ;;
        *) suites+=("$1") ;;
    esac
    shift
done
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie forky)
[ "$(id -u)" -eq 0 ] || die "must run as root (scripts/chroot.sh: mmdebstrap, mounts, chroot)"
mkdir -p "$outdir"
outdir=$(readlink -f "$outdir")
chroot_sh=$repo/scripts/chroot.sh
if [ -n "$tree" ]; then
    src=(--tree "$tree")
    what="the work tree $tree"
else
    commit=$(git -C "$repo" rev-parse --verify "$rev^{commit}") || die "no revision $rev"
    src=(--rev "$commit")
    what="revision $(git -C "$repo" rev-parse --short "$commit") of $repo"
fi
echo "generations: ${suites[*]}, from $what; results in $outdir"

trap 'echo "generations: interrupted" >&2; exit 2' INT TERM HUP
for suite in "${suites[@]}"; do
    d=$outdir/$suite
    rm -rf --one-file-system "$d"
    mkdir -p "$d"
    start=$SECONDS
    echo "== $suite"
    if ! "$chroot_sh" ensure "$suite" > "$d/chroot.log" 2>&1; then
        echo "trouble: chroot.sh ensure $suite failed (chroot.log)" > "$d/status"
        tail -n 10 "$d/chroot.log" | sed 's/^/    /' >&2
        continue
    fi
    rc=0
    "$chroot_sh" run "$suite" "${src[@]}" --out "$d" -- \
        tests/conformance/generations.sh __inside || rc=$?
    # chroot.sh itself fails with 1 too: the status file says what happened inside.
    if [ ! -s "$d/status" ]; then
        echo "trouble: chroot.sh run failed (exit $rc) before the run started" > "$d/status"
    elif [ "$rc" -ge 2 ] && ! grep -q '^trouble' "$d/status"; then
        echo "trouble: exit $rc after '$(cat "$d/status")'" > "$d/status"
    fi
    echo "  $suite: $(cat "$d/status") in $((SECONDS - start))s"
done

# The table, from each suite's summary.tsv (run.sh) and status.
worst=0
row() { printf '%-9s %-5s %-8s %-8s %-9s %-22s %-22s %s\n' "$@" >> "$outdir/table.txt"; }
: > "$outdir/table.txt"
row SUITE GEN QEMU LIBVIRT BINARIES "MISSING (UNEXPLAINED)" "EXTRA (UNEXPLAINED)" STATUS
printf 'suite\t' > "$outdir/summary.tsv"
head_done=0
for suite in "${suites[@]}"; do
    d=$outdir/$suite
    st=$(cat "$d/status" 2>/dev/null || echo "trouble: no status")
    case "$st" in
        ok) ;;
        differences) [ "$worst" -ge 1 ] || worst=1 ;;
        *) worst=2 ;;
    esac
    if [ -s "$d/summary.tsv" ]; then
        [ "$head_done" -eq 1 ] || { head -n 1 "$d/summary.tsv" >> "$outdir/summary.tsv"; head_done=1; }
        tail -n +2 "$d/summary.tsv" | sed "s/^/$suite\t/" >> "$outdir/summary.tsv"
        IFS=$'\t' read -r gen qemu lv _ listed probed nm nmb ne neb < <(tail -n 1 "$d/summary.tsv")
        row "$suite" "$gen" "$qemu" "$lv" "$listed/$probed" "$nm ($nmb)" "$ne ($neb)" "$st"
    else
        row "$suite" - - - - - - "$st"
    fi
done
{
    echo "BINARIES: emulators libvirt lists / of them, those qcaps wrote a domcaps document for."
    echo "MISSING: libvirt facts qcaps lacks; EXTRA: qcaps facts libvirt lacks, summed over every"
    echo "comparison; UNEXPLAINED: matching no pattern of allowed-differences.txt for GEN."
} >> "$outdir/table.txt"
[ "$head_done" -eq 1 ] || echo >> "$outdir/summary.tsv"

# schema/cpumap-x86.inc is generated from the three chroots' libvirt CPU maps: a suite
# whose libvirt has moved on (a point release with a new model) makes it stale.
chroots=${QCAPS_CHROOT_DIR:-/var/tmp/qcaps-chroots}
if [ -f "$chroots/bookworm/.qcaps-chroot" ] && [ -f "$chroots/trixie/.qcaps-chroot" ] &&
   [ -f "$chroots/forky/.qcaps-chroot" ]; then
    fresh=$outdir/cpumap-x86.inc
    if [ -n "$tree" ]; then
        committed=$tree/schema/cpumap-x86.inc
    else
        committed=$outdir/cpumap-x86.inc.tested
        git -C "$repo" show "$commit:schema/cpumap-x86.inc" > "$committed"
    fi
    if ! python3 "$repo/scripts/gen-cpumap.py" "$fresh"; then
        echo "trouble: scripts/gen-cpumap.py failed" >> "$outdir/table.txt"
        worst=2
    elif ! cmp -s "$fresh" "$committed"; then
        echo "STALE: schema/cpumap-x86.inc is not what the chroots' libvirt CPU maps give" \
             "(scripts/gen-cpumap.py; diff $fresh)" >> "$outdir/table.txt"
        [ "$worst" -ge 1 ] || worst=1
    fi
fi
echo "== conformance per generation (details: $outdir/SUITE/)"
cat "$outdir/table.txt"
case "$worst" in
    0) echo "generations: every difference is a known one" ;;
    1) echo "generations: libvirt facts missing from qcaps without a known reason (SUITE/all.missing.bad)" ;;
    *) echo "generations: trouble in some suite (its status and logs)" ;;
esac
exit "$worst"

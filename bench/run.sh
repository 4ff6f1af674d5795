#!/usr/bin/env bash
# bench/run.sh: the qcaps benchmark (bare QEMU floor, qcaps, this system's libvirt). See bench/README.md.
#   ./bench/run.sh [--runs N] [--quick] [--no-deps] [--results DIR]
# --runs N       timed runs per figure (default 5; the libvirt daemon starts too)
# --quick        3 runs per qcaps/floor figure, 1 libvirt daemon start (a few minutes)
# --no-deps      do not call scripts/setup-deps.sh
# --results DIR  where to write results.{md,csv,png} (default bench/results)
# Needs root (libvirtd, unshare). Runs on the Debian 12 host or in a chroot of
# scripts/chroot.sh (bench/generations.sh): the generation (Debian suite, QEMU, libvirt) is
# written into results.md and every row of results.csv.
#
# libvirt is measured in a private libvirtd of our own: started in a new mount namespace
# with empty tmpfs over /run/libvirt, /var/cache/libvirt, /var/lib/libvirt, /var/log/libvirt,
# /etc/libvirt/qemu and /etc/libvirt/storage, so its capability cache starts empty and the
# host's own libvirtd (if any), its sockets and its cache are never touched. On exit (also on
# error or ^C) the trap kills the probes and the daemon we started, by pid; the namespace
# and its tmpfs go away with them.
set -euo pipefail

RUNS=5
LV_RUNS=
OUT_ARG=
QUICK=0
DEPS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --runs)
            [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs needs a positive number" >&2; exit 1; }
            RUNS=$2; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --no-deps) DEPS=0; shift ;;
        --results)
            [ $# -ge 2 ] && [ -n "$2" ] || { echo "run.sh: --results needs a directory" >&2; exit 1; }
            OUT_ARG=$2; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
    esac
done
if [ "$QUICK" = 1 ]; then RUNS=3; LV_RUNS=1; fi
: "${LV_RUNS:=$RUNS}"

die() { echo "run.sh: $*" >&2; exit 2; }
log() { printf '== %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (it starts a private libvirtd in a mount namespace)"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
OUT=$(realpath -m -- "${OUT_ARG:-$BENCH/results}")
BUILD=$ROOT/build-bench
WORK=$(mktemp -d /tmp/qcaps-bench.XXXXXX)
LV_PID=
LV_NS=          # our libvirtd's mount namespace (mnt:[inode]), once unshare has made it
MY_NS=$(readlink /proc/$$/ns/mnt)
MADE_RUN_LIBVIRT=0

# ---- cleanup: only what we started ----------------------------------------------------
lv_ns() { # records the mount namespace of our daemon once it differs from ours
    local ns
    [ -n "$LV_PID" ] && [ -z "$LV_NS" ] || return 0
    ns=$(readlink /proc/"$LV_PID"/ns/mnt 2>/dev/null) || return 0
    [ "$ns" = "$MY_NS" ] || LV_NS=$ns
}
ns_pids() { # pids of the processes in our daemon's namespace, but the daemon: its QEMU probes
    local p
    [ -n "$LV_NS" ] || return 0
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" != "$LV_PID" ] || continue
        [ "$(readlink /proc/"$p"/ns/mnt 2>/dev/null)" = "$LV_NS" ] && echo "$p"
    done
    return 0
}
lv_kill_probes() {
    # QEMU probes of our libvirtd run daemonized (reparented away from it); their pidfiles
    # are in its namespace, and every one of them is in that namespace, which is ours alone.
    local f p
    [ -n "$LV_PID" ] || return 0
    for f in /proc/"$LV_PID"/root/var/lib/libvirt/qemu/qmp-*/qmp.pid; do
        [ -r "$f" ] || continue
        p=$(cat "$f" 2>/dev/null || true)
        [[ "$p" =~ ^[0-9]+$ ]] && kill -KILL "$p" 2>/dev/null || true
    done
    for p in $(ns_pids); do kill -KILL "$p" 2>/dev/null || true; done
}
lv_stop() {
    local i left p
    [ -n "$LV_PID" ] || return 0
    lv_ns
    lv_kill_probes
    kill -TERM "$LV_PID" 2>/dev/null || true
    for i in $(seq 100); do kill -0 "$LV_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$LV_PID" 2>/dev/null || true
    wait "$LV_PID" 2>/dev/null || true
    # Whatever it started in the meantime (a probe of the last moment), by pid.
    for i in $(seq 50); do
        left=$(ns_pids)
        [ -n "$left" ] || break
        for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
        sleep 0.1
    done
    [ -z "$(ns_pids)" ] || echo "run.sh: still running in our libvirtd's namespace: $(ns_pids | tr '\n' ' ')" >&2
    LV_PID=
    LV_NS=
}
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    lv_stop
    rm -rf "$WORK"
    [ "$MADE_RUN_LIBVIRT" = 0 ] || rmdir /run/libvirt 2>/dev/null || true
    [ $rc -eq 0 ] || echo "run.sh: failed (exit $rc); our libvirtd and temporary files are gone" >&2
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- dependencies and build -------------------------------------------------------------
no_hyperfine() { # true when the suite has no hyperfine package at all (Debian testing now)
    ! command -v hyperfine >/dev/null &&
        ! apt-cache policy hyperfine 2>/dev/null | grep -q '^ *Candidate: [0-9]'
}
if [ "$DEPS" = 1 ]; then
    log "dependencies (scripts/setup-deps.sh --build --qemu --bench)"
    "$ROOT/scripts/setup-deps.sh" --build --qemu --bench ||
        die "scripts/setup-deps.sh --build --qemu --bench failed"
fi
for c in gnuplot /usr/bin/time libvirtd virsh unshare cc meson ninja pkg-config; do
    command -v "$c" >/dev/null || die "'$c' is missing: run scripts/setup-deps.sh --bench"
done
# The timer of every whole-process figure: hyperfine -N, or where the suite has none
# (no_hyperfine), bench/spawn-time.c, which times a command the same way.
if command -v hyperfine >/dev/null; then
    TIMER=hyperfine
    TIMER_NOTE="hyperfine $(hyperfine --version | awk '{print $NF}') (-N, no shell)"
elif no_hyperfine; then
    TIMER=spawn-time
    TIMER_NOTE="bench/spawn-time.c, as hyperfine -N times a command (Debian $(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") has no hyperfine package)"
else
    die "'hyperfine' is missing: run scripts/setup-deps.sh --bench"
fi

log "build ($BUILD, release)"
if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" "$ROOT" -Dbuildtype=release -Dtests=false >"$WORK/meson.log" 2>&1 ||
        { cat "$WORK/meson.log" >&2; die "meson setup failed"; }
fi
ninja -C "$BUILD" >"$WORK/ninja.log" 2>&1 || { tail -30 "$WORK/ninja.log" >&2; die "build failed"; }
QCAPS=$BUILD/qcaps
HELP=$BUILD/bench-helpers
mkdir -p "$HELP"
cc -std=c11 -O2 -Wall -Wextra -o "$HELP/qmp-floor" "$BENCH/qmp-floor.c" \
    $(pkg-config --cflags --libs json-c) ||
    die "cannot compile bench/qmp-floor.c"
cc -std=c11 -O2 -Wall -Wextra -I"$ROOT/include" -o "$HELP/cached-query" "$BENCH/cached-query.c" \
    -L"$BUILD" -lqcaps -Wl,-rpath,"$BUILD" || die "cannot compile bench/cached-query.c"
if [ "$TIMER" = spawn-time ]; then
    cc -std=c11 -O2 -Wall -Wextra -o "$HELP/spawn-time" "$BENCH/spawn-time.c" ||
        die "cannot compile bench/spawn-time.c"
fi

# ---- what we measure ------------------------------------------------------------------------
# Every binary but aliases: the symlinks Debian 13 and later ship (qemu-system-amd64 ->
# qemu-system-x86_64, ...) are the same binary again; qemu-system-ppc64le, a symlink too,
# is the binary libvirt takes for ppc64le guests (as scripts/record-fixtures.sh does).
mapfile -t BINS < <(for b in /usr/bin/qemu-system-*; do
    [ -x "$b" ] || continue
    [ ! -L "$b" ] || [ "$b" = /usr/bin/qemu-system-ppc64le ] || continue
    echo "$b"; done | sort)
[ ${#BINS[@]} -gt 0 ] || die "no /usr/bin/qemu-system-* installed (scripts/setup-deps.sh --qemu)"
X86=/usr/bin/qemu-system-x86_64
[ -x "$X86" ] || die "$X86 is missing"
MAIN=(x86_64 aarch64 ppc64 s390x)   # the binaries of the summary table

# The generation: Debian suite (os-release), QEMU and libvirt versions.
SUITE=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
OS_NAME=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")
: "${SUITE:=unknown}"
QEMU_VERSION=$("$X86" --version | head -1 | sed 's/^QEMU emulator version //')
QVER=${QEMU_VERSION%% *}
LIBVIRT_VERSION=$(libvirtd --version | awk '{print $NF}')
IN_CHROOT=0; [ -f /.qcaps-chroot ] && IN_CHROOT=1

# The fixtures of this generation (fixtures/qmp/SUITE/, recorded from this suite's QEMU):
# the floor for the same queries asks a binary what its own fixture recorded.
FIXSET=$ROOT/fixtures/qmp/$SUITE
fixture_of() { # the recorded fixture of a binary, or nothing: its version's, else the set's
    local n=${1##*/qemu-system-}
    n=${n//-/+}
    if [ -f "$FIXSET/caps_${QVER}_$n.replies" ]; then echo "$FIXSET/caps_${QVER}_$n.replies"; return; fi
    ls "$FIXSET"/caps_*_"$n".replies 2>/dev/null | head -1 || true
}
first_accel() { # the accelerator of a fixture's first pass (tcg without a fixture)
    local f; f=$(fixture_of "$1")
    if [ -n "$f" ] && grep -m1 -q '"qcaps-section": "kvm"' "$f"; then echo kvm; else echo tcg; fi
}

CSV=$WORK/results.csv
echo "measure,subject,tool,runs,median_ms,min_ms,max_ms,peak_rss_kb" >"$CSV"
row() { echo "$1,$2,$3,$4,$5,$6,$7,${8:-}" >>"$CSV"; }

stats() { # FILE of numbers (ms) -> "median min max"
    sort -g "$1" | awk '{v[NR]=$1} END {
        if (NR == 0) exit 1
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}
hf() { # RUNS WARMUP CMD... -> "median min max" in ms (hyperfine, no shell)
    local runs=$1 warm=$2 cmd; shift 2
    cmd=$(printf '%q ' "$@")
    if [ "$TIMER" = spawn-time ]; then
        "$HELP/spawn-time" --runs "$runs" --warmup "$warm" -- "$@" >"$WORK/hf.s" 2>"$WORK/hf.err" ||
            { cat "$WORK/hf.err" >&2; die "failed: $cmd"; }
        stats "$WORK/hf.s"
        return
    fi
    hyperfine -N --style none --runs "$runs" --warmup "$warm" --output null \
        --export-csv "$WORK/hf.csv" -- "$cmd" >/dev/null 2>"$WORK/hf.err" || {
        cat "$WORK/hf.err" >&2
        # hyperfine drops the command's own output: run it once more to show its error
        "$@" >/dev/null 2>"$WORK/cmd.err" && echo "run.sh: (it succeeded when run again)" >&2
        tail -20 "$WORK/cmd.err" >&2
        die "failed: $cmd"
    }
    awk -F, 'NR == 2 { printf "%.3f %.3f %.3f\n", $4 * 1000, $7 * 1000, $8 * 1000 }' "$WORK/hf.csv"
}
rss() { # CMD... -> peak RSS in kB
    /usr/bin/time -f %M -o "$WORK/rss" "$@" >/dev/null 2>"$WORK/rss.err" ||
        { cat "$WORK/rss.err" >&2; die "failed: $*"; }
    tail -1 "$WORK/rss"
}

DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
awk -v l="${LOAD_START%% *}" 'BEGIN { exit !(l > 0.5) }' &&
    echo "run.sh: warning: load average $LOAD_START: other work on this machine will inflate the CPU-bound figures" >&2
CACHE=$WORK/qcaps-cache

# ---- 1. floor --------------------------------------------------------------------------------
log "1. floor: bare QEMU start -> greeting -> quit, and the same with the probe's queries ($RUNS runs)"
for b in "${BINS[@]}"; do
    n=${b##*/qemu-system-}; a=$(first_accel "$b"); f=$(fixture_of "$b")
    "$HELP/qmp-floor" --runs 1 --accel "$a" "$b" >/dev/null   # page cache
    "$HELP/qmp-floor" --runs "$RUNS" --accel "$a" "$b" >"$WORK/s"
    read -r med mn mx < <(stats "$WORK/s")
    row floor "$n" "qmp-floor ($a)" "$RUNS" "$med" "$mn" "$mx"
    if [ -n "$f" ]; then
        "$HELP/qmp-floor" --runs "$RUNS" --batch "$f" "$b" >"$WORK/s"
        read -r med mn mx < <(stats "$WORK/s")
        row floor-queries "$n" "qmp-floor --batch" "$RUNS" "$med" "$mn" "$mx"
    fi
done

# ---- 2. cold probe, qcaps ------------------------------------------------------------------
log "2. cold probe: qcaps probe --no-cache, every binary ($RUNS runs)"
for b in "${BINS[@]}"; do
    n=${b##*/qemu-system-}
    read -r med mn mx < <(hf "$RUNS" 1 "$QCAPS" probe --no-cache --emulator "$b")
    row cold "$n" qcaps "$RUNS" "$med" "$mn" "$mx" "$(rss "$QCAPS" probe --no-cache --emulator "$b")"
done

# ---- 3. warm all, qcaps ----------------------------------------------------------------------
log "3. warm all: qcaps warm --refresh ($RUNS runs)"
mkdir -p "$CACHE"
NWARM=$("$QCAPS" warm --refresh --cache-dir "$CACHE" 2>&1 | sed -n 's/^warm: \([0-9]*\) probed.*/\1/p')
read -r med mn mx < <(hf "$RUNS" 0 "$QCAPS" warm --refresh --cache-dir "$CACHE")
row warm-all "all ($NWARM binaries)" "qcaps (jobs $(nproc))" "$RUNS" "$med" "$mn" "$mx" \
    "$(rss "$QCAPS" warm --refresh --cache-dir "$CACHE")"
read -r med mn mx < <(hf "$RUNS" 0 "$QCAPS" warm --refresh --jobs 1 --cache-dir "$CACHE")
row warm-all "all ($NWARM binaries)" "qcaps (jobs 1)" "$RUNS" "$med" "$mn" "$mx" \
    "$(rss "$QCAPS" warm --refresh --jobs 1 --cache-dir "$CACHE")"
"$QCAPS" warm --cache-dir "$CACHE" >/dev/null 2>&1 || die "qcaps warm failed"

# ---- 4./5. cached query and replay, qcaps ----------------------------------------------------
QRUNS=$((RUNS * 10))
log "4. cached query: qcaps domcaps from the cache ($QRUNS runs), the library in a loop"
read -r med mn mx < <(hf "$QRUNS" 3 "$QCAPS" domcaps --cache-dir "$CACHE" --emulator "$X86")
row cached-domcaps x86_64 "qcaps domcaps (process)" "$QRUNS" "$med" "$mn" "$mx" \
    "$(rss "$QCAPS" domcaps --cache-dir "$CACHE" --emulator "$X86")"
"$HELP/cached-query" --iterations 200 --runs "$RUNS" --cache-dir "$CACHE" "$X86" >"$WORK/s" ||
    die "cached-query failed"
read -r med mn mx < <(stats "$WORK/s")
row cached-domcaps x86_64 "qcaps_domcaps() library call (per call)" "$RUNS" "$med" "$mn" "$mx" \
    "$(rss "$HELP/cached-query" --iterations 200 --cache-dir "$CACHE" "$X86")"
read -r med mn mx < <(hf "$QRUNS" 3 "$QCAPS" capabilities --cache-dir "$CACHE")
row cached-capabilities host "qcaps capabilities (process)" "$QRUNS" "$med" "$mn" "$mx" \
    "$(rss "$QCAPS" capabilities --cache-dir "$CACHE")"

log "5. replay from a fixture ($QRUNS runs)"
FX86=$(fixture_of "$X86")
# A suite without a fixture set of its own replays Debian 12's (replay starts no QEMU).
[ -n "$FX86" ] || FX86=$(ls "$ROOT"/fixtures/qmp/bookworm/caps_*_x86_64.replies 2>/dev/null | head -1 || true)
[ -n "$FX86" ] || die "no fixture for $X86 in $FIXSET or fixtures/qmp/bookworm"
read -r med mn mx < <(hf "$QRUNS" 3 "$QCAPS" domcaps --fixture "$FX86")
row replay x86_64 "qcaps domcaps --fixture" "$QRUNS" "$med" "$mn" "$mx" "$(rss "$QCAPS" domcaps --fixture "$FX86")"
read -r med mn mx < <(hf "$QRUNS" 3 "$QCAPS" probe --fixture "$FX86" --format json)
row replay x86_64 "qcaps probe --fixture --format json" "$QRUNS" "$med" "$mn" "$mx" \
    "$(rss "$QCAPS" probe --fixture "$FX86" --format json)"

# ---- libvirt: a private libvirtd, started from an empty cache -------------------------------
# libvirt runs its probes' QEMU as its QEMU user (qemu.conf `user`/`group`; Debian builds in
# libvirt-qemu:libvirt-qemu, the user in group kvm). Debian's udev makes /dev/kvm 0660
# root:kvm. Where no udev ran (a chroot has the host's /dev; this VM's is 0600 root:root),
# libvirt still probes with KVM (the probing QEMU keeps CAP_DAC_OVERRIDE), but whether KVM
# is usable, which decides whether a cache entry probed with KVM is still valid, it asks as
# that user without capabilities: every KVM entry is then stale at once, and each `virsh
# domcapabilities` of qemu-system-x86_64 re-probes it (measured: 4.06 s instead of 13 ms;
# `virsh capabilities` 8 s). Then our daemon's namespace gets a /dev/kvm node of its own,
# 0660 root:kvm as udev makes it, bound over /dev/kvm there; the machine's is untouched.
qconf() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\([^\"]*\)\".*/\1/p" /etc/libvirt/qemu.conf 2>/dev/null | tail -1; }
LV_USER=$(qconf user); LV_USER=${LV_USER:-libvirt-qemu}
LV_GROUP=$(qconf group); LV_GROUP=${LV_GROUP:-libvirt-qemu}
lv_user_kvm() { # can libvirt's QEMU user open /dev/kvm, with the uid, gid and groups libvirt gives it? 0 yes, 1 no, 2 no such user
    local uid gid groups
    uid=$(id -u "$LV_USER" 2>/dev/null) || return 2
    gid=$(getent group "$LV_GROUP" | cut -d: -f3); [ -n "$gid" ] || return 2
    groups=$(id -G "$LV_USER" | tr ' ' ,)
    setpriv --reuid="$uid" --regid="$gid" --groups="$groups,$gid" -- sh -c 'test -r /dev/kvm && test -w /dev/kvm' 2>/dev/null || return 1
}
LV_KVM_NODE=()
KVM_MODE="$(stat -c '%a %U:%G' /dev/kvm 2>/dev/null || echo missing)"
if [ ! -c /dev/kvm ]; then
    KVM_NOTE="no /dev/kvm: libvirt and qcaps probe with TCG only"
else
    rc=0; lv_user_kvm || rc=$?
    kvm_gid=$(getent group kvm | cut -d: -f3 || true)
    if [ "$rc" -eq 0 ]; then
        KVM_NOTE="/dev/kvm ($KVM_MODE) is open to libvirt's QEMU user $LV_USER, as in production"
    elif [ "$rc" -eq 1 ] && [ -n "$kvm_gid" ] && id -G "$LV_USER" | tr ' ' '\n' | grep -qx "$kvm_gid"; then
        mkdir "$WORK/kvm-node"
        LV_KVM_NODE=("$WORK/kvm-node" "$((16#$(stat -c %t /dev/kvm)))" "$((16#$(stat -c %T /dev/kvm)))")
        KVM_NOTE="/dev/kvm here is $KVM_MODE, which libvirt's QEMU user $LV_USER cannot open (no udev), so libvirt"
        KVM_NOTE="$KVM_NOTE would take its KVM cache entries for stale and re-probe on every query:"
        KVM_NOTE="$KVM_NOTE our libvirtd's namespace got a /dev/kvm node of its own, 0660 root:kvm as Debian's udev makes it"
    elif [ "$rc" -eq 2 ]; then
        KVM_NOTE="/dev/kvm is $KVM_MODE; libvirt's QEMU user $LV_USER:$LV_GROUP does not exist here"
    else
        KVM_NOTE="/dev/kvm ($KVM_MODE) is not open to libvirt's QEMU user $LV_USER, who is not in group kvm: libvirt's cached figures may be re-probes"
    fi
fi
# The daemon's runtime directory: a chroot without systemd has none (its /run is empty).
if [ ! -e /run/libvirt ]; then mkdir -m 0755 /run/libvirt; MADE_RUN_LIBVIRT=1; fi
cat >"$WORK/lv-ns.sh" <<'EOF'
set -eu
for d in /run/libvirt /var/cache/libvirt /var/lib/libvirt /var/log/libvirt /etc/libvirt/qemu /etc/libvirt/storage; do
    [ -d "$d" ] || continue
    mount -t tmpfs -o mode=0755 qcaps-bench "$d"
done
if [ $# -eq 3 ]; then # DIR MAJOR MINOR: a /dev/kvm of this namespace's own, as udev makes it
    mount -t tmpfs -o mode=0755,size=64k qcaps-bench-kvm "$1"
    mknod -m 0660 "$1/kvm" c "$2" "$3"
    chown root:kvm "$1/kvm"
    mount --bind "$1/kvm" /dev/kvm
fi
exec libvirtd -p /run/libvirt/qcaps-bench-libvirtd.pid
EOF
lv_start() { # $1: log name; sets LV_PID, LV_T0 (s), LV_URI
    LV_T0=$(date +%s.%N)
    unshare -m --propagation private -- bash "$WORK/lv-ns.sh" "${LV_KVM_NODE[@]}" >"$WORK/libvirtd-$1.log" 2>&1 &
    LV_PID=$!
    LV_URI="qemu:///system?socket=/proc/$LV_PID/root/run/libvirt/libvirt-sock"
}
lv_wait_caps() { # sets LV_T1: when `virsh capabilities` first answered
    local limit=$(( $(date +%s) + 900 ))
    until virsh -c "$LV_URI" capabilities >"$WORK/lv-caps.xml" 2>"$WORK/virsh.err"; do
        lv_ns
        kill -0 "$LV_PID" 2>/dev/null ||
            { tail -5 "$WORK"/libvirtd-*.log >&2; die "our libvirtd exited before answering"; }
        [ "$(date +%s)" -lt "$limit" ] || die "libvirtd did not answer within 900 s"
        sleep 0.01
    done
    LV_T1=$(date +%s.%N)
}

log "2./3. libvirt $LIBVIRT_VERSION: private libvirtd from an empty cache, until 'virsh capabilities' answers ($LV_RUNS starts)"
: >"$WORK/lv-warm"
for i in $(seq "$LV_RUNS"); do
    lv_start "$i"
    lv_wait_caps
    awk -v a="$LV_T0" -v b="$LV_T1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }' >>"$WORK/lv-warm"
    # Each binary's probe: the gap between consecutive cache writes (the first one's gap
    # runs from the daemon's start, so it includes the daemon's own initialisation).
    prev=$LV_T0
    for f in /proc/"$LV_PID"/root/var/cache/libvirt/qemu/capabilities/*.xml; do
        echo "$(stat -c %.9Y "$f") $(sed -n 's:.*<emulator>\(.*\)</emulator>.*:\1:p' "$f" | head -1)"
    done | sort -g >"$WORK/lv-files"
    LV_NBIN=$(wc -l <"$WORK/lv-files")
    while read -r t e; do
        n=${e##*/qemu-system-}
        awk -v a="$prev" -v b="$t" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }' >>"$WORK/lv-probe.$n"
        prev=$t
    done <"$WORK/lv-files"
    LV_FIRST=$(head -1 "$WORK/lv-files" | awk '{print $2}')
    # Did libvirt probe the native binary with KVM (its cache then holds KVM CPU models)?
    LV_X86_KVM=no
    for f in /proc/"$LV_PID"/root/var/cache/libvirt/qemu/capabilities/*.xml; do
        grep -q "<emulator>$X86</emulator>" "$f" 2>/dev/null || continue
        ! grep -q "type='kvm'" "$f" || LV_X86_KVM=yes
    done
    if [ "$i" -lt "$LV_RUNS" ]; then lv_stop; fi
done
read -r med mn mx < <(stats "$WORK/lv-warm")
row warm-all "libvirt's set ($LV_NBIN binaries)" "libvirt $LIBVIRT_VERSION (daemon start -> virsh capabilities)" \
    "$LV_RUNS" "$med" "$mn" "$mx" "$(awk '/VmHWM/ {print $2}' /proc/"$LV_PID"/status)"
for s in "$WORK"/lv-probe.*; do
    n=${s##*/lv-probe.}
    read -r med mn mx < <(stats "$s")
    tool="libvirt $LIBVIRT_VERSION (cache-write gap)"
    [ "/usr/bin/qemu-system-$n" != "$LV_FIRST" ] || tool="$tool + daemon init"
    row cold "$n" "$tool" "$LV_RUNS" "$med" "$mn" "$mx"
done

log "3. qcaps warm of libvirt's set of binaries ($RUNS runs)"
mapfile -t LVSET < <(awk '{print $2}' "$WORK/lv-files")
read -r med mn mx < <(hf "$RUNS" 0 "$QCAPS" warm --refresh --cache-dir "$CACHE" "${LVSET[@]}")
row warm-all "libvirt's set ($LV_NBIN binaries)" "qcaps (jobs $(nproc))" "$RUNS" "$med" "$mn" "$mx" \
    "$(rss "$QCAPS" warm --refresh --cache-dir "$CACHE" "${LVSET[@]}")"
read -r med mn mx < <(hf "$RUNS" 0 "$QCAPS" warm --refresh --jobs 1 --cache-dir "$CACHE" "${LVSET[@]}")
row warm-all "libvirt's set ($LV_NBIN binaries)" "qcaps (jobs 1)" "$RUNS" "$med" "$mn" "$mx"
"$QCAPS" warm --cache-dir "$CACHE" >/dev/null 2>&1 || die "qcaps warm failed"

log "4. libvirt cached queries: virsh domcapabilities / capabilities ($QRUNS runs)"
read -r med mn mx < <(hf "$QRUNS" 3 virsh -c "$LV_URI" domcapabilities --emulatorbin "$X86")
row cached-domcaps x86_64 "virsh domcapabilities" "$QRUNS" "$med" "$mn" "$mx" \
    "$(rss virsh -c "$LV_URI" domcapabilities --emulatorbin "$X86")"
read -r med mn mx < <(hf "$QRUNS" 3 virsh -c "$LV_URI" capabilities)
row cached-capabilities host "virsh capabilities" "$QRUNS" "$med" "$mn" "$mx" \
    "$(rss virsh -c "$LV_URI" capabilities)"
lv_stop

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- results --------------------------------------------------------------------------------
log "results -> $OUT"
mkdir -p "$OUT"
# Every row says its generation, so that the CSVs of several generations can be concatenated.
awk -v s="$SUITE" -v q="$QVER" -v l="$LIBVIRT_VERSION" \
    'NR == 1 { print $0 ",suite,qemu,libvirt"; next } { print $0 "," s "," q "," l }' "$CSV" >"$OUT/results.csv"
PROFILES=$(realpath -m --relative-to="$OUT" "$BENCH/README.md")#profiles
get() { # MEASURE SUBJECT TOOL-PREFIX -> median
    awk -F, -v m="$1" -v s="$2" -v t="$3" '$1 == m && $2 == s && index($3, t) == 1 { print $5; exit }' "$CSV"
}
getrow() { awk -F, -v m="$1" -v s="$2" -v t="$3" '$1 == m && $2 == s && index($3, t) == 1 { print; exit }' "$CSV"; }
fmt() { # ms -> human
    awk -v v="$1" 'BEGIN { if (v == "") print "-"; else if (v >= 1000) printf "%.2f s", v / 1000;
        else if (v >= 10) printf "%.0f ms", v; else printf "%.2f ms", v }'
}
cell() { # MEASURE SUBJECT TOOL -> "median (min-max)"
    local r; r=$(getrow "$1" "$2" "$3")
    [ -n "$r" ] || { echo "-"; return; }
    IFS=, read -r _ _ _ _ med mn mx _ <<<"$r"
    echo "$(fmt "$med") ($(fmt "$mn") – $(fmt "$mx"))"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.1f", a / b }'; }
verdict() { # VALUE OP TARGET
    awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "-") { print "n/a"; exit }
        ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "**met**" : "**missed**" }'
}

LVSETNAME="libvirt's set ($LV_NBIN binaries)"
ALLNAME="all ($NWARM binaries)"
c_lv=$(get cold x86_64 "libvirt"); c_q=$(get cold x86_64 qcaps); c_fq=$(get floor-queries x86_64 qmp-floor)
w_lv=$(get warm-all "$LVSETNAME" libvirt); w_q=$(get warm-all "$LVSETNAME" "qcaps (jobs $(nproc))")
w_q1=$(get warm-all "$LVSETNAME" "qcaps (jobs 1)")
d_lv=$(get cached-domcaps x86_64 "virsh"); d_q=$(get cached-domcaps x86_64 "qcaps domcaps")
d_l=$(get cached-domcaps x86_64 "qcaps_domcaps")
R_COLD=$(ratio "$c_lv" "$c_q"); R_FLOOR=$(ratio "$c_q" "$c_fq"); R_WARM=$(ratio "$w_lv" "$w_q")
R_WARM1=$(ratio "$w_lv" "$w_q1"); R_DOM=$(ratio "$d_lv" "$d_q"); R_LIB=$(ratio "$d_lv" "$d_l")

{
echo "# qcaps benchmark results: Debian $SUITE, QEMU $QVER, libvirt $LIBVIRT_VERSION"
echo
echo "Generation: Debian $SUITE (${OS_NAME:-no os-release}), QEMU $QEMU_VERSION, libvirt $LIBVIRT_VERSION$([ "$IN_CHROOT" = 1 ] && echo ", in a chroot of scripts/chroot.sh on the machine below (its kernel and CPUs)")."
echo "Fixtures (floor for the same queries, replay): $(fx=$(fixture_of "$X86"); if [ -n "$fx" ]; then echo "${FIXSET#"$ROOT"/}/ (the x86_64 one: $(basename "$fx"))"; else echo "none for $SUITE; replay of ${FX86#"$ROOT"/}, no floor for the same queries"; fi)."
echo "Timer of the whole-process figures: $TIMER_NOTE."
echo "KVM for libvirt: $KVM_NOTE; its x86_64 probe $([ "$LV_X86_KVM" = yes ] && echo "had a KVM pass" || echo "had no KVM pass")."
echo
echo "$DATE; $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r),"
echo "KVM $([ -w /dev/kvm ] && echo usable || echo not usable); QEMU $QEMU_VERSION; libvirt $LIBVIRT_VERSION; qcaps $("$QCAPS" --version 2>/dev/null | awk '{print $NF}') (release build)."
echo "Each cell: median (min – max) of $RUNS runs (qcaps, floor), $LV_RUNS daemon start(s) (libvirt),"
echo "$QRUNS runs (cached queries and replay, whole processes). Load average (1, 5, 15 min) at the"
echo "start: $LOAD_START, at the end: $LOAD_END (2 cores: anything near 1 or above means other"
echo "work competed for the CPUs; the qcaps and floor figures are CPU-bound, libvirt's mostly waits)."
echo "Made by \`./bench/run.sh$([ "$QUICK" = 1 ] && echo ' --quick' || echo " --runs $RUNS")$([ -n "$OUT_ARG" ] && echo " --results $OUT_ARG")\`."
echo
echo "## Summary"
echo
echo "| figure | floor | floor, same queries | qcaps | libvirt $LIBVIRT_VERSION | libvirt / qcaps | qcaps peak RSS |"
echo "|---|---|---|---|---|---|---|"
for n in "${MAIN[@]}"; do
    echo "| cold probe, $n | $(cell floor "$n" qmp-floor) | $(cell floor-queries "$n" qmp-floor) | $(cell cold "$n" qcaps) | $(cell cold "$n" libvirt) | $(ratio "$(get cold "$n" libvirt)" "$(get cold "$n" qcaps)")x | $(getrow cold "$n" qcaps | cut -d, -f8) kB |"
done
echo "| warm all, $LVSETNAME | | | $(cell warm-all "$LVSETNAME" "qcaps (jobs $(nproc))") | $(cell warm-all "$LVSETNAME" libvirt) | ${R_WARM}x | $(getrow warm-all "$LVSETNAME" "qcaps (jobs $(nproc))" | cut -d, -f8) kB |"
echo "| warm all, $LVSETNAME, --jobs 1 | | | $(cell warm-all "$LVSETNAME" "qcaps (jobs 1)") | $(cell warm-all "$LVSETNAME" libvirt) | ${R_WARM1}x | |"
echo "| warm all, $ALLNAME | | | $(cell warm-all "$ALLNAME" "qcaps (jobs $(nproc))") | | | $(getrow warm-all "$ALLNAME" "qcaps (jobs $(nproc))" | cut -d, -f8) kB |"
echo "| warm all, $ALLNAME, --jobs 1 | | | $(cell warm-all "$ALLNAME" "qcaps (jobs 1)") | | | $(getrow warm-all "$ALLNAME" "qcaps (jobs 1)" | cut -d, -f8) kB |"
echo "| cached domcaps x86_64, process | | | $(cell cached-domcaps x86_64 "qcaps domcaps") | $(cell cached-domcaps x86_64 virsh) | ${R_DOM}x | $(getrow cached-domcaps x86_64 "qcaps domcaps" | cut -d, -f8) kB |"
echo "| cached domcaps x86_64, qcaps_domcaps() per call | | | $(cell cached-domcaps x86_64 "qcaps_domcaps") | $(cell cached-domcaps x86_64 virsh) | ${R_LIB}x | $(getrow cached-domcaps x86_64 "qcaps_domcaps" | cut -d, -f8) kB |"
echo "| cached host capabilities, process | | | $(cell cached-capabilities host "qcaps capabilities") | $(cell cached-capabilities host virsh) | $(ratio "$(get cached-capabilities host virsh)" "$(get cached-capabilities host qcaps)")x | $(getrow cached-capabilities host qcaps | cut -d, -f8) kB |"
echo "| replay: domcaps --fixture x86_64 | | | $(cell replay x86_64 "qcaps domcaps") | | | $(getrow replay x86_64 "qcaps domcaps" | cut -d, -f8) kB |"
echo "| replay: probe --fixture x86_64 --format json | | | $(cell replay x86_64 "qcaps probe") | | | $(getrow replay x86_64 "qcaps probe" | cut -d, -f8) kB |"
echo
echo "## Targets"
echo
echo "| target | measured | verdict |"
echo "|---|---|---|"
echo "| cold x86_64 probe ≥ 10x faster than libvirt | ${R_COLD}x ($(fmt "$c_lv") vs $(fmt "$c_q")) | $(verdict "$R_COLD" '>=' 10) |"
echo "| cold x86_64 probe ≤ 3x the floor for the same queries | ${R_FLOOR}x ($(fmt "$c_q") vs $(fmt "$c_fq")) | $(verdict "$R_FLOOR" '<=' 3) |"
echo "| warm all ≥ 10x faster than libvirt (same binaries) | ${R_WARM}x ($(fmt "$w_lv") vs $(fmt "$w_q")) | $(verdict "$R_WARM" '>=' 10) |"
echo "| cached query ≥ 10x faster than virsh (whole process) | ${R_DOM}x ($(fmt "$d_lv") vs $(fmt "$d_q")) | $(verdict "$R_DOM" '>=' 10) |"
echo
echo "A missed target's profile (where the time goes): [bench/README.md, Profiles]($PROFILES)."
echo
echo "## Every binary: cold probe"
echo
echo "libvirt probes only the binaries it has an arch for; its figure for the first binary it"
echo "probes ($LV_FIRST) includes the daemon's own start-up."
echo
echo "| binary | floor (accel) | floor, same queries | qcaps probe --no-cache | libvirt | libvirt / qcaps | qcaps / floor-queries | qcaps peak RSS |"
echo "|---|---|---|---|---|---|---|---|"
for b in "${BINS[@]}"; do
    n=${b##*/qemu-system-}
    echo "| $n | $(cell floor "$n" qmp-floor) $(getrow floor "$n" qmp-floor | cut -d, -f3 | sed 's/.*(\(.*\))/\1/') | $(cell floor-queries "$n" qmp-floor) | $(cell cold "$n" qcaps) | $(cell cold "$n" libvirt) | $(ratio "$(get cold "$n" libvirt)" "$(get cold "$n" qcaps)") | $(ratio "$(get cold "$n" qcaps)" "$(get floor-queries "$n" qmp-floor)") | $(getrow cold "$n" qcaps | cut -d, -f8) kB |"
done
echo
echo "Raw numbers: [results.csv](results.csv) (milliseconds; peak RSS in kB from GNU time, the"
echo "libvirt row's from the daemon's VmHWM). Chart: [results.png](results.png)."
} >"$OUT/results.md"

# ---- chart ------------------------------------------------------------------------------------
{
echo "# figure floor floor-queries qcaps libvirt"
for n in "${MAIN[@]}"; do
    echo "\"cold $n\" $(get floor "$n" qmp-floor || true) $(get floor-queries "$n" qmp-floor) $(get cold "$n" qcaps) $(get cold "$n" libvirt)"
done
echo "\"warm all ($LV_NBIN)\" - - $w_q $w_lv"
echo "\"warm all, -j1\" - - $w_q1 $w_lv"
echo "\"cached domcaps\" - - $d_q $d_lv"
echo "\"qcaps_domcaps()\" - - $d_l $d_lv"
} | sed 's/  */ /g; s/ $//' | awk '{ while (NF < 5) $(NF + 1) = "-"; print }' >"$WORK/chart.dat"
gnuplot <<EOF || die "gnuplot failed"
set terminal pngcairo size 1100,560 noenhanced font ",10"
set output "$OUT/results.png"
set title "qcaps vs libvirt $LIBVIRT_VERSION vs bare QEMU (Debian $SUITE, QEMU $QEMU_VERSION, $(nproc) CPUs) - median wall time, log scale"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.5:*]
set ylabel "milliseconds"
set grid ytics
set key top left
set datafile missing "-"
set xtics rotate by -20
plot "$WORK/chart.dat" using 2:xtic(1) title "floor (start, greeting, quit)", \
     "" using 3 title "floor, same queries pipelined", \
     "" using 4 title "qcaps", \
     "" using 5 title "libvirt $LIBVIRT_VERSION"
EOF
cat "$OUT/results.md"

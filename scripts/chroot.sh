#!/usr/bin/env bash
# The project's test rig for other Debian generations: one chroot per Debian suite, made by
# mmdebstrap and cached, to build and test qcaps against that suite's compiler, libraries,
# QEMU and libvirt. Root only (mmdebstrap --mode=root, mounts, chroot).
#   scripts/chroot.sh ensure SUITE   make the chroot unless it is there and complete with the
#                                    same package list (then it only says so)
#   scripts/chroot.sh run SUITE [--tree DIR | --rev REV] [--out DIR] [--host-net] -- CMD...
#       copy the work tree DIR (default: this repository's; tracked and untracked files that
#       git does not ignore, or all but .git and build*/ outside git) or this repository's
#       git revision REV afresh to /src, then run CMD there; exit status: CMD's. --out binds
#       host directory DIR (made if missing) at /out. Makes the chroot first if needed.
#   scripts/chroot.sh shell SUITE [same options]   an interactive shell in /src
#   scripts/chroot.sh remove SUITE   delete the chroot
#   scripts/chroot.sh list           the chroots there are and whether they are up to date
# SUITE: bookworm, trixie or forky (another suite is tried with the newer package list).
# Chroots live in ${QCAPS_CHROOT_DIR:-/var/tmp/qcaps-chroots}/SUITE; apt sources, as on the
# Debian 12 host: ${QCAPS_CHROOT_MIRROR:-http://deb.debian.org/debian} SUITE and
# SUITE-updates, ${QCAPS_CHROOT_SECURITY:-http://deb.debian.org/debian-security}
# SUITE-security, component main; Recommends are installed, as `apt-get install` does. A
# chroot is built in a temporary directory beside it and renamed when complete; its stamp
# file /.qcaps-chroot holds the sources and package list, and a changed one rebuilds it.
# A run has its own mount namespace (the chroot bound onto itself, so that its / is a mount
# point; /dev with /dev/pts, /proc, /sys bound in with --rbind and made rslave, fresh tmpfs
# on /run and /tmp) that vanishes with it, and its own network namespace with only
# loopback (so libvirt's default network and firewall rules stay inside; --host-net
# shares the host's, e.g. for apt-get). CMD's environment is reset
# to PATH, HOME=/root, LANG=C.UTF-8 and TERM. SIGINT, SIGTERM and SIGHUP are passed on to
# CMD (SIGINT not to shell's, which takes ^C from the terminal), SIGKILL 10 s later if it
# is still running. Processes still in the chroot when CMD ends are killed by pid and named
# on stderr. One command at a time per suite (flock).
# Inside: scripts/in-chroot.sh libvirtd-start | libvirtd-stop (daemons, no systemd).
set -euo pipefail

self=$(readlink -f "$0")
repo=$(dirname "$(dirname "$self")")
dir=${QCAPS_CHROOT_DIR:-/var/tmp/qcaps-chroots}
mirror=${QCAPS_CHROOT_MIRROR:-http://deb.debian.org/debian}
security=${QCAPS_CHROOT_SECURITY:-http://deb.debian.org/debian-security}
chroot_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "chroot: $*" >&2; exit 1; }

# packages SUITE: the package list of a suite, one a line.
packages() {
    local p=(build-essential pkg-config meson ninja-build libjson-c-dev libevent-dev
             libxml2-dev libxml2-utils libcmocka-dev valgrind jq procps
             ovmf qemu-efi-aarch64 swtpm swtpm-tools
             libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu)
    case "$1" in
        # EDK2 for 32-bit Arm guests is gone after Debian 13.
        bookworm|trixie) p+=(qemu-efi-arm) ;;
    esac
    case "$1" in
        # Debian 12's qemu-system metapackage lacks nothing either, but name them as the
        # host has them.
        bookworm) p+=(qemu-system-x86 qemu-system-arm qemu-system-misc qemu-system-ppc
                      qemu-system-mips qemu-system-sparc) ;;
        # Later suites split QEMU further (s390x, riscv, ...): the metapackage pulls in
        # every qemu-system-* emulator package.
        *) p+=(qemu-system) ;;
    esac
    printf '%s\n' "${p[@]}" | LC_ALL=C sort
}

sources() {
    printf '%s\n' "deb $mirror $1 main" "deb $mirror $1-updates main" \
        "deb $security $1-security main"
}

# The stamp: what the chroot was made from. A different one means rebuild.
spec() {
    echo "qcaps-chroot 1"
    echo "suite $1"
    echo "variant apt, recommends"
    sources "$1" | sed 's/^/source /'
    packages "$1" | tr '\n' ' ' | sed 's/^/packages /; s/ $/\n/'
}

check_suite() {
    [[ "${1:-}" =~ ^[a-z][a-z0-9-]*$ ]] || die "a suite name is needed (bookworm, trixie, forky)"
}

# lock SUITE: one command at a time per suite; fd 9 is closed for everything run inside.
lock() {
    mkdir -p "$dir"
    exec 9> "$dir/.$1.lock"
    if ! flock -n 9; then
        echo "chroot: $1 is in use, waiting" >&2
        flock 9
    fi
}

# mounts_under DIR: the mount points at or below DIR in this mount namespace.
mounts_under() {
    awk -v r="$1" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/mounts
}

# procs_in DIR: pids of the processes whose root directory is DIR.
procs_in() {
    local want p
    want=$(stat -c %d:%i "$1") || return 0
    for p in /proc/[0-9]*; do
        [ "$(stat -L -c %d:%i "$p/root" 2>/dev/null)" = "$want" ] && echo "${p#/proc/}"
    done
    return 0
}

# sweep DIR: kills, by pid, whatever still runs with DIR as its root, naming it.
sweep() {
    local pids p
    pids=$(procs_in "$1")
    [ -n "$pids" ] || return 0
    for p in $pids; do
        echo "chroot: killing leftover process $p: $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" >&2
        kill -TERM "$p" 2>/dev/null || true
    done
    for _ in $(seq 50); do
        pids=$(procs_in "$1")
        [ -n "$pids" ] || return 0
        sleep 0.1
    done
    for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
    sleep 0.2
}

# remove_tree DIR: deletes a chroot directory, never through anything mounted in it.
remove_tree() {
    [ -e "$1" ] || return 0
    sweep "$1"
    if [ -n "$(mounts_under "$1")" ]; then
        die "not removing $1: mounted under it: $(mounts_under "$1" | tr '\n' ' ')"
    fi
    rm -rf --one-file-system "$1"
}

# run_child CMD...: runs CMD (stdin kept) and returns its status. A SIGTERM or SIGHUP sent to
# this script is passed on to CMD, and so is a SIGINT unless int_mode=shell (an interactive
# shell, which gets the terminal's ^C itself and decides); CMD is then given 10 s to end
# before SIGKILL, and this script waits for it, so that its cleanups run after CMD's end.
int_mode=forward
run_child() {
    local child rc=0 deadline=''
    # Without job control bash would start it with SIGINT and SIGQUIT ignored.
    (trap - INT QUIT; exec "$@") <&0 9>&- &
    child=$!
    trap 'kill -TERM "$child" 2>/dev/null || true; deadline=${deadline:-$((SECONDS + 10))}' TERM HUP
    if [ "$int_mode" = shell ]; then
        trap ':' INT
    else
        trap 'kill -INT "$child" 2>/dev/null || true; deadline=${deadline:-$((SECONDS + 10))}' INT
    fi
    while kill -0 "$child" 2>/dev/null; do
        if [ -z "$deadline" ]; then
            wait "$child" || true
        elif [ "$SECONDS" -ge "$deadline" ]; then
            kill -KILL "$child" 2>/dev/null || true
            { wait "$child"; } 2>/dev/null || true
        else
            sleep 0.2
        fi
    done
    { wait "$child"; } 2>/dev/null || rc=$?
    trap - TERM HUP INT
    return "$rc"
}

need_mmdebstrap() {
    command -v mmdebstrap >/dev/null && return 0
    "$repo/scripts/setup-deps.sh" --chroot
}

# ensure SUITE [quiet]: makes the chroot unless it is complete and of the same spec.
ensure() {
    local suite=$1 root=$dir/$1 want tmp old pkgs start
    want=$(spec "$suite")
    if [ -f "$root/.qcaps-chroot" ] && [ "$(cat "$root/.qcaps-chroot")" = "$want" ]; then
        [ "${2:-}" = quiet ] ||
            echo "chroot: $suite is up to date at $root (made $(date -r "$root/.qcaps-chroot" '+%F %R'))"
        return 0
    fi
    if [ -d "$root" ]; then
        echo "chroot: $suite at $root is incomplete or its package list changed: rebuilding" >&2
    fi
    need_mmdebstrap
    # Leftovers of an interrupted build (we hold the lock, so nobody is using them).
    for old in "$dir/.$suite".new.* "$dir/.$suite".old.*; do
        [ -e "$old" ] && remove_tree "$old"
    done
    tmp=$(mktemp -d "$dir/.$suite.new.XXXXXX")
    chmod 0755 "$tmp"
    # shellcheck disable=SC2064 # the directory is known now
    trap "remove_tree '$tmp'" EXIT
    pkgs=$(packages "$suite" | paste -sd,)
    start=$SECONDS
    local srcs=() opts=() log=$dir/.$suite.log rc
    mapfile -t srcs < <(sources "$suite")
    while :; do
        echo "chroot: making $suite in $tmp" >&2
        # Its own mount namespace: whatever mmdebstrap mounts goes away with it, even if
        # killed. Its messages (stderr) are kept in $log too.
        rc=0
        run_child unshare --mount --propagation private -- \
            mmdebstrap --mode=root --variant=apt --components=main \
                --aptopt='Apt::Install-Recommends "true"' "${opts[@]}" \
                --skip=cleanup/apt/lists --include="$pkgs" \
                "$suite" "$tmp" "${srcs[@]}" 2> >(tee "$log" >&2) || rc=$?
        [ "$rc" -ne 0 ] || break
        # A mirror that lags behind leaves a suite's Release file past its Valid-Until
        # date (testing's is valid for a week): retry once without that check, the
        # signatures are still checked.
        if [ ${#opts[@]} -eq 0 ] && grep -q 'Release file .* is expired' "$log"; then
            echo "chroot: the mirror's $suite Release files are past their Valid-Until date:" \
                 "retrying without that check (signatures are still checked)" >&2
            opts=(--aptopt='Acquire::Check-Valid-Until "false"')
            remove_tree "$tmp"
            mkdir -m 0755 "$tmp"
            continue
        fi
        die "mmdebstrap failed for $suite (exit $rc; its messages: $log)"
    done
    printf '%s\n' "$want" > "$tmp/.qcaps-chroot"
    if [ -d "$root" ]; then
        old="$dir/.$suite.old.$$"
        mv "$root" "$old"
        mv "$tmp" "$root"
        remove_tree "$old"
    else
        mv "$tmp" "$root"
    fi
    trap - EXIT
    echo "chroot: $suite made at $root in $((SECONDS - start))s"
}

# copy_tree ROOT TREE REV: the sources at ROOT/src, afresh.
copy_tree() {
    local root=$1 tree=$2 rev=$3
    [ -z "$(mounts_under "$root/src")" ] || die "something is mounted under $root/src"
    rm -rf --one-file-system "$root/src"
    mkdir -p "$root/src"
    if [ -n "$rev" ]; then
        git -C "$repo" archive --format=tar "$rev" | tar -C "$root/src" -xf -
    elif git -C "$tree" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$tree" &&
         git ls-files -z --cached --others --exclude-standard |
         while IFS= read -r -d '' f; do
             # skip files deleted from the work tree but still in the index
             if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
         done | tar --null --no-recursion -T - -cf -) | tar -C "$root/src" -xf -
    else
        tar -C "$tree" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$root/src" -xf -
    fi
}

# The part inside the namespaces: mounts, then CMD in the chroot (see run).
inner() {
    local root=$1 net=$2 out=$3 term=$4 label=$5 rc m
    int_mode=$6
    shift 6
    mounted=()
    # Unmount in reverse order; lazily if something still holds a mount. The namespace
    # takes the rest with it when its last process ends.
    # shellcheck disable=SC2317 # called by the trap
    cleanup_inner() {
        local i
        for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
            umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" 2>/dev/null || true
        done
    }
    trap cleanup_inner EXIT
    [ "$net" = host ] || ip link set lo up
    # The root a mount point of its own, as / is on a real system: `unshare -m` in the
    # chroot (the tests' read-only cache case) sets the propagation of / and fails with
    # EINVAL on a plain directory.
    mount --bind "$root" "$root"
    mounted+=("$root")
    for m in dev proc sys; do
        mount --rbind "/$m" "$root/$m"
        mounted+=("$root/$m")
        mount --make-rslave "$root/$m"
    done
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run"
    mounted+=("$root/run")
    mkdir -m 1777 "$root/run/lock"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/tmp"
    mounted+=("$root/tmp")
    if [ -n "$out" ]; then
        mkdir -p "$root/out"
        mount --bind "$out" "$root/out"
        mounted+=("$root/out")
    fi
    rc=0
    run_child chroot "$root" /usr/bin/env -i PATH="$chroot_path" HOME=/root LANG=C.UTF-8 \
        TERM="$term" debian_chroot="$label" \
        /bin/sh -c 'cd /src && exec "$@"' sh "$@" || rc=$?
    exit "$rc"
}

run() {
    local suite=$1 shell=$2 tree=$repo rev='' out='' net=private root rc
    shift 2
    while [ $# -gt 0 ]; do
        case "$1" in
            --tree) [ -n "${2:-}" ] || die "--tree needs a directory"
                    tree=$(readlink -f "$2"); [ -d "$tree" ] || die "no directory $2"; shift ;;
            --rev) [ -n "${2:-}" ] || die "--rev needs a git revision"
                   rev=$(git -C "$repo" rev-parse --verify "$2^{commit}") ||
                       die "no revision $2 in $repo"
                   shift ;;
            --out) [ -n "${2:-}" ] || die "--out needs a directory"
                   mkdir -p "$2"; out=$(readlink -f "$2"); shift ;;
            --host-net) net=host ;;
            --) shift; break ;;
            *) die "unknown option '$1' (the command goes after --)" ;;
        esac
        shift
    done
    if [ "$shell" = 1 ]; then
        [ $# -eq 0 ] || die "shell takes no command"
        set -- bash -i
        int_mode=shell
    fi
    [ $# -gt 0 ] || die "run needs a command after --"
    root=$dir/$suite
    ensure "$suite" quiet
    [ -z "$(mounts_under "$root")" ] || die "something is mounted under $root already"
    sweep "$root"
    copy_tree "$root" "$tree" "$rev"
    local ns=(--mount --propagation private)
    [ "$net" = host ] || ns+=(--net)
    rc=0
    run_child unshare "${ns[@]}" -- "$self" __inner "$root" "$net" "$out" "${TERM:-dumb}" \
        "qcaps-$suite" "$int_mode" "$@" || rc=$?
    sweep "$root"
    [ -z "$(mounts_under "$root")" ] || echo "chroot: still mounted under $root: $(mounts_under "$root")" >&2
    return "$rc"
}

list() {
    local d s state
    for d in "$dir"/*/; do
        [ -d "$d" ] || continue
        s=$(basename "$d")
        if [ ! -f "$d/.qcaps-chroot" ]; then
            state=incomplete
        elif [ "$(cat "$d/.qcaps-chroot")" = "$(spec "$s")" ]; then
            state="up to date, made $(date -r "$d/.qcaps-chroot" '+%F %R')"
        else
            state="package list changed (ensure rebuilds it)"
        fi
        printf '%-12s %-8s %s\n' "$s" "$(du -sh --one-file-system "$d" 2>/dev/null | cut -f1)" "$state"
    done
}

usage() { awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$self"; }

case "${1:-}" in
    __inner) shift; inner "$@" ;;
    -h|--help|help) usage ;;
    list) list ;;
    ensure|run|shell|remove)
        [ "$(id -u)" -eq 0 ] || die "must run as root"
        verb=$1
        check_suite "${2:-}"
        suite=$2
        shift 2
        lock "$suite"
        case "$verb" in
            ensure) [ $# -eq 0 ] || die "ensure takes only a suite"; ensure "$suite" ;;
            run) run "$suite" 0 "$@" ;;
            shell) run "$suite" 1 "$@" ;;
            remove)
                [ $# -eq 0 ] || die "remove takes only a suite"
                if [ -e "$dir/$suite" ]; then
                    remove_tree "$dir/$suite"
                    echo "chroot: removed $dir/$suite"
                else
                    echo "chroot: no chroot $dir/$suite"
                fi
                rm -f "$dir/.$suite.lock" "$dir/.$suite.log" ;;
        esac ;;
    *) usage >&2; exit 1 ;;
esac

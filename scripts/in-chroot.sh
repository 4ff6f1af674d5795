#!/usr/bin/env bash
# Helpers for use inside a chroot of scripts/chroot.sh, where no systemd runs.
#   scripts/in-chroot.sh libvirtd-start   start virtlogd and libvirtd as daemons with pid files
#       in /run/qcaps-libvirt, and wait until `virsh -c qemu:///system uri` answers. Debian 12,
#       13 and forky all ship the monolithic libvirtd (with its drivers as modules) and none
#       ships virtqemud and the other modular daemons.
#   scripts/in-chroot.sh libvirtd-stop    stop them by pid, then what libvirt started (the
#       dnsmasq of its networks, QEMU) by the pids in its pid files; any other process still
#       running in the chroot outside this session is then named, killed by pid, and the exit
#       status is 1
#   scripts/in-chroot.sh leftovers        list the processes running in the chroot outside
#       this session (exit status 1 when there are any)
# The host's processes are visible here (/proc is the host's), so nothing is ever killed by
# name: only by pid, and only a process whose root directory is this chroot's. Refuses to
# run outside such a chroot (one with /.qcaps-chroot), and libvirtd-start refuses in one
# sharing the host's network (chroot.sh --host-net): libvirt's networks would add bridges
# and firewall rules to the host.
set -euo pipefail

piddir=/run/qcaps-libvirt
uri=qemu:///system

die() { echo "in-chroot: $*" >&2; exit 1; }

usage() { awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; }
case "${1:-}" in
    libvirtd-start|libvirtd-stop|leftovers) ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 1 ;;
esac
# A chroot of chroot.sh has its stamp at its root.
[ -f /.qcaps-chroot ] ||
    die "not in a chroot of scripts/chroot.sh (the host's libvirt is not ours to start or stop)"
me=$(stat -c %d:%i /)

# ours PID: whether the process runs with this chroot as its root directory.
ours() { [ "$(stat -L -c %d:%i "/proc/$1/root/" 2>/dev/null)" = "$me" ]; }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && ours "$1"; }

# stop_pid PID NAME: SIGTERM, up to 20 s to exit, then SIGKILL.
stop_pid() {
    local pid=$1 name=$2
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 200); do
        alive "$pid" || { echo "in-chroot: stopped $name (pid $pid)"; return 0; }
        sleep 0.1
    done
    echo "in-chroot: $name (pid $pid) ignored SIGTERM for 20 s: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
}

# leftovers: pids of this chroot's processes outside this session (daemons set up their own).
leftovers() {
    local sid p
    sid=$(ps -o sid= -p $$ | tr -d ' ')
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        ours "$p" || continue
        [ "$(ps -o sid= -p "$p" 2>/dev/null | tr -d ' ')" != "$sid" ] || continue
        echo "$p"
    done
}

# host_net: whether this chroot shares the host's network namespace. /sys is the host's (it
# lists the host's interfaces); /proc/self/net/dev lists those of our namespace.
host_net() {
    local i
    while read -r i; do
        [ "$i" != lo ] && [ -e "/sys/class/net/$i" ] && return 0
    done < <(awk -F: 'NR > 2 {gsub(/ /, "", $1); print $1}' /proc/self/net/dev)
    return 1
}

describe() { ps -o pid=,sid=,args= -p "$1" 2>/dev/null || echo "$1 (gone)"; }

start() {
    local daemon=libvirtd pidfile
    if host_net; then
        die "this chroot shares the host's network: libvirt would change it (run without --host-net)"
    fi
    command -v libvirtd >/dev/null || die "no libvirtd installed"
    mkdir -p "$piddir"
    for d in virtlogd "$daemon"; do
        pidfile=$piddir/$d.pid
        if alive "$(cat "$pidfile" 2>/dev/null)"; then
            echo "in-chroot: $d runs already (pid $(cat "$pidfile"))"
            continue
        fi
        rm -f "$pidfile"
        "$d" -d -p "$pidfile"
        for _ in $(seq 100); do
            [ -s "$pidfile" ] && break
            sleep 0.1
        done
        alive "$(cat "$pidfile" 2>/dev/null)" || die "$d did not start"
    done
    for _ in $(seq 300); do
        if virsh -c "$uri" uri >/dev/null 2>&1; then
            echo "in-chroot: $daemon (pid $(cat "$piddir/$daemon.pid")) and virtlogd" \
                 "(pid $(cat "$piddir/virtlogd.pid")) answer at $uri"
            return 0
        fi
        sleep 0.1
    done
    virsh -c "$uri" uri >&2 || true
    die "$daemon does not answer at $uri after 30 s"
}

stop() {
    local d f p left rc=0
    # The daemon first, so that it starts nothing more; virtlogd last.
    for d in libvirtd virtlogd; do
        f=$piddir/$d.pid
        [ -f "$f" ] || continue
        stop_pid "$(cat "$f")" "$d"
        rm -f "$f"
    done
    # What libvirt started and does not stop with itself: networks' dnsmasq, guests' QEMU.
    for f in /run/libvirt/network/*.pid /run/libvirt/qemu/*.pid; do
        [ -f "$f" ] || continue
        p=$(head -n 1 "$f")
        if alive "$p"; then
            stop_pid "$p" "$(ps -o comm= -p "$p") of $(basename "$f" .pid)"
        fi
    done
    left=$(leftovers)
    if [ -n "$left" ]; then
        echo "in-chroot: left running in the chroot after the stop:" >&2
        for p in $left; do describe "$p" | sed 's/^/    /' >&2; done
        for p in $left; do stop_pid "$p" "leftover"; done
        rc=1
    else
        echo "in-chroot: no process left in the chroot"
    fi
    return "$rc"
}

case "${1:-}" in
    libvirtd-start) start ;;
    libvirtd-stop) stop ;;
    leftovers)
        left=$(leftovers)
        [ -z "$left" ] && exit 0
        for p in $left; do describe "$p"; done
        exit 1 ;;
esac

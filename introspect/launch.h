/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch.h: starts one QEMU process for probing, safely, and cleans up after it.
 *
 * Contract:
 * - Input: a binary path and an accelerator. Output: a running child QEMU with a QMP
 *   monitor, and a connected socket to that monitor.
 * - The binary is checked first (exists, regular file, executable by us) with an error
 *   naming it. QEMU runs as
 *     <bin> -S -no-user-config -nodefaults -nographic -machine none,accel=<kvm|tcg>
 *           -chardev socket,id=qmp,fd=3,server=on,wait=on -mon chardev=qmp,mode=control
 *   where fd 3 is a listening unix socket (<dir>/qmp.sock) bound in a private 0700
 *   directory ($TMPDIR, or /tmp when unset, relative or too long)/qcaps-XXXXXX. We connect
 *   to it before fork (the connection waits in the listen queue until QEMU accepts it), so
 *   there is no connect race and no -daemonize: QEMU stays our child. wait=on makes QEMU
 *   accept that connection while it parses -chardev, before the monitor exists: with
 *   wait=off the accept in the main loop races the monitor's handler setup in its I/O
 *   thread, and QEMU 7.2 then sometimes sends the greeting twice (seen in ~2% of starts).
 *   The "waiting for connection" line QEMU prints for wait=on is left out of errors. The child gets a clean
 *   environment (exactly LC_ALL=C, PATH=/usr/sbin:/usr/bin:/sbin:/bin, HOME=/), stdin and
 *   stdout on /dev/null, stderr into <dir>/stderr, no other inherited fd, default signal
 *   dispositions and an empty mask, its own process group (pgid == pid), and
 *   PR_SET_PDEATHSIG=SIGKILL (note: that fires when the *thread* that called
 *   qc_qemu_launch exits, so launch from a thread that outlives the probe).
 * - Errors (QC_E_SPAWN unless noted), all naming the path as given:
 *     "emulator '<bin>': <strerror>"            stat failed (e.g. No such file or directory)
 *     "emulator '<bin>' is a directory"
 *     "emulator '<bin>' is not a regular file"
 *     "emulator '<bin>' is not executable"
 *     "cannot execute '<bin>': <strerror>"     execve failed (reported synchronously)
 *     "cannot start '<bin>': <strerror>"       child set-up before execve failed
 *   plus QC_E_SYSTEM for mkdtemp/socket/fork failures and QC_E_INVALID for bad arguments.
 *   A binary that execs fine and then dies (even at once) is NOT a launch error: the exit
 *   handler reports it from the loop and qc_qemu_describe() explains it.
 * - qc_qemu_free() (also on every error path) kills the process group (SIGKILL), reaps the
 *   child, closes every fd and removes the directory with whatever QEMU left in it (one
 *   level, not recursive): nothing is left behind.
 * - An exit watcher (pidfd_open + EV_READ on the event_base; a 50 ms polling timer where
 *   pidfd_open is unavailable, e.g. under valgrind) reports an early death with its status.
 *   Only waitpid(pid) is used, never waitpid(-1): other children of the caller are safe.
 * - Never prints; never installs signal handlers (signals are blocked only across fork).
 */
#ifndef QC_INTROSPECT_LAUNCH_H
#define QC_INTROSPECT_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include <event2/event.h>

#include "common/error.h"
#include "model/model.h"

typedef struct qc_qemu qc_qemu;

/* Called once, from the event loop, if the child exits (or is killed) before
 * qc_qemu_free(). `status` is the waitpid() status. The child is already reaped; describe
 * it with qc_qemu_describe(). The handler may call qc_qemu_free(q). If the exit happened
 * before a handler was set, setting one later still delivers it from the loop. */
typedef void (*qc_qemu_exit_fn)(qc_qemu *q, int status, void *opaque);

/* Checks the binary, makes the directory and socket, spawns. */
qc_qemu *qc_qemu_launch(struct event_base *base, const char *binary, qc_accel accel,
                        qc_error **err);

/* The connected QMP socket (non-blocking, close-on-exec); ownership moves to the caller.
 * -1 if already taken. */
int qc_qemu_take_qmp_fd(qc_qemu *q);

void qc_qemu_set_exit_handler(qc_qemu *q, qc_qemu_exit_fn fn, void *opaque);

pid_t qc_qemu_pid(const qc_qemu *q);
const char *qc_qemu_dir(const qc_qemu *q);   /* the private directory */
bool qc_qemu_exited(const qc_qemu *q);

/* Blocks (without the event loop) until the child has exited or timeout_ms passed, and
 * reaps it. Meant for error paths: when the QMP connection breaks, QEMU is usually on its
 * way out, and waiting a moment (say 1000 ms) lets qc_qemu_describe() report its exit
 * status instead of "still running". Returns true once the child is gone. The exit handler
 * is still called from the loop afterwards. */
bool qc_qemu_wait_exit(qc_qemu *q, int timeout_ms);

/* A one-line description of why QEMU is gone or failing, for error messages (reaps the
 * child without blocking if it has exited, so the status is current):
 * "exited with status 1", "killed by signal 11", or "still running", followed by
 * ": <last line(s) of its stderr>" when it wrote any (lines joined by " / ", tabs as spaces,
 * other control characters and non-ASCII bytes as '?', trimmed, at most
 * ~512 bytes). Caller frees. Never NULL except on OOM. */
char *qc_qemu_describe(qc_qemu *q);

/* Kills (if running), reaps, removes the directory, frees. NULL-safe. Bounded time. */
void qc_qemu_free(qc_qemu *q);

#endif

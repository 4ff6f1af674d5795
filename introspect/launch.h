/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch.h: starts one QEMU process for probing, safely, and cleans up after it.
 *
 * Contract:
 * - Input: a binary path and an accelerator. Output: a running child QEMU with a QMP
 *   monitor, and a connected socket to that monitor.
 * - The binary is checked first (exists, regular file, executable by us) with an error
 *   naming it. QEMU runs as
 *     <bin> -S -no-user-config -nodefaults -nographic -machine none,accel=<kvm|tcg>
 *           -chardev socket,id=qmp,fd=3,server=on,wait=off -mon chardev=qmp,mode=control
 *   where fd 3 is a listening unix socket bound in a private 0700 directory
 *   ($TMPDIR or /tmp)/qcaps-XXXXXX; we connect to it right after fork, so there is no
 *   connect race and no -daemonize: QEMU stays our child. The child gets a clean
 *   environment (LC_ALL=C, PATH=/usr/sbin:/usr/bin:/sbin:/bin, HOME=/), stdin and stdout
 *   on /dev/null, stderr into <dir>/stderr, no other inherited fd, its own process group.
 * - qc_qemu_free() (also on every error path) kills the process group (SIGKILL), reaps the
 *   child, closes every fd and removes the directory: nothing is left behind.
 * - An exit watcher (pidfd on the event_base) reports an early death with its status.
 * - Never prints; never installs signal handlers.
 */
#ifndef QC_INTROSPECT_LAUNCH_H
#define QC_INTROSPECT_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include <event2/event.h>

#include "common/error.h"
#include "model/model.h"

typedef struct qc_qemu qc_qemu;

/* Called once if the child exits (or is killed) before qc_qemu_free(). `status` is the
 * waitpid() status. The child is already reaped; describe it with qc_qemu_describe_exit. */
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

/* A one-line description of why QEMU is gone or failing, for error messages:
 * "exited with status 1", "killed by signal 11", or "still running", followed by
 * ": <last line(s) of its stderr>" when it wrote any (control characters replaced, at most
 * ~512 bytes). Caller frees. Never NULL except on OOM. */
char *qc_qemu_describe(qc_qemu *q);

/* Kills (if running), reaps, removes the directory, frees. NULL-safe. Bounded time. */
void qc_qemu_free(qc_qemu *q);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch-internal.h: the state of one launched QEMU, shared by launch.c (start-up) and
 * launch-supervise.c (watching, reaping, teardown). Internal to introspect/, not installed.
 *
 * Contract: launch.c calls down into launch-supervise.c (the directory's paths, reaping,
 * the exit watch), never the other way round.
 */
#ifndef QC_INTROSPECT_LAUNCH_INTERNAL_H
#define QC_INTROSPECT_LAUNCH_INTERNAL_H

#include "introspect/launch.h"

#define QC_QEMU_SOCK_NAME "qmp.sock"
#define QC_QEMU_STDERR_NAME "stderr"

struct qc_qemu {
    struct event_base *base;
    char *binary;
    char *dir;                 /* NULL once removed (or never made) */
    pid_t pid;                 /* 0 before fork */
    int pidfd;
    struct event *exit_ev;     /* EV_READ on pidfd, or a polling timer */
    bool exit_ev_is_timer;
    int qmp_fd;
    bool exited;               /* reaped; status valid */
    int status;
    bool notified;             /* exit handler called */
    qc_qemu_exit_fn exit_fn;
    void *exit_opaque;
    int em_slot;               /* common/emergency.h registration, -1: none */
};


/* "<dir>/<name>", or NULL on OOM. Caller frees. */
char *qc_qemu_path(const qc_qemu *q, const char *name);
/* Waits for the child and reaps it (status into q); 0 once reaped. */
int qc_qemu_reap_blocking(qc_qemu *q);
/* Starts watching the child for exit (pidfd, else a polling timer) on q->base. */
int qc_qemu_watch(qc_qemu *q, qc_error **err);

#endif

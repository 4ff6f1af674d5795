/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe-run.c: qc_probe_run(), one probe to completion on a private event loop, with
 * SIGPIPE held off meanwhile; over the asynchronous qc_probe_start(). */
#include "introspect/probe.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>

typedef struct qc_probe_sync {
    bool done;
    qc_model *model;
    qc_error *error;
} qc_probe_sync;

static void
qc_probe_sync_done(qc_model *model, qc_error *error, void *opaque)
{
    qc_probe_sync *s = opaque;

    s->done = true;
    s->model = model;
    s->error = error;
}

/* Drops SIGPIPEs raised while it was blocked (unless the caller had it blocked already),
 * then restores the caller's mask. */
static void
qc_probe_sigpipe_restore(const sigset_t *pipe_set, const sigset_t *old_set)
{
    static const struct timespec now = {0, 0};

    if (!sigismember(old_set, SIGPIPE)) {
        while (sigtimedwait(pipe_set, NULL, &now) > 0)
            ;
    }
    pthread_sigmask(SIG_SETMASK, old_set, NULL);
}

qc_model *
qc_probe_run(const qc_probe_opts *opts, qc_error **err)
{
    struct event_base *base;
    qc_probe_sync s = {false, NULL, NULL};
    sigset_t pipe_set, old_set;
    qc_probe *p;

    /* A QEMU that dies while we write to its socket must give EPIPE, not kill the process
     * we run in: block SIGPIPE in this thread for the probe, then consume any we raised. */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    base = event_base_new();
    if (!base) {
        qc_error_set(err, QC_E_NOMEM, "cannot create an event loop");
        qc_probe_sigpipe_restore(&pipe_set, &old_set);
        return NULL;
    }
    if (!(p = qc_probe_start(base, opts, qc_probe_sync_done, &s, err))) {
        event_base_free(base);
        qc_probe_sigpipe_restore(&pipe_set, &old_set);
        return NULL;
    }
    while (!s.done) {
        if (event_base_loop(base, EVLOOP_ONCE) < 0) {
            /* cannot happen with the deadline pending; do not spin */
            qc_probe_cancel(p);
            qc_error_set(err, QC_E_SYSTEM, "event loop failed");
            break;
        }
    }
    event_base_free(base);
    qc_probe_sigpipe_restore(&pipe_set, &old_set);
    if (s.error)
        qc_error_propagate(err, s.error);
    return s.model;
}

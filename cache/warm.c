/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* warm.c: brings many cache entries up to date, N probes at a time on one event loop. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "cache/cache-internal.h"
#include "common/clock.h"

#define QC_WARM_LOCK_RETRY_MS 20

typedef enum qc_warm_state {
    QC_WARM_PENDING = 0,
    QC_WARM_LOCKWAIT,   /* another process holds the entry's lock */
    QC_WARM_PROBING,
    QC_WARM_DONE,
} qc_warm_state;

typedef struct qc_warm qc_warm;

typedef struct qc_warm_item {
    qc_warm *w;
    size_t index;
    const char *emulator;
    qc_warm_state state;
    int lock_fd;
    double t0, deadline;
    char *reason;
    qc_cache_keys *keys;
    qc_probe *probe;
    struct event *retry;
} qc_warm_item;

struct qc_warm {
    qc_cache *c;
    const qc_warm_opts *o;
    unsigned jobs;
    struct event_base *base;
    struct event *pump;
    struct event *tick;
    qc_warm_item *items;
    size_t n;
    size_t *queue;
    size_t nqueue, qpos;
    unsigned active;
    size_t remaining;
    qc_warm_summary sum;
};

static void
qc_warm_finish(qc_warm_item *it, qc_warm_result result, const qc_model *m, const qc_error *e)
{
    qc_warm *w = it->w;
    qc_warm_event ev = {0};

    if (it->state == QC_WARM_LOCKWAIT || it->state == QC_WARM_PROBING)
        w->active--;
    it->state = QC_WARM_DONE;
    qc_cache_unlock(it->w->c, it->emulator, it->lock_fd);
    it->lock_fd = -1;
    switch (result) {
    case QC_WARM_FRESH:
        w->sum.fresh++;
        break;
    case QC_WARM_PROBED:
        w->sum.probed++;
        break;
    case QC_WARM_FAILED:
        w->sum.failed++;
        break;
    }
    w->remaining--;
    if (w->o->event) {
        ev.index = it->index;
        ev.emulator = it->emulator;
        ev.done = true;
        ev.result = result;
        ev.seconds = it->t0 > 0 ? qc_clock_now() - it->t0 : 0;
        ev.reason = it->reason;
        ev.model = m;
        ev.error = e;
        w->o->event(&ev, w->o->opaque);
    }
    /* start the next one from the loop, not from inside a probe's callback */
    event_active(w->pump, EV_TIMEOUT, 0);
}

static void
qc_warm_probe_done(qc_model *model, qc_error *error, void *opaque)
{
    qc_warm_item *it = opaque;
    QC_CLEANUP(qc_model_freep) qc_model *m = model;
    QC_CLEANUP(qc_error_freep) qc_error *e = error;
    int ms = (int) ((qc_clock_now() - it->t0) * 1000);

    it->probe = NULL;
    if (!m) {
        qc_warm_finish(it, QC_WARM_FAILED, NULL, e);
        return;
    }
    if (qc_cache_store(it->w->c, it->keys, m, ms, NULL, &e) < 0) {
        qc_error_prefix(&e, "storing the cache entry of %s", it->emulator);
        qc_warm_finish(it, QC_WARM_FAILED, NULL, e);
        return;
    }
    qc_warm_finish(it, QC_WARM_PROBED, m, NULL);
}

/* Holding the lock: another process may have probed meanwhile; else probe. */
static void
qc_warm_locked(qc_warm_item *it)
{
    qc_warm *w = it->w;
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    qc_probe_opts po = {0};
    qc_warm_event ev = {0};
    int state;

    if (!w->o->refresh) {
        state = qc_cache_lookup(w->c, it->emulator, true, NULL, NULL, &e);
        if (state == QC_CACHE_FRESH) {
            qc_warm_finish(it, QC_WARM_FRESH, NULL, NULL);
            return;
        }
        if (state == QC_CACHE_BLOCKED)
            qc_error_set(&e, QC_E_INVALID, "its cache entry is not a file and cannot be "
                         "replaced (the warning above names it)");
        if (state < 0 || state == QC_CACHE_BLOCKED) {
            qc_warm_finish(it, QC_WARM_FAILED, NULL, e);
            return;
        }
    }
    if (!(it->keys = qc_cache_keys_read(w->c, it->emulator, &e))) {
        qc_warm_finish(it, QC_WARM_FAILED, NULL, e);
        return;
    }
    it->state = QC_WARM_PROBING;
    it->t0 = qc_clock_now();
    if (w->o->event) {
        ev.index = it->index;
        ev.emulator = it->emulator;
        ev.reason = it->reason;
        w->o->event(&ev, w->o->opaque);
    }
    po.emulator = it->emulator;
    po.timeout_ms = w->o->timeout_ms;
    if (!(it->probe = qc_probe_start(w->base, &po, qc_warm_probe_done, it, &e)))
        qc_warm_finish(it, QC_WARM_FAILED, NULL, e);
}

static void
qc_warm_try_lock(qc_warm_item *it)
{
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    struct timeval tv = {0, QC_WARM_LOCK_RETRY_MS * 1000};

    if ((it->lock_fd = qc_cache_lock(it->w->c, it->emulator, 0, &e)) >= 0) {
        qc_warm_locked(it);
        return;
    }
    if (e->code != QC_E_TIMEOUT || qc_clock_now() >= it->deadline) {
        qc_warm_finish(it, QC_WARM_FAILED, NULL, e);
        return;
    }
    it->state = QC_WARM_LOCKWAIT;
    evtimer_add(it->retry, &tv);
}

static void
qc_warm_retry_cb(evutil_socket_t fd, short what, void *opaque)
{
    (void) fd, (void) what;
    qc_warm_try_lock(opaque);
}

static void
qc_warm_pump_cb(evutil_socket_t fd, short what, void *opaque)
{
    qc_warm *w = opaque;
    int budget;

    (void) fd, (void) what;
    budget = (w->o->timeout_ms > 0 ? w->o->timeout_ms : QC_PROBE_DEFAULT_TIMEOUT_MS) + 10000;
    while (w->active < w->jobs && w->qpos < w->nqueue) {
        qc_warm_item *it = &w->items[w->queue[w->qpos++]];
        w->active++;
        it->state = QC_WARM_LOCKWAIT;
        it->t0 = qc_clock_now();
        it->deadline = it->t0 + budget / 1000.0;
        qc_warm_try_lock(it);
    }
}

static void
qc_warm_tick_cb(evutil_socket_t fd, short what, void *opaque)
{
    qc_warm *w = opaque;

    (void) fd, (void) what;
    if (w->o->tick)
        w->o->tick(w->o->opaque);
}

static void
qc_warm_clear(qc_warm *w)
{
    for (size_t i = 0; w->items && i < w->n; i++) {
        qc_warm_item *it = &w->items[i];
        if (it->probe)
            qc_probe_cancel(it->probe);
        if (it->retry)
            event_free(it->retry);
        qc_cache_unlock(it->w->c, it->emulator, it->lock_fd);
        qc_cache_keys_free(it->keys);
        free(it->reason);
    }
    free(w->items);
    free(w->queue);
    if (w->pump)
        event_free(w->pump);
    if (w->tick)
        event_free(w->tick);
    if (w->base)
        event_base_free(w->base);
}

/* Entries that are valid now finish at once; the others are queued. */
static int
qc_warm_triage(qc_warm *w, qc_error **err)
{
    for (size_t i = 0; i < w->n; i++) {
        qc_warm_item *it = &w->items[i];
        int state = QC_CACHE_MISSING;

        if (!w->o->refresh &&
            (state = qc_cache_lookup(w->c, it->emulator, false, NULL, &it->reason, err)) < 0)
            return -1;
        if (state == QC_CACHE_FRESH)
            qc_warm_finish(it, QC_WARM_FRESH, NULL, NULL);
        else
            w->queue[w->nqueue++] = i;
    }
    return 0;
}

static int
qc_warm_setup(qc_warm *w, const char *const *emulators, qc_error **err)
{
    struct timeval tv;

    if (!(w->items = calloc(w->n + 1, sizeof(*w->items))) ||
        !(w->queue = calloc(w->n + 1, sizeof(*w->queue))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (!(w->base = event_base_new()) ||
        !(w->pump = event_new(w->base, -1, 0, qc_warm_pump_cb, w)))
        return qc_error_set(err, QC_E_NOMEM, "cannot create an event loop");
    for (size_t i = 0; i < w->n; i++) {
        qc_warm_item *it = &w->items[i];
        it->w = w;
        it->index = i;
        it->emulator = emulators[i];
        it->lock_fd = -1;
        if (!(it->retry = evtimer_new(w->base, qc_warm_retry_cb, it)))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    if (w->o->tick && w->o->tick_ms > 0) {
        tv.tv_sec = w->o->tick_ms / 1000;
        tv.tv_usec = (w->o->tick_ms % 1000) * 1000;
        if (!(w->tick = event_new(w->base, -1, EV_PERSIST, qc_warm_tick_cb, w)) ||
            event_add(w->tick, &tv) < 0)
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    return 0;
}

int
qc_cache_warm(qc_cache *c, const char *const *emulators, size_t n, const qc_warm_opts *opts,
              qc_warm_summary *ret_summary, qc_error **err)
{
    static const struct timespec zero = {0, 0};
    qc_warm w;
    sigset_t pipe_set, old_set;
    double start = qc_clock_now();
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int r = 0;

    memset(&w, 0, sizeof(w));
    w.c = c;
    w.o = opts;
    w.n = w.remaining = n;
    w.jobs = opts->jobs ? opts->jobs : (unsigned) (cpus > 0 ? cpus : 1);
    /* a QEMU dying while we write to it must give EPIPE, not kill the caller */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    if (qc_warm_setup(&w, emulators, err) < 0 || qc_warm_triage(&w, err) < 0) {
        r = -1;
        goto out;
    }
    event_active(w.pump, EV_TIMEOUT, 0);
    while (w.remaining > 0) {
        if (event_base_loop(w.base, EVLOOP_ONCE) < 0) {
            r = qc_error_set(err, QC_E_SYSTEM, "event loop failed");
            goto out;
        }
    }
    w.sum.seconds = qc_clock_now() - start;
    *ret_summary = w.sum;
out:
    qc_warm_clear(&w);
    if (!sigismember(&old_set, SIGPIPE)) {
        while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    return r;
}

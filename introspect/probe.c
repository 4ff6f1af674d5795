/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe.c: the probe state machine: launches/replays, concurrent passes, phases, deadline.
 *
 * Pass selection (live): the KVM pass applies when the host's /dev/kvm is usable, the
 * accel mode allows it, and the binary's target is native to the host. The target is
 * taken from the binary's basename "qemu-system-<target>" when <target> is a QEMU target
 * we know; then a KVM pass (full query set) and a TCG pass (machines, CPU models, max
 * expansion) are launched at once and run concurrently on the same loop. A binary with
 * another name (e.g. /usr/libexec/qemu-kvm) gets one full TCG pass; if its query-target
 * then says native and KVM is usable, that pass is discarded and the probe restarts with
 * the KVM + TCG pair (QEMU with accel=kvm for a foreign target would not start at all).
 * Replay runs the fixture's sections the same way ("kvm"/"tcg"; libvirt's "default" is
 * one full pass whose accelerator query-kvm decides).
 */
#include "common/path.h"
#include "introspect/probe.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introspect/host.h"
#include "introspect/launch.h"
#include "introspect/probe-internal.h"
#include "model/model-json.h"
#include "qmp/fixture.h"
#include "qmp/qmp.h"

#ifdef QC_VERSION
#define QC_PROBE_VERSION QC_VERSION
#else
#define QC_PROBE_VERSION "0.1.0"
#endif

struct qc_probe {
    struct event_base *base;
    char *emulator;
    qc_host host;
    const qc_fixture *fixture;
    char *record_path;
    qc_fixture_writer *writer;
    int timeout_ms, command_timeout_ms;
    bool discovering;            /* single TCG pass that may restart as KVM + TCG */
    qc_pass passes[2];
    size_t n_passes;
    struct event *deadline;
    struct event *finish_ev;
    qc_probe_done_fn done;
    void *opaque;
    bool finished;
    qc_model *result;
    qc_error *error;
};

static void qc_probe_fail(qc_probe *p, qc_error *e);
static void qc_probe_maybe_complete(qc_probe *p);
static void qc_pass_advance(qc_pass *pass);

const qc_host *
qc_probe_host(const qc_probe *p)
{
    return &p->host;
}

const qc_pass *
qc_probe_primary(const qc_probe *p)
{
    return &p->passes[0];
}

/* ---- teardown -------------------------------------------------------------------------- */

static void
qc_pass_clear(qc_pass *pass)
{
    qc_req *r = pass->reqs;

    while (r) {
        qc_req *next = r->next;
        free(r->arg);
        free(r);
        r = next;
    }
    pass->reqs = NULL;
    qc_qmp_free(pass->qmp);
    qc_qemu_free(pass->qemu);
    qc_model_free(pass->m);
    qc_accel_caps_clear(&pass->acc);
    qc_qmp_schema_free(pass->schema);
    for (size_t i = 0; i < QC_MACHINE_FAMILIES; i++)
        free(pass->machine_types[i]);
    qc_cpu_expansion_free(pass->nonmig);
    free(pass->full_vendor);
    qc_error_free(pass->start_error);
    qc_error_free(pass->late_error);
    memset(pass, 0, sizeof(*pass));
}

static void
qc_probe_free(qc_probe *p)
{
    for (size_t i = 0; i < p->n_passes; i++)
        qc_pass_clear(&p->passes[i]);
    if (p->deadline)
        event_free(p->deadline);
    if (p->finish_ev)
        event_free(p->finish_ev);
    qc_fixture_writer_free(p->writer);
    qc_host_clear(&p->host);
    qc_model_free(p->result);
    qc_error_free(p->error);
    free(p->record_path);
    free(p->emulator);
    free(p);
}

/* Runs from the loop (never inside a qmp callback): kill everything, then report. */
static void
qc_probe_on_finish(evutil_socket_t fd, short what, void *opaque)
{
    qc_probe *p = opaque;
    qc_model *m = qc_steal(&p->result);
    qc_error *e = qc_steal(&p->error);

    for (size_t i = 0; i < p->n_passes; i++)
        qc_pass_clear(&p->passes[i]);
    p->n_passes = 0;
    p->done(m, e, p->opaque);
    qc_probe_free(p);
}

static void
qc_probe_finish(qc_probe *p, qc_model *m, qc_error *e)
{
    if (p->finished) {
        qc_model_free(m);
        qc_error_free(e);
        return;
    }
    p->finished = true;
    p->result = m;
    p->error = e;
    if (p->deadline)
        evtimer_del(p->deadline);
    event_active(p->finish_ev, EV_TIMEOUT, 0);
}

static void
qc_probe_fail(qc_probe *p, qc_error *e)
{
    qc_probe_finish(p, NULL, e);
}

/* "probing '<emulator>': <cause>" plus QEMU's own account when it is gone. */
/* A live second TCG pass that dies before its handshake may mean the binary has no TCG at
 * all (a KVM-only build such as qemu-system-x86_64-microvm says "invalid accelerator tcg"
 * and exits). Whether that is a fact or a failure is decided from the first pass's QOM
 * types (tcg-accel) when the passes are merged. Takes ownership of e; true if kept. */
static bool
qc_pass_defer_start_failure(qc_pass *pass, qc_error *e)
{
    qc_probe *p = pass->probe;

    if (p->fixture || pass == &p->passes[0] || pass->accel != QC_ACCEL_TCG || pass->full ||
        pass->phase != 0)
        return false;
    if (!pass->start_error)
        pass->start_error = e;
    else
        qc_error_free(e);
    pass->phase = 4;
    qc_probe_maybe_complete(p);
    return true;
}

/* A second pass that fails while the first pass runs waits for it (see late_error).
 * Takes ownership of e; true if kept. */
static bool
qc_pass_defer_secondary_failure(qc_pass *pass, qc_error *e)
{
    qc_probe *p = pass->probe;

    if (pass == &p->passes[0] || p->passes[0].phase >= 4 || p->finished)
        return false;
    if (!pass->late_error)
        pass->late_error = e;
    else
        qc_error_free(e);
    pass->phase = 4;
    qc_probe_maybe_complete(p);
    return true;
}

/* The error of a pass whose QEMU is gone (`why`: qc_qemu_describe()), from `cause`
 * (consumed; NULL: the exit itself). Gone before any greeting and silent on stderr means
 * it was never QEMU (/bin/true, a script): say that, not what the socket saw. */
static qc_error *
qc_pass_exit_error(const qc_pass *pass, const char *why, qc_error *cause)
{
    qc_error *e = NULL;

    if (pass->phase == 0 && !strchr(why, ':')) {
        qc_error_set(&e, cause && cause->code == QC_E_TIMEOUT ? QC_E_TIMEOUT : QC_E_SPAWN,
                     "not a QEMU system emulator: it %s before the QMP greeting, saying "
                     "nothing", why);
        qc_error_free(cause);
        return e;
    }
    if (!cause) {
        qc_error_set(&e, QC_E_SPAWN, "QEMU %s", why);
        return e;
    }
    qc_error_prefix(&cause, "QEMU %s", why);
    return cause;
}

static void
qc_pass_fail(qc_pass *pass, qc_error *e)
{
    qc_probe *p = pass->probe;

    if (pass->qemu && e->code != QC_E_QMP && e->code != QC_E_NOTFOUND) {
        char *why;
        /* A QEMU that exits without accepting shows up as a reset connection before its
         * exit status is in: give it a moment so the error can say why it died. */
        if (e->code != QC_E_TIMEOUT)
            qc_qemu_wait_exit(pass->qemu, 500);
        why = qc_qemu_describe(pass->qemu);
        if (why && qc_qemu_exited(pass->qemu))
            e = qc_pass_exit_error(pass, why, e);
        free(why);
    }
    /* a fixture's missing reply names the fixture, which a replay without a recorded
     * emulator is named by already */
    if (!p->fixture || e->code != QC_E_NOTFOUND || !e->message ||
        !strstr(e->message, p->emulator))
        qc_error_prefix(&e, "probing '%s'", p->emulator);
    if (!qc_pass_defer_start_failure(pass, e) && !qc_pass_defer_secondary_failure(pass, e))
        qc_probe_fail(p, e);
}

/* ---- commands ---------------------------------------------------------------------------- */

static void
qc_probe_on_reply(qc_qmp *qmp, json_object *ret, const qc_error *error, void *opaque)
{
    qc_req *r = opaque;
    qc_pass *pass = r->pass;
    qc_probe *p = pass->probe;
    qc_error *err = NULL;
    bool absent = false;

    if (r->prev)
        r->prev->next = r->next;
    else
        pass->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    if (p->finished)
        goto out;
    if (error) {
        absent = r->policy == QC_REQ_OPTIONAL && error->code == QC_E_QMP;
        if (!absent) {
            err = qc_error_copy(error);
            /* QEMU's error names no command; a fixture's lack of a reply does */
            if (error->code == QC_E_QMP)
                qc_error_prefix(&err, "%s%s%s", r->command, r->arg ? " " : "",
                                r->arg ? r->arg : "");
            qc_pass_fail(pass, err);
            goto out;
        }
    }
    if (r->fn(pass, r, absent ? NULL : ret, &err) < 0) {
        qc_pass_fail(pass, err);
        goto out;
    }
    if (--pass->pending == 0)
        qc_pass_advance(pass);
out:
    free(r->arg);
    free(r);
}

int
qc_probe_send(qc_pass *pass, const char *command, json_object *args, qc_reply_handler fn,
              int policy, const char *arg, int kind, qc_error **err)
{
    qc_req *r = calloc(1, sizeof(*r));

    if (!r || (arg && !(r->arg = strdup(arg)))) {
        free(r);
        json_object_put(args);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    r->pass = pass;
    r->command = command;
    r->fn = fn;
    r->policy = policy;
    r->kind = kind;
    if (qc_qmp_execute(pass->qmp, command, args, qc_probe_on_reply, r, err) < 0) {
        free(r->arg);
        free(r);
        return -1;
    }
    r->next = pass->reqs;
    if (r->next)
        r->next->prev = r;
    pass->reqs = r;
    pass->pending++;
    return 0;
}

/* ---- phases ----------------------------------------------------------------------------- */

static void qc_probe_maybe_complete(qc_probe *p);
static int qc_probe_restart_native(qc_probe *p, qc_error **err);

static bool
qc_pass_primary_flags_ready(const qc_probe *p)
{
    return p->passes[0].phase >= 3;
}

/* Starts phase C of `pass` (expansion) if the first pass's flags are known. */
static int
qc_pass_start_c(qc_pass *pass, qc_error **err)
{
    qc_probe *p = pass->probe;

    pass->phase = 3;
    if (!pass->full && !qc_pass_primary_flags_ready(p)) {
        pass->waiting = true;
        return 0;
    }
    pass->waiting = false;
    if (qc_pq_phase_c(pass, p->passes[0].m, err) < 0)
        return -1;
    if (pass->pending == 0) {
        if (qc_pq_end_phase_c(pass, err) < 0)
            return -1;
        pass->phase = 4;
    }
    return 0;
}

static void
qc_pass_advance(qc_pass *pass)
{
    qc_probe *p = pass->probe;
    qc_error *err = NULL;
    int rc = 0;

    switch (pass->phase) {
    case 1:
        if ((rc = qc_pq_end_phase_a(pass, &err)) < 0)
            break;
        if (p->discovering && qc_pq_target_is_native(p->host.arch, pass->m->target)) {
            /* qc_probe_restart_native() clears this pass: return right after it */
            if (qc_probe_restart_native(p, &err) < 0)
                qc_probe_fail(p, err);
            return;
        }
        if (!pass->full) {
            rc = qc_pass_start_c(pass, &err);
            break;
        }
        pass->phase = 2;
        if ((rc = qc_pq_phase_b(pass, &err)) < 0 || pass->pending)
            break;
        /* fall through - nothing to ask in phase B */
    case 2:
        if ((rc = qc_pq_end_phase_b(pass, &err)) < 0 || (rc = qc_pass_start_c(pass, &err)) < 0)
            break;
        /* the second pass may have been waiting for these flags */
        for (size_t i = 1; i < p->n_passes; i++) {
            if (p->passes[i].waiting && (rc = qc_pass_start_c(&p->passes[i], &err)) < 0)
                break;
        }
        break;
    case 3:
        if ((rc = qc_pq_end_phase_c(pass, &err)) == 0)
            pass->phase = 4;
        break;
    default:
        break;
    }
    if (rc < 0) {
        qc_pass_fail(pass, err);
        return;
    }
    qc_probe_maybe_complete(p);
}

/* All passes done: merge the second pass's per-accelerator facts into the first's model. */
static int
qc_probe_merge(qc_probe *p, qc_model **ret, qc_error **err)
{
    qc_model *m = p->passes[0].m;

    for (size_t i = 1; i < p->n_passes; i++) {
        qc_pass *s = &p->passes[i];
        if (s->late_error)
            return qc_error_propagate(err, qc_steal(&s->late_error));
        if (s->start_error) {
            if (qc_model_has_type(m, "tcg-accel"))
                return qc_error_propagate(err, qc_steal(&s->start_error));
            continue; /* no TCG in this binary: a fact, the KVM pass stands alone */
        }
        if (s->m->version_major != m->version_major || s->m->version_minor != m->version_minor ||
            s->m->version_micro != m->version_micro ||
            strcmp(s->m->package ? s->m->package : "", m->package ? m->package : "") != 0)
            return qc_error_set(err, QC_E_PROTOCOL,
                                "probing '%s': the %s and %s passes report different QEMU "
                                "versions", p->emulator, qc_accel_name(p->passes[0].accel),
                                qc_accel_name(s->accel));
        if (s->accel == p->passes[0].accel)
            return qc_error_set(err, QC_E_FORMAT, "probing '%s': two passes for %s",
                                p->emulator, qc_accel_name(s->accel));
        qc_accel_caps_clear(&m->accel[s->accel]);
        m->accel[s->accel] = s->m->accel[s->accel];
        memset(&s->m->accel[s->accel], 0, sizeof(s->m->accel[s->accel]));
        if (s->m->n_cpu_models && !m->n_cpu_models) {
            m->cpu_models = qc_steal(&s->m->cpu_models);
            m->n_cpu_models = s->m->n_cpu_models;
            s->m->n_cpu_models = 0;
        }
        for (size_t h = 0; h < s->m->hyperv.n; h++) {
            if (!qc_strlist_contains(&m->hyperv, s->m->hyperv.v[h]) &&
                qc_strlist_add(&m->hyperv, s->m->hyperv.v[h], err) < 0)
                return -1;
        }
    }
    free(m->emulator);
    if (!(m->emulator = strdup(p->emulator)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    qc_host_clear(&m->host);
    if (qc_host_copy(&m->host, &p->host, err) < 0)
        return -1;
    qc_strlist_sort(&m->hyperv);
    qc_flags_finish(m);
    p->passes[0].m = NULL;
    *ret = m;
    return 0;
}

static void
qc_probe_maybe_complete(qc_probe *p)
{
    qc_model *m = NULL;
    qc_error *err = NULL;

    if (p->finished)
        return;
    for (size_t i = 0; i < p->n_passes; i++) {
        if (p->passes[i].phase < 4)
            return;
    }
    if (qc_probe_merge(p, &m, &err) < 0) {
        qc_probe_fail(p, err);
        return;
    }
    if (p->writer && p->record_path &&
        qc_fixture_writer_save(p->writer, p->record_path, &err) < 0) {
        qc_model_free(m);
        qc_error_prefix(&err, "probing '%s': saving the recording", p->emulator);
        qc_probe_fail(p, err);
        return;
    }
    qc_probe_finish(p, m, NULL);
}

/* ---- pass start ---------------------------------------------------------------------------- */

static void
qc_pass_on_ready(qc_qmp *qmp, const qc_error *error, void *opaque)
{
    qc_pass *pass = opaque;
    qc_error *err = NULL;

    if (pass->probe->finished)
        return;
    if (error) {
        err = qc_error_copy(error);
        qc_error_prefix(&err, "QMP handshake");
        qc_pass_fail(pass, err);
        return;
    }
    pass->phase = 1;
    if (qc_pq_phase_a(pass, &err) < 0)
        qc_pass_fail(pass, err);
}

static void
qc_pass_on_exit(qc_qemu *q, int status, void *opaque)
{
    qc_pass *pass = opaque;
    qc_error *err = NULL;
    char *why;

    if (pass->probe->finished || pass->phase >= 4)
        return;
    why = qc_qemu_describe(q);
    if (why)
        err = qc_pass_exit_error(pass, why, NULL);
    else
        qc_error_set(&err, QC_E_NOMEM, "out of memory");
    free(why);
    qc_error_prefix(&err, "probing '%s'", pass->probe->emulator);
    if (!qc_pass_defer_start_failure(pass, err))
        qc_probe_fail(pass->probe, err);
}

static int
qc_pass_start(qc_probe *p, qc_pass *pass, qc_accel accel, bool full, const char *section,
              qc_error **err)
{
    memset(pass, 0, sizeof(*pass));
    pass->probe = p;
    pass->accel = accel;
    pass->full = full;
    pass->section = section;
    if (!(pass->m = qc_model_new()))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (p->fixture) {
        pass->qmp = qc_qmp_new_replay(p->base, p->fixture, section, p->emulator, err);
    } else {
        int fd;
        if (!(pass->qemu = qc_qemu_launch(p->base, p->emulator, accel, err)))
            return -1;
        qc_qemu_set_exit_handler(pass->qemu, qc_pass_on_exit, pass);
        fd = qc_qemu_take_qmp_fd(pass->qemu);
        pass->qmp = qc_qmp_new_fd(p->base, fd, p->emulator, err);
    }
    if (!pass->qmp)
        return -1;
    qc_qmp_set_command_timeout(pass->qmp, p->command_timeout_ms);
    if (p->writer)
        qc_qmp_set_recorder(pass->qmp, p->writer, qc_accel_name(accel));
    return qc_qmp_start(pass->qmp, qc_pass_on_ready, pass, err);
}

/* ---- pass selection ------------------------------------------------------------------------- */

/* The target named by the binary's basename, or NULL when it does not name one. */
static const char *
qc_probe_target_from_name(const char *path)
{
    const char *base = strrchr(path, '/');
    const char *prefix = "qemu-system-";

    base = base ? base + 1 : path;
    if (strncmp(base, prefix, strlen(prefix)) != 0)
        return NULL;
    /* "qemu-system-<target>" or a build variant "qemu-system-<target>-<variant>"
     * (Debian's qemu-system-x86_64-microvm) */
    return qc_qemu_target_of_name(base + strlen(prefix));
}

static int
qc_probe_start_pair(qc_probe *p, qc_error **err)
{
    p->n_passes = 2;
    if (qc_pass_start(p, &p->passes[0], QC_ACCEL_KVM, true, "kvm", err) < 0 ||
        qc_pass_start(p, &p->passes[1], QC_ACCEL_TCG, false, "tcg", err) < 0)
        return -1;
    return 0;
}

static int
qc_probe_restart_native(qc_probe *p, qc_error **err)
{
    /* Called from the discovery pass's own reply callback: qc_qmp_free defers itself. */
    qc_pass_clear(&p->passes[0]);
    p->n_passes = 0;
    p->discovering = false;
    if (p->writer) {
        /* the discarded conversation must not end up in the recording */
        json_object *hdr = NULL;
        qc_fixture_writer_free(p->writer);
        p->writer = qc_fixture_writer_new();
        hdr = json_object_new_object();
        if (!p->writer || !hdr)
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        json_object_object_add(hdr, "emulator", json_object_new_string(p->emulator));
        json_object_object_add(hdr, "qcaps-version", json_object_new_string(QC_PROBE_VERSION));
        json_object_object_add(hdr, "host", qc_host_to_json(&p->host, NULL));
        qc_fixture_writer_set_header(p->writer, hdr);
    }
    if (qc_probe_start_pair(p, err) < 0) {
        qc_error_prefix(err, "probing '%s'", p->emulator);
        return -1;
    }
    return 0;
}

static int
qc_probe_start_live(qc_probe *p, const qc_probe_opts *opts, qc_error **err)
{
    const char *target = qc_probe_target_from_name(p->emulator);
    bool kvm_ok = p->host.kvm_usable && opts->accel_mode == QC_PROBE_ACCEL_AUTO;

    if (kvm_ok && target && qc_pq_target_is_native(p->host.arch, target))
        return qc_probe_start_pair(p, err);
    p->discovering = kvm_ok && !target;
    p->n_passes = 1;
    return qc_pass_start(p, &p->passes[0], QC_ACCEL_TCG, true, "tcg", err);
}

static int
qc_probe_start_replay(qc_probe *p, const qc_probe_opts *opts, qc_error **err)
{
    const qc_fixture *fx = p->fixture;
    json_object *hdr = qc_fixture_header(fx), *host = NULL, *emu = NULL;
    bool kvm = qc_fixture_has_section(fx, "kvm"), tcg = qc_fixture_has_section(fx, "tcg");

    if (hdr && json_object_object_get_ex(hdr, "host", &host) &&
        qc_host_from_json(host, &p->host, err) < 0) {
        qc_error_prefix(err, "fixture '%s': header member 'host'", qc_fixture_name(fx));
        return -1;
    }
    if (!opts->emulator && hdr && json_object_object_get_ex(hdr, "emulator", &emu) &&
        json_object_is_type(emu, json_type_string) &&
        !(p->emulator = strdup(json_object_get_string(emu))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (!p->emulator && !(p->emulator = strdup(opts->emulator ? opts->emulator
                                                              : qc_fixture_name(fx))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (kvm || tcg) {
        p->n_passes = kvm && tcg ? 2 : 1;
        if (kvm && qc_pass_start(p, &p->passes[0], QC_ACCEL_KVM, true, "kvm", err) < 0)
            return -1;
        if (tcg && qc_pass_start(p, &p->passes[kvm ? 1 : 0], QC_ACCEL_TCG, !kvm, "tcg", err) < 0)
            return -1;
        return 0;
    }
    if (qc_fixture_section_count(fx) == 0)
        return qc_error_set(err, QC_E_FORMAT, "fixture '%s' has no sections",
                            qc_fixture_name(fx));
    p->n_passes = 1;
    if (qc_pass_start(p, &p->passes[0], QC_ACCEL_TCG, true, qc_fixture_section_name(fx, 0),
                      err) < 0)
        return -1;
    p->passes[0].accel_from_kvm = true;
    return 0;
}

static void
qc_probe_on_deadline(evutil_socket_t fd, short what, void *opaque)
{
    qc_probe *p = opaque;
    qc_error *e = NULL;

    qc_error_set(&e, QC_E_TIMEOUT, "probing '%s': timed out after %d ms", p->emulator,
                 p->timeout_ms);
    qc_probe_fail(p, e);
    for (size_t i = 0; i < p->n_passes; i++) {
        if (p->passes[i].qmp)
            qc_qmp_abort(p->passes[i].qmp, p->error);
    }
}

qc_probe *
qc_probe_start(struct event_base *base, const qc_probe_opts *opts, qc_probe_done_fn done,
               void *opaque, qc_error **err)
{
    qc_probe *p;
    struct timeval tv;
    int rc;

    if (!base || !opts || !done || (!opts->fixture && !opts->emulator)) {
        qc_error_set(err, QC_E_INVALID, "probe: an emulator or a fixture is required");
        return NULL;
    }
    if (!(p = calloc(1, sizeof(*p)))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    p->base = base;
    p->done = done;
    p->opaque = opaque;
    p->fixture = opts->fixture;
    p->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : QC_PROBE_DEFAULT_TIMEOUT_MS;
    p->command_timeout_ms = opts->command_timeout_ms > 0 ? opts->command_timeout_ms
                                                         : QC_PROBE_DEFAULT_COMMAND_TIMEOUT_MS;
    p->host.cpu_family = p->host.cpu_model = p->host.cpu_stepping = p->host.cpu_phys_bits = -1;
    p->deadline = evtimer_new(base, qc_probe_on_deadline, p);
    p->finish_ev = event_new(base, -1, 0, qc_probe_on_finish, p);
    if (!p->deadline || !p->finish_ev) {
        qc_probe_free(p);
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    tv.tv_sec = p->timeout_ms / 1000;
    tv.tv_usec = (p->timeout_ms % 1000) * 1000;
    evtimer_add(p->deadline, &tv);
    if (p->fixture) {
        rc = qc_probe_start_replay(p, opts, err);
    } else {
        json_object *hdr;
        rc = -1;
        /* started, recorded and named in documents by its absolute path */
        if (!(p->emulator = qc_path_absolute(opts->emulator, err))) {
            qc_error_prefix(err, "probing '%s'", opts->emulator);
        } else if (qc_host_read_quick(&p->host, err) == 0) {
            rc = 0;
            if (opts->record_path) {
                p->writer = qc_fixture_writer_new();
                p->record_path = strdup(opts->record_path);
                if (!p->writer || !p->record_path)
                    rc = qc_error_set(err, QC_E_NOMEM, "out of memory");
            }
            /* QEMU first: the rest of the host facts (swtpm_setup runs swtpm twice, tens
             * of ms) is read while it starts; nothing in the probe needs them */
            if (rc == 0)
                rc = qc_probe_start_live(p, opts, err);
            if (rc == 0)
                rc = qc_host_read_rest(&p->host, err);
            if (rc == 0 && p->writer) {
                hdr = json_object_new_object();
                if (!hdr ||
                    json_object_object_add(hdr, "emulator",
                                           json_object_new_string(p->emulator)) < 0 ||
                    json_object_object_add(hdr, "qcaps-version",
                                           json_object_new_string(QC_PROBE_VERSION)) < 0 ||
                    json_object_object_add(hdr, "host", qc_host_to_json(&p->host, err)) < 0) {
                    json_object_put(hdr);
                    rc = qc_error_set(err, QC_E_NOMEM, "out of memory");
                } else {
                    qc_fixture_writer_set_header(p->writer, hdr);
                }
            }
        }
    }
    if (rc < 0) {
        qc_error_prefix(err, "probing '%s'",
                        p->emulator ? p->emulator
                                    : opts->emulator ? opts->emulator
                                                     : qc_fixture_name(opts->fixture));
        qc_probe_free(p);
        return NULL;
    }
    return p;
}

void
qc_probe_cancel(qc_probe *p)
{
    if (!p || p->finished)
        return;
    qc_probe_free(p);
}

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

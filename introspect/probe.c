/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe.c: the probe state machine: launches/replays, concurrent passes, the phase walker
 * (over probe-phases.c's tables), the deadline.
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introspect/host.h"
#include "introspect/launch.h"
#include "introspect/probe-phases.h"
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
    char **record_text;
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

/* Keeps e (owned) in *slot unless an earlier error is there, and ends the pass. True. */
static bool
qc_pass_keep_failure(qc_pass *pass, qc_error **slot, qc_error *e)
{
    if (!*slot)
        *slot = e;
    else
        qc_error_free(e);
    pass->phase = QC_PHASE_DONE;
    qc_probe_maybe_complete(pass->probe);
    return true;
}

/* A live second TCG pass that dies before its handshake may mean the binary has no TCG at
 * all (a KVM-only build such as qemu-system-x86_64-microvm says "invalid accelerator tcg"
 * and exits). Whether that is a fact or a failure is decided from the first pass's QOM
 * types (tcg-accel) when the passes are merged. Takes ownership of e; true if kept. */
static bool
qc_pass_defer_start_failure(qc_pass *pass, qc_error *e)
{
    qc_probe *p = pass->probe;

    if (p->fixture || pass == &p->passes[0] || pass->accel != QC_ACCEL_TCG || pass->full ||
        pass->phase != QC_PHASE_HANDSHAKE)
        return false;
    return qc_pass_keep_failure(pass, &pass->start_error, e);
}

/* A second pass that fails while the first pass runs waits for it (see late_error).
 * Takes ownership of e; true if kept. */
static bool
qc_pass_defer_secondary_failure(qc_pass *pass, qc_error *e)
{
    qc_probe *p = pass->probe;

    if (pass == &p->passes[0] || p->passes[0].phase == QC_PHASE_DONE || p->finished)
        return false;
    return qc_pass_keep_failure(pass, &pass->late_error, e);
}

/* The error of a pass whose QEMU is gone (`why`: qc_qemu_describe()), from `cause`
 * (consumed; NULL: the exit itself). Gone before any greeting and silent on stderr means
 * it was never QEMU (/bin/true, a script): say that, not what the socket saw. */
static qc_error *
qc_pass_exit_error(const qc_pass *pass, const char *why, qc_error *cause)
{
    qc_error *e = NULL;

    if (pass->phase == QC_PHASE_HANDSHAKE && !strchr(why, ':')) {
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

/* "probing '<emulator>': <cause>" plus QEMU's own account when it is gone. */
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
    if (r->decode(pass, r, absent ? NULL : ret, &err) < 0) {
        qc_pass_fail(pass, err);
        goto out;
    }
    if (--pass->pending == 0)
        qc_pass_advance(pass);
out:
    free(r->arg);
    free(r);
}

/* Sends one instance of table row q for `pass` (args: owned, may be NULL; arg: the
 * decoder's req->arg, copied). */
static int
qc_pass_send(qc_pass *pass, const qc_query *q, json_object *args, const char *arg,
             qc_error **err)
{
    qc_req *r = calloc(1, sizeof(*r));

    if (!r || (arg && !(r->arg = strdup(arg)))) {
        free(r);
        json_object_put(args);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    r->pass = pass;
    r->command = q->command;
    r->decode = q->decode;
    r->policy = q->policy;
    if (qc_qmp_execute(pass->qmp, q->command, args, qc_probe_on_reply, r, err) < 0) {
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

/* Sends what the table of the pass's current phase asks: every instance of every row whose
 * condition holds, in table order, all before the first reply is read. */
static int
qc_pass_send_phase(qc_pass *pass, qc_error **err)
{
    const qc_phase_def *def = qc_probe_phase(pass->phase);
    qc_phase_ctx ctx = {pass, pass->probe->passes[0].m, &pass->probe->host};

    if (def->gate && !def->gate(&ctx))
        return 0;
    for (size_t i = 0; i < def->n_queries; i++) {
        const qc_query *q = &def->queries[i];
        size_t cursor = 0;
        int rc;

        if (q->when && !q->when(&ctx))
            continue;
        if (!q->args) {
            if (qc_pass_send(pass, q, NULL, NULL, err) < 0)
                return -1;
            continue;
        }
        for (;;) {
            qc_query_args a = {NULL, NULL};

            if ((rc = q->args(&ctx, &cursor, &a, err)) <= 0)
                break;
            if (qc_pass_send(pass, q, a.args, a.arg, err) < 0)
                return -1;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int
qc_pass_end_phase(qc_pass *pass, qc_error **err)
{
    return qc_probe_phase(pass->phase)->end(pass, err);
}

static bool
qc_pass_primary_flags_ready(const qc_probe *p)
{
    return p->passes[0].phase >= QC_PHASE_C;
}

/* Starts phase C of `pass` (expansion) if the first pass's flags are known. */
static int
qc_pass_start_c(qc_pass *pass, qc_error **err)
{
    qc_probe *p = pass->probe;

    pass->phase = QC_PHASE_C;
    if (!pass->full && !qc_pass_primary_flags_ready(p)) {
        pass->waiting = true;
        return 0;
    }
    pass->waiting = false;
    if (qc_pass_send_phase(pass, err) < 0)
        return -1;
    if (pass->pending == 0) {
        if (qc_pass_end_phase(pass, err) < 0)
            return -1;
        pass->phase = QC_PHASE_DONE;
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
    case QC_PHASE_A:
        if ((rc = qc_pass_end_phase(pass, &err)) < 0)
            break;
        if (p->discovering && qc_probe_target_is_native(p->host.arch, pass->m->target)) {
            /* qc_probe_restart_native() clears this pass: return right after it */
            if (qc_probe_restart_native(p, &err) < 0)
                qc_probe_fail(p, err);
            return;
        }
        if (!pass->full) {
            rc = qc_pass_start_c(pass, &err);
            break;
        }
        pass->phase = QC_PHASE_B;
        if ((rc = qc_pass_send_phase(pass, &err)) < 0 || pass->pending)
            break;
        /* fall through - nothing to ask in phase B */
    case QC_PHASE_B:
        if ((rc = qc_pass_end_phase(pass, &err)) < 0 || (rc = qc_pass_start_c(pass, &err)) < 0)
            break;
        /* the second pass may have been waiting for these flags */
        for (size_t i = 1; i < p->n_passes; i++) {
            if (p->passes[i].waiting && (rc = qc_pass_start_c(&p->passes[i], &err)) < 0)
                break;
        }
        break;
    case QC_PHASE_C:
        if ((rc = qc_pass_end_phase(pass, &err)) == 0)
            pass->phase = QC_PHASE_DONE;
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

static void
qc_probe_maybe_complete(qc_probe *p)
{
    qc_model *m = NULL;
    qc_error *err = NULL;

    if (p->finished)
        return;
    for (size_t i = 0; i < p->n_passes; i++) {
        if (p->passes[i].phase != QC_PHASE_DONE)
            return;
    }
    if (qc_probe_merge(p->passes, p->n_passes, p->emulator, &p->host, &m, &err) < 0) {
        qc_probe_fail(p, err);
        return;
    }
    if (p->writer && p->record_text &&
        !(*p->record_text = qc_fixture_writer_to_string(p->writer, &err))) {
        qc_model_free(m);
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
    pass->phase = QC_PHASE_A;
    if (qc_pass_send_phase(pass, &err) < 0)
        qc_pass_fail(pass, err);
    else if (pass->pending == 0)
        qc_pass_advance(pass); /* nothing asked (cannot happen: query-version always is) */
}

static void
qc_pass_on_exit(qc_qemu *q, int status, void *opaque)
{
    qc_pass *pass = opaque;
    qc_error *err = NULL;
    char *why;

    if (pass->probe->finished || pass->phase == QC_PHASE_DONE)
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

/* The recording's header: the emulator, this qcaps' version and the host facts. */
static int
qc_probe_record_header(qc_probe *p, qc_error **err)
{
    json_object *hdr = json_object_new_object();

    if (!hdr ||
        json_object_object_add(hdr, "emulator", json_object_new_string(p->emulator)) < 0 ||
        json_object_object_add(hdr, "qcaps-version",
                               json_object_new_string(QC_PROBE_VERSION)) < 0 ||
        json_object_object_add(hdr, "host", qc_host_to_json(&p->host, err)) < 0) {
        json_object_put(hdr);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    qc_fixture_writer_set_header(p->writer, hdr);
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
        qc_fixture_writer_free(p->writer);
        if (!(p->writer = qc_fixture_writer_new()))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        if (qc_probe_record_header(p, err) < 0)
            return -1;
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

    if (kvm_ok && target && qc_probe_target_is_native(p->host.arch, target))
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
        rc = -1;
        /* started, recorded and named in documents by its absolute path */
        if (!(p->emulator = qc_path_absolute(opts->emulator, err))) {
            qc_error_prefix(err, "probing '%s'", opts->emulator);
        } else if (qc_host_read_quick(&p->host, err) == 0) {
            rc = 0;
            if (opts->record_path || opts->record_text) {
                p->writer = qc_fixture_writer_new();
                p->record_path = opts->record_path ? strdup(opts->record_path) : NULL;
                p->record_text = opts->record_text;
                if (!p->writer || (opts->record_path && !p->record_path))
                    rc = qc_error_set(err, QC_E_NOMEM, "out of memory");
            }
            /* QEMU first: the rest of the host facts (swtpm_setup runs swtpm twice, tens
             * of ms) is read while it starts; nothing in the probe needs them */
            if (rc == 0)
                rc = qc_probe_start_live(p, opts, err);
            if (rc == 0)
                rc = qc_host_read_rest(&p->host, err);
            if (rc == 0 && p->writer)
                rc = qc_probe_record_header(p, err);
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

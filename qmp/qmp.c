/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp.c: the QMP protocol engine (handshake, id matching, deadlines, dispatch), over the
 * transport interface of qmp-transport.h. */
#include "qmp/qmp.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/util.h>

#include "common/cleanup.h"
#include "common/jsonwrite.h"
#include "qmp/qmp-transport.h"

QC_DEFINE_CLEANUP(json_object *, json_object_put);

/* json_tokener_parse_ex() takes an int length (plus one for the terminating NUL). */
#define QC_QMP_MAX_MESSAGE_CEILING ((size_t) INT_MAX - 1)
#define QC_QMP_CAPABILITIES "qmp_capabilities"

typedef enum qc_qmp_state {
    QC_QMP_NEW,      /* created, qc_qmp_start() not called yet */
    QC_QMP_GREETING, /* waiting for {"QMP": ...} */
    QC_QMP_CAPS,     /* qmp_capabilities sent, waiting for its reply */
    QC_QMP_READY,
    QC_QMP_FAILED,
} qc_qmp_state;

typedef struct qc_qmp_pending {
    struct qc_qmp_pending *next;
    qc_qmp *qmp;
    char *id;
    char *command;
    qc_qmp_reply_fn cb; /* NULL for the internal qmp_capabilities */
    void *opaque;
    struct event *timer;
    int timeout_ms;
} qc_qmp_pending;

struct qc_qmp {
    struct event_base *base;
    char *peer;
    qc_qmp_state state;
    qc_qmp_transport *transport; /* NULL only while a transport constructor runs */

    size_t max_message;
    int timeout_ms;
    qc_qmp_event_fn event_fn;
    void *event_opaque;
    qc_qmp_tap_fn tap;
    void *tap_opaque;
    char *tap_tag;

    qc_qmp_ready_fn ready;
    void *ready_opaque;
    bool ready_called;
    struct event *handshake_timer;
    int handshake_ms;
    json_object *greeting; /* the "QMP" member */

    qc_qmp_pending *pending, **pending_tail;
    uint64_t next_id;
    qc_error *failure;

    int depth;   /* nesting of our own callbacks into user code */
    bool doomed; /* qc_qmp_free() was called while depth > 0 */
};

static void qc_qmp_fail(qc_qmp *qmp, qc_error *why, bool eof);

/* ---- lifetime ---------------------------------------------------------------------- */

static void
qc_qmp_pending_free(qc_qmp_pending *p)
{
    if (!p)
        return;
    if (p->timer)
        event_free(p->timer);
    free(p->id);
    free(p->command);
    free(p);
}

static void
qc_qmp_destroy(qc_qmp *qmp)
{
    while (qmp->pending) {
        qc_qmp_pending *p = qmp->pending;

        qmp->pending = p->next;
        qc_qmp_pending_free(p);
    }
    if (qmp->transport)
        qmp->transport->ops->free(qmp->transport);
    if (qmp->handshake_timer)
        event_free(qmp->handshake_timer);
    json_object_put(qmp->greeting);
    qc_error_free(qmp->failure);
    free(qmp->tap_tag);
    free(qmp->peer);
    free(qmp);
}

void
qc_qmp_free(qc_qmp *qmp)
{
    if (!qmp)
        return;
    if (qmp->depth > 0) {
        /* Inside one of our callbacks: the frames above still use qmp. */
        qmp->doomed = true;
        return;
    }
    qc_qmp_destroy(qmp);
}

void
qc_qmp_enter(qc_qmp *qmp)
{
    qmp->depth++;
}

void
qc_qmp_leave(qc_qmp *qmp)
{
    if (--qmp->depth == 0 && qmp->doomed)
        qc_qmp_destroy(qmp);
}

bool
qc_qmp_stopped(const qc_qmp *qmp)
{
    return qmp->doomed || qmp->state == QC_QMP_FAILED;
}

qc_qmp *
qc_qmp_alloc(struct event_base *base, const char *peer_name, qc_error **err)
{
    qc_qmp *qmp = calloc(1, sizeof(*qmp));

    if (!qmp || !(qmp->peer = strdup(peer_name ? peer_name : "QMP peer"))) {
        free(qmp);
        qc_error_set(err, QC_E_NOMEM, "out of memory creating QMP client");
        return NULL;
    }
    qmp->base = base;
    qmp->max_message = QC_QMP_DEFAULT_MAX_MESSAGE;
    qmp->timeout_ms = QC_QMP_DEFAULT_COMMAND_TIMEOUT_MS;
    qmp->pending_tail = &qmp->pending;
    qmp->next_id = 1;
    return qmp;
}

void
qc_qmp_attach(qc_qmp *qmp, qc_qmp_transport *t)
{
    t->qmp = qmp;
    qmp->transport = t;
}

/* ---- settings and accessors -------------------------------------------------------- */

void
qc_qmp_set_max_message(qc_qmp *qmp, size_t bytes)
{
    if (!qmp)
        return;
    if (bytes == 0)
        bytes = QC_QMP_DEFAULT_MAX_MESSAGE;
    if (bytes > QC_QMP_MAX_MESSAGE_CEILING)
        bytes = QC_QMP_MAX_MESSAGE_CEILING;
    qmp->max_message = bytes;
}

void
qc_qmp_set_command_timeout(qc_qmp *qmp, int ms)
{
    if (qmp)
        qmp->timeout_ms = ms > 0 ? ms : 0;
}

void
qc_qmp_set_event_handler(qc_qmp *qmp, qc_qmp_event_fn fn, void *opaque)
{
    if (!qmp)
        return;
    qmp->event_fn = fn;
    qmp->event_opaque = opaque;
}

void
qc_qmp_set_tap(qc_qmp *qmp, qc_qmp_tap_fn fn, void *opaque, const char *tag)
{
    if (!qmp)
        return;
    free(qmp->tap_tag);
    qmp->tap_tag = NULL;
    qmp->tap = fn;
    qmp->tap_opaque = opaque;
    if (fn && tag)
        qmp->tap_tag = strdup(tag);
}

json_object *
qc_qmp_greeting(const qc_qmp *qmp)
{
    return qmp ? qmp->greeting : NULL;
}

bool
qc_qmp_failed(const qc_qmp *qmp)
{
    return qmp && qmp->state == QC_QMP_FAILED;
}

struct event_base *
qc_qmp_base(const qc_qmp *qmp)
{
    return qmp->base;
}

const char *
qc_qmp_peer(const qc_qmp *qmp)
{
    return qmp->peer;
}

size_t
qc_qmp_max_message(const qc_qmp *qmp)
{
    return qmp->max_message;
}

/* ---- failure ----------------------------------------------------------------------- */

static qc_qmp_pending *
qc_qmp_take_pending(qc_qmp *qmp, const char *id)
{
    for (qc_qmp_pending **pp = &qmp->pending; *pp; pp = &(*pp)->next) {
        qc_qmp_pending *p = *pp;

        if (id && strcmp(p->id, id) != 0)
            continue;
        *pp = p->next;
        if (!*pp)
            qmp->pending_tail = pp;
        p->next = NULL;
        if (p->timer)
            event_del(p->timer);
        return p;
    }
    return NULL;
}

static qc_error *
qc_qmp_eof_error(const qc_qmp *qmp, const char *command)
{
    qc_error *e = NULL;

    if (qmp->state == QC_QMP_GREETING)
        qc_error_set(&e, QC_E_PROTOCOL,
                     "%s: connection closed by peer while waiting for greeting", qmp->peer);
    else if (command)
        qc_error_set(&e, QC_E_PROTOCOL,
                     "%s: connection closed by peer while waiting for reply to '%s'",
                     qmp->peer, command);
    else
        qc_error_set(&e, QC_E_PROTOCOL, "%s: connection closed by peer", qmp->peer);
    return e;
}

/* Fails the connection with `why` (owned): calls `ready` if still due, then every pending
 * callback once. With `eof`, each pending command gets a message naming itself. */
static void
qc_qmp_fail(qc_qmp *qmp, qc_error *why, bool eof)
{
    qc_qmp_pending *p;

    if (qc_qmp_stopped(qmp)) {
        qc_error_free(why);
        return;
    }
    qmp->state = QC_QMP_FAILED;
    qmp->failure = why;
    if (qmp->transport)
        qmp->transport->ops->stop(qmp->transport);
    if (qmp->handshake_timer)
        event_del(qmp->handshake_timer);

    qc_qmp_enter(qmp);
    if (qmp->ready && !qmp->ready_called) {
        qmp->ready_called = true;
        qmp->ready(qmp, why, qmp->ready_opaque);
    }
    while (!qmp->doomed && (p = qc_qmp_take_pending(qmp, NULL))) {
        qc_error *e = eof ? qc_qmp_eof_error(qmp, p->command) : qc_error_copy(why);

        if (p->cb)
            p->cb(qmp, NULL, e, p->opaque);
        qc_error_free(e);
        qc_qmp_pending_free(p);
    }
    qc_qmp_leave(qmp);
}

void
qc_qmp_fail_with(qc_qmp *qmp, qc_error *why)
{
    qc_qmp_fail(qmp, why, false);
}

void
qc_qmp_fail_eof(qc_qmp *qmp)
{
    qc_qmp_fail(qmp, qc_qmp_eof_error(qmp, qmp->pending ? qmp->pending->command : NULL), true);
}

void
qc_qmp_failf(qc_qmp *qmp, qc_error_code code, const char *fmt, ...)
{
    qc_autofree char *msg = NULL;
    qc_error *e = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    qc_error_set(&e, code, "%s: %s", qmp->peer, msg ? msg : "out of memory");
    qc_qmp_fail(qmp, e, false);
}

void
qc_qmp_abort(qc_qmp *qmp, const qc_error *why)
{
    qc_error *e;

    if (!qmp || qc_qmp_stopped(qmp))
        return;
    e = why ? qc_error_copy(why) : NULL;
    if (!e)
        qc_error_set(&e, QC_E_INVALID, "%s: QMP connection aborted", qmp->peer);
    qc_qmp_enter(qmp);
    qc_qmp_fail(qmp, e, false);
    qc_qmp_leave(qmp);
}

static void
qc_qmp_record(qc_qmp *qmp, json_object *msg)
{
    qc_error *e = NULL;

    if (!qmp->tap)
        return;
    if (qmp->tap(qmp->tap_opaque, qmp->tap_tag, msg, &e) < 0) {
        qc_error_prefix(&e, "%s: recording QMP traffic", qmp->peer);
        qc_qmp_fail(qmp, e, false);
    }
}

/* ---- incoming messages ------------------------------------------------------------- */

static void
qc_qmp_deliver(qc_qmp *qmp, qc_qmp_pending *p, json_object *ret, const qc_error *e)
{
    qc_qmp_enter(qmp);
    if (p->cb)
        p->cb(qmp, ret, e, p->opaque);
    qc_qmp_pending_free(p);
    qc_qmp_leave(qmp);
}

static void
qc_qmp_handshake_done(qc_qmp *qmp, qc_qmp_pending *p, json_object *error_member)
{
    json_object *cls = NULL, *desc = NULL;
    qc_error *e = NULL;

    qc_qmp_pending_free(p);
    if (error_member) {
        json_object_object_get_ex(error_member, "class", &cls);
        json_object_object_get_ex(error_member, "desc", &desc);
        qc_error_set_qmp(&e, json_object_get_string(cls), json_object_get_string(desc),
                         "%s: '%s' failed", qmp->peer, QC_QMP_CAPABILITIES);
        qc_qmp_fail(qmp, e, false);
        return;
    }
    if (qmp->handshake_timer)
        event_del(qmp->handshake_timer);
    qmp->state = QC_QMP_READY;
    qmp->ready_called = true;
    qc_qmp_enter(qmp);
    if (qmp->ready)
        qmp->ready(qmp, NULL, qmp->ready_opaque);
    qc_qmp_leave(qmp);
}

static qc_qmp_pending *
qc_qmp_find_pending(qc_qmp *qmp, const char *id)
{
    for (qc_qmp_pending *p = qmp->pending; p; p = p->next)
        if (strcmp(p->id, id) == 0)
            return p;
    return NULL;
}

static void
qc_qmp_on_reply(qc_qmp *qmp, json_object *msg)
{
    json_object *id = NULL, *ret = NULL, *error_member = NULL, *cls = NULL, *desc = NULL;
    bool has_ret = json_object_object_get_ex(msg, "return", &ret);
    bool has_error = json_object_object_get_ex(msg, "error", &error_member);
    qc_qmp_pending *p;
    qc_error *e = NULL;

    if (!json_object_object_get_ex(msg, "id", &id)) {
        json_object_object_get_ex(error_member, "desc", &desc);
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "reply without id%s%.200s", desc ? ": " : "",
                     desc ? json_object_get_string(desc) : "");
        return;
    }
    if (!json_object_is_type(id, json_type_string) ||
        !(p = qc_qmp_find_pending(qmp, json_object_get_string(id)))) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "reply with unknown id %.100s",
                     json_object_to_json_string_ext(id, JSON_C_TO_STRING_NOSLASHESCAPE));
        return;
    }
    /* Shape errors fail the connection while p is still pending, so p hears of it too. */
    if (has_ret && has_error) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "reply to '%s' has both 'return' and 'error'",
                     p->command);
        return;
    }
    if (has_error && (!json_object_object_get_ex(error_member, "class", &cls) ||
                      !json_object_is_type(cls, json_type_string) ||
                      !json_object_object_get_ex(error_member, "desc", &desc) ||
                      !json_object_is_type(desc, json_type_string))) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL,
                     "error reply to '%s' lacks string 'class' and 'desc'", p->command);
        return;
    }
    qc_qmp_record(qmp, msg);
    if (qc_qmp_stopped(qmp))
        return;
    /* p was found above and nothing since removed it; the check keeps that visible. */
    if (!(p = qc_qmp_take_pending(qmp, p->id))) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "reply for a request no longer pending");
        return;
    }
    if (!p->cb) {
        qc_qmp_handshake_done(qmp, p, error_member);
        return;
    }
    if (has_error) {
        qc_error_set_qmp(&e, json_object_get_string(cls), json_object_get_string(desc),
                         "%s: '%s' failed", qmp->peer, p->command);
        qc_qmp_deliver(qmp, p, NULL, e);
        qc_error_free(e);
        return;
    }
    qc_qmp_deliver(qmp, p, ret, NULL);
}

static void
qc_qmp_on_event(qc_qmp *qmp, json_object *msg, json_object *name)
{
    if (!json_object_is_type(name, json_type_string)) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "%s", "event name is not a string");
        return;
    }
    qc_qmp_record(qmp, msg);
    if (qc_qmp_stopped(qmp) || !qmp->event_fn)
        return;
    qc_qmp_enter(qmp);
    qmp->event_fn(qmp, json_object_get_string(name), msg, qmp->event_opaque);
    qc_qmp_leave(qmp);
}

static int qc_qmp_send(qc_qmp *qmp, qc_qmp_pending *p, json_object *args, qc_error **err);
static qc_qmp_pending *qc_qmp_pending_new(qc_qmp *qmp, const char *command,
                                          qc_qmp_reply_fn cb, void *opaque, qc_error **err);

static void
qc_qmp_on_greeting(qc_qmp *qmp, json_object *msg)
{
    json_object *qmp_member = NULL;
    qc_qmp_pending *p;
    qc_error *e = NULL;

    if (!json_object_object_get_ex(msg, "QMP", &qmp_member) ||
        !json_object_is_type(qmp_member, json_type_object)) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "expected a QMP greeting, got %.200s",
                         json_object_to_json_string_ext(msg, JSON_C_TO_STRING_NOSLASHESCAPE));
        return;
    }
    qmp->greeting = json_object_get(qmp_member);
    qc_qmp_record(qmp, msg);
    if (qc_qmp_stopped(qmp))
        return;
    qmp->state = QC_QMP_CAPS;
    p = qc_qmp_pending_new(qmp, QC_QMP_CAPABILITIES, NULL, NULL, &e);
    if (!p || qc_qmp_send(qmp, p, NULL, &e) < 0)
        qc_qmp_fail(qmp, e, false);
}

/* Dispatches one parsed message (owned by the caller). */
void
qc_qmp_receive(qc_qmp *qmp, json_object *msg)
{
    json_object *name = NULL;

    if (!json_object_is_type(msg, json_type_object)) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "%s", "QMP message is not a JSON object");
        return;
    }
    if (qmp->state == QC_QMP_GREETING) {
        qc_qmp_on_greeting(qmp, msg);
        return;
    }
    if (json_object_object_get_ex(msg, "event", &name)) {
        qc_qmp_on_event(qmp, msg, name);
        return;
    }
    if (json_object_object_get_ex(msg, "return", NULL) ||
        json_object_object_get_ex(msg, "error", NULL)) {
        qc_qmp_on_reply(qmp, msg);
        return;
    }
    qc_qmp_failf(qmp, QC_E_PROTOCOL, "unexpected message %.200s",
                     json_object_to_json_string_ext(msg, JSON_C_TO_STRING_NOSLASHESCAPE));
}

void
qc_qmp_receive_error(qc_qmp *qmp, const char *id, const qc_error *e)
{
    qc_qmp_pending *p = qc_qmp_take_pending(qmp, id);

    if (p)
        qc_qmp_deliver(qmp, p, NULL, e);
}

/* ---- commands ---------------------------------------------------------------------- */

static void
qc_qmp_timeout_cb(evutil_socket_t fd, short what, void *opaque)
{
    qc_qmp_pending *p = opaque;
    qc_qmp *qmp = p->qmp;
    qc_error *e = NULL;

    (void) fd;
    (void) what;
    qc_error_set(&e, QC_E_TIMEOUT, "%s: no reply to '%s' within %d ms", qmp->peer, p->command,
                 p->timeout_ms);
    qc_qmp_enter(qmp);
    qc_qmp_fail(qmp, e, false);
    qc_qmp_leave(qmp);
}

static void
qc_qmp_handshake_timeout_cb(evutil_socket_t fd, short what, void *opaque)
{
    qc_qmp *qmp = opaque;
    qc_error *e = NULL;

    (void) fd;
    (void) what;
    if (qmp->state == QC_QMP_GREETING)
        qc_error_set(&e, QC_E_TIMEOUT, "%s: no QMP greeting within %d ms", qmp->peer,
                     qmp->handshake_ms);
    else
        qc_error_set(&e, QC_E_TIMEOUT, "%s: no reply to '%s' within %d ms", qmp->peer,
                     QC_QMP_CAPABILITIES, qmp->handshake_ms);
    qc_qmp_enter(qmp);
    qc_qmp_fail(qmp, e, false);
    qc_qmp_leave(qmp);
}

/* A pending entry with a fresh id, appended to the pending list. The internal handshake
 * command (cb == NULL) is covered by the handshake timer instead of its own. */
static qc_qmp_pending *
qc_qmp_pending_new(qc_qmp *qmp, const char *command, qc_qmp_reply_fn cb, void *opaque,
                   qc_error **err)
{
    qc_qmp_pending *p = calloc(1, sizeof(*p));

    if (!p || asprintf(&p->id, "qc-%" PRIu64, qmp->next_id) < 0) {
        free(p);
        qc_error_set(err, QC_E_NOMEM, "%s: out of memory sending '%s'", qmp->peer, command);
        return NULL;
    }
    qmp->next_id++;
    p->qmp = qmp;
    p->cb = cb;
    p->opaque = opaque;
    p->timeout_ms = qmp->timeout_ms;
    p->command = strdup(command);
    if (cb && p->timeout_ms > 0)
        p->timer = evtimer_new(qmp->base, qc_qmp_timeout_cb, p);
    if (!p->command || (cb && p->timeout_ms > 0 && !p->timer)) {
        qc_qmp_pending_free(p);
        qc_error_set(err, QC_E_NOMEM, "%s: out of memory sending '%s'", qmp->peer, command);
        return NULL;
    }
    if (p->timer) {
        struct timeval tv = {p->timeout_ms / 1000, (p->timeout_ms % 1000) * 1000};

        evtimer_add(p->timer, &tv);
    }
    *qmp->pending_tail = p;
    qmp->pending_tail = &p->next;
    return p;
}

/* Sends p's command (args: owned, may be NULL). On failure p is unlinked and freed. */
static int
qc_qmp_send(qc_qmp *qmp, qc_qmp_pending *p, json_object *args, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *owned_args = args;
    QC_CLEANUP(json_object_putp) json_object *msg = json_object_new_object();
    int rc;

    if (!msg || qc_json_add(msg, "execute", json_object_new_string(p->command)) < 0 ||
        (owned_args && qc_json_add(msg, "arguments", json_object_get(owned_args)) < 0) ||
        qc_json_add(msg, "id", json_object_new_string(p->id)) < 0) {
        qc_error_set(err, QC_E_NOMEM, "%s: out of memory sending '%s'", qmp->peer,
                     p->command);
        qc_qmp_pending_free(qc_qmp_take_pending(qmp, p->id));
        return -1;
    }
    qc_qmp_record(qmp, msg);
    if (qc_qmp_stopped(qmp)) {
        qc_qmp_pending_free(qc_qmp_take_pending(qmp, p->id));
        return qc_error_propagate(err, qc_error_copy(qmp->failure));
    }
    rc = qmp->transport->ops->send(qmp->transport, msg, p->command, args, p->id, !p->cb, err);
    if (rc < 0)
        qc_qmp_pending_free(qc_qmp_take_pending(qmp, p->id));
    return rc;
}

int
qc_qmp_execute(qc_qmp *qmp, const char *command, json_object *args, qc_qmp_reply_fn cb,
               void *opaque, qc_error **err)
{
    qc_qmp_pending *p;

    if (!qmp || !command || !*command || !cb) {
        json_object_put(args);
        return qc_error_set(err, QC_E_INVALID, "qc_qmp_execute: missing client, command or "
                                               "callback");
    }
    if (args && !json_object_is_type(args, json_type_object)) {
        json_object_put(args);
        return qc_error_set(err, QC_E_INVALID, "%s: arguments of '%s' must be an object",
                            qmp->peer, command);
    }
    if (qmp->state == QC_QMP_FAILED) {
        json_object_put(args);
        return qc_error_propagate(err, qc_error_copy(qmp->failure));
    }
    if (qmp->doomed || qmp->state != QC_QMP_READY) {
        json_object_put(args);
        return qc_error_set(err, QC_E_INVALID, "%s: cannot send '%s': QMP connection not ready",
                            qmp->peer, command);
    }
    p = qc_qmp_pending_new(qmp, command, cb, opaque, err);
    if (!p) {
        json_object_put(args);
        return -1;
    }
    return qc_qmp_send(qmp, p, args, err);
}

int
qc_qmp_start(qc_qmp *qmp, qc_qmp_ready_fn ready, void *opaque, qc_error **err)
{
    if (!qmp || !ready)
        return qc_error_set(err, QC_E_INVALID, "qc_qmp_start: missing client or callback");
    if (qmp->state != QC_QMP_NEW)
        return qc_error_set(err, QC_E_INVALID, "%s: QMP client already started", qmp->peer);
    if (qmp->timeout_ms > 0) {
        struct timeval tv = {qmp->timeout_ms / 1000, (qmp->timeout_ms % 1000) * 1000};

        qmp->handshake_ms = qmp->timeout_ms;
        qmp->handshake_timer = evtimer_new(qmp->base, qc_qmp_handshake_timeout_cb, qmp);
        if (!qmp->handshake_timer || evtimer_add(qmp->handshake_timer, &tv) < 0)
            return qc_error_set(err, QC_E_NOMEM, "%s: cannot arm handshake timer",
                                qmp->peer);
    }
    if (qmp->transport->ops->start(qmp->transport, err) < 0)
        return -1;
    qmp->ready = ready;
    qmp->ready_opaque = opaque;
    qmp->state = QC_QMP_GREETING;
    return 0;
}


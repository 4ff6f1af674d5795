/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp.c: the QMP client (handshake, id matching, timeouts) over a socket or a fixture. */
#include "qmp/qmp.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/util.h>

#include "common/cleanup.h"
#include "qmp/fixture.h"

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

/* A reply the replay transport will hand to the client on a later loop iteration. */
typedef struct qc_qmp_queued {
    struct qc_qmp_queued *next;
    json_object *msg; /* a reply carrying our id, or NULL when `error` is set */
    char *id;
    qc_error *error;
} qc_qmp_queued;

struct qc_qmp {
    struct event_base *base;
    char *peer;
    qc_qmp_state state;

    /* live transport */
    struct bufferevent *bev;
    struct json_tokener *tok;
    struct evbuffer *partial; /* start of an incomplete line, already searched */

    /* replay transport */
    const qc_fixture *fx;
    qc_fixture_cursor *cursor;
    struct event *replay_ev;
    qc_qmp_queued *queue, **queue_tail;

    size_t max_message;
    int timeout_ms;
    qc_qmp_event_fn event_fn;
    void *event_opaque;
    qc_fixture_writer *recorder;
    char *record_section;

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
qc_qmp_queue_clear(qc_qmp *qmp)
{
    while (qmp->queue) {
        qc_qmp_queued *q = qmp->queue;

        qmp->queue = q->next;
        json_object_put(q->msg);
        qc_error_free(q->error);
        free(q->id);
        free(q);
    }
    qmp->queue_tail = &qmp->queue;
}

static void
qc_qmp_destroy(qc_qmp *qmp)
{
    while (qmp->pending) {
        qc_qmp_pending *p = qmp->pending;

        qmp->pending = p->next;
        qc_qmp_pending_free(p);
    }
    qc_qmp_queue_clear(qmp);
    if (qmp->replay_ev)
        event_free(qmp->replay_ev);
    if (qmp->handshake_timer)
        event_free(qmp->handshake_timer);
    if (qmp->bev)
        bufferevent_free(qmp->bev);
    if (qmp->tok)
        json_tokener_free(qmp->tok);
    if (qmp->partial)
        evbuffer_free(qmp->partial);
    qc_fixture_cursor_free(qmp->cursor);
    json_object_put(qmp->greeting);
    qc_error_free(qmp->failure);
    free(qmp->record_section);
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

static void
qc_qmp_enter(qc_qmp *qmp)
{
    qmp->depth++;
}

static void
qc_qmp_leave(qc_qmp *qmp)
{
    if (--qmp->depth == 0 && qmp->doomed)
        qc_qmp_destroy(qmp);
}

/* True when processing must stop: the client failed or is being freed. */
static bool
qc_qmp_stopped(const qc_qmp *qmp)
{
    return qmp->doomed || qmp->state == QC_QMP_FAILED;
}

static qc_qmp *
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
    qmp->queue_tail = &qmp->queue;
    qmp->next_id = 1;
    return qmp;
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
qc_qmp_set_recorder(qc_qmp *qmp, qc_fixture_writer *w, const char *section)
{
    if (!qmp)
        return;
    free(qmp->record_section);
    qmp->record_section = NULL;
    qmp->recorder = w;
    /* On allocation failure the writer falls back to its default section name. */
    if (w && section)
        qmp->record_section = strdup(section);
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
    if (qmp->bev)
        bufferevent_disable(qmp->bev, EV_READ | EV_WRITE);
    if (qmp->handshake_timer)
        event_del(qmp->handshake_timer);
    if (qmp->replay_ev)
        event_del(qmp->replay_ev);
    qc_qmp_queue_clear(qmp);

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

static void qc_qmp_failf(qc_qmp *qmp, qc_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fails the connection with "<peer>: <message>". */
static void
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

    if (!qmp->recorder)
        return;
    if (qc_fixture_writer_add(qmp->recorder, qmp->record_section, msg, &e) < 0) {
        qc_error_prefix(&e, "%s: recording QMP traffic", qmp->peer);
        qc_qmp_fail(qmp, e, false);
    }
}

/* ---- incoming messages (shared by both transports) --------------------------------- */

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
static void
qc_qmp_on_message(qc_qmp *qmp, json_object *msg)
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

/* ---- live transport ---------------------------------------------------------------- */

static void
qc_qmp_on_line(qc_qmp *qmp, const char *line, size_t len)
{
    QC_CLEANUP(json_object_putp) json_object *msg = NULL;
    enum json_tokener_error jerr;

    json_tokener_reset(qmp->tok);
    /* Including the NUL lets a bare number end; QMP lines are objects anyway. */
    msg = json_tokener_parse_ex(qmp->tok, line, (int) len + 1);
    jerr = json_tokener_get_error(qmp->tok);
    if (jerr != json_tokener_success) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "invalid JSON from QMP peer: %s",
                         json_tokener_error_desc(jerr));
        return;
    }
    if (json_tokener_get_parse_end(qmp->tok) < len) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "%s", "trailing data after QMP message");
        return;
    }
    qc_qmp_on_message(qmp, msg);
}

/* Takes the next complete line from the input, enforcing the size bound before the line
 * is copied out. Returns 1 with *ret_line set, 0 when none is complete, -1 on failure.
 * Bytes already searched for a newline wait in qmp->partial (moved there chain by chain,
 * not copied), so each read searches only new bytes and a long line stays linear. */
static int
qc_qmp_next_line(qc_qmp *qmp, char **ret_line, size_t *ret_len)
{
    struct evbuffer *in = bufferevent_get_input(qmp->bev);
    size_t held = evbuffer_get_length(qmp->partial), eol_len = 0, len;
    struct evbuffer_ptr eol;
    char *line;

    eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
    if (eol.pos < 0) {
        if (held + evbuffer_get_length(in) > qmp->max_message) {
            qc_qmp_failf(qmp, QC_E_PROTOCOL, "message exceeds %zu bytes", qmp->max_message);
            return -1;
        }
        if (evbuffer_add_buffer(qmp->partial, in) < 0) {
            qc_qmp_failf(qmp, QC_E_NOMEM, "%s", "out of memory reading QMP message");
            return -1;
        }
        return 0;
    }
    len = held + (size_t) eol.pos;
    /* the "\r" of a "\r\n" ending is not part of the message */
    if (len > qmp->max_message + 1) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "message exceeds %zu bytes", qmp->max_message);
        return -1;
    }
    if (evbuffer_remove_buffer(in, qmp->partial, (size_t) eol.pos) != eol.pos ||
        evbuffer_drain(in, eol_len) < 0 || !(line = malloc(len + 1))) {
        qc_qmp_failf(qmp, QC_E_NOMEM, "%s", "out of memory reading QMP message");
        return -1;
    }
    evbuffer_remove(qmp->partial, line, len);
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len > qmp->max_message) {
        free(line);
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "message exceeds %zu bytes", qmp->max_message);
        return -1;
    }
    line[len] = '\0';
    *ret_line = line;
    *ret_len = len;
    return 1;
}

static void
qc_qmp_read_cb(struct bufferevent *bev, void *opaque)
{
    qc_qmp *qmp = opaque;

    (void) bev;
    qc_qmp_enter(qmp);
    while (!qc_qmp_stopped(qmp)) {
        char *line = NULL;
        size_t len = 0;

        if (qc_qmp_next_line(qmp, &line, &len) <= 0)
            break;
        qc_qmp_on_line(qmp, line, len);
        free(line);
    }
    qc_qmp_leave(qmp);
}

static void
qc_qmp_event_cb(struct bufferevent *bev, short what, void *opaque)
{
    qc_qmp *qmp = opaque;
    qc_error *e = NULL;

    (void) bev;
    qc_qmp_enter(qmp);
    if (what & BEV_EVENT_EOF) {
        e = qc_qmp_eof_error(qmp, qmp->pending ? qmp->pending->command : NULL);
        qc_qmp_fail(qmp, e, true);
    } else if (what & BEV_EVENT_ERROR) {
        int errnum = EVUTIL_SOCKET_ERROR();

        qc_error_set_errno(&e, errnum ? errnum : EIO, "%s: %s QMP socket", qmp->peer,
                           (what & BEV_EVENT_WRITING) ? "writing to" : "reading from");
        qc_qmp_fail(qmp, e, false);
    }
    qc_qmp_leave(qmp);
}

qc_qmp *
qc_qmp_new_fd(struct event_base *base, int fd, const char *peer_name, qc_error **err)
{
    qc_autoclose int owned = fd;
    qc_qmp *qmp;

    if (!base || fd < 0) {
        qc_error_set(err, QC_E_INVALID, "%s: no event base or socket given",
                     peer_name ? peer_name : "QMP peer");
        return NULL;
    }
    if (evutil_make_socket_nonblocking(fd) < 0 || evutil_make_socket_closeonexec(fd) < 0) {
        qc_error_set_errno(err, errno, "%s: cannot set up QMP socket",
                           peer_name ? peer_name : "QMP peer");
        return NULL;
    }
    qmp = qc_qmp_alloc(base, peer_name, err);
    if (!qmp)
        return NULL;
    qmp->tok = json_tokener_new();
    qmp->partial = evbuffer_new();
    qmp->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (qmp->bev)
        owned = -1;
    if (!qmp->tok || !qmp->partial || !qmp->bev) {
        qc_error_set(err, QC_E_NOMEM, "%s: out of memory creating QMP client", qmp->peer);
        qc_qmp_destroy(qmp);
        return NULL;
    }
    /* Trailing characters are detected with json_tokener_get_parse_end(), which gives a
     * clearer message than the strict tokener's "unexpected character". */
    json_tokener_set_flags(qmp->tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
                                         JSON_TOKENER_VALIDATE_UTF8);
    bufferevent_setcb(qmp->bev, qc_qmp_read_cb, NULL, qc_qmp_event_cb, qmp);
    return qmp;
}

/* ---- replay transport -------------------------------------------------------------- */

static void
qc_qmp_replay_cb(evutil_socket_t fd, short what, void *opaque)
{
    qc_qmp *qmp = opaque;
    qc_qmp_queued *q = qmp->queue;

    (void) fd;
    (void) what;
    if (!q)
        return;
    qmp->queue = q->next;
    if (!qmp->queue)
        qmp->queue_tail = &qmp->queue;

    qc_qmp_enter(qmp);
    if (q->error) {
        qc_qmp_pending *p = qc_qmp_take_pending(qmp, q->id);

        if (p)
            qc_qmp_deliver(qmp, p, NULL, q->error);
    } else {
        qc_qmp_on_message(qmp, q->msg);
    }
    if (!qc_qmp_stopped(qmp) && qmp->queue) {
        static const struct timeval now = {0, 0};

        evtimer_add(qmp->replay_ev, &now);
    }
    json_object_put(q->msg);
    qc_error_free(q->error);
    free(q->id);
    free(q);
    qc_qmp_leave(qmp);
}

static int
qc_qmp_enqueue(qc_qmp *qmp, json_object *msg, const char *id, qc_error *error,
               qc_error **err)
{
    static const struct timeval now = {0, 0};
    qc_qmp_queued *q = calloc(1, sizeof(*q));

    if (!q || (id && !(q->id = strdup(id)))) {
        free(q);
        json_object_put(msg);
        qc_error_free(error);
        return qc_error_set(err, QC_E_NOMEM, "%s: out of memory queueing reply", qmp->peer);
    }
    q->msg = msg;
    q->error = error;
    *qmp->queue_tail = q;
    qmp->queue_tail = &q->next;
    if (evtimer_add(qmp->replay_ev, &now) < 0)
        return qc_error_set(err, QC_E_SYSTEM, "%s: cannot schedule replay", qmp->peer);
    return 0;
}

/* The recorded reply with its recorded id replaced by ours, so it is matched like a live
 * one. */
static json_object *
qc_qmp_rebrand_reply(json_object *reply, const char *id)
{
    QC_CLEANUP(json_object_putp) json_object *msg = json_object_new_object();
    json_object *idv;

    if (!msg)
        return NULL;
    json_object_object_foreach(reply, key, val) {
        if (strcmp(key, "id") == 0)
            continue;
        if (json_object_object_add(msg, key, json_object_get(val)) < 0) {
            json_object_put(val);
            return NULL;
        }
    }
    idv = json_object_new_string(id);
    if (!idv || json_object_object_add(msg, "id", idv) < 0) {
        json_object_put(idv);
        return NULL;
    }
    return qc_steal(&msg);
}

static int
qc_qmp_replay_send(qc_qmp *qmp, qc_qmp_pending *p, json_object *args, qc_error **err)
{
    qc_error *lookup_err = NULL;
    json_object *reply = qc_fixture_cursor_reply(qmp->cursor, p->command, args, &lookup_err);
    json_object *msg;

    if (!reply) {
        if (lookup_err && lookup_err->code == QC_E_NOTFOUND &&
            (!p->cb || strcmp(p->command, "quit") == 0)) {
            /* Fixtures may omit the handshake and quit: a real QEMU always accepts them. */
            qc_error_free(lookup_err);
            msg = json_tokener_parse("{\"return\": {}}");
            if (!msg)
                return qc_error_set(err, QC_E_NOMEM, "%s: out of memory", qmp->peer);
            reply = msg;
        } else {
            /* the fixture's own error names the fixture and the command */
            if (lookup_err && lookup_err->code != QC_E_NOTFOUND)
                qc_error_prefix(&lookup_err, "%s", qmp->peer);
            return qc_qmp_enqueue(qmp, NULL, p->id, lookup_err, err);
        }
    } else {
        msg = NULL;
    }
    reply = qc_qmp_rebrand_reply(reply, p->id);
    json_object_put(msg);
    if (!reply)
        return qc_error_set(err, QC_E_NOMEM, "%s: out of memory replaying reply", qmp->peer);
    return qc_qmp_enqueue(qmp, reply, NULL, NULL, err);
}

qc_qmp *
qc_qmp_new_replay(struct event_base *base, const qc_fixture *fx, const char *section,
                  const char *peer_name, qc_error **err)
{
    qc_qmp *qmp;

    if (!base || !fx) {
        qc_error_set(err, QC_E_INVALID, "%s: no event base or fixture given",
                     peer_name ? peer_name : "QMP peer");
        return NULL;
    }
    qmp = qc_qmp_alloc(base, peer_name, err);
    if (!qmp)
        return NULL;
    qmp->fx = fx;
    qmp->cursor = qc_fixture_cursor_new(fx, section, err);
    if (!qmp->cursor) {
        qc_error_prefix(err, "%s", qmp->peer);
        qc_qmp_destroy(qmp);
        return NULL;
    }
    qmp->replay_ev = evtimer_new(base, qc_qmp_replay_cb, qmp);
    if (!qmp->replay_ev) {
        qc_error_set(err, QC_E_NOMEM, "%s: out of memory creating QMP client", qmp->peer);
        qc_qmp_destroy(qmp);
        return NULL;
    }
    return qmp;
}

static json_object *
qc_qmp_replay_greeting(qc_qmp *qmp)
{
    json_object *recorded = qc_fixture_cursor_greeting(qmp->cursor);

    if (recorded)
        return json_object_get(recorded);
    return json_tokener_parse("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0,"
                              " \"major\": 0}, \"package\": \"\"}, \"capabilities\": []}}");
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

/* Adds val (owned, may be NULL only on allocation failure) to obj. */
static int
qc_json_add(json_object *obj, const char *key, json_object *val)
{
    if (!val)
        return -1;
    if (json_object_object_add(obj, key, val) < 0) {
        json_object_put(val);
        return -1;
    }
    return 0;
}

/* Sends p's command (args: owned, may be NULL). On failure p is unlinked and freed. */
static int
qc_qmp_send(qc_qmp *qmp, qc_qmp_pending *p, json_object *args, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *owned_args = args;
    QC_CLEANUP(json_object_putp) json_object *msg = json_object_new_object();
    const char *text;
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
    if (qmp->cursor) {
        rc = qc_qmp_replay_send(qmp, p, args, err);
    } else {
        text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE);
        rc = text ? bufferevent_write(qmp->bev, text, strlen(text)) : -1;
        if (rc == 0)
            rc = bufferevent_write(qmp->bev, "\r\n", 2);
        if (rc < 0)
            qc_error_set(err, QC_E_NOMEM, "%s: cannot queue '%s' for sending", qmp->peer,
                         p->command);
    }
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
    if (qmp->cursor) {
        json_object *greeting = qc_qmp_replay_greeting(qmp);

        if (!greeting)
            return qc_error_set(err, QC_E_NOMEM, "%s: out of memory", qmp->peer);
        if (qc_qmp_enqueue(qmp, greeting, NULL, NULL, err) < 0)
            return -1;
    } else if (bufferevent_enable(qmp->bev, EV_READ | EV_WRITE) < 0) {
        return qc_error_set(err, QC_E_SYSTEM, "%s: cannot watch QMP socket", qmp->peer);
    }
    qmp->ready = ready;
    qmp->ready_opaque = opaque;
    qmp->state = QC_QMP_GREETING;
    return 0;
}

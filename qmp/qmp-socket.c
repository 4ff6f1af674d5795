/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp-socket.c: the live transport: QMP over a connected stream socket (a bufferevent),
 * one JSON object per line, with the size bound enforced before a line is copied. */
#include "qmp/qmp-transport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/util.h>

#include "common/cleanup.h"

QC_DEFINE_CLEANUP(json_object *, json_object_put);

typedef struct qc_qmp_socket {
    qc_qmp_transport base;
    struct bufferevent *bev;
    struct json_tokener *tok;
    struct evbuffer *partial; /* start of an incomplete line, already searched */
} qc_qmp_socket;

static int
qc_qmp_socket_start(qc_qmp_transport *t, qc_error **err)
{
    qc_qmp_socket *s = (qc_qmp_socket *) t;

    if (bufferevent_enable(s->bev, EV_READ | EV_WRITE) < 0)
        return qc_error_set(err, QC_E_SYSTEM, "%s: cannot watch QMP socket", qc_qmp_peer(t->qmp));
    return 0;
}

static int
qc_qmp_socket_send(qc_qmp_transport *t, json_object *msg, const char *command, json_object *args,
                   const char *id, bool internal, qc_error **err)
{
    qc_qmp_socket *s = (qc_qmp_socket *) t;
    const char *text;
    int rc;

    (void) args;
    (void) id;
    (void) internal;
    text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
    rc = text ? bufferevent_write(s->bev, text, strlen(text)) : -1;
    if (rc == 0)
        rc = bufferevent_write(s->bev, "\r\n", 2);
    if (rc < 0)
        qc_error_set(err, QC_E_NOMEM, "%s: cannot queue '%s' for sending", qc_qmp_peer(t->qmp),
                     command);
    return rc;
}

static void
qc_qmp_socket_stop(qc_qmp_transport *t)
{
    qc_qmp_socket *s = (qc_qmp_socket *) t;

    if (s->bev)
        bufferevent_disable(s->bev, EV_READ | EV_WRITE);
}

static void
qc_qmp_socket_free(qc_qmp_transport *t)
{
    qc_qmp_socket *s = (qc_qmp_socket *) t;

    if (s->bev)
        bufferevent_free(s->bev);
    if (s->tok)
        json_tokener_free(s->tok);
    if (s->partial)
        evbuffer_free(s->partial);
    free(s);
}

static const qc_qmp_transport_ops qc_qmp_socket_ops = {
    .start = qc_qmp_socket_start,
    .send = qc_qmp_socket_send,
    .stop = qc_qmp_socket_stop,
    .free = qc_qmp_socket_free,
};

/* ---- reading ----------------------------------------------------------------------- */

static void
qc_qmp_socket_on_line(qc_qmp_socket *s, const char *line, size_t len)
{
    QC_CLEANUP(json_object_putp) json_object *msg = NULL;
    qc_qmp *qmp = s->base.qmp;
    enum json_tokener_error jerr;

    json_tokener_reset(s->tok);
    /* Including the NUL lets a bare number end; QMP lines are objects anyway. */
    msg = json_tokener_parse_ex(s->tok, line, (int) len + 1);
    jerr = json_tokener_get_error(s->tok);
    if (jerr != json_tokener_success) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "invalid JSON from QMP peer: %s",
                         json_tokener_error_desc(jerr));
        return;
    }
    if (json_tokener_get_parse_end(s->tok) < len) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "%s", "trailing data after QMP message");
        return;
    }
    qc_qmp_receive(qmp, msg);
}

/* Takes the next complete line from the input, enforcing the size bound before the line
 * is copied out. Returns 1 with *ret_line set, 0 when none is complete, -1 on failure.
 * Bytes already searched for a newline wait in s->partial (moved there chain by chain,
 * not copied), so each read searches only new bytes and a long line stays linear. */
static int
qc_qmp_socket_next_line(qc_qmp_socket *s, char **ret_line, size_t *ret_len)
{
    qc_qmp *qmp = s->base.qmp;
    size_t max_message = qc_qmp_max_message(qmp);
    struct evbuffer *in = bufferevent_get_input(s->bev);
    size_t held = evbuffer_get_length(s->partial), eol_len = 0, len;
    struct evbuffer_ptr eol;
    char *line;

    eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
    if (eol.pos < 0) {
        if (held + evbuffer_get_length(in) > max_message) {
            qc_qmp_failf(qmp, QC_E_PROTOCOL, "message exceeds %zu bytes", max_message);
            return -1;
        }
        if (evbuffer_add_buffer(s->partial, in) < 0) {
            qc_qmp_failf(qmp, QC_E_NOMEM, "%s", "out of memory reading QMP message");
            return -1;
        }
        return 0;
    }
    len = held + (size_t) eol.pos;
    /* the "\r" of a "\r\n" ending is not part of the message */
    if (len > max_message + 1) {
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "message exceeds %zu bytes", max_message);
        return -1;
    }
    if (evbuffer_remove_buffer(in, s->partial, (size_t) eol.pos) != eol.pos ||
        evbuffer_drain(in, eol_len) < 0 || !(line = malloc(len + 1))) {
        qc_qmp_failf(qmp, QC_E_NOMEM, "%s", "out of memory reading QMP message");
        return -1;
    }
    evbuffer_remove(s->partial, line, len);
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len > max_message) {
        free(line);
        qc_qmp_failf(qmp, QC_E_PROTOCOL, "message exceeds %zu bytes", max_message);
        return -1;
    }
    line[len] = '\0';
    *ret_line = line;
    *ret_len = len;
    return 1;
}

static void
qc_qmp_socket_read_cb(struct bufferevent *bev, void *opaque)
{
    qc_qmp_socket *s = opaque;
    qc_qmp *qmp = s->base.qmp;

    (void) bev;
    qc_qmp_enter(qmp);
    while (!qc_qmp_stopped(qmp)) {
        char *line = NULL;
        size_t len = 0;

        if (qc_qmp_socket_next_line(s, &line, &len) <= 0)
            break;
        qc_qmp_socket_on_line(s, line, len);
        free(line);
    }
    qc_qmp_leave(qmp);
}

static void
qc_qmp_socket_event_cb(struct bufferevent *bev, short what, void *opaque)
{
    qc_qmp_socket *s = opaque;
    qc_qmp *qmp = s->base.qmp;
    qc_error *e = NULL;

    (void) bev;
    qc_qmp_enter(qmp);
    if (what & BEV_EVENT_EOF) {
        qc_qmp_fail_eof(qmp);
    } else if (what & BEV_EVENT_ERROR) {
        int errnum = EVUTIL_SOCKET_ERROR();

        qc_error_set_errno(&e, errnum ? errnum : EIO, "%s: %s QMP socket", qc_qmp_peer(qmp),
                           (what & BEV_EVENT_WRITING) ? "writing to" : "reading from");
        qc_qmp_fail_with(qmp, e);
    }
    qc_qmp_leave(qmp);
}

qc_qmp *
qc_qmp_new_fd(struct event_base *base, int fd, const char *peer_name, qc_error **err)
{
    qc_autoclose int owned = fd;
    qc_qmp_socket *s;
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
    if ((s = calloc(1, sizeof(*s)))) {
        s->base.ops = &qc_qmp_socket_ops;
        qc_qmp_attach(qmp, &s->base);
        s->tok = json_tokener_new();
        s->partial = evbuffer_new();
        s->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
        if (s->bev)
            owned = -1;
    }
    if (!s || !s->tok || !s->partial || !s->bev) {
        qc_error_set(err, QC_E_NOMEM, "%s: out of memory creating QMP client", qc_qmp_peer(qmp));
        qc_qmp_free(qmp);
        return NULL;
    }
    /* Trailing characters are detected with json_tokener_get_parse_end(), which gives a
     * clearer message than the strict tokener's "unexpected character". */
    json_tokener_set_flags(s->tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
                                       JSON_TOKENER_VALIDATE_UTF8);
    bufferevent_setcb(s->bev, qc_qmp_socket_read_cb, NULL, qc_qmp_socket_event_cb, s);
    return qmp;
}

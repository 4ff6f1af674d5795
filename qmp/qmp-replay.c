/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp-replay.c: the replay transport: answers each command from a fixture section (see
 * qmp/fixture.h), delivering replies from the loop like a live peer. */
#include "qmp/qmp-transport.h"

#include <stdlib.h>
#include <string.h>

#include <event2/util.h>

#include "common/cleanup.h"
#include "qmp/fixture.h"

QC_DEFINE_CLEANUP(json_object *, json_object_put);

/* A reply the replay transport will hand to the client on a later loop iteration. */
typedef struct qc_qmp_queued {
    struct qc_qmp_queued *next;
    json_object *msg; /* a reply carrying our id, or NULL when `error` is set */
    char *id;
    qc_error *error;
} qc_qmp_queued;

typedef struct qc_qmp_replay {
    qc_qmp_transport base;
    qc_fixture_cursor *cursor;
    struct event *ev; /* delivers the head of the queue */
    qc_qmp_queued *queue, **queue_tail;
} qc_qmp_replay;

static void
qc_qmp_replay_queue_clear(qc_qmp_replay *r)
{
    while (r->queue) {
        qc_qmp_queued *q = r->queue;

        r->queue = q->next;
        json_object_put(q->msg);
        qc_error_free(q->error);
        free(q->id);
        free(q);
    }
    r->queue_tail = &r->queue;
}

static void
qc_qmp_replay_cb(evutil_socket_t fd, short what, void *opaque)
{
    qc_qmp_replay *r = opaque;
    qc_qmp *qmp = r->base.qmp;
    qc_qmp_queued *q = r->queue;

    (void) fd;
    (void) what;
    if (!q)
        return;
    r->queue = q->next;
    if (!r->queue)
        r->queue_tail = &r->queue;

    qc_qmp_enter(qmp);
    if (q->error)
        qc_qmp_receive_error(qmp, q->id, q->error);
    else
        qc_qmp_receive(qmp, q->msg);
    /* r is still valid: a qc_qmp_free() from a callback waits for qc_qmp_leave() */
    if (!qc_qmp_stopped(qmp) && r->queue) {
        static const struct timeval now = {0, 0};

        evtimer_add(r->ev, &now);
    }
    json_object_put(q->msg);
    qc_error_free(q->error);
    free(q->id);
    free(q);
    qc_qmp_leave(qmp);
}

static int
qc_qmp_replay_enqueue(qc_qmp_replay *r, json_object *msg, const char *id, qc_error *error,
                      qc_error **err)
{
    static const struct timeval now = {0, 0};
    qc_qmp_queued *q = calloc(1, sizeof(*q));

    if (!q || (id && !(q->id = strdup(id)))) {
        free(q);
        json_object_put(msg);
        qc_error_free(error);
        return qc_error_set(err, QC_E_NOMEM, "%s: out of memory queueing reply",
                            qc_qmp_peer(r->base.qmp));
    }
    q->msg = msg;
    q->error = error;
    *r->queue_tail = q;
    r->queue_tail = &q->next;
    if (evtimer_add(r->ev, &now) < 0)
        return qc_error_set(err, QC_E_SYSTEM, "%s: cannot schedule replay",
                            qc_qmp_peer(r->base.qmp));
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
qc_qmp_replay_send(qc_qmp_transport *t, json_object *sent, const char *command, json_object *args,
                   const char *id, bool internal, qc_error **err)
{
    qc_qmp_replay *r = (qc_qmp_replay *) t;
    const char *peer = qc_qmp_peer(t->qmp);
    qc_error *lookup_err = NULL;
    json_object *reply = qc_fixture_cursor_reply(r->cursor, command, args, &lookup_err);
    json_object *msg;

    (void) sent;
    if (!reply) {
        if (lookup_err && lookup_err->code == QC_E_NOTFOUND &&
            (internal || strcmp(command, "quit") == 0)) {
            /* Fixtures may omit the handshake and quit: a real QEMU always accepts them. */
            qc_error_free(lookup_err);
            msg = json_tokener_parse("{\"return\": {}}");
            if (!msg)
                return qc_error_set(err, QC_E_NOMEM, "%s: out of memory", peer);
            reply = msg;
        } else {
            /* the fixture's own error names the fixture and the command */
            if (lookup_err && lookup_err->code != QC_E_NOTFOUND)
                qc_error_prefix(&lookup_err, "%s", peer);
            return qc_qmp_replay_enqueue(r, NULL, id, lookup_err, err);
        }
    } else {
        msg = NULL;
    }
    reply = qc_qmp_rebrand_reply(reply, id);
    json_object_put(msg);
    if (!reply)
        return qc_error_set(err, QC_E_NOMEM, "%s: out of memory replaying reply", peer);
    return qc_qmp_replay_enqueue(r, reply, NULL, NULL, err);
}


static json_object *
qc_qmp_replay_greeting(qc_qmp_replay *r)
{
    json_object *recorded = qc_fixture_cursor_greeting(r->cursor);

    if (recorded)
        return json_object_get(recorded);
    return json_tokener_parse("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0,"
                              " \"major\": 0}, \"package\": \"\"}, \"capabilities\": []}}");
}

static int
qc_qmp_replay_start(qc_qmp_transport *t, qc_error **err)
{
    qc_qmp_replay *r = (qc_qmp_replay *) t;
    json_object *greeting = qc_qmp_replay_greeting(r);

    if (!greeting)
        return qc_error_set(err, QC_E_NOMEM, "%s: out of memory", qc_qmp_peer(t->qmp));
    return qc_qmp_replay_enqueue(r, greeting, NULL, NULL, err);
}

static void
qc_qmp_replay_stop(qc_qmp_transport *t)
{
    qc_qmp_replay *r = (qc_qmp_replay *) t;

    if (r->ev)
        event_del(r->ev);
    qc_qmp_replay_queue_clear(r);
}

static void
qc_qmp_replay_free(qc_qmp_transport *t)
{
    qc_qmp_replay *r = (qc_qmp_replay *) t;

    qc_qmp_replay_queue_clear(r);
    if (r->ev)
        event_free(r->ev);
    qc_fixture_cursor_free(r->cursor);
    free(r);
}

static const qc_qmp_transport_ops qc_qmp_replay_ops = {
    .start = qc_qmp_replay_start,
    .send = qc_qmp_replay_send,
    .stop = qc_qmp_replay_stop,
    .free = qc_qmp_replay_free,
};

qc_qmp *
qc_qmp_new_replay(struct event_base *base, const qc_fixture *fx, const char *section,
                  const char *peer_name, qc_error **err)
{
    qc_qmp_replay *r;
    qc_qmp *qmp;

    if (!base || !fx) {
        qc_error_set(err, QC_E_INVALID, "%s: no event base or fixture given",
                     peer_name ? peer_name : "QMP peer");
        return NULL;
    }
    qmp = qc_qmp_alloc(base, peer_name, err);
    if (!qmp)
        return NULL;
    if (!(r = calloc(1, sizeof(*r)))) {
        qc_error_set(err, QC_E_NOMEM, "%s: out of memory creating QMP client", qc_qmp_peer(qmp));
        qc_qmp_free(qmp);
        return NULL;
    }
    r->base.ops = &qc_qmp_replay_ops;
    r->queue_tail = &r->queue;
    qc_qmp_attach(qmp, &r->base);
    r->cursor = qc_fixture_cursor_new(fx, section, err);
    if (!r->cursor) {
        qc_error_prefix(err, "%s", qc_qmp_peer(qmp));
        qc_qmp_free(qmp);
        return NULL;
    }
    r->ev = evtimer_new(base, qc_qmp_replay_cb, r);
    if (!r->ev) {
        qc_error_set(err, QC_E_NOMEM, "%s: out of memory creating QMP client", qc_qmp_peer(qmp));
        qc_qmp_free(qmp);
        return NULL;
    }
    return qmp;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp-transport.h: the seam between the QMP protocol engine (qmp.c) and what carries its
 * messages (qmp-socket.c: a live monitor socket; qmp-replay.c: a recorded fixture), and the
 * message tap the recorder (qmp-record.c) hangs on it. Internal to qmp/, not installed.
 *
 * Contract:
 * - A transport moves whole QMP messages. It is given each outgoing command as a JSON
 *   object, and hands every incoming message to qc_qmp_receive() from the event loop,
 *   never from inside its send(). It knows nothing of ids, pending commands, deadlines or
 *   the handshake; the protocol engine knows nothing of sockets, framing or fixtures.
 * - Loop callbacks of a transport bracket their work with qc_qmp_enter()/qc_qmp_leave()
 *   and stop as soon as qc_qmp_stopped(): a user callback may free the client meanwhile,
 *   and the client (with its transport) is then destroyed by the final qc_qmp_leave().
 * - Errors a transport reports (framing, EOF, socket) fail the whole connection; a reply
 *   it cannot give for one command (a fixture lacking it) fails that command only.
 */
#ifndef QC_QMP_TRANSPORT_H
#define QC_QMP_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "common/error.h"
#include "qmp/qmp.h"

typedef struct qc_qmp_transport qc_qmp_transport;

typedef struct qc_qmp_transport_ops {
    /* Starts delivering input, the greeting first. */
    int (*start)(qc_qmp_transport *t, qc_error **err);
    /* Sends `msg` ({"execute": ..., "arguments"?: ..., "id": ...}; borrowed). `command`,
     * `args` (borrowed, may be NULL) and `id` are its parts; `internal` marks the engine's
     * own handshake command. -1 with *err set when it cannot be queued. */
    int (*send)(qc_qmp_transport *t, json_object *msg, const char *command, json_object *args,
                const char *id, bool internal, qc_error **err);
    /* The connection failed: no more input may be delivered. Called at most once. */
    void (*stop)(qc_qmp_transport *t);
    /* Releases everything the transport holds, and t itself. */
    void (*free)(qc_qmp_transport *t);
} qc_qmp_transport_ops;

/* Embedded as the first member of each transport's own state. */
struct qc_qmp_transport {
    const qc_qmp_transport_ops *ops;
    qc_qmp *qmp; /* the client it feeds (borrowed; the client owns the transport) */
};

/* ---- for transport constructors ---------------------------------------------------------- */

/* A client without a transport yet; qc_qmp_free() it on a constructor's error path. */
qc_qmp *qc_qmp_alloc(struct event_base *base, const char *peer_name, qc_error **err);
/* Gives t (with t->ops set) to the client, which frees it on destruction. */
void qc_qmp_attach(qc_qmp *qmp, qc_qmp_transport *t);
struct event_base *qc_qmp_base(const qc_qmp *qmp);
const char *qc_qmp_peer(const qc_qmp *qmp); /* the prefix of every error message */
size_t qc_qmp_max_message(const qc_qmp *qmp);

/* ---- for transport loop callbacks -------------------------------------------------------- */

void qc_qmp_enter(qc_qmp *qmp);
void qc_qmp_leave(qc_qmp *qmp); /* may destroy qmp (and the calling transport) */
/* True when processing must stop: the client failed or is being freed. */
bool qc_qmp_stopped(const qc_qmp *qmp);
/* One incoming message (borrowed): greeting, reply or event. */
void qc_qmp_receive(qc_qmp *qmp, json_object *msg);
/* The command tagged `id` failed on its own (copy of e given to its callback); ignored when
 * no such command is pending. */
void qc_qmp_receive_error(qc_qmp *qmp, const char *id, const qc_error *e);
/* Fails the connection with `why` (owned). */
void qc_qmp_fail_with(qc_qmp *qmp, qc_error *why);
/* Fails the connection with "<peer>: <message>". */
void qc_qmp_failf(qc_qmp *qmp, qc_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The peer closed the connection: each pending command hears that it got no reply. */
void qc_qmp_fail_eof(qc_qmp *qmp);

/* ---- message tap (the recorder) ---------------------------------------------------------- */

/* Sees every message of the connection in order: the greeting, each command as sent, each
 * reply and event as received (borrowed). `tag` is the string given to qc_qmp_set_tap(). A
 * -1 return fails the connection with *err. */
typedef int (*qc_qmp_tap_fn)(void *opaque, const char *tag, json_object *msg, qc_error **err);
/* Replaces the tap (fn NULL: none). `tag` is copied; on allocation failure NULL is passed. */
void qc_qmp_set_tap(qc_qmp *qmp, qc_qmp_tap_fn fn, void *opaque, const char *tag);

#endif

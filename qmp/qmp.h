/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp.h: QMP protocol client on one libevent event_base.
 *
 * Contract:
 * - Input: a connected stream socket to a QMP monitor (live), or a parsed fixture section
 *   (replay). Output: the greeting, and for each command exactly one reply callback with
 *   either the "return" value or a structured error. Optional tee of every exchange into a
 *   fixture writer (record).
 * - Framing: one JSON object per line (QEMU ends lines with "\r\n"); replies may be split
 *   across reads and several may arrive in one read. json-c's tokener does all parsing.
 *   A message larger than the limit (default 64 MiB), invalid UTF-8/JSON, a non-object
 *   message, a reply with an unknown id, or EOF is fatal for the connection: every pending
 *   command's callback is called with that error, and later commands fail at once.
 * - Asynchronous messages ({"event": ...}) are passed to the event handler if one is set,
 *   recorded when recording, and otherwise skipped.
 * - {"error": {"class": C, "desc": D}} becomes a QC_E_QMP error with qmp_class C.
 * - Timeouts use libevent timers: a per-command deadline (QC_E_TIMEOUT, fatal for the
 *   connection since the stream can no longer be trusted) and the handshake deadline.
 * - Callbacks run from the event loop, never from inside qc_qmp_execute(). A callback may
 *   call qc_qmp_execute() again, and may call qc_qmp_free() on the same client.
 * - Never prints, never calls exit/abort on bad input, never dispatches the loop itself.
 * - Writes go through a socket bufferevent (writev), so the host process must ignore
 *   SIGPIPE (signal(SIGPIPE, SIG_IGN)); the library installs no signal handlers.
 * - Files: qmp.c is the protocol engine; it reaches its peer only through the transport
 *   interface of qmp-transport.h, implemented by qmp-socket.c (live) and qmp-replay.c
 *   (fixture); qmp-record.c is the recorder's tap.
 *
 * Layer qmp/: owns the QMP protocol and the fixture format (fixture.h: reading both
 * layouts, writing ours). It knows no query, no model and no process.
 */
#ifndef QC_QMP_H
#define QC_QMP_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "common/error.h"

typedef struct qc_qmp qc_qmp;
typedef struct qc_fixture qc_fixture;
typedef struct qc_fixture_writer qc_fixture_writer;

#define QC_QMP_DEFAULT_MAX_MESSAGE ((size_t) 64 << 20)
#define QC_QMP_DEFAULT_COMMAND_TIMEOUT_MS 30000

/* Handshake finished (error == NULL) or failed. Called exactly once per qc_qmp_start(). */
typedef void (*qc_qmp_ready_fn)(qc_qmp *qmp, const qc_error *error, void *opaque);
/* A command finished. `ret` is the "return" member (borrowed: valid during the call only;
 * json_object_get() it to keep it) or NULL with `error` set. */
typedef void (*qc_qmp_reply_fn)(qc_qmp *qmp, json_object *ret, const qc_error *error,
                                void *opaque);
/* An asynchronous event arrived. `event` is the whole message (borrowed). */
typedef void (*qc_qmp_event_fn)(qc_qmp *qmp, const char *name, json_object *event,
                                void *opaque);

/* A client on a connected socket. Takes ownership of fd (closed on error too).
 * `peer_name` (e.g. the emulator path) prefixes error messages. */
qc_qmp *qc_qmp_new_fd(struct event_base *base, int fd, const char *peer_name, qc_error **err);

/* A client answering from section `section` of a fixture ("kvm", "tcg"; NULL = the first
 * section). Borrows fx, which must outlive the client. Replies are matched by command
 * name plus canonical arguments (object keys sorted), never by position; repeated
 * identical commands get the recorded replies in order (the last one repeats). A command
 * the fixture lacks fails with QC_E_NOTFOUND naming the command, its arguments and the
 * fixture. Replies are delivered asynchronously from the loop, like a live peer.
 * The greeting is the section's recorded one, else a synthesized one (version 0.0.0, no
 * capabilities); qmp_capabilities and quit get {"return": {}} when not recorded. Recorded
 * events are not replayed. A missing command fails only that command (not the client). */
qc_qmp *qc_qmp_new_replay(struct event_base *base, const qc_fixture *fx, const char *section,
                          const char *peer_name, qc_error **err);

void qc_qmp_set_max_message(qc_qmp *qmp, size_t bytes); /* 0 = default; max INT_MAX - 1 */
void qc_qmp_set_command_timeout(qc_qmp *qmp, int ms); /* 0 = none; applies to handshake too */
void qc_qmp_set_event_handler(qc_qmp *qmp, qc_qmp_event_fn fn, void *opaque);

/* Tee every message of this connection (greeting, commands, replies, events) into `w`
 * under `section`. Borrows w, which must outlive the client. */
void qc_qmp_set_recorder(qc_qmp *qmp, qc_fixture_writer *w, const char *section);

/* Reads the greeting, sends qmp_capabilities, then calls `ready`. */
int qc_qmp_start(qc_qmp *qmp, qc_qmp_ready_fn ready, void *opaque, qc_error **err);

/* Sends `command` with `args` (takes ownership; may be NULL), tagged with a fresh id.
 * Returns 0 and calls `cb` exactly once later, or returns -1 (nothing will be called) if
 * the client is not ready or already failed. */
int qc_qmp_execute(qc_qmp *qmp, const char *command, json_object *args, qc_qmp_reply_fn cb,
                   void *opaque, qc_error **err);

/* Fails the connection now: every pending callback gets a copy of `why`. */
void qc_qmp_abort(qc_qmp *qmp, const qc_error *why);

/* The greeting's "QMP" member (borrowed), NULL before the handshake. */
json_object *qc_qmp_greeting(const qc_qmp *qmp);
/* True once the connection has failed (EOF, protocol error, timeout, abort). */
bool qc_qmp_failed(const qc_qmp *qmp);

/* Frees the client and closes its socket; pending callbacks are NOT called. NULL-safe;
 * safe from within this client's own callbacks (destruction is then deferred). */
void qc_qmp_free(qc_qmp *qmp);

QC_DEFINE_CLEANUP(qc_qmp *, qc_qmp_free);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-qmp-stream.c: fuzzes the live QMP client (qmp/qmp.c over qmp/qmp-socket.c) with arbitrary peer bytes.
 *
 * A qc_qmp client sits on one end of a socketpair; the input is written to the other end
 * in chunks (sizes from the first input byte, at most ~64 of them), with non-blocking
 * loop iterations after each, so lines arrive split and several at once; then the peer
 * end is shut down (EOF).
 * Once the handshake is done the harness sends a few commands (ids "qc-2".."qc-4", a reply
 * callback sends one more), as the probe does. Contract checks: the ready callback runs at
 * most once, every command's callback exactly once by EOF, and nothing leaks.
 * Byte 0 of the input configures the run: bits 0-2 chunk size, bit 3 a small message
 * limit (256 bytes), bit 4 an event handler.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qmp/qmp.h"
#include "fuzz.h"

typedef struct qc_fuzz_state {
    qc_qmp *qmp;
    int ready_calls;
    int sent, replied;
    int events;
} qc_fuzz_state;

static void qc_fuzz_reply(qc_qmp *qmp, json_object *ret, const qc_error *error,
                          void *opaque);

static void
qc_fuzz_send(qc_fuzz_state *st, const char *command, json_object *args)
{
    qc_error *err = NULL;

    if (qc_qmp_execute(st->qmp, command, args, qc_fuzz_reply, st, &err) == 0)
        st->sent++;
    else
        QC_FUZZ_CHECK(err != NULL);
    qc_error_free(err);
}

static void
qc_fuzz_reply(qc_qmp *qmp, json_object *ret, const qc_error *error, void *opaque)
{
    qc_fuzz_state *st = opaque;

    QC_FUZZ_CHECK(qmp == st->qmp);
    QC_FUZZ_CHECK(!(ret && error)); /* {"return": null} gives neither */
    QC_FUZZ_CHECK(!error || error->message);
    if (ret)
        (void) json_object_to_json_string(ret);
    st->replied++;
    /* The probe chains queries from reply callbacks: do it once too. */
    if (st->replied == 1 && !error)
        qc_fuzz_send(st, "query-cpu-definitions", NULL);
}

static void
qc_fuzz_ready(qc_qmp *qmp, const qc_error *error, void *opaque)
{
    qc_fuzz_state *st = opaque;
    json_object *args;

    st->ready_calls++;
    QC_FUZZ_CHECK(st->ready_calls == 1);
    if (error) {
        QC_FUZZ_CHECK(error->message != NULL);
        return;
    }
    QC_FUZZ_CHECK(qc_qmp_greeting(qmp) != NULL);
    qc_fuzz_send(st, "query-version", NULL);
    args = json_object_new_object();
    json_object_object_add(args, "typename", json_object_new_string("pc-q35-7.2-machine"));
    qc_fuzz_send(st, "qom-list-properties", args);
    qc_fuzz_send(st, "query-machines", NULL);
}

static void
qc_fuzz_event(qc_qmp *qmp, const char *name, json_object *event, void *opaque)
{
    qc_fuzz_state *st = opaque;

    (void) qmp;
    QC_FUZZ_CHECK(name != NULL && event != NULL);
    st->events++;
}

static struct event_base *
qc_fuzz_base(void)
{
    static struct event_base *base;

    if (!base) {
        signal(SIGPIPE, SIG_IGN);
        base = event_base_new();
        QC_FUZZ_CHECK(base != NULL);
    }
    return base;
}

/* Runs the loop without blocking until it has nothing more to do right now. */
static void
qc_fuzz_spin(struct event_base *base)
{
    for (int i = 0; i < 2; i++)
        event_base_loop(base, EVLOOP_NONBLOCK);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t chunks[8] = {1, 2, 7, 64, 509, 4096, 65536, (size_t) 1 << 30};
    struct event_base *base = qc_fuzz_base();
    qc_fuzz_state st;
    qc_error *err = NULL;
    size_t done = 0, chunk;
    int sv[2];
    uint8_t cfg;

    if (size < 1)
        return 0;
    cfg = data[0];
    data++;
    size--;
    chunk = chunks[cfg & 7];
    /* At most ~64 writes: tiny chunks of a long input only make the run slow. */
    if (chunk < size / 64 + 1)
        chunk = size / 64 + 1;
    memset(&st, 0, sizeof(st));
    QC_FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    st.qmp = qc_qmp_new_fd(base, sv[0], "fuzz-peer", &err);
    QC_FUZZ_CHECK(st.qmp != NULL);
    qc_qmp_set_command_timeout(st.qmp, 0);
    if (cfg & 8)
        qc_qmp_set_max_message(st.qmp, 256);
    if (cfg & 16)
        qc_qmp_set_event_handler(st.qmp, qc_fuzz_event, &st);
    QC_FUZZ_CHECK(qc_qmp_start(st.qmp, qc_fuzz_ready, &st, &err) == 0);
    QC_FUZZ_CHECK(evutil_make_socket_nonblocking(sv[1]) == 0);

    while (done < size && !qc_qmp_failed(st.qmp)) {
        size_t n = size - done < chunk ? size - done : chunk;
        ssize_t w = send(sv[1], data + done, n, MSG_NOSIGNAL);
        char sink[4096];

        if (w < 0) {
            QC_FUZZ_CHECK(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
            w = 0;
        }
        done += (size_t) w;
        qc_fuzz_spin(base);
        /* Drain what the client sent, so its writes never block. */
        while (recv(sv[1], sink, sizeof(sink), MSG_DONTWAIT) > 0)
            ;
    }
    shutdown(sv[1], SHUT_WR);
    for (int i = 0; i < 64 && !qc_qmp_failed(st.qmp); i++)
        qc_fuzz_spin(base);
    /* EOF fails the connection: every callback due has been called exactly once. */
    QC_FUZZ_CHECK(qc_qmp_failed(st.qmp));
    QC_FUZZ_CHECK(st.ready_calls == 1);
    QC_FUZZ_CHECK(st.replied == st.sent);
    QC_FUZZ_CHECK(qc_qmp_execute(st.qmp, "query-status", NULL, qc_fuzz_reply, &st, &err) < 0);
    QC_FUZZ_CHECK(err != NULL);
    qc_error_free(err);
    qc_qmp_free(st.qmp);
    close(sv[1]);
    /* Nothing of this client may stay on the loop. */
    event_base_loop(base, EVLOOP_NONBLOCK);
    return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-qmp.c: the live QMP client against a scripted fake peer on a socketpair. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "common/error.h"
#include "qmp/fixture.h"
#include "qmp/qmp.h"

#define GREETING                                                                               \
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 8}, "           \
    "\"package\": \"v8.2.0\"}, \"capabilities\": [\"oob\"]}}\r\n"
#define MAX_SLOTS 16
#define STREAM_TOTAL ((size_t) 100 << 20)

typedef struct T T;

/* One qc_qmp_execute() call and what its callback saw. */
typedef struct slot {
    T *t;
    char name[64];
    int calls;
    int seq;
    json_object *ret;
    qc_error *err;
} slot;

struct T {
    struct event_base *base;
    qc_qmp *qmp;
    int fd; /* the fake peer's end */
    struct event *rev, *wtick, *watchdog, *stream_ev;
    struct evbuffer *in, *out;
    size_t chunk; /* bytes per write, 0 = all at once */
    bool shut_when_flushed;
    bool ignore_caps;
    size_t stream_left;

    /* commands the fake received */
    int n_cmds;
    json_object *cmds[MAX_SLOTS];
    void (*on_cmd)(T *t, const char *name, const char *id, json_object *cmd);

    /* client side */
    void (*on_ready)(T *t);
    void (*on_reply)(T *t, slot *s);
    int ready_calls;
    qc_error *ready_err;
    slot slots[MAX_SLOTS];
    int n_slots, completed, expect;
    int events;
    json_object *last_event;
    char last_event_name[64];
    bool done, watchdog_fired;
    bool free_in_event;
};

/* ---- fake peer --------------------------------------------------------------------- */

static void
fake_write_cb(evutil_socket_t fd, short what, void *opaque)
{
    T *t = opaque;
    int n;

    (void) fd;
    (void) what;
    if (t->fd < 0)
        return;
    n = evbuffer_write_atmost(t->out, t->fd, t->chunk ? (ev_ssize_t) t->chunk : -1);
    if (n < 0 && errno != EAGAIN)
        return;
    if (evbuffer_get_length(t->out) > 0) {
        struct timeval tv = {0, n < 0 ? 1000 : 0};

        evtimer_add(t->wtick, &tv);
    } else if (t->shut_when_flushed) {
        shutdown(t->fd, SHUT_WR);
    }
}

static void fake_send(T *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fake_send(T *t, const char *fmt, ...)
{
    static const struct timeval now = {0, 0};
    va_list ap;

    va_start(ap, fmt);
    evbuffer_add_vprintf(t->out, fmt, ap);
    va_end(ap);
    evtimer_add(t->wtick, &now);
}

static void
fake_send_raw(T *t, const char *data, size_t len)
{
    static const struct timeval now = {0, 0};

    evbuffer_add(t->out, data, len);
    evtimer_add(t->wtick, &now);
}

static void
fake_close(T *t)
{
    static const struct timeval now = {0, 0};

    t->shut_when_flushed = true;
    evtimer_add(t->wtick, &now);
}

static void
fake_read_cb(evutil_socket_t fd, short what, void *opaque)
{
    T *t = opaque;
    char *line;
    size_t len;
    int n;

    (void) what;
    n = evbuffer_read(t->in, fd, 65536);
    if (n <= 0) {
        event_del(t->rev);
        return;
    }
    while ((line = evbuffer_readln(t->in, &len, EVBUFFER_EOL_CRLF))) {
        json_object *cmd = json_tokener_parse(line);
        json_object *name = NULL, *id = NULL;

        free(line);
        assert_non_null(cmd);
        assert_true(json_object_object_get_ex(cmd, "execute", &name));
        assert_true(json_object_object_get_ex(cmd, "id", &id));
        assert_true(t->n_cmds < MAX_SLOTS);
        t->cmds[t->n_cmds++] = cmd;
        if (strcmp(json_object_get_string(name), "qmp_capabilities") == 0) {
            if (!t->ignore_caps)
                fake_send(t, "{\"return\": {}, \"id\": \"%s\"}\r\n", json_object_get_string(id));
            continue;
        }
        if (t->on_cmd)
            t->on_cmd(t, json_object_get_string(name), json_object_get_string(id), cmd);
    }
}

/* ---- client callbacks -------------------------------------------------------------- */

static void
finish(T *t)
{
    t->done = true;
    event_base_loopbreak(t->base);
}

static void
reply_cb(qc_qmp *qmp, json_object *ret, const qc_error *error, void *opaque)
{
    slot *s = opaque;
    T *t = s->t;

    (void) qmp;
    s->calls++;
    s->seq = ++t->completed;
    json_object_put(s->ret);
    s->ret = json_object_get(ret);
    qc_error_free(s->err);
    s->err = qc_error_copy(error);
    if (error)
        assert_null(ret);
    if (t->on_reply)
        t->on_reply(t, s);
    if (t->expect && t->completed >= t->expect)
        finish(t);
}

static slot *
exec(T *t, const char *name, const char *args_json)
{
    slot *s;
    qc_error *err = NULL;

    assert_true(t->n_slots < MAX_SLOTS);
    s = &t->slots[t->n_slots++];
    s->t = t;
    snprintf(s->name, sizeof(s->name), "%s", name);
    if (qc_qmp_execute(t->qmp, name, args_json ? json_tokener_parse(args_json) : NULL,
                       reply_cb, s, &err) < 0)
        fail_msg("execute %s: %s", name, err->message);
    return s;
}

static void
ready_cb(qc_qmp *qmp, const qc_error *error, void *opaque)
{
    T *t = opaque;

    (void) qmp;
    t->ready_calls++;
    t->ready_err = qc_error_copy(error);
    if (error) {
        finish(t);
        return;
    }
    if (t->on_ready)
        t->on_ready(t);
}

static void
event_cb(qc_qmp *qmp, const char *name, json_object *event, void *opaque)
{
    T *t = opaque;

    (void) qmp;
    t->events++;
    snprintf(t->last_event_name, sizeof(t->last_event_name), "%s", name);
    json_object_put(t->last_event);
    t->last_event = json_object_get(event);
    if (t->free_in_event) {
        qc_qmp_free(t->qmp);
        t->qmp = NULL;
        finish(t);
    }
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *opaque)
{
    T *t = opaque;

    (void) fd;
    (void) what;
    t->watchdog_fired = true;
    event_base_loopbreak(t->base);
}

/* ---- harness ----------------------------------------------------------------------- */

static int
setup(void **state)
{
    T *t = calloc(1, sizeof(*t));
    struct timeval dog = {60, 0};
    qc_error *err = NULL;
    int sv[2];

    assert_non_null(t);
    t->base = event_base_new();
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    t->fd = sv[1];
    assert_int_equal(evutil_make_socket_nonblocking(t->fd), 0);
    t->in = evbuffer_new();
    t->out = evbuffer_new();
    t->rev = event_new(t->base, t->fd, EV_READ | EV_PERSIST, fake_read_cb, t);
    t->wtick = evtimer_new(t->base, fake_write_cb, t);
    t->watchdog = evtimer_new(t->base, watchdog_cb, t);
    event_add(t->rev, NULL);
    evtimer_add(t->watchdog, &dog);
    t->qmp = qc_qmp_new_fd(t->base, sv[0], "fake-qemu", &err);
    assert_non_null(t->qmp);
    *state = t;
    return 0;
}

static int
teardown(void **state)
{
    T *t = *state;

    qc_qmp_free(t->qmp);
    for (int i = 0; i < t->n_slots; i++) {
        json_object_put(t->slots[i].ret);
        qc_error_free(t->slots[i].err);
    }
    for (int i = 0; i < t->n_cmds; i++)
        json_object_put(t->cmds[i]);
    json_object_put(t->last_event);
    qc_error_free(t->ready_err);
    event_free(t->rev);
    event_free(t->wtick);
    event_free(t->watchdog);
    if (t->stream_ev)
        event_free(t->stream_ev);
    evbuffer_free(t->in);
    evbuffer_free(t->out);
    if (t->fd >= 0)
        close(t->fd);
    event_base_free(t->base);
    free(t);
    return 0;
}

static void
start(T *t)
{
    qc_error *err = NULL;

    if (qc_qmp_start(t->qmp, ready_cb, t, &err) < 0)
        fail_msg("start: %s", err->message);
}

static void
run(T *t)
{
    while (!t->done && !t->watchdog_fired)
        event_base_loop(t->base, EVLOOP_ONCE);
    assert_false(t->watchdog_fired);
}

/* Lets whatever is still queued happen, to catch callbacks that must not come. */
static void
settle(T *t)
{
    for (int i = 0; i < 20; i++)
        event_base_loop(t->base, EVLOOP_NONBLOCK);
}

static const char *
cmd_name(T *t, int i)
{
    return json_object_get_string(json_object_object_get(t->cmds[i], "execute"));
}

static const char *
cmd_id(T *t, int i)
{
    return json_object_get_string(json_object_object_get(t->cmds[i], "id"));
}

static void
assert_prefix(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)) != 0)
        fail_msg("'%s' does not start with '%s'", s, prefix);
}

static void
assert_contains(const char *s, const char *needle)
{
    if (!strstr(s, needle))
        fail_msg("'%s' does not contain '%s'", s, needle);
}

/* ---- normal operation -------------------------------------------------------------- */

static void
version_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    json_object *args = NULL;

    if (json_object_object_get_ex(cmd, "arguments", &args))
        fake_send(t, "{\"return\": {\"echo\": %s, \"name\": \"%s\"}, \"id\": \"%s\"}\r\n",
                  json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN), name, id);
    else
        fake_send(t,
                  "{\"return\": {\"qemu\": {\"major\": 8}, \"name\": \"%s\"}, "
                  "\"id\": \"%s\"}\r\n",
                  name, id);
}

static void
ready_version(T *t)
{
    exec(t, "query-version", NULL);
    exec(t, "query-echo", "{\"a/b\": [1, \"x\"]}");
    t->expect = 2;
}

static void
check_version_conversation(T *t)
{
    json_object *g, *v = NULL;

    assert_int_equal(t->ready_calls, 1);
    assert_null(t->ready_err);
    g = qc_qmp_greeting(t->qmp);
    assert_non_null(g);
    assert_true(json_object_object_get_ex(g, "capabilities", &v));
    assert_int_equal(t->n_cmds, 3);
    assert_string_equal(cmd_name(t, 0), "qmp_capabilities");
    assert_string_equal(cmd_id(t, 0), "qc-1");
    assert_null(json_object_object_get(t->cmds[0], "arguments"));
    assert_string_equal(cmd_name(t, 1), "query-version");
    assert_string_equal(cmd_id(t, 1), "qc-2");
    assert_string_equal(cmd_id(t, 2), "qc-3");
    assert_int_equal(t->slots[0].calls, 1);
    assert_null(t->slots[0].err);
    assert_int_equal(json_object_get_int(json_object_object_get(
                         json_object_object_get(t->slots[0].ret, "qemu"), "major")),
                     8);
    assert_null(t->slots[1].err);
    assert_string_equal(
        json_object_to_json_string_ext(json_object_object_get(t->slots[1].ret, "echo"),
                                       JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        "{\"a/b\":[1,\"x\"]}");
    assert_false(qc_qmp_failed(t->qmp));
}

static void
test_handshake_and_command(void **state)
{
    T *t = *state;
    qc_error *err = NULL;

    t->on_ready = ready_version;
    t->on_cmd = version_cmd;
    fake_send(t, GREETING);
    assert_null(qc_qmp_greeting(t->qmp));
    start(t);
    /* Not ready yet: nothing may be sent. */
    assert_int_equal(qc_qmp_execute(t->qmp, "query-x", NULL, reply_cb, NULL, &err), -1);
    assert_int_equal(err->code, QC_E_INVALID);
    qc_error_free(err);
    err = NULL;
    assert_int_equal(qc_qmp_start(t->qmp, ready_cb, t, &err), -1);
    qc_error_free(err);
    run(t);
    check_version_conversation(t);
}

static void
test_split_byte_by_byte(void **state)
{
    T *t = *state;

    t->chunk = 1;
    t->on_ready = ready_version;
    t->on_cmd = version_cmd;
    fake_send(t, GREETING);
    start(t);
    run(t);
    check_version_conversation(t);
}

static void
batch_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) cmd;
    (void) id;
    if (strcmp(name, "c") != 0)
        return;
    /* All three replies and two events in one write. */
    fake_send(t, "{\"event\": \"E1\", \"data\": {\"n\": 1}, \"timestamp\": {}}\r\n"
                 "{\"return\": \"A\", \"id\": \"%s\"}\r\n"
                 "{\"event\": \"E2\", \"data\": {\"n\": 2}, \"timestamp\": {}}\r\n"
                 "{\"return\": \"B\", \"id\": \"%s\"}\n"
                 "{\"return\": \"C\", \"id\": \"%s\"}\r\n",
              cmd_id(t, 1), cmd_id(t, 2), cmd_id(t, 3));
}

static void
ready_abc(T *t)
{
    exec(t, "a", NULL);
    exec(t, "b", NULL);
    exec(t, "c", NULL);
    t->expect = 3;
}

static void
test_batch_with_events(void **state)
{
    T *t = *state;

    t->on_ready = ready_abc;
    t->on_cmd = batch_cmd;
    qc_qmp_set_event_handler(t->qmp, event_cb, t);
    fake_send(t, GREETING);
    start(t);
    run(t);
    for (int i = 0; i < 3; i++) {
        char want[2] = {(char) ('A' + i), 0};

        assert_int_equal(t->slots[i].calls, 1);
        assert_int_equal(t->slots[i].seq, i + 1);
        assert_null(t->slots[i].err);
        assert_string_equal(json_object_get_string(t->slots[i].ret), want);
    }
    assert_int_equal(t->events, 2);
    assert_string_equal(t->last_event_name, "E2");
    assert_int_equal(json_object_get_int(json_object_object_get(
                         json_object_object_get(t->last_event, "data"), "n")),
                     2);
}

static void
events_only_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) cmd;
    (void) name;
    fake_send(t,
              "{\"event\": \"E1\"}\r\n{\"event\": \"E2\"}\r\n"
              "{\"return\": 5, \"id\": \"%s\"}\r\n",
              id);
}

static void
ready_one(T *t)
{
    exec(t, "query-x", NULL);
    t->expect = 1;
}

static void
test_events_skipped_without_handler(void **state)
{
    T *t = *state;

    t->on_ready = ready_one;
    t->on_cmd = events_only_cmd;
    fake_send(t, GREETING);
    start(t);
    run(t);
    assert_null(t->slots[0].err);
    assert_int_equal(json_object_get_int(t->slots[0].ret), 5);
    assert_int_equal(t->events, 0);
    assert_false(qc_qmp_failed(t->qmp));
}

static void
reorder_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) cmd;
    (void) id;
    if (strcmp(name, "c") != 0)
        return;
    fake_send(t, "{\"return\": \"C\", \"id\": \"%s\"}\r\n", cmd_id(t, 3));
    fake_send(t, "{\"return\": \"A\", \"id\": \"%s\"}\r\n", cmd_id(t, 1));
    fake_send(t, "{\"return\": \"B\", \"id\": \"%s\"}\r\n", cmd_id(t, 2));
}

static void
test_out_of_order(void **state)
{
    T *t = *state;

    t->on_ready = ready_abc;
    t->on_cmd = reorder_cmd;
    fake_send(t, GREETING);
    start(t);
    run(t);
    assert_string_equal(json_object_get_string(t->slots[0].ret), "A");
    assert_string_equal(json_object_get_string(t->slots[1].ret), "B");
    assert_string_equal(json_object_get_string(t->slots[2].ret), "C");
    assert_int_equal(t->slots[2].seq, 1);
    assert_int_equal(t->slots[0].seq, 2);
    assert_int_equal(t->slots[1].seq, 3);
}

static void
error_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) cmd;
    if (strcmp(name, "query-x") == 0)
        fake_send(t, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command "
                     "query-x has not been found\"}, \"id\": \"%s\"}\r\n",
                  id);
    else
        fake_send(t, "{\"return\": {}, \"id\": \"%s\"}\r\n", id);
}

static void
error_then_next(T *t, slot *s)
{
    if (strcmp(s->name, "query-x") == 0) {
        exec(t, "query-y", NULL);
        t->expect = 2;
    }
}

static void
test_error_reply(void **state)
{
    T *t = *state;
    slot *s;

    t->on_ready = ready_one;
    t->on_cmd = error_cmd;
    t->on_reply = error_then_next;
    fake_send(t, GREETING);
    start(t);
    run(t);
    s = &t->slots[0];
    assert_int_equal(s->calls, 1);
    assert_non_null(s->err);
    assert_null(s->ret);
    assert_int_equal(s->err->code, QC_E_QMP);
    assert_string_equal(s->err->qmp_class, "CommandNotFound");
    assert_prefix(s->err->message, "fake-qemu: ");
    assert_contains(s->err->message, "'query-x'");
    assert_contains(s->err->message, "The command query-x has not been found");
    /* A QMP error is an answer, not a broken connection. */
    assert_false(qc_qmp_failed(t->qmp));
    assert_null(t->slots[1].err);
    assert_int_equal(t->slots[1].calls, 1);
}

/* ---- protocol violations ----------------------------------------------------------- */

static const char *bad_bytes;
static size_t bad_len;

static void
bad_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) cmd;
    (void) name;
    fake_send_raw(t, bad_bytes, bad_len);
    /* A valid reply after the bad line must never be delivered. */
    fake_send(t, "{\"return\": 7, \"id\": \"%s\"}\r\n", id);
}

static void
check_bad_reply(T *t, const char *bytes, size_t len, const char *expect)
{
    qc_error *err = NULL;
    slot *s;

    bad_bytes = bytes;
    bad_len = len;
    t->on_ready = ready_one;
    t->on_cmd = bad_cmd;
    fake_send(t, GREETING);
    start(t);
    run(t);
    settle(t);
    s = &t->slots[0];
    assert_int_equal(s->calls, 1);
    assert_non_null(s->err);
    if (s->err->code != QC_E_PROTOCOL)
        fail_msg("got %s: %s", qc_error_code_name(s->err->code), s->err->message);
    assert_prefix(s->err->message, "fake-qemu: ");
    assert_contains(s->err->message, expect);
    assert_true(qc_qmp_failed(t->qmp));
    assert_int_equal(qc_qmp_execute(t->qmp, "query-z", NULL, reply_cb, NULL, &err), -1);
    assert_int_equal(err->code, QC_E_PROTOCOL);
    assert_string_equal(err->message, s->err->message);
    qc_error_free(err);
}

#define BAD(s) s, sizeof(s) - 1

static void
test_invalid_json(void **state)
{
    check_bad_reply(*state, BAD("{\"return\": }\r\n"), "invalid JSON");
}

static void
test_invalid_utf8(void **state)
{
    check_bad_reply(*state, BAD("{\"return\": \"ab\xff\xfe\", \"id\": \"qc-2\"}\r\n"),
                    "utf-8");
}

static void
test_non_object(void **state)
{
    check_bad_reply(*state, BAD("[1, 2]\r\n"), "not a JSON object");
}

static void
test_bare_number(void **state)
{
    check_bad_reply(*state, BAD("42\r\n"), "not a JSON object");
}

static void
test_trailing_garbage(void **state)
{
    check_bad_reply(*state, BAD("{\"return\": {}, \"id\": \"qc-2\"} x\r\n"), "trailing");
}

static void
test_embedded_nul(void **state)
{
    check_bad_reply(*state, BAD("{\"return\": {}, \"id\": \"qc-2\"}\0{}\r\n"), "trailing");
}

static void
test_unknown_id(void **state)
{
    check_bad_reply(*state, BAD("{\"return\": {}, \"id\": \"qc-99\"}\r\n"),
                    "reply with unknown id \"qc-99\"");
}

static void
test_reply_without_id(void **state)
{
    check_bad_reply(*state,
                    BAD("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse "
                        "error\"}}\r\n"),
                    "reply without id: JSON parse error");
}

static void
test_neither_reply_nor_event(void **state)
{
    check_bad_reply(*state, BAD("{\"hello\": 1}\r\n"), "unexpected message");
}

static void
test_malformed_error(void **state)
{
    check_bad_reply(*state, BAD("{\"error\": {\"desc\": 1}, \"id\": \"qc-2\"}\r\n"), "'class'");
}

static void
test_bad_greeting(void **state)
{
    T *t = *state;

    fake_send(t, "{\"event\": \"X\"}\r\n" GREETING);
    start(t);
    run(t);
    assert_int_equal(t->ready_calls, 1);
    assert_non_null(t->ready_err);
    assert_int_equal(t->ready_err->code, QC_E_PROTOCOL);
    assert_contains(t->ready_err->message, "expected a QMP greeting");
    settle(t);
    assert_int_equal(t->ready_calls, 1);
    assert_int_equal(t->n_cmds, 0);
}

static void
test_capabilities_error(void **state)
{
    T *t = *state;

    t->ignore_caps = true;
    fake_send(t, GREETING "{\"error\": {\"class\": \"GenericError\", \"desc\": \"nope\"}, "
                          "\"id\": \"qc-1\"}\r\n");
    start(t);
    run(t);
    assert_int_equal(t->ready_calls, 1);
    assert_non_null(t->ready_err);
    assert_int_equal(t->ready_err->code, QC_E_QMP);
    assert_contains(t->ready_err->message, "qmp_capabilities");
    assert_true(qc_qmp_failed(t->qmp));
}

/* ---- end of stream ----------------------------------------------------------------- */

static void
eof_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) cmd;
    (void) id;
    if (strcmp(name, "query-b") != 0)
        return;
    fake_send(t, "{\"return\": {\"x\"");
    fake_close(t);
}

static void
ready_ab(T *t)
{
    exec(t, "query-a", NULL);
    exec(t, "query-b", NULL);
    t->expect = 2;
}

static void
test_eof_mid_reply(void **state)
{
    T *t = *state;
    qc_error *err = NULL;

    t->on_ready = ready_ab;
    t->on_cmd = eof_cmd;
    fake_send(t, GREETING);
    start(t);
    run(t);
    settle(t);
    assert_int_equal(t->slots[0].calls, 1);
    assert_int_equal(t->slots[1].calls, 1);
    assert_int_equal(t->slots[0].err->code, QC_E_PROTOCOL);
    assert_string_equal(t->slots[0].err->message,
                        "fake-qemu: connection closed by peer while waiting for reply to "
                        "'query-a'");
    assert_string_equal(t->slots[1].err->message,
                        "fake-qemu: connection closed by peer while waiting for reply to "
                        "'query-b'");
    assert_int_equal(qc_qmp_execute(t->qmp, "query-c", NULL, reply_cb, NULL, &err), -1);
    assert_contains(err->message, "connection closed by peer");
    qc_error_free(err);
}

static void
test_eof_before_greeting(void **state)
{
    T *t = *state;

    fake_send(t, "{\"QMP\": ");
    fake_close(t);
    start(t);
    run(t);
    settle(t);
    assert_int_equal(t->ready_calls, 1);
    assert_int_equal(t->ready_err->code, QC_E_PROTOCOL);
    assert_string_equal(t->ready_err->message,
                        "fake-qemu: connection closed by peer while waiting for greeting");
}

/* ---- size limits ------------------------------------------------------------------- */

static void
sized_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    /* {"id": "qc-N", "return": "xxx"} padded to exactly `size` bytes before "\r\n" */
    char head[64];
    int size = json_object_get_int(json_object_object_get(
                   json_object_object_get(cmd, "arguments"), "size")),
        pad;
    bool newline = strcmp(name, "no-newline") != 0;

    snprintf(head, sizeof(head), "{\"id\": \"%s\", \"return\": \"", id);
    pad = size - (int) strlen(head) - 2;
    assert_true(pad > 0);
    fake_send(t, "%s%*s\"}%s", head, pad, "", newline ? "\r\n" : "");
}

static void
ready_sized(T *t)
{
    qc_qmp_set_max_message(t->qmp, 64);
    exec(t, "fits", "{\"size\": 64}");
    exec(t, "too-big", "{\"size\": 65}");
    t->expect = 2;
}

static void
test_message_limit(void **state)
{
    T *t = *state;

    t->on_ready = ready_sized;
    t->on_cmd = sized_cmd;
    fake_send(t, GREETING);
    start(t);
    run(t);
    assert_null(t->slots[0].err);
    assert_int_equal(strlen(json_object_get_string(t->slots[0].ret)), 64 - 28);
    assert_non_null(t->slots[1].err);
    assert_int_equal(t->slots[1].err->code, QC_E_PROTOCOL);
    assert_string_equal(t->slots[1].err->message, "fake-qemu: message exceeds 64 bytes");
}

static void
ready_no_newline(T *t)
{
    qc_qmp_set_max_message(t->qmp, 64);
    exec(t, "no-newline", "{\"size\": 200}");
    t->expect = 1;
}

static void
test_message_limit_no_newline(void **state)
{
    T *t = *state;

    t->on_ready = ready_no_newline;
    t->on_cmd = sized_cmd;
    fake_send(t, GREETING);
    start(t);
    run(t);
    assert_non_null(t->slots[0].err);
    assert_string_equal(t->slots[0].err->message, "fake-qemu: message exceeds 64 bytes");
}

static void
stream_cb(evutil_socket_t fd, short what, void *opaque)
{
    static char junk[65536];
    T *t = opaque;
    size_t budget = (size_t) 1 << 20;

    (void) what;
    if (!junk[0])
        memset(junk, 'x', sizeof(junk));
    while (t->stream_left > 0 && budget > 0) {
        size_t n = t->stream_left < sizeof(junk) ? t->stream_left : sizeof(junk);
        ssize_t w = write(fd, junk, n);

        if (w <= 0) {
            if (w < 0 && errno != EAGAIN)
                event_del(t->stream_ev);
            return;
        }
        t->stream_left -= (size_t) w;
        budget -= budget < (size_t) w ? budget : (size_t) w;
    }
    if (t->stream_left == 0)
        event_del(t->stream_ev);
}

static void
stream_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) cmd;
    (void) name;
    fake_send(t, "{\"id\": \"%s\", \"return\": \"", id);
    t->stream_left = STREAM_TOTAL;
    t->stream_ev = event_new(t->base, t->fd, EV_WRITE | EV_PERSIST, stream_cb, t);
    event_add(t->stream_ev, NULL);
}

static void
test_huge_message_default_limit(void **state)
{
    T *t = *state;
    struct timespec t0, t1;

    t->on_ready = ready_one;
    t->on_cmd = stream_cmd;
    fake_send(t, GREETING);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    start(t);
    run(t);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_non_null(t->slots[0].err);
    assert_int_equal(t->slots[0].err->code, QC_E_PROTOCOL);
    assert_string_equal(t->slots[0].err->message, "fake-qemu: message exceeds 67108864 bytes");
    /* The client gave up near the limit instead of buffering all 100 MiB. */
    assert_true(t->stream_left > (size_t) 30 << 20);
    assert_true(t1.tv_sec - t0.tv_sec < 50);
}

/* ---- timeouts ---------------------------------------------------------------------- */

static void
ignore_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) t;
    (void) name;
    (void) id;
    (void) cmd;
}

static void
ready_hang(T *t)
{
    exec(t, "hang", NULL);
    exec(t, "other", NULL);
    t->expect = 2;
}

static void
test_command_timeout(void **state)
{
    T *t = *state;
    struct timespec t0, t1;
    qc_error *err = NULL;
    long ms;

    qc_qmp_set_command_timeout(t->qmp, 100);
    t->on_ready = ready_hang;
    t->on_cmd = ignore_cmd;
    fake_send(t, GREETING);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    start(t);
    run(t);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 90);
    settle(t);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(t->slots[i].calls, 1);
        assert_int_equal(t->slots[i].err->code, QC_E_TIMEOUT);
        assert_string_equal(t->slots[i].err->message,
                            "fake-qemu: no reply to 'hang' within 100 ms");
    }
    assert_true(qc_qmp_failed(t->qmp));
    assert_int_equal(qc_qmp_execute(t->qmp, "query-c", NULL, reply_cb, NULL, &err), -1);
    assert_int_equal(err->code, QC_E_TIMEOUT);
    assert_string_equal(err->message, "fake-qemu: no reply to 'hang' within 100 ms");
    qc_error_free(err);
}

static void
test_handshake_timeout_greeting(void **state)
{
    T *t = *state;

    qc_qmp_set_command_timeout(t->qmp, 50);
    start(t);
    run(t);
    settle(t);
    assert_int_equal(t->ready_calls, 1);
    assert_int_equal(t->ready_err->code, QC_E_TIMEOUT);
    assert_string_equal(t->ready_err->message, "fake-qemu: no QMP greeting within 50 ms");
}

static void
test_handshake_timeout_capabilities(void **state)
{
    T *t = *state;

    qc_qmp_set_command_timeout(t->qmp, 50);
    t->ignore_caps = true;
    fake_send(t, GREETING);
    start(t);
    run(t);
    settle(t);
    assert_int_equal(t->ready_calls, 1);
    assert_int_equal(t->ready_err->code, QC_E_TIMEOUT);
    assert_string_equal(t->ready_err->message,
                        "fake-qemu: no reply to 'qmp_capabilities' within 50 ms");
    assert_non_null(qc_qmp_greeting(t->qmp));
}

/* ---- re-entrancy ------------------------------------------------------------------- */

static void
both_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) cmd;
    (void) id;
    if (strcmp(name, "query-b") != 0)
        return;
    fake_send(t, "{\"return\": 1, \"id\": \"%s\"}\r\n{\"event\": \"AFTER\"}\r\n"
                 "{\"return\": 2, \"id\": \"%s\"}\r\n",
              cmd_id(t, 1), cmd_id(t, 2));
}

static void
free_on_reply(T *t, slot *s)
{
    (void) s;
    qc_qmp_free(t->qmp);
    t->qmp = NULL;
    finish(t);
}

static void
test_free_in_reply_callback(void **state)
{
    T *t = *state;

    t->on_ready = ready_ab;
    t->on_cmd = both_cmd;
    t->on_reply = free_on_reply;
    fake_send(t, GREETING);
    start(t);
    qc_qmp_set_event_handler(t->qmp, event_cb, t);
    run(t);
    settle(t);
    assert_null(t->qmp);
    assert_int_equal(t->slots[0].calls, 1);
    assert_int_equal(json_object_get_int(t->slots[0].ret), 1);
    assert_int_equal(t->slots[1].calls, 0);
    assert_int_equal(t->events, 0);
}

static void
test_free_in_failure_callback(void **state)
{
    T *t = *state;

    t->on_ready = ready_ab;
    t->on_cmd = eof_cmd;
    t->on_reply = free_on_reply;
    fake_send(t, GREETING);
    start(t);
    run(t);
    settle(t);
    assert_null(t->qmp);
    assert_int_equal(t->slots[0].calls, 1);
    assert_non_null(t->slots[0].err);
    assert_int_equal(t->slots[1].calls, 0);
}

static void
ready_free(T *t)
{
    qc_qmp_free(t->qmp);
    t->qmp = NULL;
    finish(t);
}

static void
test_free_in_ready_callback(void **state)
{
    T *t = *state;

    t->on_ready = ready_free;
    fake_send(t, GREETING);
    start(t);
    run(t);
    settle(t);
    assert_null(t->qmp);
    assert_int_equal(t->ready_calls, 1);
}

static void
test_free_in_event_handler(void **state)
{
    T *t = *state;

    t->on_ready = ready_ab;
    t->on_cmd = both_cmd;
    t->free_in_event = true;
    qc_qmp_set_event_handler(t->qmp, event_cb, t);
    fake_send(t, GREETING);
    start(t);
    run(t);
    settle(t);
    assert_null(t->qmp);
    assert_int_equal(t->events, 1);
    assert_int_equal(t->slots[0].calls, 1);
    assert_int_equal(t->slots[1].calls, 0);
}

static void
chain_reply(T *t, slot *s)
{
    (void) s;
    if (t->n_slots < 5)
        exec(t, "step", NULL);
}

static void
echo_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) cmd;
    (void) name;
    fake_send(t, "{\"return\": \"%s\", \"id\": \"%s\"}\r\n", id, id);
}

static void
ready_chain(T *t)
{
    exec(t, "step", NULL);
    t->expect = 5;
}

static void
test_execute_in_callback(void **state)
{
    T *t = *state;

    t->on_ready = ready_chain;
    t->on_cmd = echo_cmd;
    t->on_reply = chain_reply;
    fake_send(t, GREETING);
    start(t);
    run(t);
    assert_int_equal(t->n_slots, 5);
    for (int i = 0; i < 5; i++) {
        char want[16];

        snprintf(want, sizeof(want), "qc-%d", i + 2);
        assert_int_equal(t->slots[i].calls, 1);
        assert_string_equal(json_object_get_string(t->slots[i].ret), want);
    }
}

static void
abort_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    qc_error *why = NULL;

    (void) cmd;
    (void) id;
    if (strcmp(name, "query-b") != 0)
        return;
    qc_error_set(&why, QC_E_SPAWN, "qemu exited with status 1");
    qc_qmp_abort(t->qmp, why);
    qc_error_free(why);
}

static void
test_abort(void **state)
{
    T *t = *state;
    qc_error *err = NULL;

    t->on_ready = ready_ab;
    t->on_cmd = abort_cmd;
    fake_send(t, GREETING);
    start(t);
    run(t);
    settle(t);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(t->slots[i].calls, 1);
        assert_int_equal(t->slots[i].err->code, QC_E_SPAWN);
        assert_string_equal(t->slots[i].err->message, "qemu exited with status 1");
    }
    assert_true(qc_qmp_failed(t->qmp));
    assert_int_equal(qc_qmp_execute(t->qmp, "x", NULL, reply_cb, NULL, &err), -1);
    assert_string_equal(err->message, "qemu exited with status 1");
    qc_error_free(err);
}

/* ---- recording --------------------------------------------------------------------- */

static void
record_cmd(T *t, const char *name, const char *id, json_object *cmd)
{
    (void) cmd;
    (void) name;
    fake_send(t, "{\"timestamp\": {\"seconds\": 1}, \"event\": \"RESUME\"}\r\n"
                 "{\"return\": {\"path\": \"/x\"}, \"id\": \"%s\"}\r\n",
              id);
}

static void
ready_record(T *t)
{
    exec(t, "query-x", "{\"b\": 1, \"a\": \"/\"}");
    t->expect = 1;
}

static void
test_recorder(void **state)
{
    /* The event arrived before the reply, but a reply is written right after its command
     * (commands are pipelined, so arrival order would separate them). */
    static const char *const kinds[] = {"QMP", "execute", "return", "execute", "return",
                                        "event"};
    T *t = *state;
    qc_fixture_writer *w = qc_fixture_writer_new();
    qc_fixture *fx;
    json_object *msgs, *args = NULL;
    char *text;

    qc_qmp_set_recorder(t->qmp, w, "kvm");
    t->on_ready = ready_record;
    t->on_cmd = record_cmd;
    fake_send(t, GREETING);
    start(t);
    run(t);
    assert_null(t->slots[0].err);

    text = qc_fixture_writer_to_string(w, NULL);
    assert_non_null(text);
    fx = qc_fixture_parse(text, strlen(text), "rec", NULL);
    assert_non_null(fx);
    assert_int_equal(qc_fixture_section_count(fx), 1);
    assert_string_equal(qc_fixture_section_name(fx, 0), "kvm");
    msgs = qc_fixture_section_messages(fx, 0);
    assert_int_equal(json_object_array_length(msgs), 6);
    for (size_t i = 0; i < 6; i++)
        assert_true(json_object_object_get_ex(json_object_array_get_idx(msgs, i), kinds[i],
                                              NULL));
    assert_string_equal(json_object_get_string(json_object_object_get(
                            json_object_array_get_idx(msgs, 3), "id")),
                        "qc-2");
    assert_true(json_object_object_get_ex(json_object_array_get_idx(msgs, 3), "arguments",
                                          &args));
    assert_string_equal(json_object_get_string(json_object_object_get(args, "a")), "/");
    assert_string_equal(json_object_get_string(json_object_object_get(
                            json_object_array_get_idx(msgs, 4), "id")),
                        "qc-2");
    assert_non_null(strstr(text, "\"major\": 8"));
    free(text);
    qc_fixture_free(fx);
    /* The client borrows the writer: free the client first. */
    qc_qmp_free(t->qmp);
    t->qmp = NULL;
    qc_fixture_writer_free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
#define T_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T_(test_handshake_and_command),
        T_(test_split_byte_by_byte),
        T_(test_batch_with_events),
        T_(test_events_skipped_without_handler),
        T_(test_out_of_order),
        T_(test_error_reply),
        T_(test_invalid_json),
        T_(test_invalid_utf8),
        T_(test_non_object),
        T_(test_bare_number),
        T_(test_trailing_garbage),
        T_(test_embedded_nul),
        T_(test_unknown_id),
        T_(test_reply_without_id),
        T_(test_neither_reply_nor_event),
        T_(test_malformed_error),
        T_(test_bad_greeting),
        T_(test_capabilities_error),
        T_(test_eof_mid_reply),
        T_(test_eof_before_greeting),
        T_(test_message_limit),
        T_(test_message_limit_no_newline),
        T_(test_huge_message_default_limit),
        T_(test_command_timeout),
        T_(test_handshake_timeout_greeting),
        T_(test_handshake_timeout_capabilities),
        T_(test_free_in_reply_callback),
        T_(test_free_in_failure_callback),
        T_(test_free_in_ready_callback),
        T_(test_free_in_event_handler),
        T_(test_execute_in_callback),
        T_(test_abort),
        T_(test_recorder),
#undef T_
    };

    /* A peer that hangs up must not kill the test with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests_name("qmp", tests, NULL, NULL);
}

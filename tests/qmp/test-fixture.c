/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-fixture.c: fixture parsing, matching, writing and the replay QMP client. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "qmp/fixture.h"
#include "qmp/qmp.h"

static const char qcaps_sample[] =
    "{\n"
    "  \"qcaps-fixture\": 1,\n"
    "  \"emulator\": \"/usr/bin/qemu-system-x86_64\"\n"
    "}\n"
    "\n"
    "{\n"
    "  \"qcaps-section\": \"kvm\"\n"
    "}\n"
    "\n"
    "{\n"
    "  \"QMP\": {\n"
    "    \"version\": {\"qemu\": {\"micro\": 1, \"minor\": 2, \"major\": 8}, \"package\": \"\"},\n"
    "    \"capabilities\": [\"oob\"]\n"
    "  }\n"
    "}\n"
    "\n"
    "{\"execute\": \"qmp_capabilities\", \"id\": \"qc-1\"}\n"
    "\n"
    "{\"return\": {}, \"id\": \"qc-1\"}\n"
    "\n"
    "{\n"
    "  \"execute\": \"query-version\",\n"
    "  \"id\": \"qc-2\"\n"
    "}\n"
    "\n"
    "{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\n"
    "\n"
    "{\n"
    "  \"return\": {\"qemu\": {\"micro\": 1, \"minor\": 2, \"major\": 8}, \"package\": \"\"},\n"
    "  \"id\": \"qc-2\"\n"
    "}\n"
    "\n"
    "{\"execute\": \"query-kvm\", \"id\": \"qc-3\"}\n"
    "\n"
    "{\"return\": {\"enabled\": true, \"present\": true}, \"id\": \"qc-3\"}\n"
    "\n"
    "{\"execute\": \"query-sev\", \"id\": \"qc-4\"}\n"
    "\n"
    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"SEV not available\"}, "
    "\"id\": \"qc-4\"}\n"
    "\n"
    "{\"qcaps-section\": \"tcg\"}\n"
    "\n"
    "{\"execute\": \"query-kvm\", \"id\": \"qc-9\"}\n"
    "\n"
    "{\"return\": {\"enabled\": false, \"present\": true}, \"id\": \"qc-9\"}\n";

/* As libvirt's tests/qemucapabilitiesdata .replies files. */
static const char libvirt_sample[] = "{\n"
                                     "  \"execute\": \"qmp_capabilities\",\n"
                                     "  \"id\": \"libvirt-1\"\n"
                                     "}\n"
                                     "\n"
                                     "{\n"
                                     "  \"return\": {\n"
                                     "  },\n"
                                     "  \"id\": \"libvirt-1\"\n"
                                     "}\n"
                                     "\n"
                                     "{\n"
                                     "  \"execute\": \"query-cpu-model-expansion\",\n"
                                     "  \"arguments\": {\n"
                                     "    \"type\": \"static\",\n"
                                     "    \"model\": {\n"
                                     "      \"name\": \"host\",\n"
                                     "      \"props\": {\"a\": 1, \"b\": [2, 3]}\n"
                                     "    }\n"
                                     "  },\n"
                                     "  \"id\": \"libvirt-2\"\n"
                                     "}\n"
                                     "\n"
                                     "{\n"
                                     "  \"return\": {\"model\": {\"name\": \"base\"}},\n"
                                     "  \"id\": \"libvirt-2\"\n"
                                     "}\n"
                                     "\n"
                                     "{\"execute\": \"query-a\", \"id\": \"libvirt-3\"}\n"
                                     "\n"
                                     "{\"return\": 1, \"id\": \"libvirt-3\"}\n"
                                     "\n"
                                     "{\"execute\": \"query-a\", \"arguments\": {},"
                                     " \"id\": \"libvirt-4\"}\n"
                                     "\n"
                                     "{\"return\": 2, \"id\": \"libvirt-4\"}\n"
                                     "\n"
                                     "{\"execute\": \"query-a\", \"id\": \"libvirt-5\"}\n"
                                     "\n"
                                     "{\"return\": 3, \"id\": \"libvirt-5\"}\n"
                                     "\n"
                                     "{\"execute\": \"query-b\", \"arguments\": {},"
                                     " \"id\": \"libvirt-6\"}\n"
                                     "\n"
                                     "{\"return\": \"b\", \"id\": \"libvirt-6\"}\n";

static qc_fixture *
parse_ok(const char *text, const char *name)
{
    qc_error *err = NULL;
    qc_fixture *fx = qc_fixture_parse(text, strlen(text), name, &err);

    if (!fx)
        fail_msg("parse failed: %s", err->message);
    assert_null(err);
    return fx;
}

static int64_t
reply_int(qc_fixture_cursor *c, const char *cmd, const char *args_json)
{
    json_object *args = args_json ? json_tokener_parse(args_json) : NULL;
    qc_error *err = NULL;
    json_object *reply = qc_fixture_cursor_reply(c, cmd, args, &err);
    json_object *ret = NULL;

    json_object_put(args);
    if (!reply)
        fail_msg("no reply for %s: %s", cmd, err->message);
    assert_true(json_object_object_get_ex(reply, "return", &ret));
    return json_object_get_int64(ret);
}

static void
test_qcaps_layout(void **state)
{
    qc_fixture *fx = parse_ok(qcaps_sample, "caps.replies");
    qc_fixture_cursor *c;
    json_object *v = NULL, *reply, *g;
    qc_error *err = NULL;

    (void) state;
    assert_false(qc_fixture_is_libvirt_layout(fx));
    assert_string_equal(qc_fixture_name(fx), "caps.replies");
    assert_int_equal(qc_fixture_section_count(fx), 2);
    assert_string_equal(qc_fixture_section_name(fx, 0), "kvm");
    assert_string_equal(qc_fixture_section_name(fx, 1), "tcg");
    assert_null(qc_fixture_section_name(fx, 2));
    assert_true(qc_fixture_has_section(fx, "tcg"));
    assert_false(qc_fixture_has_section(fx, "xen"));
    assert_true(json_object_object_get_ex(qc_fixture_header(fx), "emulator", &v));
    assert_string_equal(json_object_get_string(v), "/usr/bin/qemu-system-x86_64");
    /* greeting, caps, reply, command, event, reply, command, reply, command, error */
    assert_int_equal(json_object_array_length(qc_fixture_section_messages(fx, 0)), 10);
    assert_int_equal(json_object_array_length(qc_fixture_section_messages(fx, 1)), 2);

    c = qc_fixture_cursor_new(fx, NULL, &err);
    assert_non_null(c);
    g = qc_fixture_cursor_greeting(c);
    assert_non_null(g);
    assert_true(json_object_object_get_ex(g, "QMP", NULL));
    reply = qc_fixture_cursor_reply(c, "query-kvm", NULL, &err);
    assert_non_null(reply);
    assert_true(json_object_object_get_ex(reply, "return", &v));
    assert_true(json_object_get_boolean(json_object_object_get(v, "enabled")));
    reply = qc_fixture_cursor_reply(c, "query-sev", NULL, &err);
    assert_non_null(reply);
    assert_true(json_object_object_get_ex(reply, "error", NULL));
    qc_fixture_cursor_free(c);

    c = qc_fixture_cursor_new(fx, "tcg", &err);
    assert_non_null(c);
    assert_null(qc_fixture_cursor_greeting(c));
    reply = qc_fixture_cursor_reply(c, "query-kvm", NULL, &err);
    assert_non_null(reply);
    assert_false(json_object_get_boolean(
        json_object_object_get(json_object_object_get(reply, "return"), "enabled")));
    assert_null(qc_fixture_cursor_reply(c, "query-version", NULL, &err));
    assert_int_equal(err->code, QC_E_NOTFOUND);
    qc_error_free(err);
    err = NULL;
    qc_fixture_cursor_free(c);

    assert_null(qc_fixture_cursor_new(fx, "xen", &err));
    assert_int_equal(err->code, QC_E_NOTFOUND);
    assert_non_null(strstr(err->message, "xen"));
    qc_error_free(err);
    qc_fixture_free(fx);
}

static void
test_libvirt_layout(void **state)
{
    qc_fixture *fx = parse_ok(libvirt_sample, "caps_8.2.0_x86_64.replies");
    qc_fixture_cursor *c;
    qc_error *err = NULL;

    (void) state;
    assert_true(qc_fixture_is_libvirt_layout(fx));
    assert_null(qc_fixture_header(fx));
    assert_int_equal(qc_fixture_section_count(fx), 1);
    assert_string_equal(qc_fixture_section_name(fx, 0), "default");
    c = qc_fixture_cursor_new(fx, "default", &err);
    assert_non_null(c);
    assert_null(qc_fixture_cursor_greeting(c));
    assert_non_null(qc_fixture_cursor_reply(c, "qmp_capabilities", NULL, &err));
    qc_fixture_cursor_free(c);
    qc_fixture_free(fx);
}

static void
test_argument_order(void **state)
{
    qc_fixture *fx = parse_ok(libvirt_sample, "x.replies");
    qc_fixture_cursor *c = qc_fixture_cursor_new(fx, NULL, NULL);
    json_object *args =
        json_tokener_parse("{\"model\": {\"props\": {\"b\": [2, 3], \"a\": 1}, "
                           "\"name\": \"host\"}, \"type\": \"static\"}");
    json_object *other = json_tokener_parse(
        "{\"model\": {\"props\": {\"b\": [3, 2], \"a\": 1}, \"name\": \"host\"}, \"type\": "
        "\"static\"}");
    qc_error *err = NULL;

    (void) state;
    assert_non_null(qc_fixture_cursor_reply(c, "query-cpu-model-expansion", args, &err));
    assert_null(err);
    /* Array order does matter. */
    assert_null(qc_fixture_cursor_reply(c, "query-cpu-model-expansion", other, &err));
    assert_int_equal(err->code, QC_E_NOTFOUND);
    qc_error_free(err);
    json_object_put(args);
    json_object_put(other);
    qc_fixture_cursor_free(c);
    qc_fixture_free(fx);
}

static void
test_absent_args_equal_empty(void **state)
{
    qc_fixture *fx = parse_ok(libvirt_sample, "x.replies");
    qc_fixture_cursor *c = qc_fixture_cursor_new(fx, NULL, NULL);

    (void) state;
    /* query-b was recorded with "arguments": {} */
    assert_non_null(qc_fixture_cursor_reply(c, "query-b", NULL, NULL));
    /* query-a was recorded without, then with {}, then without: one key. */
    assert_int_equal(reply_int(c, "query-a", "{}"), 1);
    assert_int_equal(reply_int(c, "query-a", NULL), 2);
    assert_int_equal(reply_int(c, "query-a", "{}"), 3);
    qc_fixture_cursor_free(c);
    qc_fixture_free(fx);
}

static void
test_repeated_commands(void **state)
{
    qc_fixture *fx = parse_ok(libvirt_sample, "x.replies");
    qc_fixture_cursor *c = qc_fixture_cursor_new(fx, NULL, NULL);
    qc_fixture_cursor *c2 = qc_fixture_cursor_new(fx, NULL, NULL);

    (void) state;
    assert_int_equal(reply_int(c, "query-a", NULL), 1);
    assert_int_equal(reply_int(c, "query-a", NULL), 2);
    assert_int_equal(reply_int(c, "query-a", NULL), 3);
    assert_int_equal(reply_int(c, "query-a", NULL), 3);
    assert_int_equal(reply_int(c, "query-a", NULL), 3);
    /* A second cursor starts over. */
    assert_int_equal(reply_int(c2, "query-a", NULL), 1);
    qc_fixture_cursor_free(c);
    qc_fixture_cursor_free(c2);
    qc_fixture_free(fx);
}

static void
test_missing_command(void **state)
{
    qc_fixture *fx = parse_ok(libvirt_sample, "caps_x.replies");
    qc_fixture_cursor *c = qc_fixture_cursor_new(fx, NULL, NULL);
    json_object *args = json_tokener_parse("{\"z\": \"/\", \"a\": [1, {\"y\": 2, \"x\": 1}]}");
    qc_error *err = NULL;

    (void) state;
    assert_null(qc_fixture_cursor_reply(c, "query-nope", args, &err));
    assert_non_null(err);
    assert_int_equal(err->code, QC_E_NOTFOUND);
    assert_string_equal(err->message, "fixture 'caps_x.replies' has no reply for 'query-nope' "
                                      "with arguments {\"a\":[1,{\"x\":1,\"y\":2}],\"z\":\"/\"} "
                                      "in section 'default'");
    qc_error_free(err);
    json_object_put(args);
    qc_fixture_cursor_free(c);
    qc_fixture_free(fx);
}

typedef struct bad_case {
    const char *text;
    const char *prefix; /* expected start of the message */
    const char *contains;
} bad_case;

static void
test_malformed(void **state)
{
    static const bad_case cases[] = {
        {"{\n  \"execute\": \"a\",\n", "bad:1: ", "truncated"},
        {"\n\n{\"return\": {}}\n", "bad:3: ", "reply without a command"},
        {"{\"execute\": \"a\", \"id\": \"x-1\"}\n"
         "{\"return\": {}, \"id\": \"x-2\"}\n",
         "bad:2: ", "does not match its command's id"},
        {"{\"execute\": \"a\"}\n\n{\"execute\": \"b\"}\n\n{\"return\": {}}\n", "bad:1: ",
         "command 'a' has no reply"},
        {"{\"execute\": \"a\"}\n{\"return\": {}}\n\n{\"execute\": \"b\"}\n", "bad:4: ",
         "command 'b' has no reply"},
        {"{\"execute\": \"a\"}\n{\"return\": {}}\n[1, 2]\n", "bad:3: ", "JSON object"},
        {"{\"execute\": \"a\"}\n{\"return\": {}}\n42\n", "bad:3: ", ""},
        {"{\"execute\": \"a\"}\n{\"return\": {}}\n\"s\"\n", "bad:3: ", "JSON object"},
        {"{\"qcaps-fixture\": 2}\n", "bad:1: ", "version 2"},
        {"{\"qcaps-fixture\": \"1\"}\n", "bad:1: ", "integer"},
        {"", "bad:1: ", "empty"},
        {"  \n\n  \n", "bad:4: ", "empty"},
        {"{\"execute\": \"a\"}\n{\"return\": {}}\n{\"a\": 1,\n \"b\": }\n", "bad:4: ",
         "invalid JSON"},
        {"{\"execute\": \"a\"}\n{\"return\": {}}\n{\"qcaps-fixture\": 1}\n", "bad:3: ",
         "first object"},
        {"{\"qcaps-fixture\": 1}\n{\"execute\": \"a\"}\n{\"return\": {}}\n", "bad:2: ",
         "before the first"},
        {"{\"execute\": 5}\n{\"return\": {}}\n", "bad:1: ", "execute: expected string"},
        {"{\"execute\": \"a\", \"arguments\": [1]}\n{\"return\": {}}\n", "bad:1: ",
         "arguments: expected object"},
        {"{\"execute\": \"a\"}\n{\"error\": {\"desc\": \"x\"}}\n", "bad:2: ",
         "error.class: missing member"},
        {"{\"execute\": \"a\"}\n{\"return\": 1, \"error\": {}}\n", "bad:2: ", "both"},
        {"{\"execute\": \"a\"}\n{\"return\": \"\xff\"}\n", "bad:2: ", "utf-8"},
        {"{\"hello\": 1}\n", "bad:1: ", "unrecognised"},
        {"{\"execute\": \"a\", \"return\": 1}\n", "bad:1: ", "more than one"},
        {"{\"qcaps-fixture\": 1}\n{\"qcaps-section\": \"a\"}\n{\"qcaps-section\": \"a\"}\n",
         "bad:3: ", "duplicate section"},
        {"{\"qcaps-fixture\": 1}\n{\"qcaps-section\": 3}\n", "bad:2: ",
         "qcaps-section: expected string"},
        {"{\"qcaps-fixture\": 1}\n{\"qcaps-section\": \"\"}\n", "bad:2: ",
         "qcaps-section: expected a non-empty string"},
        {"{\"execute\": \"a\"}\n{\"return\": {}}\n{\"qcaps-section\": \"a\"}\n", "bad:3: ",
         "section marker"},
        {"{\"execute\": \"a\"}\n{\"event\": 1}\n", "bad:2: ", "event: expected string"},
        {"{\"QMP\": {}}\n{\"QMP\": {}}\n", "bad:2: ", "second greeting"},
        {"{\"execute\": \"a\"}\n{\"return\": {}}\n{\"return\": {}}\n", "bad:3: ",
         "reply without"},
    };

    (void) state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        qc_error *err = NULL;
        qc_fixture *fx = qc_fixture_parse(cases[i].text, strlen(cases[i].text), "bad", &err);

        if (fx || !err)
            fail_msg("case %zu parsed", i);
        if (err->code != QC_E_FORMAT || strncmp(err->message, cases[i].prefix,
                                                strlen(cases[i].prefix)) != 0 ||
            !strstr(err->message, cases[i].contains))
            fail_msg("case %zu: got '%s' (%s), want '%s...%s'", i, err->message,
                     qc_error_code_name(err->code), cases[i].prefix, cases[i].contains);
        qc_error_free(err);
    }
}

static void
test_canonical(void **state)
{
    json_object *v = json_tokener_parse(
        "{\"b\": \"a/b\", \"a\": [1, {\"d\": null, \"c\": true}], \"\xc3\xa9\": \"\\n\","
        " \"B\": 1.50, \"e\": {}}");
    char *s = qc_json_canonical(v, NULL);

    (void) state;
    assert_string_equal(s, "{\"B\":1.50,\"a\":[1,{\"c\":true,\"d\":null}],\"b\":\"a/b\","
                           "\"e\":{},\"\xc3\xa9\":\"\\n\"}");
    free(s);
    s = qc_json_canonical(NULL, NULL);
    assert_string_equal(s, "null");
    free(s);
    json_object_put(v);
}

static qc_fixture_writer *
writer_sample(void)
{
    qc_fixture_writer *w = qc_fixture_writer_new();
    const char *msgs[][2] = {
        {"kvm", "{\"QMP\": {\"version\": {}, \"capabilities\": []}}"},
        {"kvm", "{\"execute\": \"qmp_capabilities\", \"id\": \"qc-1\"}"},
        {"tcg", "{\"QMP\": {\"version\": {}, \"capabilities\": []}}"},
        {"kvm", "{\"return\": {}, \"id\": \"qc-1\"}"},
        {"kvm", "{\"execute\": \"q\", \"arguments\": {\"path\": \"/a/b\", \"n\": 1.50}, "
                "\"id\": \"qc-2\"}"},
        {"kvm", "{\"event\": \"E\", \"data\": {\"s\": \"\\u00e9\\t\"}}"},
        {"kvm", "{\"return\": [1, [], {}, null, \"x\"], \"id\": \"qc-2\"}"},
        {"tcg", "{\"execute\": \"q\", \"id\": \"qc-3\"}"},
        {"tcg", "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}, \"id\": \"qc-3\"}"},
    };

    assert_non_null(w);
    qc_fixture_writer_set_header(
        w, json_tokener_parse("{\"emulator\": \"/usr/bin/qemu\", \"qcaps-fixture\": 7}"));
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        json_object *m = json_tokener_parse(msgs[i][1]);

        assert_non_null(m);
        assert_int_equal(qc_fixture_writer_add(w, msgs[i][0], m, NULL), 0);
        json_object_put(m);
    }
    return w;
}

static void
test_writer_round_trip(void **state)
{
    qc_fixture_writer *w = writer_sample(), *w2 = qc_fixture_writer_new();
    char *text = qc_fixture_writer_to_string(w, NULL), *text2;
    qc_fixture *fx;
    json_object *m;

    (void) state;
    assert_non_null(text);
    assert_true(strncmp(text, "{\n  \"qcaps-fixture\": 1,\n  \"emulator\": \"/usr/bin/qemu\"\n}\n"
                              "\n{\n  \"qcaps-section\": \"kvm\"\n}\n\n{\n",
                        strlen("{\n  \"qcaps-fixture\": 1,\n  \"emulator\": \"/usr/bin/qemu\"\n}"
                               "\n\n{\n  \"qcaps-section\": \"kvm\"\n}\n\n{\n")) == 0);
    assert_non_null(strstr(text, "\"path\": \"/a/b\""));
    assert_non_null(strstr(text, "\"n\": 1.50"));
    assert_null(strstr(text, "\n\n\n"));
    assert_int_equal(text[strlen(text) - 1], '\n');
    assert_int_not_equal(text[strlen(text) - 2], '\n');

    fx = parse_ok(text, "round");
    assert_int_equal(qc_fixture_section_count(fx), 2);
    assert_string_equal(qc_fixture_section_name(fx, 0), "kvm");
    assert_string_equal(qc_fixture_section_name(fx, 1), "tcg");
    m = qc_fixture_section_messages(fx, 0);
    assert_int_equal(json_object_array_length(m), 6);
    assert_int_equal(json_object_array_length(qc_fixture_section_messages(fx, 1)), 3);
    /* the reply to qc-2 follows its command; the event that arrived between them after */
    assert_string_equal(json_object_get_string(json_object_object_get(
                            json_object_array_get_idx(m, 5), "event")),
                        "E");

    qc_fixture_writer_set_header(w2, json_object_get(qc_fixture_header(fx)));
    for (size_t i = 0; i < qc_fixture_section_count(fx); i++) {
        json_object *msgs = qc_fixture_section_messages(fx, i);

        for (size_t j = 0; j < json_object_array_length(msgs); j++)
            assert_int_equal(qc_fixture_writer_add(w2, qc_fixture_section_name(fx, i),
                                                   json_object_array_get_idx(msgs, j), NULL),
                             0);
    }
    text2 = qc_fixture_writer_to_string(w2, NULL);
    assert_string_equal(text, text2);
    /* The header borrowed from the fixture was not modified. */
    assert_int_equal(json_object_get_int(json_object_object_get(qc_fixture_header(fx),
                                                                "qcaps-fixture")),
                     1);
    free(text);
    free(text2);
    qc_fixture_free(fx);
    qc_fixture_writer_free(w);
    qc_fixture_writer_free(w2);
}

/* Pipelined commands: both sent before either reply, replies out of order. The file must
 * still hold each command followed by its own reply, so that it parses and replays. */
static void
test_writer_pipelined_commands(void **state)
{
    static const char *const msgs[] = {
        "{\"QMP\": {\"version\": {}, \"capabilities\": []}}",
        "{\"execute\": \"query-version\", \"id\": \"qc-2\"}",
        "{\"execute\": \"query-target\", \"id\": \"qc-3\"}",
        "{\"event\": \"RESUME\"}",
        "{\"return\": {\"arch\": \"s390x\"}, \"id\": \"qc-3\"}",
        "{\"return\": {\"package\": \"\"}, \"id\": \"qc-2\"}",
    };
    static const char *const order[] = {"QMP", "qc-2", "qc-2", "qc-3", "qc-3", "RESUME"};
    qc_fixture_writer *w = qc_fixture_writer_new();
    qc_fixture_cursor *c;
    qc_fixture *fx;
    json_object *m, *reply, *id;
    char *text;

    (void) state;
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        assert_non_null(m = json_tokener_parse(msgs[i]));
        assert_int_equal(qc_fixture_writer_add(w, "tcg", m, NULL), 0);
        json_object_put(m);
    }
    assert_non_null(text = qc_fixture_writer_to_string(w, NULL));
    fx = parse_ok(text, "pipelined");
    m = qc_fixture_section_messages(fx, 0);
    assert_int_equal(json_object_array_length(m), 6);
    for (size_t i = 0; i < 6; i++) {
        json_object *msg = json_object_array_get_idx(m, i);
        const char *what = json_object_object_get_ex(msg, "QMP", NULL)     ? "QMP"
                           : json_object_object_get_ex(msg, "event", &id) ? json_object_get_string(id)
                           : json_object_object_get_ex(msg, "id", &id)    ? json_object_get_string(id)
                                                                          : "?";
        assert_string_equal(what, order[i]);
    }
    assert_non_null(c = qc_fixture_cursor_new(fx, "tcg", NULL));
    assert_non_null(reply = qc_fixture_cursor_reply(c, "query-target", NULL, NULL));
    assert_non_null(strstr(json_object_to_json_string(reply), "s390x"));
    qc_fixture_cursor_free(c);
    qc_fixture_free(fx);
    qc_fixture_writer_free(w);
    free(text);
}

static size_t
count_dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void
test_writer_save_load(void **state)
{
    char dir[] = "/tmp/qc-fixture-XXXXXX";
    char *path = NULL, *missing = NULL, *text;
    qc_fixture_writer *w = writer_sample();
    qc_error *err = NULL;
    qc_fixture *fx;
    FILE *f;
    char buf[8192];
    size_t n;

    (void) state;
    assert_non_null(mkdtemp(dir));
    assert_true(asprintf(&path, "%s/caps.replies", dir) > 0);
    assert_true(asprintf(&missing, "%s/nodir/caps.replies", dir) > 0);
    assert_int_equal(qc_fixture_writer_save(w, path, &err), 0);
    assert_int_equal(qc_fixture_writer_save(w, path, &err), 0); /* overwrite */
    assert_null(err);
    assert_int_equal(count_dir_entries(dir), 1);

    text = qc_fixture_writer_to_string(w, NULL);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, text);
    free(text);

    fx = qc_fixture_load(path, &err);
    assert_non_null(fx);
    assert_string_equal(qc_fixture_name(fx), path);
    assert_int_equal(qc_fixture_section_count(fx), 2);
    qc_fixture_free(fx);

    assert_int_equal(qc_fixture_writer_save(w, missing, &err), -1);
    assert_int_equal(err->code, QC_E_SYSTEM);
    qc_error_free(err);
    err = NULL;

    assert_null(qc_fixture_load(missing, &err));
    assert_int_equal(err->code, QC_E_NOTFOUND);
    assert_non_null(strstr(err->message, missing));
    qc_error_free(err);
    err = NULL;

    assert_null(qc_fixture_load(dir, &err));
    assert_int_equal(err->code, QC_E_FORMAT);
    assert_non_null(strstr(err->message, "not a regular file"));
    qc_error_free(err);
    err = NULL;

    assert_null(qc_fixture_load("/dev/null", &err));
    assert_int_equal(err->code, QC_E_FORMAT);
    qc_error_free(err);

    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    free(path);
    free(missing);
    qc_fixture_writer_free(w);
}

static void
test_load_data_file(void **state)
{
    const char *root = getenv("QC_SOURCE_ROOT");
    char *path = NULL;
    qc_error *err = NULL;
    qc_fixture *fx;
    qc_fixture_cursor *c;
    json_object *r;

    (void) state;
    assert_non_null(root);
    assert_true(asprintf(&path, "%s/tests/qmp/data/sample.replies", root) > 0);
    fx = qc_fixture_load(path, &err);
    if (!fx)
        fail_msg("%s", err->message);
    assert_true(qc_fixture_is_libvirt_layout(fx));
    c = qc_fixture_cursor_new(fx, NULL, NULL);
    r = qc_fixture_cursor_reply(c, "query-target", NULL, NULL);
    assert_non_null(r);
    assert_string_equal(
        json_object_get_string(json_object_object_get(json_object_object_get(r, "return"),
                                                      "arch")),
        "x86_64");
    qc_fixture_cursor_free(c);
    qc_fixture_free(fx);
    free(path);
}

/* ---- replay client ----------------------------------------------------------------- */

typedef struct replay_ctx {
    qc_qmp *qmp;
    bool in_execute;
    int ready_calls;
    int replies;
    int order[8];
    qc_error *errors[8];
    json_object *rets[8];
} replay_ctx;

static void
replay_reply(qc_qmp *qmp, json_object *ret, const qc_error *error, void *opaque)
{
    replay_ctx *ctx = opaque;
    int i = ctx->replies++;

    (void) qmp;
    assert_false(ctx->in_execute);
    assert_true(i < 8);
    ctx->errors[i] = qc_error_copy(error);
    ctx->rets[i] = json_object_get(ret);
}

static void
replay_ready(qc_qmp *qmp, const qc_error *error, void *opaque)
{
    replay_ctx *ctx = opaque;
    static const char *cmds[] = {"query-version", "query-sev", "query-nope", "query-kvm"};

    assert_null(error);
    assert_false(ctx->in_execute);
    ctx->ready_calls++;
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        ctx->in_execute = true;
        assert_int_equal(qc_qmp_execute(qmp, cmds[i], NULL, replay_reply, ctx, NULL), 0);
        ctx->in_execute = false;
    }
}

static void
test_replay_client(void **state)
{
    qc_fixture *fx = parse_ok(qcaps_sample, "caps.replies");
    struct event_base *base = event_base_new();
    qc_fixture_writer *rec = qc_fixture_writer_new();
    replay_ctx ctx = {0};
    qc_error *err = NULL;
    json_object *v = NULL;
    char *text;

    (void) state;
    ctx.qmp = qc_qmp_new_replay(base, fx, "kvm", "replay-kvm", &err);
    assert_non_null(ctx.qmp);
    qc_qmp_set_recorder(ctx.qmp, rec, "kvm");
    assert_null(qc_qmp_greeting(ctx.qmp));
    assert_int_equal(qc_qmp_start(ctx.qmp, replay_ready, &ctx, &err), 0);
    assert_int_equal(ctx.ready_calls, 0); /* asynchronous */
    assert_int_equal(event_base_dispatch(base), 1); /* ran dry: no timer left armed */
    assert_int_equal(ctx.ready_calls, 1);
    assert_int_equal(ctx.replies, 4);

    assert_true(json_object_object_get_ex(qc_qmp_greeting(ctx.qmp), "version", &v));
    assert_int_equal(json_object_get_int(json_object_object_get(
                         json_object_object_get(v, "qemu"), "major")),
                     8);
    assert_null(ctx.errors[0]);
    assert_non_null(json_object_object_get(ctx.rets[0], "qemu"));
    assert_non_null(ctx.errors[1]);
    assert_int_equal(ctx.errors[1]->code, QC_E_QMP);
    assert_string_equal(ctx.errors[1]->qmp_class, "GenericError");
    assert_non_null(strstr(ctx.errors[1]->message, "SEV not available"));
    assert_non_null(strstr(ctx.errors[1]->message, "replay-kvm"));
    assert_non_null(ctx.errors[2]);
    assert_int_equal(ctx.errors[2]->code, QC_E_NOTFOUND);
    assert_non_null(strstr(ctx.errors[2]->message, "'query-nope'"));
    assert_non_null(strstr(ctx.errors[2]->message, "'caps.replies'"));
    assert_null(ctx.errors[3]); /* a missing command does not break the client */
    assert_true(json_object_get_boolean(json_object_object_get(ctx.rets[3], "enabled")));
    assert_false(qc_qmp_failed(ctx.qmp));

    text = qc_fixture_writer_to_string(rec, NULL);
    assert_non_null(strstr(text, "\"major\": 8"));
    assert_non_null(strstr(text, "\"execute\": \"query-sev\""));
    assert_non_null(strstr(text, "\"desc\": \"SEV not available\""));
    free(text);

    for (int i = 0; i < ctx.replies; i++) {
        qc_error_free(ctx.errors[i]);
        json_object_put(ctx.rets[i]);
    }
    qc_qmp_free(ctx.qmp);
    qc_fixture_writer_free(rec);
    event_base_free(base);
    qc_fixture_free(fx);
}

typedef struct replay2_ctx {
    int step;
    int64_t values[6];
    qc_error *error;
} replay2_ctx;

static void replay2_next(qc_qmp *qmp, replay2_ctx *ctx);

static void
replay2_reply(qc_qmp *qmp, json_object *ret, const qc_error *error, void *opaque)
{
    replay2_ctx *ctx = opaque;

    if (error) {
        ctx->error = qc_error_copy(error);
        return;
    }
    ctx->values[ctx->step++] = json_object_get_int64(ret);
    replay2_next(qmp, ctx);
}

static void
replay2_next(qc_qmp *qmp, replay2_ctx *ctx)
{
    if (ctx->step < 4)
        assert_int_equal(qc_qmp_execute(qmp, "query-a", NULL, replay2_reply, ctx, NULL), 0);
    else if (ctx->step == 4)
        assert_int_equal(qc_qmp_execute(qmp, "quit", NULL, replay2_reply, ctx, NULL), 0);
}

static void
replay2_ready(qc_qmp *qmp, const qc_error *error, void *opaque)
{
    assert_null(error);
    replay2_next(qmp, opaque);
}

static void
test_replay_libvirt_sequence(void **state)
{
    qc_fixture *fx = parse_ok(libvirt_sample, "x.replies");
    struct event_base *base = event_base_new();
    replay2_ctx ctx = {0};
    qc_error *err = NULL;
    qc_qmp *qmp = qc_qmp_new_replay(base, fx, NULL, "replay", &err);
    json_object *v = NULL;

    (void) state;
    assert_non_null(qmp);
    assert_int_equal(qc_qmp_start(qmp, replay2_ready, &ctx, NULL), 0);
    event_base_dispatch(base);
    assert_null(ctx.error);
    assert_int_equal(ctx.step, 5);
    assert_int_equal(ctx.values[0], 1);
    assert_int_equal(ctx.values[1], 2);
    assert_int_equal(ctx.values[2], 3);
    assert_int_equal(ctx.values[3], 3);
    /* Synthesized greeting. */
    assert_true(json_object_object_get_ex(qc_qmp_greeting(qmp), "version", &v));
    assert_int_equal(json_object_get_int(json_object_object_get(
                         json_object_object_get(v, "qemu"), "major")),
                     0);
    qc_qmp_free(qmp);

    assert_null(qc_qmp_new_replay(base, fx, "kvm", "replay", &err));
    assert_int_equal(err->code, QC_E_NOTFOUND);
    assert_true(strncmp(err->message, "replay: ", 8) == 0);
    qc_error_free(err);
    event_base_free(base);
    qc_fixture_free(fx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qcaps_layout),
        cmocka_unit_test(test_libvirt_layout),
        cmocka_unit_test(test_argument_order),
        cmocka_unit_test(test_absent_args_equal_empty),
        cmocka_unit_test(test_repeated_commands),
        cmocka_unit_test(test_missing_command),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_writer_round_trip),
        cmocka_unit_test(test_writer_pipelined_commands),
        cmocka_unit_test(test_writer_save_load),
        cmocka_unit_test(test_load_data_file),
        cmocka_unit_test(test_replay_client),
        cmocka_unit_test(test_replay_libvirt_sequence),
    };

    return cmocka_run_group_tests_name("qmp-fixture", tests, NULL, NULL);
}

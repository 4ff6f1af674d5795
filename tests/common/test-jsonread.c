/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-jsonread.c: common/jsonread.h: typed member reads and the member path that every
 * error names ("a.b[3].c: expected integer"), with and without an error slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/jsonread.h"

static json_object *
qc_parse(const char *text)
{
    json_object *o = json_tokener_parse(text);

    assert_non_null(o);
    return o;
}

/* Runs fn over the document and expects it to fail with exactly `message`. */
typedef int (*qc_read_fn)(qc_jr *r, json_object *o);

static void
qc_expect(const char *what, const char *text, qc_read_fn fn, const char *message)
{
    json_object *o = qc_parse(text);
    qc_error *err = NULL;
    qc_jr r;

    qc_jr_init(&r, what, NULL, &err);
    assert_int_equal(fn(&r, o), -1);
    assert_non_null(err);
    assert_int_equal(err->code, QC_E_FORMAT);
    assert_string_equal(err->message, message);
    qc_error_free(err);
    /* the same without an error slot */
    qc_jr_init(&r, what, NULL, NULL);
    assert_int_equal(fn(&r, o), -1);
    json_object_put(o);
}

typedef struct qc_item {
    char *name;
    int n;
} qc_item;

static int
qc_read_item(qc_jr *r, json_object *e, void *elem)
{
    qc_item *it = elem;

    if (r->opaque)
        (*(int *) r->opaque)++;
    return qc_jr_str(r, e, "name", false, &it->name) < 0 || qc_jr_int(r, e, "n", &it->n) < 0 ? -1
                                                                                             : 0;
}

/* {"a": {"items": [{"name": ..., "n": ...}, ...]}} */
static int
qc_read_doc(qc_jr *r, json_object *o)
{
    json_object *a = NULL;
    qc_item *items = NULL;
    size_t n = 0, mark;
    int rc;

    if (qc_jr_get(r, o, "a", json_type_object, false, &a) < 0)
        return -1;
    mark = qc_jr_key(r, "a");
    rc = qc_jr_array(r, a, "items", false, sizeof(qc_item), (void **) &items, &n, qc_read_item,
                     NULL);
    if (rc == 0)
        qc_jr_pop(r, mark);
    for (size_t i = 0; i < n; i++)
        free(items[i].name);
    free(items);
    return rc;
}

/* [{"name": ..., "n": ...}, ...], as a QMP reply is */
static int
qc_read_vec(qc_jr *r, json_object *a)
{
    qc_item *items = NULL;
    size_t n = 0;
    int rc = qc_jr_vec(r, a, sizeof(qc_item), (void **) &items, &n, qc_read_item);

    for (size_t i = 0; i < n; i++)
        free(items[i].name);
    free(items);
    return rc < 0 ? -1 : r->len == 0 ? qc_jr_fail(r, "read %zu", n) : qc_jr_fail(r, "left");
}

static int
qc_read_top(qc_jr *r, json_object *o)
{
    return qc_jr_check(r, o, json_type_object, false);
}

static int
qc_read_range(qc_jr *r, json_object *o)
{
    int64_t v;

    return qc_jr_int_range(r, o, "cpu", true, 1, 128, 0, &v);
}

static int
qc_read_list(qc_jr *r, json_object *o)
{
    json_object *l = NULL, *e;
    size_t mark;

    if (qc_jr_get(r, o, "list", json_type_array, false, &l) < 0)
        return -1;
    mark = qc_jr_key(r, "list");
    for (size_t i = 0; i < json_object_array_length(l); i++)
        if (qc_jr_elem(r, l, i, json_type_string, &e) < 0)
            return -1;
    qc_jr_pop(r, mark);
    return qc_jr_fail(r, "%s after %d", "stopped", 2);
}

static void
t_messages(void **state)
{
    (void) state;
    qc_expect(NULL, "[]", qc_read_top, "(top): expected object");
    qc_expect(NULL, "{}", qc_read_doc, "a: missing member");
    qc_expect(NULL, "{\"a\": 1}", qc_read_doc, "a: expected object");
    qc_expect(NULL, "{\"a\": {\"items\": null}}", qc_read_doc, "a.items: expected array");
    qc_expect(NULL, "{\"a\": {\"items\": [{\"name\": \"x\", \"n\": 1}, 7]}}", qc_read_doc,
              "a.items[1]: expected object");
    qc_expect(NULL,
              "{\"a\": {\"items\": [{\"name\": \"x\", \"n\": 1}, {\"name\": \"y\", \"n\": "
              "\"2\"}]}}",
              qc_read_doc, "a.items[1].n: expected integer");
    qc_expect(NULL, "{\"a\": {\"items\": [{\"name\": null, \"n\": 1}]}}", qc_read_doc,
              "a.items[0].name: expected string");
    qc_expect(NULL, "{\"a\": {\"items\": [{\"name\": \"x\", \"n\": 4294967296}]}}", qc_read_doc,
              "a.items[0].n: integer out of range");
    qc_expect("host facts: ", "{\"cpu\": 129}", qc_read_range, "host facts: cpu: 129 out of range");
    qc_expect("host facts: ", "{\"cpu\": true}", qc_read_range,
              "host facts: cpu: expected integer or null");
    qc_expect("host facts: ", "{}", qc_read_range, "host facts: cpu: missing member");
    qc_expect(NULL, "{\"list\": [\"a\", \"b\", 3]}", qc_read_list, "list[2]: expected string");
    qc_expect(NULL, "{\"list\": [\"a\"]}", qc_read_list, "(top): stopped after 2");
    qc_expect(NULL, "{}", qc_read_vec, "(top): expected array");
    qc_expect(NULL, "[{\"name\": \"x\", \"n\": 1}, []]", qc_read_vec, "[1]: expected object");
    qc_expect(NULL, "[{\"name\": \"x\", \"n\": true}]", qc_read_vec, "[0].n: expected integer");
    qc_expect(NULL, "[{\"name\": \"x\", \"n\": 1}, {\"name\": \"y\", \"n\": 2}]", qc_read_vec,
              "(top): read 2");
}

static void
t_values(void **state)
{
    json_object *o = qc_parse("{\"i\": -5, \"b\": true, \"s\": \"str\", \"ns\": null, \"r\": null, "
                              "\"a\": {\"items\": [{\"name\": \"x\", \"n\": 1}, {\"name\": \"y\", "
                              "\"n\": 2}]}}");
    qc_error *err = NULL;
    char *s = NULL, *ns = (char *) "kept";
    int64_t i64 = 0, rv = 0;
    int i = 0, calls = 0;
    bool b = false;
    qc_jr r;

    (void) state;
    qc_jr_init(&r, NULL, &calls, &err);
    assert_int_equal(qc_jr_int64(&r, o, "i", &i64), 0);
    assert_int_equal(i64, -5);
    assert_int_equal(qc_jr_int(&r, o, "i", &i), 0);
    assert_int_equal(i, -5);
    assert_int_equal(qc_jr_bool(&r, o, "b", &b), 0);
    assert_true(b);
    assert_int_equal(qc_jr_str(&r, o, "s", false, &s), 0);
    assert_string_equal(s, "str");
    free(s);
    assert_int_equal(qc_jr_str(&r, o, "ns", true, &ns), 0);
    assert_string_equal(ns, "kept");
    assert_int_equal(qc_jr_int_range(&r, o, "r", true, 1, 2, 42, &rv), 0);
    assert_int_equal(rv, 42);
    assert_int_equal(qc_jr_int_range(&r, o, "i", false, -5, -5, 0, &rv), 0);
    assert_int_equal(rv, -5);
    assert_int_equal(qc_read_doc(&r, o), 0);
    assert_int_equal(calls, 2);
    /* every getter left the path as it found it */
    assert_int_equal(r.len, 0);
    assert_string_equal(r.path, "");
    assert_null(err);
    json_object_put(o);
}

/* A path longer than the buffer is cut, never overrun. */
static void
t_long_path(void **state)
{
    qc_error *err = NULL;
    char key[200];
    qc_jr r;

    (void) state;
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    qc_jr_init(&r, NULL, NULL, &err);
    for (int i = 0; i < 10; i++)
        qc_jr_key(&r, key);
    qc_jr_idx(&r, SIZE_MAX);
    assert_int_equal(r.len, sizeof(r.path) - 1);
    assert_int_equal(qc_jr_fail(&r, "x"), -1);
    assert_non_null(err);
    assert_true(strlen(err->message) < sizeof(r.path) + 8);
    qc_error_free(err);
    qc_jr_pop(&r, 0);
    assert_string_equal(r.path, "");
}

/* A reader of a peer's messages reports its own code, with the same text. */
static void
t_code(void **state)
{
    json_object *o = qc_parse("{\"a\": 1}");
    qc_error *err = NULL;
    char *s = NULL;
    qc_jr r;

    (void) state;
    qc_jr_init(&r, "reply to 'x': ", NULL, &err);
    assert_int_equal(r.code, QC_E_FORMAT);
    r.code = QC_E_PROTOCOL;
    assert_int_equal(qc_jr_str(&r, o, "a", false, &s), -1);
    assert_int_equal(err->code, QC_E_PROTOCOL);
    assert_string_equal(err->message, "reply to 'x': a: expected string");
    qc_error_free(err);
    json_object_put(o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_messages),
        cmocka_unit_test(t_values),
        cmocka_unit_test(t_long_path),
        cmocka_unit_test(t_code),
    };

    return cmocka_run_group_tests_name("jsonread", tests, NULL, NULL);
}

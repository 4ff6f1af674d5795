/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jsonread.c: typed, path-naming reads of json-c objects (jsonread.h). */
#include "common/jsonread.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
qc_jr_init(qc_jr *r, const char *what, void *opaque, qc_error **err)
{
    r->path[0] = '\0';
    r->len = 0;
    r->what = what ? what : "";
    r->err = err;
    r->code = QC_E_FORMAT;
    r->opaque = opaque;
}

/* Appends n bytes of s to the path, truncating at its end. */
static void
qc_jr_append(qc_jr *r, const char *s, size_t n)
{
    size_t room = sizeof(r->path) - 1 - r->len;

    if (n > room)
        n = room;
    memcpy(r->path + r->len, s, n);
    r->len += n;
    r->path[r->len] = '\0';
}

size_t
qc_jr_key(qc_jr *r, const char *key)
{
    size_t old = r->len;

    if (r->len)
        qc_jr_append(r, ".", 1);
    qc_jr_append(r, key, strlen(key));
    return old;
}

size_t
qc_jr_idx(qc_jr *r, size_t i)
{
    size_t old = r->len;
    char digits[24];
    size_t n = sizeof(digits);

    digits[--n] = ']';
    do {
        digits[--n] = (char) ('0' + i % 10);
        i /= 10;
    } while (i);
    digits[--n] = '[';
    qc_jr_append(r, digits + n, sizeof(digits) - n);
    return old;
}

void
qc_jr_pop(qc_jr *r, size_t mark)
{
    r->len = mark;
    r->path[mark] = '\0';
}

int
qc_jr_fail(qc_jr *r, const char *fmt, ...)
{
    char cause[256];
    va_list ap;

    if (!r->err || *r->err)
        return -1;
    va_start(ap, fmt);
    vsnprintf(cause, sizeof(cause), fmt, ap);
    va_end(ap);
    return qc_error_set(r->err, r->code, "%s%s: %s", r->what, r->len ? r->path : "(top)",
                        cause);
}

static const char *
qc_jr_type_name(json_type t)
{
    switch (t) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "boolean";
    case json_type_double:
        return "number";
    case json_type_int:
        return "integer";
    case json_type_object:
        return "object";
    case json_type_array:
        return "array";
    case json_type_string:
        return "string";
    }
    return "value";
}

int
qc_jr_check(qc_jr *r, json_object *v, json_type t, bool nullable)
{
    if (!v && nullable)
        return 0;
    if (v && json_object_is_type(v, t))
        return 0;
    return qc_jr_fail(r, "expected %s%s", qc_jr_type_name(t), nullable ? " or null" : "");
}

int
qc_jr_get(qc_jr *r, json_object *o, const char *key, json_type t, bool nullable, json_object **ret)
{
    json_object *v = NULL;
    size_t old = qc_jr_key(r, key);
    int rc;

    rc = !json_object_object_get_ex(o, key, &v) ? qc_jr_fail(r, "missing member")
                                                : qc_jr_check(r, v, t, nullable);
    qc_jr_pop(r, old);
    if (rc == 0)
        *ret = v;
    return rc;
}

int
qc_jr_elem(qc_jr *r, json_object *a, size_t i, json_type t, json_object **ret)
{
    json_object *v = json_object_array_get_idx(a, i);
    size_t old = qc_jr_idx(r, i);
    int rc = qc_jr_check(r, v, t, false);

    qc_jr_pop(r, old);
    if (rc == 0)
        *ret = v;
    return rc;
}

int
qc_jr_int64(qc_jr *r, json_object *o, const char *key, int64_t *ret)
{
    return qc_jr_int_range(r, o, key, false, INT64_MIN, INT64_MAX, 0, ret);
}

int
qc_jr_int(qc_jr *r, json_object *o, const char *key, int *ret)
{
    int64_t n;

    if (qc_jr_int64(r, o, key, &n) < 0)
        return -1;
    if (n < INT32_MIN || n > INT32_MAX) {
        size_t old = qc_jr_key(r, key);
        qc_jr_fail(r, "integer out of range");
        qc_jr_pop(r, old);
        return -1;
    }
    *ret = (int) n;
    return 0;
}

int
qc_jr_int_range(qc_jr *r, json_object *o, const char *key, bool nullable, int64_t lo, int64_t hi,
                int64_t null_value, int64_t *ret)
{
    json_object *v = NULL;
    int64_t n;

    if (qc_jr_get(r, o, key, json_type_int, nullable, &v) < 0)
        return -1;
    n = v ? json_object_get_int64(v) : null_value;
    if (v && (n < lo || n > hi)) {
        size_t old = qc_jr_key(r, key);
        qc_jr_fail(r, "%" PRId64 " out of range", n);
        qc_jr_pop(r, old);
        return -1;
    }
    *ret = n;
    return 0;
}

int
qc_jr_bool(qc_jr *r, json_object *o, const char *key, bool *ret)
{
    json_object *v = NULL;

    if (qc_jr_get(r, o, key, json_type_boolean, false, &v) < 0)
        return -1;
    *ret = json_object_get_boolean(v);
    return 0;
}

int
qc_jr_str(qc_jr *r, json_object *o, const char *key, bool nullable, char **ret)
{
    json_object *v = NULL;
    char *s;

    if (qc_jr_get(r, o, key, json_type_string, nullable, &v) < 0)
        return -1;
    if (!v)
        return 0;
    if (!(s = strdup(json_object_get_string(v))))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    *ret = s;
    return 0;
}

int
qc_jr_array(qc_jr *r, json_object *o, const char *key, bool nullable, size_t size, void **vec,
            size_t *n, qc_jr_elem_fn fn, bool *ret_present)
{
    json_object *v = NULL;
    size_t old;

    if (qc_jr_get(r, o, key, json_type_array, nullable, &v) < 0)
        return -1;
    if (ret_present)
        *ret_present = v != NULL;
    if (!v)
        return 0;
    old = qc_jr_key(r, key);
    if (qc_jr_vec(r, v, size, vec, n, fn) < 0)
        return -1;
    qc_jr_pop(r, old);
    return 0;
}

int
qc_jr_vec(qc_jr *r, json_object *a, size_t size, void **vec, size_t *n, qc_jr_elem_fn fn)
{
    size_t len;

    if (qc_jr_check(r, a, json_type_array, false) < 0)
        return -1;
    len = json_object_array_length(a);
    if (len && !(*vec = calloc(len, size)))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < len; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        size_t old = qc_jr_idx(r, i);
        (*n)++;
        if (qc_jr_check(r, e, json_type_object, false) < 0 ||
            fn(r, e, (char *) *vec + i * size) < 0)
            return -1;
        qc_jr_pop(r, old);
    }
    return 0;
}

int
qc_jr_object(qc_jr *r, json_object *o, const char *key, bool nullable, qc_jr_elem_fn fn,
             void *arg)
{
    json_object *v = NULL;
    size_t old;
    int rc;

    if (qc_jr_get(r, o, key, json_type_object, nullable, &v) < 0)
        return -1;
    if (!v)
        return 0;
    old = qc_jr_key(r, key);
    rc = fn(r, v, arg);
    qc_jr_pop(r, old);
    return rc;
}

int
qc_jr_map(qc_jr *r, json_object *o, const char *key, size_t size, void **vec, size_t *n,
          qc_jr_entry_fn fn)
{
    json_object *v;
    size_t old, len;

    if (qc_jr_get(r, o, key, json_type_object, false, &v) < 0)
        return -1;
    len = (size_t) json_object_object_length(v);
    if (len && !(*vec = calloc(len, size)))
        return qc_error_set(r->err, QC_E_NOMEM, "out of memory");
    old = qc_jr_key(r, key);
    json_object_object_foreach(v, name, val)
    {
        size_t o2 = qc_jr_key(r, name);
        void *elem = (char *) *vec + (*n)++ * size;

        if (fn(r, name, val, elem) < 0)
            return -1;
        qc_jr_pop(r, o2);
    }
    qc_jr_pop(r, old);
    return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qmp-schema.c: path queries over query-qmp-schema (docs/domcaps-mapping.md §2.2 family 4). */
#include "introspect/qmp-schema.h"

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/jsonread.h"

struct qc_qmp_schema {
    json_object *entries; /* the reply array (own reference) */
    json_object *index;   /* object: name -> entry (json-c's hash table) */
};

qc_qmp_schema *
qc_qmp_schema_new(json_object *entries, qc_error **err)
{
    qc_qmp_schema *s;
    qc_jr r;
    size_t n;

    qc_jr_init(&r, "reply to 'query-qmp-schema': ", NULL, err);
    r.code = QC_E_PROTOCOL;
    if (qc_jr_check(&r, entries, json_type_array, false) < 0)
        return NULL;
    if (!(s = calloc(1, sizeof(*s))) || !(s->index = json_object_new_object())) {
        free(s);
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    s->entries = json_object_get(entries);
    n = json_object_array_length(entries);
    for (size_t i = 0; i < n; i++) {
        json_object *e = NULL, *name = NULL;
        size_t mark;

        if (qc_jr_elem(&r, entries, i, json_type_object, &e) < 0)
            goto fail;
        mark = qc_jr_idx(&r, i);
        if (qc_jr_get(&r, e, "name", json_type_string, false, &name) < 0)
            goto fail;
        qc_jr_pop(&r, mark);
        if (json_object_object_add(s->index, json_object_get_string(name),
                                   json_object_get(e)) < 0) {
            json_object_put(e);
            qc_error_set(err, QC_E_NOMEM, "out of memory");
            goto fail;
        }
    }
    return s;
fail:
    qc_qmp_schema_free(s);
    return NULL;
}

void
qc_qmp_schema_free(qc_qmp_schema *s)
{
    if (!s)
        return;
    json_object_put(s->index);
    json_object_put(s->entries);
    free(s);
}

static const char *
qc_sq_str(json_object *o, const char *key)
{
    json_object *v;

    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static json_object *
qc_sq_array(json_object *o, const char *key)
{
    json_object *v;

    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
        return NULL;
    return v;
}

/* Element of array `key` of o whose member `field` equals `value`. */
static json_object *
qc_sq_find(json_object *o, const char *key, const char *field, const char *value)
{
    json_object *a = qc_sq_array(o, key);
    size_t n = a ? json_object_array_length(a) : 0;

    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        const char *s = qc_sq_str(e, field);
        if (s && strcmp(s, value) == 0)
            return e;
    }
    return NULL;
}

static json_object *
qc_sq_lookup(const qc_qmp_schema *s, const char *name)
{
    json_object *e;

    if (!name || !json_object_object_get_ex(s->index, name, &e))
        return NULL;
    return e;
}

/* Does array `key` of o contain string value (plain strings or {"name": value})? */
static bool
qc_sq_has_string(json_object *o, const char *key, const char *value)
{
    json_object *a = qc_sq_array(o, key);
    size_t n = a ? json_object_array_length(a) : 0;

    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        const char *v = json_object_is_type(e, json_type_string) ? json_object_get_string(e)
                                                                  : qc_sq_str(e, "name");
        if (v && strcmp(v, value) == 0)
            return true;
    }
    return false;
}

static bool qc_sq_walk(const qc_qmp_schema *s, json_object *cur, char **q, size_t nq, int depth);

static bool
qc_sq_walk_name(const qc_qmp_schema *s, const char *type, char **q, size_t nq, int depth)
{
    json_object *e = qc_sq_lookup(s, type);

    return e && qc_sq_walk(s, e, q, nq, depth + 1);
}

/* cur: a schema entry; q: the remaining components. */
static bool
qc_sq_walk(const qc_qmp_schema *s, json_object *cur, char **q, size_t nq, int depth)
{
    const char *meta = qc_sq_str(cur, "meta-type");
    const char *c;

    if (depth > 64 || !meta) /* recursive types: a malformed schema must not loop */
        return false;
    if (nq == 0)
        return true;
    c = q[0];
    if (c[0] == '$')
        return nq == 1 && qc_sq_has_string(cur, "features", c + 1);
    if (strcmp(meta, "array") == 0)
        return qc_sq_walk_name(s, qc_sq_str(cur, "element-type"), q, nq, depth);
    if (strcmp(meta, "alternate") == 0) {
        json_object *a = qc_sq_array(cur, "members");
        size_t n = a ? json_object_array_length(a) : 0;
        for (size_t i = 0; i < n; i++) {
            if (qc_sq_walk_name(s, qc_sq_str(json_object_array_get_idx(a, i), "type"), q, nq,
                                depth))
                return true;
        }
        return false;
    }
    if (strcmp(meta, "command") == 0 || strcmp(meta, "event") == 0) {
        if (strcmp(c, "arg-type") != 0 && strcmp(c, "ret-type") != 0)
            return false;
        return qc_sq_walk_name(s, qc_sq_str(cur, c), q + 1, nq - 1, depth);
    }
    if (strcmp(meta, "enum") == 0)
        return nq == 1 && c[0] == '^' &&
               (qc_sq_has_string(cur, "values", c + 1) ||
                qc_sq_has_string(cur, "members", c + 1));
    if (strcmp(meta, "builtin") == 0) {
        const char *jt = qc_sq_str(cur, "json-type");
        return nq == 1 && c[0] == '!' && jt && strcmp(jt, c + 1) == 0;
    }
    if (strcmp(meta, "object") == 0) {
        json_object *m;
        if (c[0] == '^' || c[0] == '!')
            return false;
        if (c[0] == '+') {
            m = qc_sq_find(cur, "variants", "case", c + 1);
        } else {
            const char *name = c[0] == '*' ? c + 1 : c;
            json_object *dflt;
            m = qc_sq_find(cur, "members", "name", name);
            /* an optional member carries "default" (always null in QEMU's schema) */
            if (m && c[0] == '*' && !json_object_object_get_ex(m, "default", &dflt))
                return false;
        }
        return m && qc_sq_walk_name(s, qc_sq_str(m, "type"), q + 1, nq - 1, depth);
    }
    return false;
}

bool
qc_qmp_schema_query(const qc_qmp_schema *s, const char *path)
{
    QC_CLEANUP(qc_freep) char *copy = NULL;
    char *comp[32];
    size_t n = 0;
    char *save = NULL;
    json_object *root;

    if (!s || !path || !*path || !(copy = strdup(path)))
        return false;
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (n == QC_N_ELEMENTS(comp) || !*t)
            return false;
        comp[n++] = t;
    }
    if (n == 0 || !(root = qc_sq_lookup(s, comp[0])))
        return false;
    return qc_sq_walk(s, root, comp + 1, n - 1, 0);
}

int
qc_qmp_schema_names(const qc_qmp_schema *s, const char *meta_type, qc_strlist *l, qc_error **err)
{
    size_t n = json_object_array_length(s->entries);

    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(s->entries, i);
        const char *meta = qc_sq_str(e, "meta-type");
        if (meta && strcmp(meta, meta_type) == 0 &&
            qc_strlist_add(l, qc_sq_str(e, "name"), err) < 0)
            return -1;
    }
    return 0;
}

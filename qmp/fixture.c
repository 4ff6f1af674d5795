/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fixture.c: the loaded fixture (accessors), canonical JSON and the command match key, and
 * the replay cursor; parsing is in fixture-read.c, writing in fixture-write.c. */
#include "qmp/fixture-internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

struct qc_fixture_cursor {
    const qc_fixture *fx;
    const qc_fixture_section *section;
    json_object *next; /* object: match key -> index of the next reply to hand out */
};

/* ---- canonical JSON ---------------------------------------------------------------- */

static int
qc_strcmp_p(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* A copy of v sharing its scalars, with every object's keys inserted in sorted order
 * (json-c prints keys in insertion order). */
static json_object *
qc_json_sorted(json_object *v, qc_error **err)
{
    if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        QC_CLEANUP(json_object_putp) json_object *copy = json_object_new_array_ext((int) n);

        if (!copy)
            goto oom;
        for (size_t i = 0; i < n; i++) {
            json_object *item = qc_json_sorted(json_object_array_get_idx(v, i), err);
            if (!item && json_object_array_get_idx(v, i))
                return NULL;
            if (json_object_array_add(copy, item) < 0) {
                json_object_put(item);
                goto oom;
            }
        }
        return qc_steal(&copy);
    }
    if (json_object_is_type(v, json_type_object)) {
        size_t n = (size_t) json_object_object_length(v), i = 0;
        qc_autofree const char **keys = calloc(n ? n : 1, sizeof(*keys));
        QC_CLEANUP(json_object_putp) json_object *copy = json_object_new_object();

        if (!keys || !copy)
            goto oom;
        json_object_object_foreach(v, key, val) {
            (void) val;
            keys[i++] = key;
        }
        qsort(keys, n, sizeof(*keys), qc_strcmp_p);
        for (i = 0; i < n; i++) {
            json_object *member = NULL, *item;

            json_object_object_get_ex(v, keys[i], &member);
            item = qc_json_sorted(member, err);
            if (!item && member)
                return NULL;
            if (json_object_object_add(copy, keys[i], item) < 0) {
                json_object_put(item);
                goto oom;
            }
        }
        return qc_steal(&copy);
    }
    return json_object_get(v);

oom:
    qc_error_set(err, QC_E_NOMEM, "out of memory building canonical JSON");
    return NULL;
}

char *
qc_json_canonical(json_object *v, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *sorted = NULL;
    const char *text;
    char *copy;

    if (v) {
        sorted = qc_json_sorted(v, err);
        if (!sorted)
            return NULL;
    }
    text = json_object_to_json_string_ext(sorted,
                                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text || !(copy = strdup(text))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory printing canonical JSON");
        return NULL;
    }
    return copy;
}

char *
qc_fixture_key(const char *command, json_object *args, char **ret_args_text, qc_error **err)
{
    qc_autofree char *canon = NULL;
    char *key = NULL;

    if (args)
        canon = qc_json_canonical(args, err);
    else
        canon = strdup("{}");
    if (!canon) {
        qc_error_set(err, QC_E_NOMEM, "out of memory building fixture key");
        return NULL;
    }
    if (asprintf(&key, "%s\n%s", command, canon) < 0) {
        qc_error_set(err, QC_E_NOMEM, "out of memory building fixture key");
        return NULL;
    }
    if (ret_args_text)
        *ret_args_text = qc_steal(&canon);
    return key;
}

/* ---- fixture object ---------------------------------------------------------------- */

void
qc_fixture_free(qc_fixture *fx)
{
    if (!fx)
        return;
    for (size_t i = 0; i < fx->n_sections; i++) {
        free(fx->sections[i].name);
        json_object_put(fx->sections[i].messages);
        json_object_put(fx->sections[i].replies);
    }
    free(fx->sections);
    json_object_put(fx->header);
    free(fx->name);
    free(fx);
}

const char *
qc_fixture_name(const qc_fixture *fx)
{
    return fx ? fx->name : NULL;
}

json_object *
qc_fixture_header(const qc_fixture *fx)
{
    return fx ? fx->header : NULL;
}

bool
qc_fixture_is_libvirt_layout(const qc_fixture *fx)
{
    return fx && fx->libvirt;
}

size_t
qc_fixture_section_count(const qc_fixture *fx)
{
    return fx ? fx->n_sections : 0;
}

const char *
qc_fixture_section_name(const qc_fixture *fx, size_t i)
{
    return fx && i < fx->n_sections ? fx->sections[i].name : NULL;
}

json_object *
qc_fixture_section_messages(const qc_fixture *fx, size_t i)
{
    return fx && i < fx->n_sections ? fx->sections[i].messages : NULL;
}

const qc_fixture_section *
qc_fixture_find_section(const qc_fixture *fx, const char *name)
{
    for (size_t i = 0; i < fx->n_sections; i++)
        if (strcmp(fx->sections[i].name, name) == 0)
            return &fx->sections[i];
    return NULL;
}

bool
qc_fixture_has_section(const qc_fixture *fx, const char *name)
{
    return fx && name && qc_fixture_find_section(fx, name);
}

/* ---- cursor ------------------------------------------------------------------------ */

qc_fixture_cursor *
qc_fixture_cursor_new(const qc_fixture *fx, const char *section, qc_error **err)
{
    qc_fixture_cursor *c;
    const qc_fixture_section *s = NULL;

    if (!fx) {
        qc_error_set(err, QC_E_INVALID, "no fixture given");
        return NULL;
    }
    if (section)
        s = qc_fixture_find_section(fx, section);
    else if (fx->n_sections > 0)
        s = &fx->sections[0];
    if (!s) {
        qc_error_set(err, QC_E_NOTFOUND, "fixture '%s' has no section '%s'", fx->name,
                     section ? section : "(first)");
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (!c || !(c->next = json_object_new_object())) {
        free(c);
        qc_error_set(err, QC_E_NOMEM, "out of memory creating fixture cursor");
        return NULL;
    }
    c->fx = fx;
    c->section = s;
    return c;
}

json_object *
qc_fixture_cursor_reply(qc_fixture_cursor *c, const char *command, json_object *args,
                        qc_error **err)
{
    qc_autofree char *args_text = NULL;
    qc_autofree char *key = NULL;
    json_object *list = NULL, *pos = NULL;
    size_t n, idx = 0;

    if (!c || !command) {
        qc_error_set(err, QC_E_INVALID, "no fixture cursor or command given");
        return NULL;
    }
    key = qc_fixture_key(command, args, &args_text, err);
    if (!key)
        return NULL;
    if (!json_object_object_get_ex(c->section->replies, key, &list) ||
        (n = json_object_array_length(list)) == 0) {
        qc_error_set(err, QC_E_NOTFOUND,
                     "fixture '%s' has no reply for '%s' with arguments %s in section '%s'",
                     c->fx->name, command, args_text, c->section->name);
        return NULL;
    }
    if (json_object_object_get_ex(c->next, key, &pos))
        idx = (size_t) json_object_get_int64(pos);
    /* Successive identical commands walk the recorded replies; the last one repeats. */
    if (idx + 1 < n) {
        json_object *nextpos = json_object_new_int64((int64_t) idx + 1);
        if (!nextpos || json_object_object_add(c->next, key, nextpos) < 0) {
            json_object_put(nextpos);
            qc_error_set(err, QC_E_NOMEM, "out of memory advancing fixture cursor");
            return NULL;
        }
    }
    return json_object_array_get_idx(list, idx < n ? idx : n - 1);
}

json_object *
qc_fixture_cursor_greeting(qc_fixture_cursor *c)
{
    return c ? c->section->greeting : NULL;
}

void
qc_fixture_cursor_free(qc_fixture_cursor *c)
{
    if (!c)
        return;
    json_object_put(c->next);
    free(c);
}

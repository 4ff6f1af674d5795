/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* answer.c: documents rendered from an entry, kept beside it (cache.h, "answers").
 *
 * A cached query that only had to parse its entry still rebuilt a 200 KB model and
 * rendered the document again: ten times the work of reading the document back. An
 * answer file holds that document with everything it was made from, so that reading it
 * back is exactly as right as rendering it again.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cache/cache-internal.h"
#include "common/fileio.h"
#include "common/jsonread.h"
#include "common/pathsig.h"

#define QC_ANSWER_MAGIC "{\"qcaps-answer\":"
#define QC_ANSWER_FORMAT 1
#define QC_ANSWER_MAX_BYTES ((size_t) 64 << 20)
#define QC_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

void
qc_cache_answer_clear(qc_cache_answer *a)
{
    if (!a)
        return;
    free(a->text);
    qc_strlist_clear(&a->warnings);
    memset(a, 0, sizeof(*a));
}

void
qc_cache_answer_src_clear(qc_cache_answer_src *s)
{
    if (!s)
        return;
    qc_strlist_clear(&s->entry_emulators);
    qc_strlist_clear(&s->entry_ids);
    qc_strlist_clear(&s->input_paths);
    qc_strlist_clear(&s->input_sigs);
    qc_strlist_clear(&s->warnings);
}

/* <entry of owner, or the cache's own pseudo-entry>.<hash of the slot>.answer */
static char *
qc_answer_name(const char *owner, const char *slot, qc_error **err)
{
    qc_autofree char *entry = owner ? qc_cache_entry_name(owner, err)
                                    : strdup(QC_CACHE_OWN_ENTRY QC_CACHE_SUFFIX);
    char *name = NULL;

    if (!entry) {
        if (!owner)
            qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (asprintf(&name, "%s.%016llx" QC_CACHE_ANSWER_INFIX, entry,
                 (unsigned long long) qc_cache_hash(slot, strlen(slot))) < 0) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    return name;
}

char *
qc_cache_fresh_id(qc_cache *c, const char *emulator, bool *ret_oom)
{
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qc_autofree char *name = qc_cache_entry_name(emulator, NULL);
    qc_autofree char *data = NULL;
    qc_autofree char *reason = NULL;
    qc_cache_header h;
    size_t len = 0, body = 0;
    char *id = NULL;
    int state;

    *ret_oom = false;
    if (!name) {
        *ret_oom = true;
        return NULL;
    }
    /* the key header is all it takes: line 1 names the model lines by their checksums */
    state = qc_cache_read_head(c, emulator, name, 1, &data, &len, &h, &body, &reason, &err);
    if (state != QC_CACHE_FRESH) {
        *ret_oom = state < 0 && err && err->code == QC_E_NOMEM;
        return NULL;
    }
    qc_cache_header_clear(&h);
    if (!(id = qc_cache_entry_id(data, body - 1)))
        *ret_oom = true;
    return id;
}

/* String member `key` of o is `want`. */
static bool
qc_js_streq(qc_jr *r, json_object *o, const char *key, const char *want)
{
    json_object *v = NULL;

    return qc_jr_get(r, o, key, json_type_string, false, &v) == 0 &&
           strcmp(json_object_get_string(v), want) == 0;
}

/* The strings of a [a, b] pair, or false. */
static bool
qc_js_pair(json_object *pair, const char **a, const char **b)
{
    json_object *x, *y;

    if (!json_object_is_type(pair, json_type_array) || json_object_array_length(pair) != 2 ||
        !json_object_is_type(x = json_object_array_get_idx(pair, 0), json_type_string) ||
        !json_object_is_type(y = json_object_array_get_idx(pair, 1), json_type_string))
        return false;
    *a = json_object_get_string(x);
    *b = json_object_get_string(y);
    return true;
}

/* Every [emulator, id] of array `entries` (not empty) names a valid entry that is still
 * that one, and every [path, signature] of array `inputs` still holds: 1, else 0 (-1 on OOM). */
static int
qc_answer_sources_hold(qc_cache *c, json_object *entries, json_object *inputs)
{
    const char *a, *b;

    if (!json_object_array_length(entries))
        return 0;
    for (size_t i = 0; i < json_object_array_length(entries); i++) {
        qc_autofree char *id = NULL;
        bool oom = false;
        if (!qc_js_pair(json_object_array_get_idx(entries, i), &a, &b))
            return 0;
        if (!(id = qc_cache_fresh_id(c, a, &oom)))
            return oom ? -1 : 0;
        if (strcmp(id, b) != 0)
            return 0;
    }
    for (size_t i = 0; i < json_object_array_length(inputs); i++) {
        char sig[QC_PATHSIG_MAX];
        if (!qc_js_pair(json_object_array_get_idx(inputs, i), &a, &b))
            return 0;
        qc_pathsig(a, sig);
        if (strcmp(sig, b) != 0)
            return 0;
    }
    return 1;
}

int
qc_cache_answer_decode(const qc_cache *c, char *data, size_t len, const char *query,
                       qc_cache_answer *ret, json_object **ret_header)
{
    QC_CLEANUP(json_object_putp) json_object *o = NULL;
    json_object *hash = NULL, *warnings = NULL, *w;
    json_tokener *tok;
    const char *nl;
    size_t body;
    int64_t format, bytes;
    qc_jr r;

    memset(ret, 0, sizeof(*ret));
    *ret_header = NULL;
    if (len < strlen(QC_ANSWER_MAGIC) || memcmp(data, QC_ANSWER_MAGIC, strlen(QC_ANSWER_MAGIC)) ||
        !(nl = memchr(data, '\n', len)))
        return 0;
    if (!(tok = json_tokener_new()))
        return -1;
    o = json_tokener_parse_ex(tok, data, (int) (nl - data));
    json_tokener_free(tok);
    body = (size_t) (nl - data) + 1;
    /* a malformed header is no answer: only whether it is matters, not why */
    qc_jr_init(&r, NULL, NULL, NULL);
    if (!o || qc_jr_check(&r, o, json_type_object, false) < 0 ||
        qc_jr_int64(&r, o, "qcaps-answer", &format) < 0 || format != QC_ANSWER_FORMAT ||
        !qc_js_streq(&r, o, "engine", c->engine) || !qc_js_streq(&r, o, "query", query) ||
        qc_jr_int64(&r, o, "bytes", &bytes) < 0)
        return 0;
    if (bytes < 0 || (size_t) bytes != len - body ||
        qc_jr_get(&r, o, "hash", json_type_string, false, &hash) < 0 ||
        strtoull(json_object_get_string(hash), NULL, 16) !=
            qc_cache_hash(data + body, len - body) ||
        qc_jr_get(&r, o, "warnings", json_type_array, false, &warnings) < 0 ||
        !json_object_object_get_ex(o, "entries", NULL) ||
        !json_object_object_get_ex(o, "inputs", NULL))
        return 0;
    for (size_t i = 0; i < json_object_array_length(warnings); i++) {
        if (qc_jr_elem(&r, warnings, i, json_type_string, &w) < 0) {
            qc_strlist_clear(&ret->warnings);
            return 0;
        }
        if (qc_strlist_add(&ret->warnings, json_object_get_string(w), NULL) < 0)
            return -1;
    }
    memmove(data, data + body, len - body);
    data[len - body] = '\0';
    ret->text = data;
    ret->len = len - body;
    *ret_header = qc_steal(&o);
    return 1;
}

int
qc_cache_answer_sources_hold(qc_cache *c, json_object *header)
{
    json_object *entries = NULL, *inputs = NULL;
    qc_jr r;

    qc_jr_init(&r, NULL, NULL, NULL);
    if (qc_jr_get(&r, header, "entries", json_type_array, false, &entries) < 0 ||
        qc_jr_get(&r, header, "inputs", json_type_array, false, &inputs) < 0)
        return 0;
    return qc_answer_sources_hold(c, entries, inputs);
}

int
qc_cache_answer_get(qc_cache *c, const char *owner, const char *slot, const char *query,
                    qc_cache_answer *ret, qc_error **err)
{
    QC_CLEANUP(qc_error_freep) qc_error *rerr = NULL;
    qc_autofree char *name = NULL;
    qc_autofree char *data = NULL;
    json_object *header = NULL;
    size_t len = 0;
    int r;

    memset(ret, 0, sizeof(*ret));
    if (!(name = qc_answer_name(owner, slot, err)))
        return -1;
    /* none, a symlink, no regular file, too large, unreadable: no answer */
    if (qc_file_read(c->dirfd, name, QC_READ_NOFOLLOW | QC_READ_REGULAR, QC_ANSWER_MAX_BYTES,
                     &data, &len, &rerr) < 0)
        return rerr->code == QC_E_NOMEM ? qc_error_set(err, QC_E_NOMEM, "out of memory") : 0;
    if ((r = qc_cache_answer_decode(c, data, len, query, ret, &header)) == 1) {
        ret->text = NULL; /* still data's until the sources are known to hold */
        r = qc_cache_answer_sources_hold(c, header);
        json_object_put(header);
    }
    if (r < 0) {
        qc_cache_answer_clear(ret);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    if (r == 1)
        ret->text = qc_steal(&data); /* decoded in place */
    else
        qc_cache_answer_clear(ret);
    return r;
}

/* [[a[0], b[0]], ...] */
static json_object *
qc_js_pairs(const qc_strlist *a, const qc_strlist *b)
{
    json_object *arr = json_object_new_array();

    for (size_t i = 0; arr && i < a->n; i++) {
        json_object *pair = json_object_new_array();
        if (!pair || json_object_array_add(arr, pair) < 0 ||
            json_object_array_add(pair, json_object_new_string(a->v[i])) < 0 ||
            json_object_array_add(pair, json_object_new_string(b->v[i])) < 0) {
            if (pair && json_object_array_length(arr) <= i)
                json_object_put(pair);
            json_object_put(arr);
            return NULL;
        }
    }
    return arr;
}

static json_object *
qc_answer_header(const qc_cache *c, const char *query, const qc_cache_answer_src *src,
                 const char *text, size_t len)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    json_object *entries = qc_js_pairs(&src->entry_emulators, &src->entry_ids);
    json_object *inputs = qc_js_pairs(&src->input_paths, &src->input_sigs);
    json_object *w = json_object_new_array();
    char hash[17];
    bool ok = o && entries && inputs && w;

    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long) qc_cache_hash(text, len));
    for (size_t i = 0; ok && i < src->warnings.n; i++)
        ok = json_object_array_add(w, json_object_new_string(src->warnings.v[i])) == 0;
    if (!ok) {
        json_object_put(entries);
        json_object_put(inputs);
        json_object_put(w);
        return NULL;
    }
    ok = json_object_object_add(o, "qcaps-answer", json_object_new_int(QC_ANSWER_FORMAT)) == 0 &&
         json_object_object_add(o, "engine", json_object_new_string(c->engine)) == 0 &&
         json_object_object_add(o, "query", json_object_new_string(query)) == 0 &&
         json_object_object_add(o, "entries", entries) == 0 &&
         json_object_object_add(o, "inputs", inputs) == 0 &&
         json_object_object_add(o, "warnings", w) == 0 &&
         json_object_object_add(o, "bytes", json_object_new_int64((int64_t) len)) == 0 &&
         json_object_object_add(o, "hash", json_object_new_string(hash)) == 0;
    return ok ? qc_steal(&o) : NULL;
}

int
qc_cache_answer_put(qc_cache *c, const char *owner, const char *slot, const char *query,
                    const qc_cache_answer_src *src, const char *text, size_t len,
                    qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *head = NULL;
    qc_autofree char *name = NULL;
    struct iovec iov[3];
    const char *line;

    if (src->entry_emulators.n != src->entry_ids.n || !src->entry_ids.n ||
        src->input_paths.n != src->input_sigs.n)
        return qc_error_set(err, QC_E_INVALID, "an answer needs its entries, each with its id, "
                                               "and a signature per input");
    if (!(name = qc_answer_name(owner, slot, err)))
        return -1;
    if (!(head = qc_answer_header(c, query, src, text, len)) ||
        !(line = json_object_to_json_string_ext(head, QC_JSON_FLAGS)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    iov[0].iov_base = (void *) line;
    iov[0].iov_len = strlen(line);
    iov[1].iov_base = (void *) "\n";
    iov[1].iov_len = 1;
    iov[2].iov_base = (void *) text;
    iov[2].iov_len = len;
    /* No fsync: a torn answer fails its checksum and is rendered again. */
    if (qc_file_write_atomic(c->dirfd, name, iov, 3, 0644, QC_SYNC_NONE, err) < 0) {
        qc_error_prefix(err, "cache directory '%s'", c->dir);
        return -1;
    }
    return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* entry.c: the cache entry file format (key header + model JSON) and key comparison. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cache/cache-internal.h"
#include "common/jsonread.h"
#include "common/jsonwrite.h"
#include "model/model-json.h"

#define QC_CACHE_MAGIC "{\"qcaps-cache\":"
#define QC_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

void
qc_cache_keys_clear(qc_cache_keys *k)
{
    if (!k)
        return;
    free(k->emulator);
    free(k->moddir);
    memset(k, 0, sizeof(*k));
}

void
qc_cache_header_clear(qc_cache_header *h)
{
    if (!h)
        return;
    free(h->engine);
    qc_cache_keys_clear(&h->keys);
    qc_host_inputs_clear(&h->inputs);
    free(h->qemu_version);
    free(h->target);
    memset(h, 0, sizeof(*h));
}

static int
qc_js_set_opt(json_object *o, const char *key, const char *s)
{
    return s ? qc_json_add(o, key, json_object_new_string(s)) : qc_json_add_null(o, key);
}

static json_object *
qc_cache_keys_json(const qc_cache_keys *k)
{
    QC_CLEANUP(json_object_putp) json_object *bin = json_object_new_object();

    if (!bin || qc_json_add(bin, "dev", json_object_new_int64((int64_t) k->dev)) < 0 ||
        qc_json_add(bin, "ino", json_object_new_int64((int64_t) k->ino)) < 0 ||
        qc_json_add(bin, "size", json_object_new_int64((int64_t) k->size)) < 0 ||
        qc_json_add(bin, "mtime-ns", json_object_new_int64(k->mtime_ns)) < 0 ||
        qc_json_add(bin, "ctime-ns", json_object_new_int64(k->ctime_ns)) < 0)
        return NULL;
    return qc_steal(&bin);
}

static json_object *
qc_cache_moddir_json(const qc_cache_keys *k)
{
    QC_CLEANUP(json_object_putp) json_object *mod = json_object_new_object();

    if (!mod || qc_json_add(mod, "path", json_object_new_string(k->moddir)) < 0 ||
        qc_json_add(mod, "mtime-ns", json_object_new_int64(k->moddir_mtime_ns)) < 0)
        return NULL;
    return qc_steal(&mod);
}

/* The lengths and checksums of the entry's two model lines. */
typedef struct qc_cache_bodies {
    size_t guests_len, model_len;
    uint64_t guests_hash, model_hash;
} qc_cache_bodies;

static json_object *
qc_cache_header_json(const qc_cache *c, const qc_cache_keys *k, const qc_model *m,
                     int probe_ms, const qc_cache_bodies *b, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    char version[64], hash[17], ghash[17];
    json_object *host = json_object_new_object();

    snprintf(version, sizeof(version), "%d.%d.%d", m->version_major, m->version_minor,
             m->version_micro);
    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long) b->model_hash);
    snprintf(ghash, sizeof(ghash), "%016llx", (unsigned long long) b->guests_hash);
    for (size_t i = 0; host && i < c->inputs.names.n; i++) {
        if (qc_json_add(host, c->inputs.names.v[i],
                      json_object_new_string(c->inputs.values.v[i])) < 0) {
            json_object_put(host);
            host = NULL;
        }
    }
    if (!o || !host ||
        qc_json_add(o, "qcaps-cache", json_object_new_int(QC_CACHE_FORMAT_VERSION)) < 0 ||
        qc_json_add(o, "engine", json_object_new_string(c->engine)) < 0 ||
        qc_json_add(o, "model-format", json_object_new_int(QC_MODEL_FORMAT_VERSION)) < 0 ||
        qc_json_add(o, "emulator", json_object_new_string(k->emulator)) < 0 ||
        qc_json_add(o, "binary", qc_cache_keys_json(k)) < 0 ||
        (k->moddir ? qc_json_add(o, "module-dir", qc_cache_moddir_json(k))
                   : qc_json_add_null(o, "module-dir")) < 0 ||
        qc_json_add(o, "host-inputs", qc_steal(&host)) < 0 ||
        qc_json_add(o, "qemu-version", json_object_new_string(version)) < 0 ||
        qc_js_set_opt(o, "target", m->target) < 0 ||
        qc_json_add(o, "probed-at", json_object_new_int64((int64_t) time(NULL))) < 0 ||
        qc_json_add(o, "probe-ms", json_object_new_int(probe_ms)) < 0 ||
        qc_json_add(o, "guests-bytes", json_object_new_int64((int64_t) b->guests_len)) < 0 ||
        qc_json_add(o, "guests-hash", json_object_new_string(ghash)) < 0 ||
        qc_json_add(o, "model-bytes", json_object_new_int64((int64_t) b->model_len)) < 0 ||
        qc_json_add(o, "model-hash", json_object_new_string(hash)) < 0) {
        json_object_put(host);
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    return qc_steal(&o);
}

char *
qc_cache_entry_encode(const qc_cache *c, const qc_cache_keys *k, const qc_model *m,
                      int probe_ms, size_t *ret_len, qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *model = NULL;
    QC_CLEANUP(json_object_putp) json_object *guests = NULL;
    QC_CLEANUP(json_object_putp) json_object *head = NULL;
    const char *body, *gbody, *line;
    qc_cache_bodies b;
    size_t llen;
    char *out, *p;

    if (!(model = qc_model_to_json(m, err)) ||
        !(guests = qc_model_to_json_view(m, QC_MODEL_VIEW_GUESTS, err)))
        return NULL;
    if (!(body = json_object_to_json_string_ext(model, QC_JSON_FLAGS)) ||
        !(gbody = json_object_to_json_string_ext(guests, QC_JSON_FLAGS))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    b.model_len = strlen(body);
    b.guests_len = strlen(gbody);
    b.model_hash = qc_cache_hash(body, b.model_len);
    b.guests_hash = qc_cache_hash(gbody, b.guests_len);
    if (!(head = qc_cache_header_json(c, k, m, probe_ms, &b, err)))
        return NULL;
    if (!(line = json_object_to_json_string_ext(head, QC_JSON_FLAGS))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    llen = strlen(line);
    if (!(out = malloc(llen + b.guests_len + b.model_len + 4))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    p = mempcpy(out, line, llen);
    *p++ = '\n';
    p = mempcpy(p, gbody, b.guests_len);
    *p++ = '\n';
    p = mempcpy(p, body, b.model_len);
    *p++ = '\n';
    *p = '\0';
    *ret_len = (size_t) (p - out);
    return out;
}

/* ---- decoding --------------------------------------------------------------------- */

static int
qc_cache_broken(char **ret_reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
qc_cache_broken(char **ret_reason, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(ret_reason, fmt, ap) < 0)
        *ret_reason = NULL;
    va_end(ap);
    return -1;
}

/* Line 1 is ours: a member that is missing or mistyped makes it corrupt, whichever. */
static bool
qc_cache_keys_from_json(qc_jr *r, json_object *o, qc_cache_header *h)
{
    json_object *bin = NULL, *mod = NULL;
    int64_t dev, ino, size;

    if (qc_jr_get(r, o, "binary", json_type_object, false, &bin) < 0 ||
        qc_jr_str(r, o, "emulator", false, &h->keys.emulator) < 0 ||
        qc_jr_int64(r, bin, "dev", &dev) < 0 || qc_jr_int64(r, bin, "ino", &ino) < 0 ||
        qc_jr_int64(r, bin, "size", &size) < 0 ||
        qc_jr_int64(r, bin, "mtime-ns", &h->keys.mtime_ns) < 0 ||
        qc_jr_int64(r, bin, "ctime-ns", &h->keys.ctime_ns) < 0)
        return false;
    h->keys.dev = (uint64_t) dev;
    h->keys.ino = (uint64_t) ino;
    h->keys.size = (uint64_t) size;
    if (qc_jr_get(r, o, "module-dir", json_type_object, true, &mod) < 0)
        return false;
    return !mod || (qc_jr_str(r, mod, "path", false, &h->keys.moddir) == 0 &&
                    qc_jr_int64(r, mod, "mtime-ns", &h->keys.moddir_mtime_ns) == 0);
}

static int
qc_cache_header_fields(qc_jr *r, json_object *o, qc_cache_header *h, char **ret_reason)
{
    json_object *host = NULL, *hash = NULL, *ghash = NULL;
    int64_t mf, at, ms, bytes, gbytes;
    char *end = NULL, *gend = NULL;

    if (qc_jr_str(r, o, "engine", false, &h->engine) < 0 ||
        qc_jr_int64(r, o, "model-format", &mf) < 0 || !qc_cache_keys_from_json(r, o, h) ||
        qc_jr_get(r, o, "host-inputs", json_type_object, false, &host) < 0 ||
        qc_jr_str(r, o, "qemu-version", false, &h->qemu_version) < 0 ||
        qc_jr_str(r, o, "target", true, &h->target) < 0 ||
        qc_jr_int64(r, o, "probed-at", &at) < 0 || qc_jr_int64(r, o, "probe-ms", &ms) < 0 ||
        qc_jr_int64(r, o, "model-bytes", &bytes) < 0 ||
        qc_jr_get(r, o, "model-hash", json_type_string, false, &hash) < 0 || bytes < 0 ||
        qc_jr_int64(r, o, "guests-bytes", &gbytes) < 0 ||
        qc_jr_get(r, o, "guests-hash", json_type_string, false, &ghash) < 0 || gbytes < 0)
        return qc_cache_broken(ret_reason, "corrupt: malformed key header");
    json_object_object_foreach(host, key, val) {
        if (!json_object_is_type(val, json_type_string))
            return qc_cache_broken(ret_reason, "corrupt: malformed host inputs");
        if (qc_strlist_add(&h->inputs.names, key, NULL) < 0 ||
            qc_strlist_add(&h->inputs.values, json_object_get_string(val), NULL) < 0)
            return -1;
    }
    h->model_format = (int) mf;
    h->probed_at = at;
    h->probe_ms = (int) ms;
    h->model_bytes = (uint64_t) bytes;
    h->model_hash = strtoull(json_object_get_string(hash), &end, 16);
    h->guests_bytes = (uint64_t) gbytes;
    h->guests_hash = strtoull(json_object_get_string(ghash), &gend, 16);
    if (!end || *end || json_object_get_string_len(hash) != 16 || !gend || *gend ||
        json_object_get_string_len(ghash) != 16)
        return qc_cache_broken(ret_reason, "corrupt: malformed model hash");
    return 0;
}

int
qc_cache_header_decode(const char *data, size_t len, qc_cache_header *h, size_t *ret_body,
                       char **ret_reason)
{
    QC_CLEANUP(json_object_putp) json_object *o = NULL;
    json_tokener *tok;
    const char *nl;
    int64_t format;
    qc_jr r;

    *ret_reason = NULL;
    qc_jr_init(&r, NULL, NULL, NULL);
    memset(h, 0, sizeof(*h));
    if (len == 0)
        return qc_cache_broken(ret_reason, "empty");
    if (len < strlen(QC_CACHE_MAGIC) || memcmp(data, QC_CACHE_MAGIC, strlen(QC_CACHE_MAGIC)))
        return qc_cache_broken(ret_reason, "not a qcaps cache entry");
    if (!(nl = memchr(data, '\n', len)))
        return qc_cache_broken(ret_reason, "truncated in its key header");
    if (!(tok = json_tokener_new()))
        return -1;
    o = json_tokener_parse_ex(tok, data, (int) (nl - data));
    if (o && json_tokener_get_parse_end(tok) < (size_t) (nl - data)) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    if (!o || !json_object_is_type(o, json_type_object))
        return qc_cache_broken(ret_reason, "corrupt: unparsable key header");
    if (qc_jr_int64(&r, o, "qcaps-cache", &format) < 0)
        return qc_cache_broken(ret_reason, "corrupt: no format version");
    if (format > 0 && format < QC_CACHE_FORMAT_VERSION) {
        qc_cache_broken(ret_reason, "cache format %lld (now %d)", (long long) format,
                        QC_CACHE_FORMAT_VERSION);
        return -2;
    }
    if (format != QC_CACHE_FORMAT_VERSION)
        return qc_cache_broken(ret_reason, "unknown format %lld (this qcaps reads format %d)",
                               (long long) format, QC_CACHE_FORMAT_VERSION);
    h->format = (int) format;
    if (qc_cache_header_fields(&r, o, h, ret_reason) < 0) {
        qc_cache_header_clear(h);
        return -1;
    }
    *ret_body = (size_t) (nl - data) + 1;
    return 0;
}

/* ---- comparison --------------------------------------------------------------------- */

static bool
qc_streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

typedef struct qc_diff {
    char *text;
    bool oom;
} qc_diff;

static void
qc_diff_add(qc_diff *d, bool differs, const char *what)
{
    char *n = NULL;

    if (!differs || d->oom)
        return;
    if (asprintf(&n, "%s%s%s", d->text ? d->text : "", d->text ? ", " : "", what) < 0) {
        d->oom = true;
        return;
    }
    free(d->text);
    d->text = n;
}

/* Names every input whose value differs (or that only one side has). */
static void
qc_diff_inputs(qc_diff *d, const qc_host_inputs *was, const qc_host_inputs *now)
{
    for (size_t i = 0; i < now->names.n; i++) {
        ssize_t j = qc_strlist_index(&was->names, now->names.v[i]);
        qc_diff_add(d, j < 0 || strcmp(was->values.v[j], now->values.v[i]) != 0,
                    now->names.v[i]);
    }
    for (size_t j = 0; j < was->names.n; j++)
        qc_diff_add(d, !qc_strlist_contains(&now->names, was->names.v[j]), was->names.v[j]);
}

char *
qc_cache_keys_diff(const qc_cache *c, const qc_cache_header *h, const qc_cache_keys *now,
                   bool *ret_oom)
{
    const qc_cache_keys *was = &h->keys;
    qc_diff d = {NULL, false};

    *ret_oom = false;
    qc_diff_add(&d, !qc_streq(h->engine, c->engine), "qcaps engine version");
    qc_diff_add(&d, h->model_format != QC_MODEL_FORMAT_VERSION, "model format version");
    qc_diff_add(&d, !qc_streq(was->emulator, now->emulator), "emulator path");
    if (now->stat_errno) {
        qc_diff_add(&d, true, "emulator unreadable");
    } else {
        qc_diff_add(&d, was->dev != now->dev || was->ino != now->ino, "binary inode");
        qc_diff_add(&d, was->size != now->size, "binary size");
        qc_diff_add(&d, was->mtime_ns != now->mtime_ns, "binary mtime");
        qc_diff_add(&d, was->ctime_ns != now->ctime_ns, "binary ctime");
    }
    qc_diff_add(&d, !qc_streq(was->moddir, now->moddir), "module directory");
    qc_diff_add(&d, was->moddir && now->moddir && was->moddir_mtime_ns != now->moddir_mtime_ns,
                "module directory mtime");
    qc_diff_inputs(&d, &h->inputs, &c->inputs);
    if (d.oom) {
        free(d.text);
        *ret_oom = true;
        return NULL;
    }
    return d.text;
}

const char *
qc_cache_entry_line(const qc_cache_header *h, const char *body, size_t len, qc_model_view view,
                    size_t *ret_len, char **ret_reason)
{
    uint64_t g = h->guests_bytes, m = h->model_bytes;
    bool full = view == QC_MODEL_VIEW_FULL;
    uint64_t need = full ? g + 1 + m + 1 : g + 1;

    *ret_reason = NULL;
    if (len < need) {
        qc_cache_broken(ret_reason, "truncated (%zu of %llu bytes)", len,
                        (unsigned long long) need);
        return NULL;
    }
    if ((full && len != need) || body[g] != '\n' || (full && body[need - 1] != '\n')) {
        qc_cache_broken(ret_reason, "corrupt: trailing data");
        return NULL;
    }
    if (qc_cache_hash(body, g) != h->guests_hash ||
        (full && qc_cache_hash(body + g + 1, m) != h->model_hash)) {
        qc_cache_broken(ret_reason, "corrupt: model checksum mismatch");
        return NULL;
    }
    *ret_len = full ? m : g;
    return full ? body + g + 1 : body;
}

qc_model *
qc_cache_entry_model(const qc_cache_header *h, const char *body, size_t len, qc_model_view view,
                     char **ret_reason)
{
    QC_CLEANUP(json_object_putp) json_object *o = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    json_tokener *tok;
    const char *line;
    size_t llen = 0;
    qc_model *m;

    if (!(line = qc_cache_entry_line(h, body, len, view, &llen, ret_reason)))
        return NULL;
    if (!(tok = json_tokener_new()))
        return NULL;
    o = json_tokener_parse_ex(tok, line, (int) llen);
    json_tokener_free(tok);
    if (!o) {
        qc_cache_broken(ret_reason, "corrupt: unparsable model");
        return NULL;
    }
    if (!(m = qc_model_from_json(o, &e))) {
        if (e && e->code == QC_E_NOMEM)
            return NULL;
        qc_cache_broken(ret_reason, "corrupt: %s", e && e->message ? e->message : "bad model");
        return NULL;
    }
    if (m->view != view) {
        qc_model_free(m);
        qc_cache_broken(ret_reason, "corrupt: the model line is not the %s view",
                        view == QC_MODEL_VIEW_FULL ? "full" : "guests");
        return NULL;
    }
    return m;
}

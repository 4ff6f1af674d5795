/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* answer.c: documents rendered from an entry, kept beside it (cache.h, "answers").
 *
 * A cached query that only had to parse its entry still rebuilt a 200 KB model and
 * rendered the document again: ten times the work of reading the document back. An
 * answer file holds that document with everything it was made from, so that reading it
 * back is exactly as right as rendering it again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <json-c/json.h>

#include "cache/cache-internal.h"
#include "common/fileio.h"
#include "common/fmt.h"
#include "common/jsonread.h"
#include "common/pathsig.h"

#define QC_ANSWER_MAGIC "{\"qcaps-answer\":"
/* 2: entries carry their file signature and keys; 3: the query follows the header line
 * as raw bytes (a capabilities query holds all the host facts: as a JSON string it was a
 * third of a cached query's instructions to unescape) and the checksum is qc_answer_sum();
 * 4: the signatures follow the query as raw bytes too (the sources section), and the
 * header only names the entries and inputs (parsing 26 entries' signatures as JSON, and
 * freeing them, was a quarter of a cached capabilities query) */
#define QC_ANSWER_FORMAT 4
/* the member of a decoded header that holds a copy of the sources section */
#define QC_ANSWER_SOURCES " sources"
#define QC_ANSWER_MAX_BYTES ((size_t) 64 << 20)
#define QC_JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* The checksum of what follows an answer's header line: it finds a torn or damaged file
 * (answers are not synced), nothing more, so it takes eight bytes a step where the byte-wise
 * qc_cache_hash() of the names took a fifth of a cached capabilities query. */
static uint64_t
qc_answer_sum(const char *data, size_t len)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = 0xcbf29ce484222325ULL ^ (len * k);
    size_t i = 0;

    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 31;
    }
    for (; i < len; i++)
        h = (h ^ (unsigned char) data[i]) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

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

static bool
qc_js_streq(json_object *o, const char *key, const char *want)
{
    json_object *v = NULL;

    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) &&
           strcmp(json_object_get_string(v), want) == 0;
}

/* An array of strings, or false. */
static bool
qc_js_strings(json_object *a)
{
    if (!json_object_is_type(a, json_type_array))
        return false;
    for (size_t i = 0; i < json_object_array_length(a); i++)
        if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string))
            return false;
    return true;
}

/* What an entry's validity compares besides its identity, as one string: the binary's
 * keys and its module directory (qc_cache_keys_diff()); NULL when the binary is
 * unreadable (never valid) or on OOM. */
static char *
qc_answer_keysig(const qc_cache_keys *k)
{
    const char *emu = k->emulator ? k->emulator : "", *moddir = k->moddir ? k->moddir : "-";
    char *s, *p;

    if (k->stat_errno)
        return NULL;
    /* "%s %llx:%llx:%llx:%lld:%lld %s %lld", without printf's cost (fmt.h) */
    if (!(s = malloc(strlen(emu) + strlen(moddir) + 8 * QC_FMT_U64_MAX)))
        return NULL;
    p = qc_fmt_char(qc_fmt_str(s, emu), ' ');
    p = qc_fmt_char(qc_fmt_hex(p, k->dev), ':');
    p = qc_fmt_char(qc_fmt_hex(p, k->ino), ':');
    p = qc_fmt_char(qc_fmt_hex(p, k->size), ':');
    p = qc_fmt_char(qc_fmt_dec(p, k->mtime_ns), ':');
    p = qc_fmt_char(qc_fmt_dec(p, k->ctime_ns), ' ');
    p = qc_fmt_char(qc_fmt_str(p, moddir), ' ');
    qc_fmt_end(qc_fmt_dec(p, k->moddir ? k->moddir_mtime_ns : 0));
    return s;
}

/* The host inputs (and the formats an entry must have) as one checksum: an entry valid
 * when the answer was kept had these; equal now means its inputs still hold. */
static char *
qc_answer_inputs_sig(const qc_host_inputs *in)
{
    char *s = NULL, *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f)
        return NULL;
    fprintf(f, "cache %d model %d\n", QC_CACHE_FORMAT_VERSION, QC_MODEL_FORMAT_VERSION);
    for (size_t i = 0; i < in->names.n; i++)
        fprintf(f, "%s=%s\n", in->names.v[i], in->values.v[i]);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    if (asprintf(&s, "%016llx", (unsigned long long) qc_cache_hash(text, len)) < 0)
        s = NULL;
    free(text);
    return s;
}

/* The signature of emulator's entry file (pathsig.h, the file itself, not a symlink's
 * target): entries are only ever replaced by a rename, so an equal signature is the same
 * file, whose identity was checked when the answer was kept. NULL on OOM. */
static char *
qc_answer_entry_sig(qc_cache *c, const char *emulator)
{
    qc_autofree char *name = qc_cache_entry_name(emulator, NULL);
    char sig[QC_PATHSIG_MAX];
    struct stat st;

    if (!name)
        return NULL;
    if (fstatat(c->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        qc_pathsig_from_stat(NULL, errno, sig);
    else
        qc_pathsig_from_stat(&st, 0, sig);
    return strdup(sig);
}

/* The sources section of an answer: everything its validity compares, a line each: the
 * signature of the host inputs its entries share, per entry the signature of its file and
 * its keys, per other input its signature. The writer makes it from what it checked, the
 * reader from the files now: the same bytes mean every source still holds. */
static char *
qc_answer_sources_text(const char *inputs_sig, const qc_strlist *files,
                       const qc_strlist *keysigs, const qc_strlist *input_sigs, size_t *ret_len)
{
    size_t len = strlen("inputs \n") + strlen(inputs_sig);
    char *text, *p;

    for (size_t i = 0; i < files->n; i++)
        len += strlen("entry \t\n") + strlen(files->v[i]) + strlen(keysigs->v[i]);
    for (size_t i = 0; i < input_sigs->n; i++)
        len += strlen("input \n") + strlen(input_sigs->v[i]);
    if (!(text = malloc(len + 1)))
        return NULL;
    p = qc_fmt_char(qc_fmt_str(qc_fmt_str(text, "inputs "), inputs_sig), '\n');
    for (size_t i = 0; i < files->n; i++) {
        p = qc_fmt_char(qc_fmt_str(qc_fmt_str(p, "entry "), files->v[i]), '\t');
        p = qc_fmt_char(qc_fmt_str(p, keysigs->v[i]), '\n');
    }
    for (size_t i = 0; i < input_sigs->n; i++)
        p = qc_fmt_char(qc_fmt_str(qc_fmt_str(p, "input "), input_sigs->v[i]), '\n');
    qc_fmt_end(p);
    *ret_len = len;
    return text;
}

/* The sources section of the entries and inputs a decoded header names, as they are now
 * (in *ret, *ret_len): 1; 0 when an entry's binary cannot be read (it is never valid);
 * -1 on OOM. */
static int
qc_answer_sources_now(qc_cache *c, json_object *emulators, json_object *inputs, char **ret,
                      size_t *ret_len)
{
    qc_autofree char *inputs_sig = qc_answer_inputs_sig(&c->inputs);
    qc_strlist files = {0}, keysigs = {0}, sigs = {0};
    qc_cache_moddir_memo memo = {0};
    int r = -1;

    *ret = NULL;
    if (!inputs_sig)
        return -1;
    for (size_t i = 0; i < json_object_array_length(emulators); i++) {
        const char *emu = json_object_get_string(json_object_array_get_idx(emulators, i));
        QC_CLEANUP(qc_cache_keys_freep) qc_cache_keys *now =
            qc_cache_keys_read_memo(c, emu, &memo, NULL);
        qc_autofree char *file = qc_answer_entry_sig(c, emu);
        qc_autofree char *keysig = now ? qc_answer_keysig(now) : NULL;

        if (now && !keysig && now->stat_errno) {
            r = 0;
            goto out;
        }
        if (!file || !keysig || qc_strlist_add(&files, file, NULL) < 0 ||
            qc_strlist_add(&keysigs, keysig, NULL) < 0)
            goto out;
    }
    for (size_t i = 0; i < json_object_array_length(inputs); i++) {
        char sig[QC_PATHSIG_MAX];
        qc_pathsig(json_object_get_string(json_object_array_get_idx(inputs, i)), sig);
        if (qc_strlist_add(&sigs, sig, NULL) < 0)
            goto out;
    }
    if ((*ret = qc_answer_sources_text(inputs_sig, &files, &keysigs, &sigs, ret_len)))
        r = 1;
out:
    qc_strlist_clear(&files);
    qc_strlist_clear(&keysigs);
    qc_strlist_clear(&sigs);
    qc_cache_moddir_memo_clear(&memo);
    return r;
}

int
qc_cache_answer_decode(const qc_cache *c, char *data, size_t len, const char *query,
                       qc_cache_answer *ret, json_object **ret_header)
{
    QC_CLEANUP(json_object_putp) json_object *o = NULL;
    json_object *v = NULL, *warnings = NULL, *emulators = NULL, *inputs = NULL;
    size_t qlen = strlen(query), body, srcs, slen, doc;
    json_tokener *tok;
    const char *nl;

    memset(ret, 0, sizeof(*ret));
    *ret_header = NULL;
    if (len < strlen(QC_ANSWER_MAGIC) || memcmp(data, QC_ANSWER_MAGIC, strlen(QC_ANSWER_MAGIC)) ||
        !(nl = memchr(data, '\n', len)))
        return 0;
    /* header line, the query, a newline, the sources section, the document */
    body = (size_t) (nl - data) + 1;
    if (len - body < qlen + 1 || memcmp(data + body, query, qlen) != 0 ||
        data[body + qlen] != '\n')
        return 0;
    srcs = body + qlen + 1;
    if (!(tok = json_tokener_new()))
        return -1;
    o = json_tokener_parse_ex(tok, data, (int) (nl - data));
    json_tokener_free(tok);
    if (!o || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, "qcaps-answer", &v) ||
        json_object_get_int(v) != QC_ANSWER_FORMAT || !qc_js_streq(o, "engine", c->engine) ||
        !json_object_object_get_ex(o, "query-bytes", &v) ||
        !json_object_is_type(v, json_type_int) || json_object_get_int64(v) != (int64_t) qlen ||
        !json_object_object_get_ex(o, "sources-bytes", &v) ||
        !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
        (uint64_t) json_object_get_int64(v) > len - srcs)
        return 0;
    slen = (size_t) json_object_get_int64(v);
    doc = srcs + slen;
    if (!json_object_object_get_ex(o, "bytes", &v) || !json_object_is_type(v, json_type_int) ||
        json_object_get_int64(v) != (int64_t) (len - doc) ||
        !json_object_object_get_ex(o, "hash", &v) || !json_object_is_type(v, json_type_string) ||
        strtoull(json_object_get_string(v), NULL, 16) != qc_answer_sum(data + body, len - body) ||
        !json_object_object_get_ex(o, "warnings", &warnings) || !qc_js_strings(warnings) ||
        !json_object_object_get_ex(o, "entries", &emulators) || !qc_js_strings(emulators) ||
        !json_object_array_length(emulators) ||
        !json_object_object_get_ex(o, "inputs", &inputs) || !qc_js_strings(inputs))
        return 0;
    for (size_t i = 0; i < json_object_array_length(warnings); i++)
        if (qc_strlist_add(&ret->warnings,
                           json_object_get_string(json_object_array_get_idx(warnings, i)),
                           NULL) < 0)
            return -1;
    /* the sources section goes with the header: the document moves over it */
    if (!(v = json_object_new_string_len(data + srcs, (int) slen)) ||
        json_object_object_add(o, QC_ANSWER_SOURCES, v) < 0) {
        json_object_put(v);
        qc_strlist_clear(&ret->warnings);
        return -1;
    }
    memmove(data, data + doc, len - doc);
    data[len - doc] = '\0';
    ret->text = data;
    ret->len = len - doc;
    *ret_header = qc_steal(&o);
    return 1;
}

int
qc_cache_answer_sources_hold(qc_cache *c, json_object *header)
{
    json_object *emulators = NULL, *inputs = NULL, *kept = NULL;
    qc_autofree char *now = NULL;
    size_t len = 0;
    int r;

    if (!json_object_object_get_ex(header, "entries", &emulators) ||
        !json_object_object_get_ex(header, "inputs", &inputs) ||
        !json_object_object_get_ex(header, QC_ANSWER_SOURCES, &kept) ||
        !json_object_is_type(kept, json_type_string))
        return 0;
    if ((r = qc_answer_sources_now(c, emulators, inputs, &now, &len)) <= 0)
        return r;
    return len == (size_t) json_object_get_string_len(kept) &&
           memcmp(now, json_object_get_string(kept), len) == 0;
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

/* An array of the strings of l, or NULL on OOM. */
static json_object *
qc_js_strlist(const qc_strlist *l)
{
    json_object *arr = json_object_new_array();

    for (size_t i = 0; arr && i < l->n; i++)
        if (json_object_array_add(arr, json_object_new_string(l->v[i])) < 0) {
            json_object_put(arr);
            return NULL;
        }
    return arr;
}

static json_object *
qc_answer_header(const qc_cache *c, const qc_cache_answer_src *src, uint64_t sum, size_t qlen,
                 size_t slen, size_t len)
{
    QC_CLEANUP(json_object_putp) json_object *o = json_object_new_object();
    json_object *entries = qc_js_strlist(&src->entry_emulators);
    json_object *inputs = qc_js_strlist(&src->input_paths);
    json_object *w = qc_js_strlist(&src->warnings);
    char hash[17];
    bool ok = o && entries && inputs && w;

    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long) sum);
    if (!ok) {
        json_object_put(entries);
        json_object_put(inputs);
        json_object_put(w);
        return NULL;
    }
    ok = json_object_object_add(o, "qcaps-answer", json_object_new_int(QC_ANSWER_FORMAT)) == 0 &&
         json_object_object_add(o, "engine", json_object_new_string(c->engine)) == 0 &&
         json_object_object_add(o, "query-bytes", json_object_new_int64((int64_t) qlen)) == 0 &&
         json_object_object_add(o, "entries", entries) == 0 &&
         json_object_object_add(o, "inputs", inputs) == 0 &&
         json_object_object_add(o, "sources-bytes", json_object_new_int64((int64_t) slen)) == 0 &&
         json_object_object_add(o, "warnings", w) == 0 &&
         json_object_object_add(o, "bytes", json_object_new_int64((int64_t) len)) == 0 &&
         json_object_object_add(o, "hash", json_object_new_string(hash)) == 0;
    return ok ? qc_steal(&o) : NULL;
}

/* The signature of every entry file of src in *files and the keys its (valid) header
 * holds in *keysigs, and the signature of the host inputs they share: 1, 0 when an entry
 * is no longer valid or no longer the one the answer was made from (keep no answer), or
 * changed while it was read; -1 with *err. */
static int
qc_answer_entry_keys(qc_cache *c, const qc_cache_answer_src *src, qc_strlist *files,
                     qc_strlist *keysigs, char **ret_inputs_sig, qc_error **err)
{
    *ret_inputs_sig = NULL;
    for (size_t i = 0; i < src->entry_emulators.n; i++) {
        const char *emu = src->entry_emulators.v[i];
        qc_autofree char *name = qc_cache_entry_name(emu, err);
        qc_autofree char *data = NULL;
        qc_autofree char *reason = NULL;
        qc_autofree char *id = NULL;
        qc_autofree char *keysig = NULL;
        qc_autofree char *sig = NULL;
        qc_autofree char *before = qc_answer_entry_sig(c, emu);
        qc_autofree char *after = NULL;
        qc_cache_header h;
        size_t len = 0, body = 0;
        int state;

        if (!name || !before)
            return name ? qc_error_set(err, QC_E_NOMEM, "out of memory") : -1;
        state = qc_cache_read_head(c, emu, name, 1, &data, &len, &h, &body, &reason, err);
        if (state < 0)
            return -1;
        if (state != QC_CACHE_FRESH)
            return 0;
        id = qc_cache_entry_id(data, body - 1);
        keysig = qc_answer_keysig(&h.keys);
        sig = qc_answer_inputs_sig(&h.inputs);
        qc_cache_header_clear(&h);
        after = qc_answer_entry_sig(c, emu);
        if (!id || !keysig || !sig || !after || qc_strlist_add(keysigs, keysig, err) < 0 ||
            qc_strlist_add(files, before, err) < 0)
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        if (strcmp(id, src->entry_ids.v[i]) != 0 || strcmp(before, after) != 0 ||
            (*ret_inputs_sig && strcmp(*ret_inputs_sig, sig) != 0))
            return 0;
        if (!*ret_inputs_sig)
            *ret_inputs_sig = qc_steal(&sig);
    }
    return 1;
}

int
qc_cache_answer_put(qc_cache *c, const char *owner, const char *slot, const char *query,
                    const qc_cache_answer_src *src, const char *text, size_t len,
                    qc_error **err)
{
    QC_CLEANUP(json_object_putp) json_object *head = NULL;
    qc_autofree char *name = NULL;
    qc_autofree char *inputs_sig = NULL;
    qc_autofree char *sources = NULL;
    qc_autofree char *tail = NULL;
    qc_strlist files = {0}, keysigs = {0};
    size_t qlen = strlen(query), slen = 0, tlen;
    struct iovec iov[3];
    const char *line;
    int r;

    if (src->entry_emulators.n != src->entry_ids.n || !src->entry_ids.n ||
        src->input_paths.n != src->input_sigs.n)
        return qc_error_set(err, QC_E_INVALID, "an answer needs its entries, each with its id, "
                                               "and a signature per input");
    if (!(name = qc_answer_name(owner, slot, err)))
        return -1;
    r = qc_answer_entry_keys(c, src, &files, &keysigs, &inputs_sig, err);
    if (r > 0 && !(sources = qc_answer_sources_text(inputs_sig, &files, &keysigs,
                                                    &src->input_sigs, &slen)))
        r = qc_error_set(err, QC_E_NOMEM, "out of memory");
    qc_strlist_clear(&files);
    qc_strlist_clear(&keysigs);
    if (r <= 0)
        return r; /* 0: an entry changed meanwhile, this answer would never hold */
    /* what follows the header line, as its checksum covers it */
    tlen = qlen + 1 + slen + len;
    if (!(tail = malloc(tlen)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    memcpy(tail, query, qlen);
    tail[qlen] = '\n';
    memcpy(tail + qlen + 1, sources, slen);
    memcpy(tail + qlen + 1 + slen, text, len);
    head = qc_answer_header(c, src, qc_answer_sum(tail, tlen), qlen, slen, len);
    if (!head || !(line = json_object_to_json_string_ext(head, QC_JSON_FLAGS)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    iov[0].iov_base = (void *) line;
    iov[0].iov_len = strlen(line);
    iov[1].iov_base = (void *) "\n";
    iov[1].iov_len = 1;
    iov[2].iov_base = tail;
    iov[2].iov_len = tlen;
    /* No fsync: a torn answer fails its checksum and is rendered again. */
    if (qc_file_write_atomic(c->dirfd, name, iov, 3, 0644, QC_SYNC_NONE, err) < 0) {
        qc_error_prefix(err, "cache directory '%s'", c->dir);
        return -1;
    }
    return 0;
}

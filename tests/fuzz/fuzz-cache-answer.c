/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-cache-answer.c: fuzzes the reader of kept answers (cache/answer.c) on arbitrary
 * file bytes.
 *
 * The input is an answer file as qc_cache_answer_get() reads it. Its query is the bytes
 * the header line's "query-bytes" says follow it (when it parses), so that mutations reach
 * past the query check into the sources section and the document; the engine is fixed
 * ("qcaps 0.1.0", as in the seeds). A decoded answer must hand back exactly the document
 * after the header line, the query and the sources section; the sources check then runs
 * against a cache without a directory (every entry lookup fails cleanly, so no answer may
 * hold).
 */
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "cache/cache-internal.h"
#include "fuzz.h"

/* A cache as qc_cache_open() would leave it, without a directory. */
static qc_cache *
qc_fuzz_cache(void)
{
    static qc_cache c;
    static int done;

    if (!done) {
        done = 1;
        c.dirfd = -1;
        c.engine = (char *) "qcaps 0.1.0";
    }
    return &c;
}

/* The query of an answer: the bytes its header line's "query-bytes" says follow it, when
 * there are that many. Caller frees. */
static char *
qc_fuzz_query(const char *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    json_tokener *tok = json_tokener_new();
    json_object *o = NULL, *q = NULL;
    char *query = NULL;

    if (nl && tok)
        o = json_tokener_parse_ex(tok, data, (int) (nl - data));
    if (o && json_object_object_get_ex(o, "query-bytes", &q) &&
        json_object_is_type(q, json_type_int) && json_object_get_int64(q) >= 0 &&
        (uint64_t) json_object_get_int64(q) <= size - (size_t) (nl + 1 - data))
        query = strndup(nl + 1, (size_t) json_object_get_int64(q));
    json_object_put(o);
    if (tok)
        json_tokener_free(tok);
    return query;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *query;
    const char *nl;
    json_object *header = NULL, *sources = NULL;
    qc_cache_answer a;
    int r;

    QC_FUZZ_CHECK(buf != NULL);
    memcpy(buf, data, size);
    buf[size] = '\0';
    query = qc_fuzz_query(buf, size);
    nl = memchr(data, '\n', size);
    r = qc_cache_answer_decode(qc_fuzz_cache(), buf, size, query ? query : "", &a, &header);
    QC_FUZZ_CHECK(r == 0 || r == 1);
    if (r == 1) {
        size_t body = (size_t) ((const char *) nl - (const char *) data) + 2 +
                      strlen(query ? query : "");
        QC_FUZZ_CHECK(header != NULL &&
                      json_object_object_get_ex(header, " sources", &sources) &&
                      json_object_is_type(sources, json_type_string));
        body += (size_t) json_object_get_string_len(sources);
        QC_FUZZ_CHECK(a.text == buf && a.len == size - body &&
                      memcmp(a.text, data + body, a.len) == 0 && a.text[a.len] == '\0');
        /* no directory: no entry is valid, so nothing may hold */
        QC_FUZZ_CHECK(qc_cache_answer_sources_hold(qc_fuzz_cache(), header) == 0);
        a.text = NULL; /* buf's */
    } else {
        QC_FUZZ_CHECK(header == NULL && a.text == NULL);
    }
    json_object_put(header);
    qc_cache_answer_clear(&a);
    free(query);
    free(buf);
    return 0;
}

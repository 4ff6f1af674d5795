/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-cache-entry.c: fuzzes the cache entry reader (cache/entry.c) on arbitrary file bytes.
 *
 * The input is an entry file as qc_cache_read_entry() returns it. It goes through
 * qc_cache_header_decode(), the key comparison and qc_cache_entry_model() (both views)
 * exactly as a lookup does; then, since mutations rarely keep the checksums right, the
 * models are decoded a second time with the lengths and checksums of the two model lines
 * fixed up to match the body, so the model reader (model-json.c) is reached too. A
 * decoded model must encode again.
 */
#include <string.h>

#include "cache/cache-internal.h"
#include "model/model-json.h"
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
        QC_FUZZ_CHECK(qc_strlist_add(&c.inputs.names, "kernel", NULL) == 0 &&
                      qc_strlist_add(&c.inputs.values, "6.1.0-fuzz", NULL) == 0 &&
                      qc_strlist_add(&c.inputs.names, "KVM", NULL) == 0 &&
                      qc_strlist_add(&c.inputs.values, "usable", NULL) == 0);
    }
    return &c;
}

static void
qc_fuzz_model(const qc_cache_header *h, const char *body, size_t len, qc_model_view view)
{
    char *reason = NULL;
    qc_model *m = qc_cache_entry_model(h, body, len, view, &reason);

    QC_FUZZ_CHECK(!m || (!reason && m->view == view));
    if (m) {
        qc_error *err = NULL;
        json_object *o = qc_model_to_json_view(m, m->view, &err);

        QC_FUZZ_CHECK(o || (err && err->code == QC_E_NOMEM));
        json_object_put(o);
        qc_error_free(err);
        qc_model_free(m);
    }
    free(reason);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *) data;
    qc_cache_header h;
    qc_cache_keys now = {0};
    char *reason = NULL, *diff;
    size_t body = 0;
    bool oom = false;

    if (qc_cache_header_decode(text, size, &h, &body, &reason) < 0) {
        free(reason);
        return 0;
    }
    QC_FUZZ_CHECK(reason == NULL && body > 0 && body <= size);

    now.emulator = (char *) "/usr/bin/qemu-system-x86_64";
    now.size = 1;
    diff = qc_cache_keys_diff(qc_fuzz_cache(), &h, &now, &oom);
    free(diff);
    now.stat_errno = 2;
    diff = qc_cache_keys_diff(qc_fuzz_cache(), &h, &now, &oom);
    free(diff);

    qc_fuzz_model(&h, text + body, size - body, QC_MODEL_VIEW_GUESTS);
    qc_fuzz_model(&h, text + body, size - body, QC_MODEL_VIEW_FULL);
    if (size - body > 0 && text[size - 1] == '\n') {
        const char *nl = memchr(text + body, '\n', size - body);
        h.guests_bytes = (size_t) (nl - (text + body));
        h.guests_hash = qc_cache_hash(text + body, h.guests_bytes);
        if (h.guests_bytes + 1 < size - body) {
            h.model_bytes = size - body - h.guests_bytes - 2;
            h.model_hash = qc_cache_hash(nl + 1, h.model_bytes);
        }
        qc_fuzz_model(&h, text + body, size - body, QC_MODEL_VIEW_GUESTS);
        qc_fuzz_model(&h, text + body, size - body, QC_MODEL_VIEW_FULL);
    }
    qc_cache_header_clear(&h);
    return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps-answer.c: queries answered from the cache's kept documents, without rendering
 * (qc_lib_answer(), for domcaps and capabilities), and the domcaps key and fast path:
 * what `qcaps domcaps` needs on its fast path, so nothing here may use the schema layer
 * (libxml2). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/path.h"
#include "introspect/host.h"
#include "lib/internal.h"

/* The default emulator for `arch` (NULL: the host's): qemu-system-<target> in $PATH. */
char *
qc_lib_default_emulator(qc_lv_gen gen, const char *arch, qc_error **err)
{
    struct utsname u;
    const char *target;
    qc_strlist found = {0};
    char *emu = NULL;

    if (!arch) {
        if (uname(&u) < 0) {
            qc_error_set_errno(err, errno, "uname");
            return NULL;
        }
        target = qc_host_arch_normalise(u.machine);
    } else {
        target = qc_lv_target_of_arch(gen, arch);
    }
    if (qc_host_find_emulators(&(qc_emu_search) {.scope = QC_EMU_FIRST, .target = target},
                               &found, err) < 0)
        return NULL;
    if (found.n)
        emu = qc_steal(&found.v[0]);
    else
        qc_error_set(err, QC_E_NOTFOUND, "no emulator for arch '%s' (qemu-system-%s) in $PATH",
                     arch ? arch : target, target);
    qc_strlist_clear(&found);
    return emu;
}

char *
qc_lib_domcaps_key(qcaps_context *ctx, const char *emulator, const qcaps_domcaps_query *q,
                   qcaps_format format, qc_error **err)
{
    json_object *o = json_object_new_array(), *dirs = json_object_new_array();
    qc_strlist path = {0};
    char *key = NULL;
    bool ok = o && dirs;

    if (ok && qc_host_firmware_search_path(ctx ? (const char *const *) ctx->firmware_dirs : NULL,
                                           &path, err) < 0) {
        json_object_put(o);
        json_object_put(dirs);
        return NULL;
    }
    for (size_t i = 0; ok && i < path.n; i++)
        ok = json_object_array_add(dirs, json_object_new_string(path.v[i])) == 0;
    ok = ok && json_object_array_add(o, json_object_new_string("domcaps")) == 0 &&
         json_object_array_add(o, json_object_new_string(emulator)) == 0 &&
         json_object_array_add(
             o, json_object_new_string(qc_lv_gen_name(qc_context_libvirt(ctx)))) == 0 &&
         json_object_array_add(o, q->arch ? json_object_new_string(q->arch) : NULL) == 0 &&
         json_object_array_add(o, q->machine ? json_object_new_string(q->machine) : NULL) == 0 &&
         json_object_array_add(o, q->virttype ? json_object_new_string(q->virttype) : NULL) == 0 &&
         json_object_array_add(o, json_object_new_string(QC_LIB_FORMAT_KEY(format))) == 0;
    if (ok && json_object_array_add(o, dirs) == 0) {
        dirs = NULL;
        key = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    }
    json_object_put(dirs);
    json_object_put(o);
    qc_strlist_clear(&path);
    if (!key)
        qc_error_set(err, QC_E_NOMEM, "out of memory");
    return key;
}

int
qc_lib_answer(qcaps_context *ctx, qc_cache *cache, const char *owner, const char *slot,
              const char *query, char **ret_text, qc_error **err)
{
    qc_cache_answer a;
    int r;

    *ret_text = NULL;
    if ((r = qc_cache_answer_get(cache, owner, slot, query, &a, err)) <= 0)
        return r;
    for (size_t i = 0; i < a.warnings.n; i++)
        qc_context_warn(ctx, "%s", a.warnings.v[i]);
    *ret_text = qc_steal(&a.text);
    qc_cache_answer_clear(&a);
    return 1;
}

/* The whole fast path (qcaps.h, the _kept() functions); 0 reports nothing: the full
 * path will say whatever there is to say. */
static int
qc_lib_domcaps_fast(qcaps_context *ctx, const qcaps_domcaps_query *q, qcaps_format format,
                    char **ret_text, qc_error **err)
{
    QC_CLEANUP(qc_cache_freep) qc_cache *cache = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    qc_autofree char *emulator = NULL;
    qc_autofree char *key = NULL;
    const char *emu;

    *ret_text = NULL;
    if (q->fixture || (ctx && ctx->cache_mode != QCAPS_CACHE_USE))
        return 0;
    if (!(emulator = q->emulator ? qc_path_absolute(q->emulator, &e)
                                 : qc_lib_default_emulator(qc_context_libvirt(ctx), q->arch, &e)))
        return e->code == QC_E_NOMEM ? (qc_error_propagate(err, qc_steal(&e)), -1) : 0;
    if (!(cache = qc_context_cache(ctx, true, err)))
        return err && *err ? -1 : 0;
    emu = emulator;
    if (!(key = qc_lib_domcaps_key(ctx, emu, q, format, err)))
        return -1;
    return qc_lib_answer(ctx, cache, emu, key, key, ret_text, err);
}

QCAPS_PUBLIC int
qcaps_domcaps_kept(qcaps_context *ctx, const qcaps_domcaps_query *q, qcaps_format format,
                   char **ret_text, qcaps_error **err)
{
    qc_error *e = NULL;
    int r;

    if (ret_text)
        *ret_text = NULL;
    if (!ctx || !q || !ret_text) {
        qc_lib_invalid(err, "qcaps_domcaps_kept",
                       !ctx ? "no context" : !q ? "no query" : "no ret_text");
        return -1;
    }
    if ((r = qc_lib_domcaps_fast(ctx, q, format, ret_text, &e)) < 0)
        qcaps_error_wrap(err, e);
    return r;
}

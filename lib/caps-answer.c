/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caps-answer.c: the key of a kept capabilities document and its fast path, which
 * `qcaps capabilities` takes without loading the schema layer (libxml2): nothing here may
 * render.
 *
 * The document is a function of the host facts, of who we are, of the emulators found
 * in $PATH and of their models. Keying it on the full host facts meant reading them
 * whole on every query, a throw-away KVM VM and four NSS lookups included (2 of the 4 ms
 * a cached query took), and scanning $PATH (1 ms more). The key holds the facts as
 * qc_hostfacts_read_keyed() reads them instead (those two replaced by fingerprints of
 * their sources); the emulator list is an input of the answer (the signatures of the
 * $PATH directories and of every qemu-system-* there that was not taken), and each
 * emulator's entry is checked by its identity and keys (cache.h, answers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "introspect/host.h"
#include "lib/internal.h"
#include "schema/hostfacts.h"

const char *
qc_lib_caps_slot(qcaps_format format)
{
    return format == QCAPS_FORMAT_JSON ? "capabilities json" : "capabilities xml";
}

/* "uid gid group,group,...": what decides which binaries access(X_OK) lets us run. */
static char *
qc_lib_caps_creds(void)
{
    gid_t groups[256];
    int n = getgroups((int) QC_N_ELEMENTS(groups), groups);
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);

    if (!f)
        return NULL;
    fprintf(f, "%ld %ld", (long) geteuid(), (long) getegid());
    for (int i = 0; i < n; i++)
        fprintf(f, "%c%ld", i ? ',' : ' ', (long) groups[i]);
    if (n < 0)
        fputs(" ?", f);
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* Appends "<length>:<text>\n" to f: the parts of a key, each of any bytes. */
static void
qc_lib_key_part(FILE *f, const char *text)
{
    fprintf(f, "%zu:%s\n", strlen(text), text);
}

char *
qc_lib_caps_key(qcaps_context *ctx, const char *root, const qc_host_sys *sys,
                qcaps_format format, qc_error **err)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *hf = NULL;
    qc_autofree char *sources = NULL;
    qc_autofree char *facts = NULL;
    qc_autofree char *creds = qc_lib_caps_creds();
    const char *path = getenv("PATH");
    char *key = NULL;
    size_t len = 0;
    FILE *f;

    if (!creds) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!(hf = qc_hostfacts_read_keyed(root, sys, &sources, err)) ||
        !(facts = qc_hostfacts_to_json_line(hf, err)))
        return NULL;
    if (!(f = open_memstream(&key, &len))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    qc_lib_key_part(f, "capabilities");
    qc_lib_key_part(f, qc_lv_gen_name(qc_context_libvirt(ctx)));
    qc_lib_key_part(f, QC_LIB_FORMAT_KEY(format));
    qc_lib_key_part(f, creds);
    /* as qc_host_find_emulators() reads it */
    qc_lib_key_part(f, path && *path ? path : "/usr/bin:/bin");
    qc_lib_key_part(f, facts);
    qc_lib_key_part(f, sources);
    if (fclose(f) != 0) {
        free(key);
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    return key;
}

/* The whole fast path (qcaps.h, the _kept() functions); 0 reports nothing: the full
 * path will say whatever there is to say. */
static int
qc_lib_caps_fast(qcaps_context *ctx, qcaps_format format, char **ret_text, qc_error **err)
{
    QC_CLEANUP(qc_cache_freep) qc_cache *cache = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    QC_CLEANUP(qc_host_sys_clear) qc_host_sys sys = {0};
    qc_autofree char *key = NULL;

    *ret_text = NULL;
    if (ctx && ctx->cache_mode != QCAPS_CACHE_USE)
        return 0;
    /* one read of uname, KVM and /proc/cpuinfo for the cache's host inputs and the key's
     * facts (reading cpuinfo, which the kernel formats anew each time, was a tenth of a
     * cached query's time, and it was read twice) */
    if (qc_host_sys_read(NULL, QC_HOST_SYS_ALL, &sys, err) < 0)
        return -1;
    if (!(cache = qc_context_cache_sys(ctx, true, &sys, err)))
        return err && *err ? -1 : 0;
    /* a host that cannot be read is the full path's to report */
    if (!(key = qc_lib_caps_key(ctx, NULL, &sys, format, &e)))
        return e->code == QC_E_NOMEM ? (qc_error_propagate(err, qc_steal(&e)), -1) : 0;
    return qc_lib_answer(ctx, cache, NULL, qc_lib_caps_slot(format), key, ret_text, err);
}

QCAPS_PUBLIC int
qcaps_capabilities_kept(qcaps_context *ctx, qcaps_format format, char **ret_text,
                        qcaps_error **err)
{
    qc_error *e = NULL;
    int r;

    if (ret_text)
        *ret_text = NULL;
    if (!ctx || !ret_text) {
        qc_lib_invalid(err, "qcaps_capabilities_kept", !ctx ? "no context" : "no ret_text");
        return -1;
    }
    if ((r = qc_lib_caps_fast(ctx, format, ret_text, &e)) < 0)
        qcaps_error_wrap(err, e);
    return r;
}

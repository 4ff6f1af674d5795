/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps.c: qcaps_domcaps(): libvirt's domainCapabilities document for a query. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "introspect/host.h"
#include "lib/internal.h"
#include "schema/domcaps.h"
#include "schema/xmljson.h"

/* libvirt arch -> QEMU target of the binary that serves it (mapping §1.1). */
static const char *
qc_lib_arch_target(const char *arch)
{
    static const struct {
        const char *arch, *target;
    } table[] = {
        {"i686", "i386"}, {"armv6l", "arm"}, {"armv7l", "arm"}, {"ppc64le", "ppc64"},
        {"parisc", "hppa"}, {"openrisc", "or1k"},
    };

    for (size_t i = 0; i < QC_N_ELEMENTS(table); i++) {
        if (strcmp(table[i].arch, arch) == 0)
            return table[i].target;
    }
    return arch;
}

/* The default emulator for `arch` (NULL: the host's): qemu-system-<target> in $PATH. */
static char *
qc_lib_default_emulator(const char *arch, qc_error **err)
{
    struct utsname u;
    const char *target, *path = getenv("PATH");
    char *copy, *save = NULL, *found = NULL;

    if (!arch) {
        if (uname(&u) < 0) {
            qc_error_set_errno(err, errno, "uname");
            return NULL;
        }
        target = qc_host_arch_normalise(u.machine);
    } else {
        target = qc_lib_arch_target(arch);
    }
    if (!(copy = strdup(path && *path ? path : "/usr/bin:/bin"))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *full = NULL;
        if (asprintf(&full, "%s/qemu-system-%s", d, target) < 0)
            break;
        if (access(full, X_OK) == 0)
            found = full;
        else
            free(full);
    }
    free(copy);
    if (!found)
        qc_error_set(err, QC_E_NOTFOUND, "no emulator for arch '%s' (qemu-system-%s) in $PATH",
                     arch ? arch : target, target);
    return found;
}

static char *
qc_lib_domcaps(qcaps_context *ctx, const qcaps_domcaps_query *q, qcaps_format format,
               qc_error **err)
{
    QC_CLEANUP(qc_model_freep) qc_model *m = NULL;
    qc_autofree char *emulator = NULL;
    qc_autofree char *xml = NULL;
    qc_domcaps_req req = {q->arch, q->machine, q->virttype};

    if (format != QCAPS_FORMAT_XML && format != QCAPS_FORMAT_JSON) {
        qc_error_set(err, QC_E_INVALID, "domcaps: unknown format %d", (int) format);
        return NULL;
    }
    if (!q->emulator && !q->fixture && !(emulator = qc_lib_default_emulator(q->arch, err)))
        return NULL;
    if (!(m = qc_context_model(ctx, q->emulator ? q->emulator : emulator, q->fixture, err)))
        return NULL;
    if (ctx && ctx->firmware_dirs &&
        qc_host_read_firmware(&m->host, (const char *const *) ctx->firmware_dirs, err) < 0)
        return NULL;
    if (!(xml = qc_domcaps_format(m, &req, ctx ? ctx->warn : NULL, ctx ? ctx->warn_opaque : NULL,
                                  err)))
        return NULL;
    if (format == QCAPS_FORMAT_JSON)
        return qc_xml_to_json(xml, err);
    return qc_steal(&xml);
}

QCAPS_PUBLIC char *
qcaps_domcaps(qcaps_context *ctx, const qcaps_domcaps_query *q, qcaps_format format,
              qcaps_error **err)
{
    qc_error *e = NULL;
    char *out;

    if (!q) {
        qc_error_set(&e, QC_E_INVALID, "qcaps_domcaps: no query");
        qcaps_error_wrap(err, e);
        return NULL;
    }
    if (!(out = qc_lib_domcaps(ctx, q, format, &e)))
        qcaps_error_wrap(err, e);
    return out;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* firmware.c: matches firmware descriptors against (arch, machine) as libvirt 9.0 does. */
#include "schema/firmware.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
qc_fw_result_clear(qc_fw_result *r)
{
    if (!r)
        return;
    qc_strlist_clear(&r->loaders);
    memset(r, 0, sizeof(*r));
}

bool
qc_fw_matches(const qc_fw_desc *d, const char *target, const char *machine)
{
    if (!d || d->error || !target || !machine)
        return false;
    for (size_t i = 0; i < d->n_targets; i++) {
        const qc_fw_target *t = &d->targets[i];
        if (strcmp(t->arch, target) != 0)
            continue;
        for (size_t j = 0; j < t->machines.n; j++) {
            if (fnmatch(t->machines.v[j], machine, 0) == 0)
                return true;
        }
    }
    return false;
}

static int
qc_fw_add_loader(qc_fw_result *r, const char *path, qc_error **err)
{
    if (qc_strlist_contains(&r->loaders, path))
        return 0;
    return qc_strlist_add(&r->loaders, path, err);
}

int
qc_fw_resolve(const qc_fw_desc *descs, size_t n, const qc_strlist *legacy, const char *target,
              const char *machine, void (*warn)(const char *msg, void *opaque), void *opaque,
              qc_fw_result *ret, qc_error **err)
{
    for (size_t i = 0; i < n; i++) {
        const qc_fw_desc *d = &descs[i];
        if (d->error) {
            if (warn) {
                char *msg = NULL;
                if (asprintf(&msg, "firmware descriptor '%s' skipped: %s",
                             d->path ? d->path : d->name, d->error) >= 0) {
                    warn(msg, opaque);
                    free(msg);
                }
            }
            continue;
        }
        if (!qc_fw_matches(d, target, machine))
            continue;
        ret->n_matched++;
        for (size_t j = 0; j < d->interfaces.n; j++) {
            if (strcmp(d->interfaces.v[j], "uefi") == 0)
                ret->efi = true;
            else if (strcmp(d->interfaces.v[j], "bios") == 0)
                ret->bios = true;
        }
        /* libvirt: secure=yes comes from requires-smm, not from secure-boot */
        if (qc_strlist_contains(&d->features, "requires-smm"))
            ret->secure = true;
        if (qc_strlist_contains(&d->features, "secure-boot"))
            ret->secure_boot_yes = true;
        else
            ret->secure_boot_no = true;
        if (qc_strlist_contains(&d->features, "enrolled-keys"))
            ret->enrolled_keys_yes = true;
        else
            ret->enrolled_keys_no = true;
        if (d->executable && d->executable_exists &&
            qc_fw_add_loader(ret, d->executable, err) < 0)
            return -1;
    }
    if (ret->n_matched || !legacy)
        return 0;
    for (size_t i = 0; i < legacy->n; i++) {
        if (qc_fw_add_loader(ret, legacy->v[i], err) < 0)
            return -1;
    }
    return 0;
}

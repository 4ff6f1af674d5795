/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* model-diff.c: the differences between two capability models (libc only): the public
 * comparisons of model-diff.h (a whole model, a host's facts, its firmware descriptors, what a
 * guest may use on both), over the groups of diff-accel.c and diff-facts.c. */
#include "model/model-diff.h"
#include "model/diff-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- host facts ------------------------------------------------------------------------ */

int
qc_host_diff(const qc_host *o, const qc_host *n, qc_diff *d, qc_error **err)
{
    const qc_diff_group g = QC_DIFF_HOST;
    const struct {
        const char *name;
        const char *o, *n;
    } strs[] = {
        {"arch", o->arch, n->arch},
        {"kernel-release", o->kernel_release, n->kernel_release},
        {"kernel-version", o->kernel_version, n->kernel_version},
        {"cpu-vendor", o->cpu_vendor, n->cpu_vendor},
        {"cpu-model-name", o->cpu_model_name, n->cpu_model_name},
        {"cpu-microcode", o->cpu_microcode, n->cpu_microcode},
        {"kvm-usable", qc_yesno(o->kvm_usable), qc_yesno(n->kvm_usable)},
        {"swtpm", qc_yesno(o->swtpm), qc_yesno(n->swtpm)},
        {"vfio", qc_yesno(o->vfio), qc_yesno(n->vfio)},
        {"secure-guest", qc_yesno(o->secure_guest), qc_yesno(n->secure_guest)},
        {"iommufd", qc_yesno(o->iommufd), qc_yesno(n->iommufd)},
        {"tdx", qc_yesno(o->tdx), qc_yesno(n->tdx)},
    };
    const struct {
        const char *name;
        int o, n;
    } ints[] = {
        {"kvm-max-vcpus", o->kvm_max_vcpus, n->kvm_max_vcpus},
        {"cpu-family", o->cpu_family, n->cpu_family},
        {"cpu-model", o->cpu_model, n->cpu_model},
        {"cpu-stepping", o->cpu_stepping, n->cpu_stepping},
        {"cpu-phys-bits", o->cpu_phys_bits, n->cpu_phys_bits},
    };

    for (size_t i = 0; i < QC_N_ELEMENTS(strs); i++) {
        if (qc_diff_str(d, g, NULL, strs[i].name, NULL, strs[i].o, strs[i].n, 0, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < QC_N_ELEMENTS(ints); i++) {
        if (qc_diff_int(d, g, NULL, ints[i].name, NULL, ints[i].o, ints[i].n, err) < 0)
            return -1;
    }
    if (qc_diff_list_attr(d, g, NULL, "cpu-flags", NULL, &o->cpu_flags, &n->cpu_flags, err) < 0 ||
        qc_diff_list_attr(d, g, NULL, "swtpm-features", NULL, &o->swtpm_features,
                          &n->swtpm_features, err) < 0)
        return -1;
    return 0;
}

/* ---- firmware -------------------------------------------------------------------------- */

static const qc_fw_desc *
qc_find_fw(const qc_host *h, const char *name)
{
    for (size_t i = 0; i < h->n_firmware; i++) {
        if (strcmp(h->firmware[i].name, name) == 0)
            return &h->firmware[i];
    }
    return NULL;
}

/* A descriptor's targets as "arch: glob glob" strings. */
static int
qc_fw_targets(const qc_fw_desc *f, qc_strlist *ret, qc_error **err)
{
    for (size_t i = 0; i < f->n_targets; i++) {
        qc_autofree char *globs = qc_join(&f->targets[i].machines, " ");
        char *s = NULL;

        if (!globs ||
            asprintf(&s, "%s: %s", f->targets[i].arch ? f->targets[i].arch : "?", globs) < 0)
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        if (qc_strlist_add_take(ret, s, err) < 0)
            return -1;
    }
    return 0;
}

static int
qc_diff_fw_desc(const qc_fw_desc *fo, const qc_fw_desc *fn, qc_diff *d, qc_error **err)
{
    const qc_diff_group g = QC_DIFF_FIRMWARE;
    const char *nm = fn->name;
    qc_strlist to = {0}, tn = {0};
    int rc = -1;

    if (qc_diff_str(d, g, NULL, nm, "path", fo->path, fn->path, 0, err) < 0 ||
        qc_diff_str(d, g, NULL, nm, "error", fo->error, fn->error, 0, err) < 0 ||
        qc_diff_str(d, g, NULL, nm, "device", fo->device, fn->device, 0, err) < 0 ||
        qc_diff_str(d, g, NULL, nm, "executable", fo->executable, fn->executable, 0, err) < 0 ||
        qc_diff_str(d, g, NULL, nm, "executable-exists", qc_yesno(fo->executable_exists),
                    qc_yesno(fn->executable_exists), 0, err) < 0 ||
        qc_diff_str(d, g, NULL, nm, "nvram-template", fo->nvram_template, fn->nvram_template, 0,
                    err) < 0 ||
        qc_diff_list_attr(d, g, NULL, nm, "interface-types", &fo->interfaces, &fn->interfaces,
                          err) < 0 ||
        qc_diff_list_attr(d, g, NULL, nm, "features", &fo->features, &fn->features, err) < 0 ||
        qc_fw_targets(fo, &to, err) < 0 || qc_fw_targets(fn, &tn, err) < 0 ||
        qc_diff_list_attr(d, g, NULL, nm, "targets", &to, &tn, err) < 0)
        goto out;
    rc = 0;
out:
    qc_strlist_clear(&to);
    qc_strlist_clear(&tn);
    return rc;
}

static int
qc_fw_note(qc_diff_change *c, const qc_fw_desc *f, qc_error **err)
{
    qc_autofree char *ifs = qc_join(&f->interfaces, " ");

    if (!ifs)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    return qc_detail(c, err, "%s%s%s%s%s", ifs, f->executable ? " " : "",
                     f->executable ? f->executable : "", f->error ? ", unusable: " : "",
                     f->error ? f->error : "");
}

int
qc_firmware_diff(const qc_host *o, const qc_host *n, qc_diff *d, qc_error **err)
{
    const qc_host *sides[2] = {o, n};

    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < sides[s]->n_firmware; i++) {
            const qc_fw_desc *f = &sides[s]->firmware[i];
            const qc_fw_desc *other = qc_find_fw(sides[!s], f->name);
            qc_diff_change *c;

            if (other && s == 0 && qc_diff_fw_desc(f, other, d, err) < 0)
                return -1;
            if (other)
                continue;
            if (!(c = qc_diff_add(d, QC_DIFF_FIRMWARE, s ? QC_DIFF_ADDED : QC_DIFF_REMOVED, NULL,
                                  f->name, NULL, NULL, NULL, err)) ||
                qc_fw_note(c, f, err) < 0)
                return -1;
        }
    }
    return qc_diff_names(d, QC_DIFF_FIRMWARE, "image", &o->firmware_images, &n->firmware_images,
                         err);
}

/* ---- the whole model ------------------------------------------------------------------- */

int
qc_model_diff(const qc_model *o, const qc_model *n, unsigned flags, qc_diff *d, qc_error **err)
{
    if (!o || !n || !d)
        return qc_error_set(err, QC_E_INVALID, "qc_model_diff: missing argument");
    if (o->view != QC_MODEL_VIEW_FULL || n->view != QC_MODEL_VIEW_FULL)
        return qc_error_set(err, QC_E_INVALID,
                            "a guests view of a model cannot be compared: "
                            "it lacks most facts");
    if (qc_diff_version(o, n, d, err) < 0 ||
        ((flags & QC_MODEL_DIFF_HOST) && qc_host_diff(&o->host, &n->host, d, err) < 0) ||
        qc_diff_accels(o, n, d, err) < 0 || qc_diff_cpu_models(o, n, d, err) < 0 ||
        qc_diff_qemu_facts(o, n, d, err) < 0 ||
        (!(flags & QC_MODEL_DIFF_NO_FIRMWARE) && qc_firmware_diff(&o->host, &n->host, d, err) < 0))
        return -1;
    return 0;
}

/* ---- what a guest may use on both ------------------------------------------------------ */

static int
qc_common_add(qc_diff *d, qc_accel a, const char *what, qc_strlist *items, qc_error **err)
{
    qc_diff_change *c;

    if (!(c = qc_diff_add(d, QC_DIFF_BOTH, QC_DIFF_COMMON, qc_accel_name(a), what, NULL, NULL, NULL,
                          err)))
        return -1;
    c->rank = strcmp(what, "machines") == 0 ? 0 : 1;
    qc_strlist_sort(items);
    c->items = *items;
    memset(items, 0, sizeof(*items));
    return qc_detail(c, err, "%zu", c->items.n);
}

static bool
qc_def_usable(const qc_cpu_def *c)
{
    return c->usable != QC_TRI_NO && c->blockers.n == 0;
}

int
qc_model_common(const qc_model *a, const qc_model *b, qc_diff *d, qc_error **err)
{
    for (int k = 0; k < QC_ACCEL_COUNT; k++) {
        const qc_accel_caps *ca = &a->accel[k], *cb = &b->accel[k];
        qc_strlist machines = {0}, cpus = {0};
        int rc = -1;

        if (!ca->probed || !cb->probed)
            continue;
        for (size_t i = 0; i < ca->n_machines; i++) {
            const char *nm = ca->machines[i].name;

            if (strcmp(nm, "none") != 0 && qc_find_machine(cb, nm) &&
                qc_strlist_add(&machines, nm, err) < 0)
                goto next;
        }
        for (size_t i = 0; i < ca->n_cpu_defs; i++) {
            const qc_cpu_def *da = &ca->cpu_defs[i], *db = qc_find_def(cb, da->name);

            if (db && qc_def_usable(da) && qc_def_usable(db) &&
                qc_strlist_add(&cpus, da->name, err) < 0)
                goto next;
        }
        if (qc_common_add(d, (qc_accel) k, "machines", &machines, err) < 0 ||
            ((ca->have_cpu_defs || cb->have_cpu_defs) &&
             qc_common_add(d, (qc_accel) k, "cpu-models", &cpus, err) < 0))
            goto next;
        rc = 0;
    next:
        qc_strlist_clear(&machines);
        qc_strlist_clear(&cpus);
        if (rc < 0)
            return -1;
    }
    return 0;
}

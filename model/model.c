/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* model.c: construction, release and lookups of the capability model (libc only). */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

/* ---- string lists ------------------------------------------------------------------ */

int
qc_strlist_add_take(qc_strlist *l, char *s, qc_error **err)
{
    if (!s)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **v = realloc(l->v, cap * sizeof(*v));
        if (!v) {
            free(s);
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

int
qc_strlist_add(qc_strlist *l, const char *s, qc_error **err)
{
    if (!s)
        return qc_error_set(err, QC_E_INVALID, "NULL string added to a list");
    return qc_strlist_add_take(l, strdup(s), err);
}

ssize_t
qc_strlist_index(const qc_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], s) == 0)
            return (ssize_t) i;
    }
    return -1;
}

bool
qc_strlist_contains(const qc_strlist *l, const char *s)
{
    return qc_strlist_index(l, s) >= 0;
}

static int
qc_strcmp_p(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

void
qc_strlist_sort(qc_strlist *l)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof(*l->v), qc_strcmp_p);
}

void
qc_strlist_uniq(qc_strlist *l)
{
    size_t w = 0;

    for (size_t i = 0; i < l->n; i++) {
        if (w > 0 && strcmp(l->v[w - 1], l->v[i]) == 0) {
            free(l->v[i]);
            continue;
        }
        l->v[w++] = l->v[i];
    }
    l->n = w;
}

bool
qc_strlist_bsearch(const qc_strlist *l, const char *s)
{
    if (!s || l->n == 0)
        return false;
    return bsearch(&s, l->v, l->n, sizeof(*l->v), qc_strcmp_p) != NULL;
}

void
qc_strlist_clear(qc_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* ---- accelerators -------------------------------------------------------------------- */

const char *
qc_accel_name(qc_accel a)
{
    switch (a) {
    case QC_ACCEL_KVM:
        return "kvm";
    case QC_ACCEL_TCG:
        return "tcg";
    case QC_ACCEL_COUNT:
        break;
    }
    return "unknown";
}

int
qc_accel_from_name(const char *name, qc_accel *ret_accel, qc_error **err)
{
    if (name && strcmp(name, "kvm") == 0) {
        *ret_accel = QC_ACCEL_KVM;
        return 0;
    }
    if (name && strcmp(name, "tcg") == 0) {
        *ret_accel = QC_ACCEL_TCG;
        return 0;
    }
    return qc_error_set(err, QC_E_INVALID, "unknown accelerator '%s'", name ? name : "(null)");
}

/* ---- host facts ---------------------------------------------------------------------- */

void
qc_host_clear(qc_host *h)
{
    if (!h)
        return;
    free(h->arch);
    free(h->kernel_release);
    free(h->kernel_version);
    free(h->cpu_vendor);
    free(h->cpu_model_name);
    free(h->cpu_microcode);
    qc_strlist_clear(&h->cpu_flags);
    qc_strlist_clear(&h->swtpm_features);
    for (size_t i = 0; i < h->n_firmware; i++)
        qc_fw_desc_clear(&h->firmware[i]);
    free(h->firmware);
    qc_strlist_clear(&h->firmware_images);
    memset(h, 0, sizeof(*h));
    h->cpu_family = h->cpu_model = h->cpu_stepping = h->cpu_phys_bits = -1;
}

static int
qc_strlist_copy(qc_strlist *dst, const qc_strlist *src, qc_error **err)
{
    memset(dst, 0, sizeof(*dst));
    for (size_t i = 0; i < src->n; i++) {
        if (qc_strlist_add(dst, src->v[i], err) < 0)
            return -1;
    }
    return 0;
}

static int
qc_fw_desc_copy(qc_fw_desc *d, const qc_fw_desc *s, qc_error **err)
{
    memset(d, 0, sizeof(*d));
    d->executable_exists = s->executable_exists;
    if (qc_strdup_opt(&d->name, s->name, err) < 0 || qc_strdup_opt(&d->path, s->path, err) < 0 ||
        qc_strdup_opt(&d->error, s->error, err) < 0 ||
        qc_strdup_opt(&d->device, s->device, err) < 0 ||
        qc_strdup_opt(&d->executable, s->executable, err) < 0 ||
        qc_strdup_opt(&d->nvram_template, s->nvram_template, err) < 0 ||
        qc_strlist_copy(&d->interfaces, &s->interfaces, err) < 0 ||
        qc_strlist_copy(&d->features, &s->features, err) < 0)
        return -1;
    if (s->n_targets && !(d->targets = calloc(s->n_targets, sizeof(*d->targets))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < s->n_targets; i++) {
        d->n_targets++;
        if (qc_strdup_opt(&d->targets[i].arch, s->targets[i].arch, err) < 0 ||
            qc_strlist_copy(&d->targets[i].machines, &s->targets[i].machines, err) < 0)
            return -1;
    }
    return 0;
}

int
qc_host_copy(qc_host *dst, const qc_host *src, qc_error **err)
{
    qc_host h = *src;

    h.arch = h.kernel_release = h.kernel_version = NULL;
    h.cpu_vendor = h.cpu_model_name = h.cpu_microcode = NULL;
    memset(&h.cpu_flags, 0, sizeof(h.cpu_flags));
    memset(&h.swtpm_features, 0, sizeof(h.swtpm_features));
    memset(&h.firmware_images, 0, sizeof(h.firmware_images));
    h.firmware = NULL;
    h.n_firmware = 0;
    if (qc_strlist_copy(&h.swtpm_features, &src->swtpm_features, err) < 0 ||
        qc_strlist_copy(&h.firmware_images, &src->firmware_images, err) < 0)
        goto fail;
    if (src->n_firmware && !(h.firmware = calloc(src->n_firmware, sizeof(*h.firmware)))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < src->n_firmware; i++) {
        h.n_firmware++;
        if (qc_fw_desc_copy(&h.firmware[i], &src->firmware[i], err) < 0)
            goto fail;
    }
    if (qc_strdup_opt(&h.arch, src->arch, err) < 0 ||
        qc_strdup_opt(&h.kernel_release, src->kernel_release, err) < 0 ||
        qc_strdup_opt(&h.kernel_version, src->kernel_version, err) < 0 ||
        qc_strdup_opt(&h.cpu_vendor, src->cpu_vendor, err) < 0 ||
        qc_strdup_opt(&h.cpu_model_name, src->cpu_model_name, err) < 0 ||
        qc_strdup_opt(&h.cpu_microcode, src->cpu_microcode, err) < 0)
        goto fail;
    for (size_t i = 0; i < src->cpu_flags.n; i++) {
        if (qc_strlist_add(&h.cpu_flags, src->cpu_flags.v[i], err) < 0)
            goto fail;
    }
    *dst = h;
    return 0;
fail:
    qc_host_clear(&h);
    return -1;
}

/* ---- element destructors ------------------------------------------------------------- */

void
qc_fw_desc_clear(qc_fw_desc *d)
{
    if (!d)
        return;
    free(d->name);
    free(d->path);
    free(d->error);
    qc_strlist_clear(&d->interfaces);
    free(d->device);
    free(d->executable);
    free(d->nvram_template);
    for (size_t i = 0; i < d->n_targets; i++) {
        free(d->targets[i].arch);
        qc_strlist_clear(&d->targets[i].machines);
    }
    free(d->targets);
    qc_strlist_clear(&d->features);
    memset(d, 0, sizeof(*d));
}

void
qc_cpu_model_info_clear(qc_cpu_model_info *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->vendor);
    free(c->model_id);
    qc_strlist_clear(&c->features);
    memset(c, 0, sizeof(*c));
}

void
qc_machine_clear(qc_machine *mc)
{
    if (!mc)
        return;
    free(mc->name);
    free(mc->alias);
    free(mc->default_cpu_type);
    free(mc->default_ram_id);
    memset(mc, 0, sizeof(*mc));
}

void
qc_cpu_def_clear(qc_cpu_def *d)
{
    if (!d)
        return;
    free(d->name);
    free(d->type_name);
    free(d->alias_of);
    qc_strlist_clear(&d->blockers);
    memset(d, 0, sizeof(*d));
}

void
qc_cpu_expansion_free(qc_cpu_expansion *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n_props; i++) {
        free(e->props[i].name);
        free(e->props[i].s);
    }
    free(e->props);
    free(e->model);
    free(e->type);
    free(e->vendor);
    free(e);
}

const qc_cpu_prop *
qc_cpu_expansion_prop(const qc_cpu_expansion *e, const char *name)
{
    size_t lo = 0, hi;

    if (!e || !name)
        return NULL;
    hi = e->n_props;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(e->props[mid].name, name);
        if (c == 0)
            return &e->props[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void
qc_accel_caps_clear(qc_accel_caps *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_machines; i++)
        qc_machine_clear(&a->machines[i]);
    free(a->machines);
    for (size_t i = 0; i < a->n_cpu_defs; i++)
        qc_cpu_def_clear(&a->cpu_defs[i]);
    free(a->cpu_defs);
    qc_cpu_expansion_free(a->host_cpu);
    memset(a, 0, sizeof(*a));
}

void
qc_type_props_clear(qc_type_props *t)
{
    if (!t)
        return;
    free(t->type_name);
    qc_strlist_clear(&t->props);
    memset(t, 0, sizeof(*t));
}

void
qc_cmdline_option_clear(qc_cmdline_option *o)
{
    if (!o)
        return;
    free(o->option);
    qc_strlist_clear(&o->params);
    memset(o, 0, sizeof(*o));
}

void
qc_sev_caps_free(qc_sev_caps *s)
{
    if (!s)
        return;
    free(s->pdh);
    free(s->cert_chain);
    free(s->cpu0_id);
    free(s);
}

void
qc_sgx_caps_free(qc_sgx_caps *s)
{
    if (!s)
        return;
    free(s->sections);
    free(s);
}

/* ---- the model ------------------------------------------------------------------------ */

qc_model *
qc_model_new(void)
{
    qc_model *m = calloc(1, sizeof(*m));

    if (m)
        m->host.cpu_family = m->host.cpu_model = m->host.cpu_stepping =
            m->host.cpu_phys_bits = -1;
    return m;
}

void
qc_model_free(qc_model *m)
{
    if (!m)
        return;
    free(m->emulator);
    free(m->package);
    free(m->target);
    qc_host_clear(&m->host);
    for (int a = 0; a < QC_ACCEL_COUNT; a++)
        qc_accel_caps_clear(&m->accel[a]);
    qc_strlist_clear(&m->flags);
    qc_strlist_clear(&m->qom_types);
    qc_strlist_clear(&m->commands);
    qc_strlist_clear(&m->events);
    for (size_t i = 0; i < m->n_device_props; i++)
        qc_type_props_clear(&m->device_props[i]);
    free(m->device_props);
    for (size_t i = 0; i < m->n_object_props; i++)
        qc_type_props_clear(&m->object_props[i]);
    free(m->object_props);
    for (size_t i = 0; i < m->n_cmdline_options; i++)
        qc_cmdline_option_clear(&m->cmdline_options[i]);
    free(m->cmdline_options);
    qc_strlist_clear(&m->tpm_models);
    qc_strlist_clear(&m->tpm_types);
    qc_strlist_clear(&m->migration_caps);
    free(m->gic);
    qc_sev_caps_free(m->sev);
    qc_sgx_caps_free(m->sgx);
    for (size_t i = 0; i < m->n_cpu_models; i++)
        qc_cpu_model_info_clear(&m->cpu_models[i]);
    free(m->cpu_models);
    qc_strlist_clear(&m->hyperv);
    free(m);
}

bool
qc_model_has_flag(const qc_model *m, const char *flag)
{
    return m && qc_strlist_bsearch(&m->flags, flag);
}

bool
qc_model_has_type(const qc_model *m, const char *qom_type)
{
    return m && qc_strlist_bsearch(&m->qom_types, qom_type);
}

bool
qc_model_has_command(const qc_model *m, const char *command)
{
    return m && qc_strlist_bsearch(&m->commands, command);
}

const qc_machine *
qc_model_find_machine(const qc_model *m, qc_accel a, const char *name_or_alias)
{
    const qc_accel_caps *ac;

    if (!m || !name_or_alias || a < 0 || a >= QC_ACCEL_COUNT)
        return NULL;
    ac = &m->accel[a];
    for (size_t i = 0; i < ac->n_machines; i++) {
        if (strcmp(ac->machines[i].name, name_or_alias) == 0)
            return &ac->machines[i];
    }
    for (size_t i = 0; i < ac->n_machines; i++) {
        if (ac->machines[i].alias && strcmp(ac->machines[i].alias, name_or_alias) == 0)
            return &ac->machines[i];
    }
    return NULL;
}

const qc_machine *
qc_model_default_machine(const qc_model *m, qc_accel a)
{
    const qc_accel_caps *ac;

    if (!m || a < 0 || a >= QC_ACCEL_COUNT)
        return NULL;
    ac = &m->accel[a];
    for (size_t i = 0; i < ac->n_machines; i++) {
        if (ac->machines[i].is_default)
            return &ac->machines[i];
    }
    return ac->n_machines ? &ac->machines[0] : NULL;
}

const qc_cpu_model_info *
qc_model_cpu_model(const qc_model *m, const char *name)
{
    for (size_t i = 0; m && name && i < m->n_cpu_models; i++) {
        if (strcmp(m->cpu_models[i].name, name) == 0)
            return &m->cpu_models[i];
    }
    return NULL;
}

const qc_cpu_def *
qc_model_find_cpu(const qc_model *m, qc_accel a, const char *name)
{
    const qc_accel_caps *ac;

    if (!m || !name || a < 0 || a >= QC_ACCEL_COUNT)
        return NULL;
    ac = &m->accel[a];
    for (size_t i = 0; i < ac->n_cpu_defs; i++) {
        if (strcmp(ac->cpu_defs[i].name, name) == 0)
            return &ac->cpu_defs[i];
    }
    return NULL;
}

static const qc_type_props *
qc_find_type_props(const qc_type_props *v, size_t n, const char *type_name)
{
    if (!type_name)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i].type_name, type_name) == 0)
            return &v[i];
    }
    return NULL;
}

const qc_type_props *
qc_model_device_props(const qc_model *m, const char *type_name)
{
    return m ? qc_find_type_props(m->device_props, m->n_device_props, type_name) : NULL;
}

const qc_type_props *
qc_model_object_props(const qc_model *m, const char *type_name)
{
    return m ? qc_find_type_props(m->object_props, m->n_object_props, type_name) : NULL;
}

const qc_cmdline_option *
qc_model_cmdline_option(const qc_model *m, const char *option)
{
    if (!m || !option)
        return NULL;
    for (size_t i = 0; i < m->n_cmdline_options; i++) {
        if (strcmp(m->cmdline_options[i].option, option) == 0)
            return &m->cmdline_options[i];
    }
    return NULL;
}

unsigned long
qc_model_version_number(const qc_model *m)
{
    if (!m || m->version_major < 0 || m->version_minor < 0 || m->version_micro < 0)
        return 0;
    return (unsigned long) m->version_major * 1000000UL +
           (unsigned long) m->version_minor * 1000UL + (unsigned long) m->version_micro;
}

/* ---- arch names ------------------------------------------------------------------------ */

/* Every QEMU system-emulation target (qemu-system-<target>, query-target "arch") of QEMU
 * 5.2 to 11.1. It names binaries (qemu-system-<target>[-<variant>]); a probe accepts a
 * target outside it too (a newer QEMU's), whatever query-target says. */
static const char *const qc_qemu_targets[] = {
    "aarch64", "alpha", "arm", "avr", "cris", "hexagon", "hppa", "i386", "loongarch64", "m68k",
    "microblaze", "microblazeel", "mips", "mips64", "mips64el", "mipsel", "nios2", "or1k",
    "ppc", "ppc64", "riscv32", "riscv64", "rx", "s390x", "sh4", "sh4eb", "sparc", "sparc64",
    "tricore", "x86_64", "xtensa", "xtensaeb",
};

bool
qc_qemu_target_known(const char *target)
{
    const char *t = qc_qemu_target_of_name(target);

    return t && strcmp(t, target) == 0;
}

const char *
qc_qemu_target_of_name(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_qemu_targets); i++) {
        size_t n = strlen(qc_qemu_targets[i]);
        if (strncmp(name, qc_qemu_targets[i], n) == 0 && (name[n] == '\0' || name[n] == '-'))
            return qc_qemu_targets[i];
    }
    return NULL;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* model-diff.c: the differences between two capability models (libc only). */
#include "model/model-diff.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- changes and lists of changes ------------------------------------------------------ */

static const char *const qc_diff_group_names[QC_DIFF_GROUP_COUNT] = {
    "version",  "host",   "machines",     "cpu-models", "host-cpu",  "qom-types", "properties",
    "commands", "events", "command-line", "flags",      "migration", "tpm",       "gic",
    "sev",      "sgx",    "hyperv",       "firmware",   "document",  "emulators", "both",
};

const char *
qc_diff_group_name(qc_diff_group g)
{
    return (unsigned)g < QC_DIFF_GROUP_COUNT ? qc_diff_group_names[g] : NULL;
}

bool
qc_diff_group_scope_is_accel(qc_diff_group g)
{
    return g == QC_DIFF_MACHINES || g == QC_DIFF_CPU_MODELS || g == QC_DIFF_HOST_CPU ||
           g == QC_DIFF_BOTH;
}

const char *
qc_diff_kind_name(qc_diff_kind k)
{
    switch (k) {
    case QC_DIFF_ADDED:
        return "added";
    case QC_DIFF_REMOVED:
        return "removed";
    case QC_DIFF_CHANGED:
        return "changed";
    case QC_DIFF_COMMON:
        return "common";
    }
    return NULL;
}

void
qc_diff_change_clear(qc_diff_change *c)
{
    if (!c)
        return;
    free(c->emulator);
    free(c->scope);
    free(c->name);
    free(c->attribute);
    free(c->old_value);
    free(c->new_value);
    qc_strlist_clear(&c->added);
    qc_strlist_clear(&c->removed);
    qc_strlist_clear(&c->items);
    free(c->detail);
    memset(c, 0, sizeof(*c));
}

void
qc_diff_clear(qc_diff *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        qc_diff_change_clear(&d->v[i]);
    free(d->v);
    memset(d, 0, sizeof(*d));
}

static int
qc_diff_grow(qc_diff *d, size_t more, qc_error **err)
{
    if (d->n + more > d->cap) {
        size_t cap = d->cap ? d->cap : 32;
        qc_diff_change *v;

        while (cap < d->n + more)
            cap *= 2;
        if (!(v = realloc(d->v, cap * sizeof(*v))))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        d->v = v;
        d->cap = cap;
    }
    return 0;
}

qc_diff_change *
qc_diff_add(qc_diff *d, qc_diff_group g, qc_diff_kind k, const char *scope, const char *name,
            const char *attribute, const char *old_value, const char *new_value, qc_error **err)
{
    qc_diff_change *c;

    if (qc_diff_grow(d, 1, err) < 0)
        return NULL;
    c = &d->v[d->n];
    memset(c, 0, sizeof(*c));
    c->group = g;
    c->kind = k;
    if (qc_strdup_opt(&c->scope, scope, err) < 0 ||
        qc_strdup_opt(&c->name, name ? name : "", err) < 0 ||
        qc_strdup_opt(&c->attribute, attribute, err) < 0 ||
        qc_strdup_opt(&c->old_value, old_value, err) < 0 ||
        qc_strdup_opt(&c->new_value, new_value, err) < 0) {
        qc_diff_change_clear(c);
        return NULL;
    }
    d->n++;
    return c;
}

int
qc_diff_move(qc_diff *d, qc_diff *src, qc_error **err)
{
    if (qc_diff_grow(d, src->n, err) < 0)
        return -1;
    if (src->n)
        memcpy(d->v + d->n, src->v, src->n * sizeof(*src->v));
    d->n += src->n;
    free(src->v);
    memset(src, 0, sizeof(*src));
    return 0;
}

int
qc_diff_set_emulator(qc_diff *d, size_t from, const char *emulator, qc_error **err)
{
    for (size_t i = from; i < d->n; i++) {
        if (!d->v[i].emulator && qc_strdup_opt(&d->v[i].emulator, emulator, err) < 0)
            return -1;
    }
    return 0;
}

/* Version order with NULL first. */
static int
qc_vcmp(const char *a, const char *b)
{
    if (a == b)
        return 0;
    if (!a || !b)
        return a ? 1 : -1;
    return strverscmp(a, b);
}

static int
qc_diff_change_cmp(const void *pa, const void *pb)
{
    const qc_diff_change *a = pa, *b = pb;
    bool owner_first = !qc_diff_group_scope_is_accel(a->group);
    int r;

    if (!a->emulator != !b->emulator)
        return a->emulator ? 1 : -1;
    if ((r = qc_vcmp(a->emulator, b->emulator)) != 0)
        return r;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (owner_first && (r = qc_vcmp(a->scope, b->scope)) != 0)
        return r;
    if ((r = qc_vcmp(a->name, b->name)) != 0)
        return r;
    if ((r = qc_vcmp(a->scope, b->scope)) != 0)
        return r;
    if ((r = qc_vcmp(a->attribute, b->attribute)) != 0)
        return r;
    /* facts of a document with one path: by their text */
    if ((r = qc_vcmp(a->new_value ? a->new_value : a->old_value,
                     b->new_value ? b->new_value : b->old_value)) != 0)
        return r;
    return (int)a->kind - (int)b->kind;
}

void
qc_diff_sort(qc_diff *d)
{
    if (d && d->n > 1)
        qsort(d->v, d->n, sizeof(*d->v), qc_diff_change_cmp);
}

size_t
qc_diff_count_differences(const qc_diff *d)
{
    size_t n = 0;

    for (size_t i = 0; d && i < d->n; i++)
        n += d->v[i].kind != QC_DIFF_COMMON;
    return n;
}

/* ---- small helpers ---------------------------------------------------------------------- */

static bool
qc_streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static const char *
qc_yesno(bool b)
{
    return b ? "yes" : "no";
}

static const char *
qc_tri_name(qc_tristate t)
{
    return t == QC_TRI_YES ? "yes" : t == QC_TRI_NO ? "no" : NULL;
}

/* Sets c->detail from a format (c may be NULL after a failed add: then -1). */
static int qc_detail(qc_diff_change *c, qc_error **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
qc_detail(qc_diff_change *c, qc_error **err, const char *fmt, ...)
{
    va_list ap;
    int r;

    if (!c)
        return -1;
    free(c->detail);
    c->detail = NULL;
    va_start(ap, fmt);
    r = vasprintf(&c->detail, fmt, ap);
    va_end(ap);
    if (r < 0) {
        c->detail = NULL;
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    return 0;
}

/* l's members joined by sep. Caller frees; NULL on OOM. */
static char *
qc_join(const qc_strlist *l, const char *sep)
{
    size_t len = 1, sl = strlen(sep);
    char *s, *p;

    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + sl;
    if (!(s = malloc(len)))
        return NULL;
    p = s;
    *p = '\0';
    for (size_t i = 0; i < l->n; i++) {
        size_t n = strlen(l->v[i]);

        if (i) {
            memcpy(p, sep, sl);
            p += sl;
        }
        memcpy(p, l->v[i], n + 1);
        p += n;
    }
    return s;
}

static int
qc_copy_sorted(qc_strlist *dst, const qc_strlist *src, qc_error **err)
{
    for (size_t i = 0; i < src->n; i++) {
        if (qc_strlist_add(dst, src->v[i], err) < 0)
            return -1;
    }
    qc_strlist_sort(dst);
    qc_strlist_uniq(dst);
    return 0;
}

/* Fills c->added / c->removed with the set difference of two lists (any order). */
static int
qc_set_diff(qc_diff_change *c, const qc_strlist *o, const qc_strlist *n, qc_error **err)
{
    qc_strlist so = {0}, sn = {0};
    int rc = -1;

    if (qc_copy_sorted(&so, o, err) < 0 || qc_copy_sorted(&sn, n, err) < 0)
        goto out;
    for (size_t i = 0; i < sn.n; i++) {
        if (!qc_strlist_bsearch(&so, sn.v[i]) && qc_strlist_add(&c->added, sn.v[i], err) < 0)
            goto out;
    }
    for (size_t i = 0; i < so.n; i++) {
        if (!qc_strlist_bsearch(&sn, so.v[i]) && qc_strlist_add(&c->removed, so.v[i], err) < 0)
            goto out;
    }
    rc = 0;
out:
    qc_strlist_clear(&so);
    qc_strlist_clear(&sn);
    return rc;
}

/* One ADDED or REMOVED change per member of one list only (any order). */
static int
qc_diff_names(qc_diff *d, qc_diff_group g, const char *scope, const qc_strlist *o,
              const qc_strlist *n, qc_error **err)
{
    qc_diff_change c = {0};
    int rc = -1;

    if (qc_set_diff(&c, o, n, err) < 0)
        goto out;
    for (size_t i = 0; i < c.added.n; i++) {
        if (!qc_diff_add(d, g, QC_DIFF_ADDED, scope, c.added.v[i], NULL, NULL, NULL, err))
            goto out;
    }
    for (size_t i = 0; i < c.removed.n; i++) {
        if (!qc_diff_add(d, g, QC_DIFF_REMOVED, scope, c.removed.v[i], NULL, NULL, NULL, err))
            goto out;
    }
    rc = 0;
out:
    qc_diff_change_clear(&c);
    return rc;
}

/* A CHANGED change when the two strings differ; both NULL-safe ("(none)" to a reader). */
static int
qc_diff_str(qc_diff *d, qc_diff_group g, const char *scope, const char *name, const char *attribute,
            const char *o, const char *n, int rank, qc_error **err)
{
    qc_diff_change *c;

    if (qc_streq(o, n))
        return 0;
    if (!(c = qc_diff_add(d, g, QC_DIFF_CHANGED, scope, name, attribute, o, n, err)))
        return -1;
    c->rank = rank;
    return 0;
}

static int
qc_diff_int(qc_diff *d, qc_diff_group g, const char *scope, const char *name, const char *attribute,
            long long o, long long n, qc_error **err)
{
    char so[32], sn[32];

    if (o == n)
        return 0;
    snprintf(so, sizeof(so), "%lld", o);
    snprintf(sn, sizeof(sn), "%lld", n);
    return qc_diff_str(d, g, scope, name, attribute, so, sn, 0, err);
}

/* "+a +b -c": what a list gained and lost. Caller frees; NULL on OOM. */
static char *
qc_plus_minus(const qc_strlist *added, const qc_strlist *removed)
{
    size_t len = 1;
    char *s, *p;

    for (size_t i = 0; i < added->n; i++)
        len += strlen(added->v[i]) + 2;
    for (size_t i = 0; i < removed->n; i++)
        len += strlen(removed->v[i]) + 2;
    if (!(s = malloc(len)))
        return NULL;
    p = s;
    for (size_t i = 0; i < added->n + removed->n; i++) {
        bool plus = i < added->n;
        const char *v = plus ? added->v[i] : removed->v[i - added->n];

        p += sprintf(p, "%s%c%s", i ? " " : "", plus ? '+' : '-', v);
    }
    *p = '\0';
    return s;
}

/* A list-valued attribute: one CHANGED change listing what was gained and lost. */
static int
qc_diff_list_attr(qc_diff *d, qc_diff_group g, const char *scope, const char *name,
                  const char *attribute, const qc_strlist *o, const qc_strlist *n, qc_error **err)
{
    qc_autofree char *pm = NULL;
    qc_diff_change c = {0}, *k;
    int rc = -1;

    if (qc_set_diff(&c, o, n, err) < 0)
        goto out;
    rc = 0;
    if (!c.added.n && !c.removed.n)
        goto out;
    rc = -1;
    if (!(k = qc_diff_add(d, g, QC_DIFF_CHANGED, scope, name, attribute, NULL, NULL, err)))
        goto out;
    k->added = c.added;
    k->removed = c.removed;
    memset(&c, 0, sizeof(c));
    if (!(pm = qc_plus_minus(&k->added, &k->removed))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        goto out;
    }
    rc = qc_detail(k, err, "%s%s%s", attribute ? attribute : "", attribute ? " " : "", pm);
out:
    qc_diff_change_clear(&c);
    return rc;
}

/* ---- accelerator-dependent groups: compared per accelerator, then merged ----------------- */

static bool
qc_change_equal(const qc_diff_change *a, const qc_diff_change *b)
{
    if (a->group != b->group || a->kind != b->kind || a->rank != b->rank ||
        !qc_streq(a->name, b->name) || !qc_streq(a->attribute, b->attribute) ||
        !qc_streq(a->old_value, b->old_value) || !qc_streq(a->new_value, b->new_value) ||
        !qc_streq(a->detail, b->detail) || a->added.n != b->added.n || a->removed.n != b->removed.n)
        return false;
    for (size_t i = 0; i < a->added.n; i++) {
        if (strcmp(a->added.v[i], b->added.v[i]) != 0)
            return false;
    }
    for (size_t i = 0; i < a->removed.n; i++) {
        if (strcmp(a->removed.v[i], b->removed.v[i]) != 0)
            return false;
    }
    return true;
}

/* Moves the per-accelerator changes into d: a change found identically in every
 * accelerator both sides probed once without a scope, any other with its accelerator. */
static int
qc_diff_merge_accels(qc_diff *d, qc_diff per[QC_ACCEL_COUNT], const bool both[QC_ACCEL_COUNT],
                     qc_error **err)
{
    bool *used[QC_ACCEL_COUNT] = {0};
    size_t n_both = 0;
    int rc = -1;

    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        n_both += both[a];
        if (per[a].n && !(used[a] = calloc(per[a].n, sizeof(bool)))) {
            qc_error_set(err, QC_E_NOMEM, "out of memory");
            goto out;
        }
    }
    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        for (size_t i = 0; i < per[a].n; i++) {
            size_t match[QC_ACCEL_COUNT] = {0}, found = 1;
            qc_diff_change *c = &per[a].v[i];

            if (used[a][i])
                continue;
            for (int b = a + 1; b < QC_ACCEL_COUNT && n_both > 1; b++) {
                for (size_t j = 0; both[b] && j < per[b].n; j++) {
                    if (!used[b][j] && qc_change_equal(c, &per[b].v[j])) {
                        match[b] = j + 1;
                        found++;
                        break;
                    }
                }
            }
            if (qc_diff_grow(d, 1, err) < 0)
                goto out;
            if (found == n_both) {
                for (int b = a + 1; b < QC_ACCEL_COUNT; b++) {
                    if (match[b])
                        used[b][match[b] - 1] = true;
                }
            } else if (qc_strdup_opt(&c->scope, qc_accel_name((qc_accel)a), err) < 0) {
                goto out;
            }
            used[a][i] = true;
            d->v[d->n++] = *c;
            memset(c, 0, sizeof(*c));
        }
    }
    rc = 0;
out:
    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        free(used[a]);
        qc_diff_clear(&per[a]);
    }
    return rc;
}

/* ---- version ----------------------------------------------------------------------------- */

static int
qc_diff_version(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    char vo[48], vn[48];

    snprintf(vo, sizeof(vo), "%d.%d.%d", o->version_major, o->version_minor, o->version_micro);
    snprintf(vn, sizeof(vn), "%d.%d.%d", n->version_major, n->version_minor, n->version_micro);
    if (qc_diff_str(d, QC_DIFF_VERSION, NULL, "version", NULL, vo, vn, 0, err) < 0 ||
        qc_diff_str(d, QC_DIFF_VERSION, NULL, "package", NULL, o->package, n->package, 0, err) <
            0 ||
        qc_diff_str(d, QC_DIFF_VERSION, NULL, "target", NULL, o->target, n->target, 0, err) < 0 ||
        qc_diff_str(d, QC_DIFF_VERSION, NULL, "kvm", NULL, qc_yesno(o->kvm), qc_yesno(n->kvm), 0,
                    err) < 0)
        return -1;
    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        bool po = o->accel[a].probed, pn = n->accel[a].probed;
        qc_diff_change *c;

        if (po == pn)
            continue;
        if (!(c = qc_diff_add(d, QC_DIFF_VERSION, pn ? QC_DIFF_ADDED : QC_DIFF_REMOVED,
                              "accelerator", qc_accel_name((qc_accel)a), NULL, NULL, NULL, err)) ||
            qc_detail(c, err,
                      "probed on the %s side only: its machines, CPU models and host "
                      "CPU are not compared",
                      pn ? "new" : "old") < 0)
            return -1;
        c->rank = 1;
    }
    return 0;
}

/* ---- host facts ------------------------------------------------------------------------- */

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

/* ---- machines ------------------------------------------------------------------------------ */

static const qc_machine *
qc_find_machine(const qc_accel_caps *a, const char *name)
{
    for (size_t i = 0; i < a->n_machines; i++) {
        if (strcmp(a->machines[i].name, name) == 0)
            return &a->machines[i];
    }
    return NULL;
}

static const qc_machine *
qc_find_alias(const qc_accel_caps *a, const char *alias)
{
    for (size_t i = 0; i < a->n_machines; i++) {
        if (a->machines[i].alias && strcmp(a->machines[i].alias, alias) == 0)
            return &a->machines[i];
    }
    return NULL;
}

static const char *
qc_default_name(const qc_accel_caps *a)
{
    for (size_t i = 0; i < a->n_machines; i++) {
        if (a->machines[i].is_default)
            return a->machines[i].name;
    }
    return NULL;
}

/* The default machine and every alias that points elsewhere (or exists on one side). */
static int
qc_diff_machine_aliases(const qc_accel_caps *o, const qc_accel_caps *n, qc_diff *d, qc_error **err)
{
    const qc_accel_caps *sides[2] = {o, n};
    qc_strlist aliases = {0};
    int rc = -1;

    /* the default and the aliases first: they say where a guest lands */
    if (qc_diff_str(d, QC_DIFF_MACHINES, NULL, "default", NULL, qc_default_name(o),
                    qc_default_name(n), -2, err) < 0)
        return -1;
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < sides[s]->n_machines; i++) {
            const char *al = sides[s]->machines[i].alias;

            if (al && !qc_strlist_contains(&aliases, al) && qc_strlist_add(&aliases, al, err) < 0)
                goto out;
        }
    }
    for (size_t i = 0; i < aliases.n; i++) {
        const qc_machine *mo = qc_find_alias(o, aliases.v[i]), *mn = qc_find_alias(n, aliases.v[i]);
        qc_diff_change *c;

        if (mo && mn && strcmp(mo->name, mn->name) == 0)
            continue;
        if (!(c = qc_diff_add(d, QC_DIFF_MACHINES, QC_DIFF_CHANGED, NULL, aliases.v[i], "alias",
                              mo ? mo->name : NULL, mn ? mn->name : NULL, err)))
            goto out;
        c->rank = -1;
        if ((mo && mn && qc_detail(c, err, "alias moved: %s -> %s", mo->name, mn->name) < 0) ||
            (!mo && qc_detail(c, err, "new alias, of %s", mn->name) < 0) ||
            (!mn && qc_detail(c, err, "alias gone (was %s)", mo->name) < 0))
            goto out;
    }
    rc = 0;
out:
    qc_strlist_clear(&aliases);
    return rc;
}

/* What a machine present on one side only is: "alias q35, default", "deprecated". */
static int
qc_machine_note(qc_diff_change *c, const qc_machine *m, bool removed, qc_error **err)
{
    if (removed)
        return m->deprecated ? qc_detail(c, err, "was deprecated") : 0;
    if (!m->alias && !m->is_default && !m->deprecated)
        return 0;
    return qc_detail(c, err, "%s%s%s%s%s", m->alias ? "alias " : "", m->alias ? m->alias : "",
                     m->is_default ? (m->alias ? ", default" : "default") : "",
                     m->deprecated && (m->alias || m->is_default) ? ", " : "",
                     m->deprecated ? "deprecated" : "");
}

static int
qc_diff_machine_attrs(const qc_machine *mo, const qc_machine *mn, qc_diff *d, qc_error **err)
{
    const qc_diff_group g = QC_DIFF_MACHINES;
    const char *name = mo->name;

    if (mo->deprecated != mn->deprecated) {
        qc_diff_change *c = qc_diff_add(d, g, QC_DIFF_CHANGED, NULL, name, "deprecated",
                                        qc_yesno(mo->deprecated), qc_yesno(mn->deprecated), err);

        if (qc_detail(c, err, mn->deprecated ? "newly deprecated" : "no longer deprecated") < 0)
            return -1;
    }
    if (qc_diff_int(d, g, NULL, name, "cpu-max", mo->cpu_max, mn->cpu_max, err) < 0 ||
        qc_diff_str(d, g, NULL, name, "hotpluggable-cpus", qc_yesno(mo->hotpluggable_cpus),
                    qc_yesno(mn->hotpluggable_cpus), 0, err) < 0)
        return -1;
    /* an attribute one QEMU does not report is unknown there, not changed */
    if (mo->default_cpu_type && mn->default_cpu_type &&
        qc_diff_str(d, g, NULL, name, "default-cpu-type", mo->default_cpu_type,
                    mn->default_cpu_type, 0, err) < 0)
        return -1;
    if (mo->default_ram_id && mn->default_ram_id &&
        qc_diff_str(d, g, NULL, name, "default-ram-id", mo->default_ram_id, mn->default_ram_id, 0,
                    err) < 0)
        return -1;
    if (mo->numa_mem_supported != QC_TRI_ABSENT && mn->numa_mem_supported != QC_TRI_ABSENT &&
        qc_diff_str(d, g, NULL, name, "numa-mem-supported", qc_tri_name(mo->numa_mem_supported),
                    qc_tri_name(mn->numa_mem_supported), 0, err) < 0)
        return -1;
    if (mo->acpi != QC_TRI_ABSENT && mn->acpi != QC_TRI_ABSENT &&
        qc_diff_str(d, g, NULL, name, "acpi", qc_tri_name(mo->acpi), qc_tri_name(mn->acpi), 0,
                    err) < 0)
        return -1;
    return 0;
}

static int
qc_diff_machines(const qc_accel_caps *o, const qc_accel_caps *n, qc_diff *d, qc_error **err)
{
    if (qc_diff_machine_aliases(o, n, d, err) < 0)
        return -1;
    for (size_t i = 0; i < n->n_machines; i++) {
        const qc_machine *mn = &n->machines[i], *mo = qc_find_machine(o, mn->name);
        qc_diff_change *c;

        if (mo) {
            if (qc_diff_machine_attrs(mo, mn, d, err) < 0)
                return -1;
            continue;
        }
        if (!(c = qc_diff_add(d, QC_DIFF_MACHINES, QC_DIFF_ADDED, NULL, mn->name, NULL, NULL, NULL,
                              err)) ||
            qc_machine_note(c, mn, false, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < o->n_machines; i++) {
        const qc_machine *mo = &o->machines[i];
        qc_diff_change *c;

        if (qc_find_machine(n, mo->name))
            continue;
        if (!(c = qc_diff_add(d, QC_DIFF_MACHINES, QC_DIFF_REMOVED, NULL, mo->name, NULL, NULL,
                              NULL, err)) ||
            qc_machine_note(c, mo, true, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- CPU definitions ------------------------------------------------------------------------ */

static const qc_cpu_def *
qc_find_def(const qc_accel_caps *a, const char *name)
{
    for (size_t i = 0; i < a->n_cpu_defs; i++) {
        if (strcmp(a->cpu_defs[i].name, name) == 0)
            return &a->cpu_defs[i];
    }
    return NULL;
}

/* What one CPU definition and another are the same model by: the versioned model both
 * are aliases of (x86's alias-of), or the QOM type both instantiate (ppc's aliases share
 * their model's type). NULL when they are not. */
static const char *
qc_same_definition(const qc_cpu_def *a, const qc_cpu_def *b)
{
    if (a->alias_of && b->alias_of && strcmp(a->alias_of, b->alias_of) == 0)
        return a->alias_of;
    if (a->type_name && *a->type_name && b->type_name && strcmp(a->type_name, b->type_name) == 0)
        return a->type_name;
    return NULL;
}

/* The one definition only `in` has that is another name of the same model as `def`:
 * `def` was renamed to it. NULL when none or several. */
static const qc_cpu_def *
qc_find_rename(const qc_cpu_def *def, const qc_accel_caps *in, const qc_accel_caps *not_in)
{
    const qc_cpu_def *found = NULL;

    for (size_t i = 0; i < in->n_cpu_defs; i++) {
        const qc_cpu_def *c = &in->cpu_defs[i];

        if (!qc_same_definition(c, def) || strcmp(c->name, def->name) == 0 ||
            qc_find_def(not_in, c->name))
            continue;
        if (found)
            return NULL;
        found = c;
    }
    return found;
}

/* The rename partner of `def` in `in`, when each is the other's only candidate. */
static const qc_cpu_def *
qc_renamed_from(const qc_cpu_def *def, const qc_accel_caps *in, const qc_accel_caps *not_in)
{
    const qc_cpu_def *to = qc_find_rename(def, in, not_in);

    return to && qc_find_rename(to, not_in, in) == def ? to : NULL;
}

static int
qc_cpu_note(qc_diff_change *c, const qc_cpu_def *def, bool removed, qc_error **err)
{
    if (!def->alias_of && !def->deprecated)
        return 0;
    return qc_detail(c, err, "%s%s%s%s", def->alias_of ? "alias of " : "",
                     def->alias_of ? def->alias_of : "",
                     def->alias_of && def->deprecated ? ", " : "",
                     def->deprecated ? (removed ? "was deprecated" : "deprecated") : "");
}

/* usable / not usable, and what blocks it. */
static int
qc_diff_cpu_usable(const qc_cpu_def *o, const qc_cpu_def *n, qc_diff *d, qc_error **err)
{
    qc_autofree char *list = NULL;
    qc_diff_change *c;

    if (o->usable == QC_TRI_ABSENT || n->usable == QC_TRI_ABSENT)
        return 0; /* not reported on one side: unknown, not changed */
    if (o->usable == n->usable) {
        qc_autofree char *plus = NULL;
        qc_autofree char *minus = NULL;
        size_t from = d->n;

        if (n->usable != QC_TRI_NO)
            return 0;
        if (qc_diff_list_attr(d, QC_DIFF_CPU_MODELS, NULL, n->name, "blockers", &o->blockers,
                              &n->blockers, err) < 0)
            return -1;
        if (d->n == from)
            return 0;
        c = &d->v[from];
        if (!(plus = qc_join(&c->added, " ")) || !(minus = qc_join(&c->removed, " ")))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        return qc_detail(c, err, "still not usable%s%s%s%s",
                         c->added.n ? "; now also blocked by: " : "", plus,
                         c->removed.n ? "; no longer blocked by: " : "", minus);
    }
    if (!(c = qc_diff_add(d, QC_DIFF_CPU_MODELS, QC_DIFF_CHANGED, NULL, n->name, "usable",
                          qc_tri_name(o->usable), qc_tri_name(n->usable), err)))
        return -1;
    if (n->usable == QC_TRI_NO) {
        if (qc_copy_sorted(&c->added, &n->blockers, err) < 0)
            return -1;
        if (!(list = qc_join(&c->added, " ")))
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        return qc_detail(c, err, "usable -> not usable, blocked by: %s", list);
    }
    if (qc_copy_sorted(&c->removed, &o->blockers, err) < 0)
        return -1;
    if (!(list = qc_join(&c->removed, " ")))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    return qc_detail(c, err, "not usable -> usable (was blocked by: %s)", list);
}

static int
qc_diff_cpu_attrs(const qc_cpu_def *o, const qc_cpu_def *n, qc_diff *d, qc_error **err)
{
    const qc_diff_group g = QC_DIFF_CPU_MODELS;

    if (qc_diff_cpu_usable(o, n, d, err) < 0 ||
        qc_diff_str(d, g, NULL, n->name, "alias-of", o->alias_of, n->alias_of, 0, err) < 0 ||
        (o->type_name && n->type_name &&
         qc_diff_str(d, g, NULL, n->name, "typename", o->type_name, n->type_name, 0, err) < 0) ||
        qc_diff_str(d, g, NULL, n->name, "static", qc_yesno(o->static_model),
                    qc_yesno(n->static_model), 0, err) < 0)
        return -1;
    if (o->deprecated != n->deprecated) {
        qc_diff_change *c = qc_diff_add(d, g, QC_DIFF_CHANGED, NULL, n->name, "deprecated",
                                        qc_yesno(o->deprecated), qc_yesno(n->deprecated), err);

        if (qc_detail(c, err, n->deprecated ? "newly deprecated" : "no longer deprecated") < 0)
            return -1;
    }
    return 0;
}

static int
qc_diff_cpu_defs(const qc_accel_caps *o, const qc_accel_caps *n, qc_diff *d, qc_error **err)
{
    const qc_diff_group g = QC_DIFF_CPU_MODELS;
    qc_diff_change *c;

    if (o->have_cpu_defs != n->have_cpu_defs) {
        /* one QEMU lists no CPU models: which of its models existed is unknown */
        c = qc_diff_add(d, g, QC_DIFF_CHANGED, NULL, "query-cpu-definitions", NULL,
                        o->have_cpu_defs ? "answered" : "not answered",
                        n->have_cpu_defs ? "answered" : "not answered", err);
        return qc_detail(c, err,
                         "%s -> %s (%zu CPU models; their QOM types are compared "
                         "instead)",
                         o->have_cpu_defs ? "answered" : "not answered",
                         n->have_cpu_defs ? "answered" : "not answered",
                         o->have_cpu_defs ? o->n_cpu_defs : n->n_cpu_defs);
    }
    for (size_t i = 0; i < n->n_cpu_defs; i++) {
        const qc_cpu_def *dn = &n->cpu_defs[i], *dold = qc_find_def(o, dn->name);

        if (dold) {
            if (qc_diff_cpu_attrs(dold, dn, d, err) < 0)
                return -1;
            continue;
        }
        if (qc_renamed_from(dn, o, n))
            continue; /* reported from the old side, as a rename */
        if (!(c = qc_diff_add(d, g, QC_DIFF_ADDED, NULL, dn->name, NULL, NULL, NULL, err)) ||
            qc_cpu_note(c, dn, false, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < o->n_cpu_defs; i++) {
        const qc_cpu_def *dold = &o->cpu_defs[i], *to;

        if (qc_find_def(n, dold->name))
            continue;
        if ((to = qc_renamed_from(dold, n, o))) {
            if (!(c = qc_diff_add(d, g, QC_DIFF_CHANGED, NULL, dold->name, "name", dold->name,
                                  to->name, err)) ||
                qc_detail(c, err, "renamed to %s (both %s %s)", to->name,
                          qc_same_definition(dold, to) == dold->alias_of ? "alias of"
                                                                         : "of QOM type",
                          qc_same_definition(dold, to)) < 0)
                return -1;
            continue;
        }
        if (!(c = qc_diff_add(d, g, QC_DIFF_REMOVED, NULL, dold->name, NULL, NULL, NULL, err)) ||
            qc_cpu_note(c, dold, true, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- host CPU expansion ---------------------------------------------------------------------- */

static char *
qc_prop_value(const qc_cpu_prop *p)
{
    char *s = NULL;

    switch (p->type) {
    case QC_PROP_BOOL:
        return strdup(p->b ? "on" : "off");
    case QC_PROP_STRING:
        return strdup(p->s ? p->s : "");
    case QC_PROP_NUMBER:
        if (asprintf(&s, "%" PRId64, p->n) < 0)
            return NULL;
        return s;
    }
    return NULL;
}

static int
qc_diff_host_prop(const qc_cpu_prop *po, const qc_cpu_prop *pn, qc_diff *d, qc_error **err)
{
    qc_autofree char *vo = po ? qc_prop_value(po) : NULL;
    qc_autofree char *vn = pn ? qc_prop_value(pn) : NULL;
    const qc_cpu_prop *p = pn ? pn : po;
    qc_diff_change *c;

    if (!p)
        return 0;
    if ((po && !vo) || (pn && !vn))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (po && pn) {
        if (qc_diff_str(d, QC_DIFF_HOST_CPU, NULL, p->name, NULL, vo, vn, 1, err) < 0)
            return -1;
        if (po->migratable != QC_TRI_ABSENT && pn->migratable != QC_TRI_ABSENT &&
            qc_diff_str(d, QC_DIFF_HOST_CPU, NULL, p->name, "migratable",
                        qc_tri_name(po->migratable), qc_tri_name(pn->migratable), 1, err) < 0)
            return -1;
        return 0;
    }
    if (!(c = qc_diff_add(d, QC_DIFF_HOST_CPU, pn ? QC_DIFF_ADDED : QC_DIFF_REMOVED, NULL, p->name,
                          NULL, vo, vn, err)))
        return -1;
    c->rank = 1;
    return qc_detail(c, err, "%s", pn ? vn : vo);
}

static int
qc_diff_host_cpu(const qc_cpu_expansion *o, const qc_cpu_expansion *n, qc_diff *d, qc_error **err)
{
    const qc_diff_group g = QC_DIFF_HOST_CPU;
    size_t i = 0, j = 0;

    if (!o || !n) {
        qc_diff_change *c;

        if (!o && !n)
            return 0;
        if (!(c = qc_diff_add(d, g, n ? QC_DIFF_ADDED : QC_DIFF_REMOVED, NULL, "expansion", NULL,
                              o ? o->model : NULL, n ? n->model : NULL, err)))
            return -1;
        return qc_detail(c, err, "of model %s", n ? n->model : o->model);
    }
    if (qc_diff_str(d, g, NULL, "model", NULL, o->model, n->model, 0, err) < 0 ||
        qc_diff_str(d, g, NULL, "type", NULL, o->type, n->type, 0, err) < 0 ||
        qc_diff_str(d, g, NULL, "vendor", NULL, o->vendor, n->vendor, 0, err) < 0)
        return -1;
    /* both property lists are sorted by name */
    while (i < o->n_props || j < n->n_props) {
        int r = i >= o->n_props   ? 1
                : j >= n->n_props ? -1
                                  : strcmp(o->props[i].name, n->props[j].name);

        if (qc_diff_host_prop(r <= 0 ? &o->props[i] : NULL, r >= 0 ? &n->props[j] : NULL, d, err) <
            0)
            return -1;
        i += r <= 0;
        j += r >= 0;
    }
    return 0;
}

/* ---- everything that depends on the accelerator ------------------------------------------------
 */

static int
qc_diff_accels(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    qc_diff per[QC_ACCEL_COUNT] = {{0}};
    bool both[QC_ACCEL_COUNT];

    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        const qc_accel_caps *ao = &o->accel[a], *an = &n->accel[a];

        both[a] = ao->probed && an->probed;
        if (!both[a])
            continue;
        if (qc_diff_machines(ao, an, &per[a], err) < 0 ||
            qc_diff_cpu_defs(ao, an, &per[a], err) < 0 ||
            qc_diff_host_cpu(ao->host_cpu, an->host_cpu, &per[a], err) < 0) {
            for (int b = 0; b < QC_ACCEL_COUNT; b++)
                qc_diff_clear(&per[b]);
            return -1;
        }
    }
    return qc_diff_merge_accels(d, per, both, err);
}

/* Named x86 models (first pass): vendor, model-id and features of the ones both have. */
static int
qc_diff_cpu_models(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    for (size_t i = 0; i < n->n_cpu_models; i++) {
        const qc_cpu_model_info *cn = &n->cpu_models[i], *co = qc_model_cpu_model(o, cn->name);

        if (!co)
            continue; /* added or removed: the CPU definitions say so */
        if (qc_diff_str(d, QC_DIFF_CPU_MODELS, NULL, cn->name, "vendor", co->vendor, cn->vendor, 0,
                        err) < 0 ||
            qc_diff_str(d, QC_DIFF_CPU_MODELS, NULL, cn->name, "model-id", co->model_id,
                        cn->model_id, 0, err) < 0 ||
            qc_diff_list_attr(d, QC_DIFF_CPU_MODELS, NULL, cn->name, "features", &co->features,
                              &cn->features, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- types, properties, commands, options ------------------------------------------------------
 */

static bool
qc_has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The QOM types but machine types (the machines group reports them) and, when both sides
 * list their CPU models, CPU types (the CPU models group does). */
static int
qc_device_types(const qc_model *m, bool skip_cpus, qc_strlist *ret, qc_error **err)
{
    for (size_t i = 0; i < m->qom_types.n; i++) {
        const char *t = m->qom_types.v[i];

        if (qc_has_suffix(t, "-machine") || (skip_cpus && qc_has_suffix(t, "-cpu")))
            continue;
        if (qc_strlist_add(ret, t, err) < 0)
            return -1;
    }
    return 0;
}

static bool
qc_lists_cpus(const qc_model *m)
{
    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        if (m->accel[a].probed && m->accel[a].have_cpu_defs)
            return true;
    }
    return false;
}

static int
qc_diff_qom_types(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    qc_strlist to = {0}, tn = {0};
    int rc = -1;

    bool skip_cpus = qc_lists_cpus(o) && qc_lists_cpus(n);

    if (qc_device_types(o, skip_cpus, &to, err) == 0 &&
        qc_device_types(n, skip_cpus, &tn, err) == 0)
        rc = qc_diff_names(d, QC_DIFF_QOM_TYPES, NULL, &to, &tn, err);
    qc_strlist_clear(&to);
    qc_strlist_clear(&tn);
    return rc;
}

/* Property lists of the types both probes queried and QEMU knew on both sides (a type one
 * side lacks is reported by the QOM types). */
static int
qc_diff_type_props(const qc_type_props *vo, size_t no, const qc_type_props *vn, size_t nn,
                   qc_diff *d, qc_error **err)
{
    for (size_t i = 0; i < nn; i++) {
        const qc_type_props *tn = &vn[i], *to = NULL;

        for (size_t k = 0; k < no && !to; k++) {
            if (strcmp(vo[k].type_name, tn->type_name) == 0)
                to = &vo[k];
        }
        if (!to || !to->present || !tn->present)
            continue;
        if (qc_diff_names(d, QC_DIFF_PROPERTIES, tn->type_name, &to->props, &tn->props, err) < 0)
            return -1;
    }
    return 0;
}

static int
qc_diff_cmdline(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    qc_strlist so = {0}, sn = {0};
    int rc = -1;

    for (size_t i = 0; i < o->n_cmdline_options; i++) {
        if (qc_strlist_add(&so, o->cmdline_options[i].option, err) < 0)
            goto out;
    }
    for (size_t i = 0; i < n->n_cmdline_options; i++) {
        const qc_cmdline_option *on = &n->cmdline_options[i];
        const qc_cmdline_option *oo = qc_model_cmdline_option(o, on->option);

        if (qc_strlist_add(&sn, on->option, err) < 0 ||
            (oo &&
             qc_diff_names(d, QC_DIFF_CMDLINE, on->option, &oo->params, &on->params, err) < 0))
            goto out;
    }
    rc = qc_diff_names(d, QC_DIFF_CMDLINE, NULL, &so, &sn, err);
out:
    qc_strlist_clear(&so);
    qc_strlist_clear(&sn);
    return rc;
}

/* ---- TPM, GIC, SEV, SGX ------------------------------------------------------------------------
 */

static int
qc_diff_tpm(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    size_t from = d->n;

    if (qc_diff_names(d, QC_DIFF_TPM, NULL, &o->tpm_models, &n->tpm_models, err) < 0)
        return -1;
    for (size_t i = from; i < d->n; i++) {
        if (qc_detail(&d->v[i], err, "TPM model") < 0)
            return -1;
    }
    from = d->n;
    if (qc_diff_names(d, QC_DIFF_TPM, NULL, &o->tpm_types, &n->tpm_types, err) < 0)
        return -1;
    for (size_t i = from; i < d->n; i++) {
        if (qc_detail(&d->v[i], err, "TPM backend type") < 0)
            return -1;
    }
    return 0;
}

static const qc_gic_cap *
qc_find_gic(const qc_model *m, int version)
{
    for (size_t i = 0; i < m->n_gic; i++) {
        if (m->gic[i].version == version)
            return &m->gic[i];
    }
    return NULL;
}

static int
qc_gic_note(qc_diff_change *c, const qc_gic_cap *g, qc_error **err)
{
    return qc_detail(c, err, "kernel %s, emulated %s", qc_yesno(g->kernel), qc_yesno(g->emulated));
}

static int
qc_diff_gic(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    const qc_model *sides[2] = {o, n};
    char name[32];

    if (o->have_gic != n->have_gic)
        return qc_diff_str(d, QC_DIFF_GIC, NULL, "query-gic-capabilities", NULL,
                           o->have_gic ? "answered" : "not answered",
                           n->have_gic ? "answered" : "not answered", 0, err);
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < sides[s]->n_gic; i++) {
            const qc_gic_cap *g = &sides[s]->gic[i];
            const qc_gic_cap *other = qc_find_gic(sides[!s], g->version);
            qc_diff_change *c;

            snprintf(name, sizeof(name), "v%d", g->version);
            if (other && s == 1)
                continue;
            if (other) {
                if (qc_diff_str(d, QC_DIFF_GIC, NULL, name, "kernel", qc_yesno(g->kernel),
                                qc_yesno(other->kernel), 0, err) < 0 ||
                    qc_diff_str(d, QC_DIFF_GIC, NULL, name, "emulated", qc_yesno(g->emulated),
                                qc_yesno(other->emulated), 0, err) < 0)
                    return -1;
                continue;
            }
            if (!(c = qc_diff_add(d, QC_DIFF_GIC, s ? QC_DIFF_ADDED : QC_DIFF_REMOVED, NULL, name,
                                  NULL, NULL, NULL, err)) ||
                qc_gic_note(c, g, err) < 0)
                return -1;
        }
    }
    return 0;
}

static int
qc_diff_sev(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    const qc_diff_group g = QC_DIFF_SEV;

    if (!o->sev || !n->sev)
        return qc_diff_str(d, g, NULL, "sev", "supported", qc_yesno(o->sev), qc_yesno(n->sev), 0,
                           err);
    /* the PDH, certificate chain and chip id identify the machine, not what it supports */
    return qc_diff_int(d, g, NULL, "sev", "cbitpos", o->sev->cbitpos, n->sev->cbitpos, err) < 0 ||
                   qc_diff_int(d, g, NULL, "sev", "reduced-phys-bits", o->sev->reduced_phys_bits,
                               n->sev->reduced_phys_bits, err) < 0
               ? -1
               : 0;
}

static uint64_t
qc_sgx_epc(const qc_sgx_caps *s)
{
    uint64_t total = 0;

    for (size_t i = 0; i < s->n_sections; i++)
        total += s->sections[i].size;
    return total;
}

static int
qc_diff_sgx(const qc_model *o, const qc_model *n, qc_diff *d, qc_error **err)
{
    const qc_diff_group g = QC_DIFF_SGX;
    const qc_sgx_caps *so = o->sgx, *sn = n->sgx;

    if (!so || !sn)
        return qc_diff_str(d, g, NULL, "sgx", "supported", qc_yesno(so), qc_yesno(sn), 0, err);
    return qc_diff_str(d, g, NULL, "sgx", "sgx1", qc_yesno(so->sgx1), qc_yesno(sn->sgx1), 0, err) <
                       0 ||
                   qc_diff_str(d, g, NULL, "sgx", "sgx2", qc_yesno(so->sgx2), qc_yesno(sn->sgx2), 0,
                               err) < 0 ||
                   qc_diff_str(d, g, NULL, "sgx", "flc", qc_yesno(so->flc), qc_yesno(sn->flc), 0,
                               err) < 0 ||
                   qc_diff_int(d, g, NULL, "sgx", "epc-sections", (long long)so->n_sections,
                               (long long)sn->n_sections, err) < 0 ||
                   qc_diff_int(d, g, NULL, "sgx", "epc-bytes", (long long)qc_sgx_epc(so),
                               (long long)qc_sgx_epc(sn), err) < 0
               ? -1
               : 0;
}

/* ---- firmware
 * ------------------------------------------------------------------------------------ */

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

/* ---- the whole model
 * ------------------------------------------------------------------------------ */

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
        qc_diff_qom_types(o, n, d, err) < 0 ||
        qc_diff_type_props(o->device_props, o->n_device_props, n->device_props, n->n_device_props,
                           d, err) < 0 ||
        qc_diff_type_props(o->object_props, o->n_object_props, n->object_props, n->n_object_props,
                           d, err) < 0 ||
        qc_diff_names(d, QC_DIFF_COMMANDS, NULL, &o->commands, &n->commands, err) < 0 ||
        qc_diff_names(d, QC_DIFF_EVENTS, NULL, &o->events, &n->events, err) < 0 ||
        qc_diff_cmdline(o, n, d, err) < 0 ||
        qc_diff_names(d, QC_DIFF_FLAGS, NULL, &o->flags, &n->flags, err) < 0 ||
        qc_diff_names(d, QC_DIFF_MIGRATION, NULL, &o->migration_caps, &n->migration_caps, err) <
            0 ||
        qc_diff_tpm(o, n, d, err) < 0 || qc_diff_gic(o, n, d, err) < 0 ||
        qc_diff_sev(o, n, d, err) < 0 || qc_diff_sgx(o, n, d, err) < 0 ||
        qc_diff_names(d, QC_DIFF_HYPERV, NULL, &o->hyperv, &n->hyperv, err) < 0 ||
        (!(flags & QC_MODEL_DIFF_NO_FIRMWARE) && qc_firmware_diff(&o->host, &n->host, d, err) < 0))
        return -1;
    return 0;
}

/* ---- what a guest may use on both
 * ---------------------------------------------------------------- */

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
        if (qc_common_add(d, (qc_accel)k, "machines", &machines, err) < 0 ||
            ((ca->have_cpu_defs || cb->have_cpu_defs) &&
             qc_common_add(d, (qc_accel)k, "cpu-models", &cpus, err) < 0))
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff-accel.c: the groups that depend on the accelerator (machines, CPU definitions, the
 * host CPU expansion), compared per accelerator both sides probed and then merged, and the
 * named x86 CPU models (libc only). */
#include "model/diff-internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- accelerator-dependent groups: compared per accelerator, then merged --------------- */

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
            } else if (qc_strdup_opt(&c->scope, qc_accel_name((qc_accel) a), err) < 0) {
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

/* A machine or CPU model deprecated on one side only. */
static int
qc_diff_deprecated(qc_diff *d, qc_diff_group g, const char *name, bool o, bool n, qc_error **err)
{
    qc_diff_change *c;

    if (o == n)
        return 0;
    c = qc_diff_add(d, g, QC_DIFF_CHANGED, NULL, name, "deprecated", qc_yesno(o), qc_yesno(n), err);
    return qc_detail(c, err, n ? "newly deprecated" : "no longer deprecated");
}

/* ---- machines -------------------------------------------------------------------------- */

const qc_machine *
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

    if (qc_diff_deprecated(d, g, name, mo->deprecated, mn->deprecated, err) < 0)
        return -1;
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

/* ---- CPU definitions ------------------------------------------------------------------- */

const qc_cpu_def *
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
    return qc_diff_deprecated(d, g, n->name, o->deprecated, n->deprecated, err);
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

/* ---- host CPU expansion ---------------------------------------------------------------- */

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

/* ---- everything that depends on the accelerator ---------------------------------------- */

int
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
int
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

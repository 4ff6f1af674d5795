/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps-cpu.c: the domcaps <cpu> element and the host-model CPU, derived from QEMU only.
 *
 * x86 host-model is the model and feature split libvirt's decode gives the host expansion
 * (static "host" on KVM, "max" on TCG) over the generation's CPU map (libvirt.h,
 * cpumap-x86.inc); schema/README.md ("CPU") gives the rules.
 */
#include "schema/domcaps-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- feature names ---------------------------------------------------------------------- */

/* libvirt's name of feature `qemu` as QEMU names it: the generation's x86 CPU map's
 * (pclmulqdq -> pclmuldq, lahf-lm -> lahf_lm, ...); other arches' names are QEMU's. */
static const char *
qc_cpu_libvirt_name(const qc_dc *dc, const char *qemu)
{
    const qc_lv_x86_cpumap *map = qc_lv_x86_map(dc->gen);
    int j = qc_dc_x86(dc) ? qc_lv_x86_feature(map, qemu) : -1;

    return j >= 0 ? map->features[j] : qemu;
}

/* Features of the CPU map that libvirt leaves out of a CPU it decodes: the OS-controlled
 * osxsave and ospke and the monitoring cmt. What the map does not know at all (KVM's
 * paravirt leaves, mbm-*) stays out by the map lookup. */
static bool
qc_cpu_feature_ignored(const char *name)
{
    static const char *const ignored[] = {"osxsave", "ospke", "cmt"};

    for (size_t i = 0; i < QC_N_ELEMENTS(ignored); i++) {
        if (strcmp(ignored[i], name) == 0)
            return true;
    }
    return false;
}

/* CPUID vendor string -> libvirt's vendor name; NULL if unknown. */
static const char *
qc_cpu_vendor_name(const char *cpuid_vendor)
{
    static const struct {
        const char *cpuid, *name;
    } table[] = {
        {"GenuineIntel", "Intel"}, {"AuthenticAMD", "AMD"}, {"HygonGenuine", "Hygon"},
        {"CentaurHauls", "Zhaoxin CentaurHauls"}, {"  Shanghai  ", "Zhaoxin"},
    };

    for (size_t i = 0; cpuid_vendor && i < QC_N_ELEMENTS(table); i++) {
        if (strcmp(table[i].cpuid, cpuid_vendor) == 0)
            return table[i].name;
    }
    return NULL;
}

void
qc_host_cpu_model_free(qc_host_cpu_model *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_features; i++)
        free(c->features[i].name);
    free(c->features);
    free(c->model);
    free(c->vendor);
    free(c);
}

/* ---- host-model ------------------------------------------------------------------------- */

/* The model libvirt names for a CPU is the one its x86 decode picks from its CPU map
 * (libvirt.h, cpumap-x86.inc): qcaps walks the same map in the same order with the same
 * rules and the map's own model definitions. Only the CPU's features come from QEMU (the
 * expansion, as libvirt takes them), spelled as the map spells them. */
typedef struct qc_cpu_decode {
    const qc_lv_x86_cpumap *map;
    bool host[QC_LV_X86_MAX_FEATURES]; /* the CPU has map feature j */
    bool host_cpu;                      /* decoding a host CPU, not a guest CPU */
} qc_cpu_decode;

/* One candidate model's split of the CPU's features, and libvirt's measure of it. */
typedef struct qc_cpu_fit {
    size_t i;                              /* the model: index in the map */
    bool disable[QC_LV_X86_MAX_FEATURES]; /* map features to disable */
    size_t enabled, disabled;              /* features to require; to disable */
    size_t score;                          /* lower is better */
    bool sig_match;                        /* the model's signature is the CPU's */
} qc_cpu_fit;

static bool
qc_cpu_requires(const qc_cpu_decode *d, const qc_cpu_fit *f, size_t j)
{
    return d->host[j] && !qc_lv_x86_model_has(d->map, f->i, j);
}

static void
qc_cpu_fit_disable(qc_cpu_fit *f, size_t j)
{
    if (!f->disable[j]) {
        f->disable[j] = true;
        f->disabled++;
    }
}

/* libvirt's virCPUx86CompareCandidateFeatureList: a guest CPU's disabled features cost
 * 2, 3, 4, ... each. Its count walks the feature list (required, then disabled) while
 * shrinking the bound it walks to, so only the first half (rounded up) of the disabled
 * features is counted; this reproduces that, as the choice depends on it. */
static void
qc_cpu_fit_score(qc_cpu_fit *f, bool host_cpu)
{
    size_t counted = (f->disabled + 1) / 2, penalty = 0;

    if (host_cpu) {
        f->score = f->enabled;
        return;
    }
    for (size_t k = 0; k < counted; k++)
        penalty += 2 + k;
    f->score = f->enabled + f->disabled - counted + penalty;
}

/* libvirt's x86DataToCPU: require what the CPU has and the model lacks; disable what the
 * model has and the CPU lacks, each of QEMU's blockers of the model unless it is
 * required, and (guest CPU) each feature the model dropped unless listed already. */
static void
qc_cpu_fit_of(const qc_cpu_decode *d, const qc_cpu_def *def, qc_cpu_fit *f)
{
    const qc_lv_x86_model *lm = &d->map->models[f->i];

    for (size_t j = 0; j < d->map->n_features; j++) {
        if (qc_cpu_requires(d, f, j))
            f->enabled++;
        else if (!d->host[j] && qc_lv_x86_model_has(d->map, f->i, j))
            qc_cpu_fit_disable(f, j);
    }
    for (size_t b = 0; b < def->blockers.n; b++) {
        int j = qc_lv_x86_feature(d->map, def->blockers.v[b]);
        if (j >= 0 && !qc_cpu_requires(d, f, (size_t) j))
            qc_cpu_fit_disable(f, (size_t) j);
    }
    for (size_t r = 0; !d->host_cpu && r < lm->n_removed; r++) {
        int j = qc_lv_x86_feature(d->map, qc_lv_x86_removed_at(lm, r));
        if (j >= 0 && !qc_cpu_requires(d, f, (size_t) j))
            qc_cpu_fit_disable(f, (size_t) j);
    }
    qc_cpu_fit_score(f, d->host_cpu);
}

/* The family, model and stepping the expansion reports; false if it reports none (TCG's
 * "max" says 0, 0, 0: libvirt then ignores signatures). */
static bool
qc_cpu_signature(const qc_cpu_expansion *e, unsigned sig[3])
{
    static const char *const names[] = {"family", "model", "stepping"};
    bool any = false;

    for (size_t i = 0; i < 3; i++) {
        const qc_cpu_prop *p = qc_cpu_expansion_prop(e, names[i]);
        sig[i] = p && p->type == QC_PROP_NUMBER && p->n > 0 ? (unsigned) p->n : 0;
        any = any || sig[i];
    }
    return any;
}

/* libvirt's x86DecodeUseCandidate: is candidate `cand` better than `cur` (NULL: none)? */
static bool
qc_cpu_better(const qc_cpu_fit *cur, const qc_cpu_fit *cand, bool have_sig)
{
    if (!cur)
        return true;
    if (have_sig && cur->sig_match != cand->sig_match)
        return cand->sig_match;
    return cand->score < cur->score ||
           (cand->score == cur->score && cand->disabled < cur->disabled);
}

/* Fills *best with the model generation g's libvirt names for expansion e of accelerator
 * a; false if no model fits. */
static bool
qc_cpu_decode_x86(const qc_model *m, qc_accel a, const qc_cpu_decode *d,
                  const qc_cpu_expansion *e, const char *vendor, qc_cpu_fit *best)
{
    QC_CLEANUP(qc_freep) qc_cpu_fit *cand = calloc(1, sizeof(*cand));
    unsigned sig[3];
    bool have_sig = qc_cpu_signature(e, sig), found = false;

    if (!cand)
        return false;
    /* newest models first, as libvirt walks its map */
    for (size_t i = d->map->n_models; i-- > 0;) {
        const qc_lv_x86_model *lm = &d->map->models[i];
        const qc_cpu_def *def;
        if (!(d->host_cpu ? lm->decode_host : lm->decode_guest))
            continue;
        if (vendor && lm->vendor && strcmp(vendor, lm->vendor) != 0)
            continue;
        /* libvirt skips the models its QEMU does not have */
        if (!(def = qc_model_find_cpu(m, a, lm->name)))
            continue;
        memset(cand, 0, sizeof(*cand));
        cand->i = i;
        qc_cpu_fit_of(d, def, cand);
        /* a host CPU is named only by a model it has every feature of */
        if (d->host_cpu && cand->disabled)
            continue;
        cand->sig_match = have_sig && qc_lv_x86_signature_match(lm, sig[0], sig[1], sig[2]);
        if (qc_cpu_better(found ? best : NULL, cand, have_sig)) {
            *best = *cand;
            found = true;
        }
    }
    return found;
}

static int
qc_cpu_feature_cmp(const void *a, const void *b)
{
    const qc_host_cpu_feature *x = a, *y = b;

    if (x->require != y->require)
        return x->require ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int
qc_cpu_add_feature(qc_host_cpu_model *c, const char *name, bool require, qc_error **err)
{
    qc_host_cpu_feature *v = realloc(c->features, (c->n_features + 1) * sizeof(*v));

    if (!v)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    c->features = v;
    v[c->n_features].require = require;
    if (!(v[c->n_features].name = strdup(name)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    c->n_features++;
    return 0;
}

static int
qc_cpu_host_model_x86(const qc_model *m, qc_accel a, qc_lv_gen g, bool host_cpu,
                      const qc_cpu_expansion *e, qc_host_cpu_model *c, qc_error **err)
{
    /* KVM runs the host's CPU: its vendor is the host's; TCG's is that of "max" */
    const char *cpuid_vendor = a == QC_ACCEL_KVM && m->host.cpu_vendor ? m->host.cpu_vendor
                                                                         : e->vendor;
    const char *vname = qc_cpu_vendor_name(cpuid_vendor);
    QC_CLEANUP(qc_freep) qc_cpu_decode *d = calloc(1, sizeof(*d));
    QC_CLEANUP(qc_freep) qc_cpu_fit *best = calloc(1, sizeof(*best));

    if (!d || !best)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    d->map = qc_lv_x86_map(g);
    d->host_cpu = host_cpu;
    for (size_t i = 0; i < e->n_props; i++) {
        const qc_cpu_prop *p = &e->props[i];
        int j;
        if (p->type == QC_PROP_BOOL && p->b && !qc_cpu_feature_ignored(p->name) &&
            (j = qc_lv_x86_feature(d->map, p->name)) >= 0)
            d->host[j] = true;
    }
    if (!qc_cpu_decode_x86(m, a, d, e, vname, best))
        return 0;
    if (!(c->model = strdup(d->map->models[best->i].name)) ||
        (vname && !(c->vendor = strdup(vname))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t j = 0; j < d->map->n_features; j++) {
        bool require = qc_cpu_requires(d, best, j);
        if ((require || best->disable[j]) &&
            qc_cpu_add_feature(c, d->map->features[j], require, err) < 0)
            return -1;
    }
    if (c->n_features > 1)
        qsort(c->features, c->n_features, sizeof(*c->features), qc_cpu_feature_cmp);
    return 0;
}

/* s390: the expansion names the model; its boolean properties are the features. */
static int
qc_cpu_host_model_s390(const qc_cpu_expansion *e, qc_host_cpu_model *c, qc_error **err)
{
    if (!e->model || !(c->model = strdup(e->model)))
        return e->model ? qc_error_set(err, QC_E_NOMEM, "out of memory") : 0;
    for (size_t i = 0; i < e->n_props; i++) {
        if (e->props[i].type == QC_PROP_BOOL &&
            qc_cpu_add_feature(c, e->props[i].name, e->props[i].b, err) < 0)
            return -1;
    }
    return 0;
}

int
qc_domcaps_host_cpu_model(const qc_model *m, qc_accel a, qc_lv_gen g, bool host_cpu,
                          qc_host_cpu_model **ret_cpu, qc_error **err)
{
    QC_CLEANUP(qc_host_cpu_model_freep) qc_host_cpu_model *c = NULL;
    const qc_cpu_expansion *e;
    int rc = 0;

    if (!m || !ret_cpu || a < 0 || a >= QC_ACCEL_COUNT)
        return qc_error_set(err, QC_E_INVALID, "qc_domcaps_host_cpu_model: bad arguments");
    *ret_cpu = NULL;
    if (!(e = m->accel[a].host_cpu) || !m->target)
        return 0;
    if (!(c = calloc(1, sizeof(*c))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (strcmp(m->target, "x86_64") == 0 || strcmp(m->target, "i386") == 0)
        rc = qc_cpu_host_model_x86(m, a, g, host_cpu, e, c, err);
    else if (strcmp(m->target, "s390x") == 0)
        rc = qc_cpu_host_model_s390(e, c, err);
    if (rc < 0)
        return -1;
    if (c->model)
        *ret_cpu = qc_steal(&c);
    return 0;
}

/* ---- <cpu> -------------------------------------------------------------------------------- */

static bool
qc_cpu_native(const qc_dc *dc)
{
    const char *h = dc->m->host.arch, *t = dc->m->target;

    if (!h || !t)
        return false;
    return strcmp(h, t) == 0 || (strcmp(h, "x86_64") == 0 && strcmp(t, "i386") == 0) ||
           (strcmp(h, "aarch64") == 0 && strcmp(t, "arm") == 0);
}

static int
qc_cpu_format_passthrough(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const onoff[] = {"on", "off"};
    bool ok = dc->accel == QC_ACCEL_KVM && qc_cpu_native(dc);
    bool mig = qc_model_has_flag(dc->m, "cpu.migratable");

    if (qc_xw_start(x, "mode", err) < 0 || qc_xw_attr(x, "name", "host-passthrough", err) < 0 ||
        qc_xw_attr(x, "supported", ok ? "yes" : "no", err) < 0)
        return -1;
    if (ok && qc_xw_enum(x, "hostPassthroughMigratable", mig ? onoff : onoff + 1, mig ? 2 : 1,
                         err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

static int
qc_cpu_format_maximum(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    static const char *const onoff[] = {"on", "off"};
    bool ok = qc_model_find_cpu(dc->m, dc->accel, "max") != NULL ||
              qc_model_has_flag(dc->m, "cpu-max");

    if (qc_xw_start(x, "mode", err) < 0 || qc_xw_attr(x, "name", "maximum", err) < 0 ||
        qc_xw_attr(x, "supported", ok ? "yes" : "no", err) < 0)
        return -1;
    if (ok && qc_xw_enum(x, "maximumMigratable", onoff, 2, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

/* Features QEMU takes from the IA32_ARCH_CAPABILITIES MSR: libvirt's host-model of an
 * i686 guest has none of them (seen with libvirt 9.0, 11.3 and 12.8 alike). */
static bool
qc_cpu_arch_capabilities_msr(const char *name)
{
    static const char *const msr[] = {
        "rdctl-no", "ibrs-all", "rsba", "skip-l1dfl-vmentry", "ssb-no", "mds-no",
        "pschange-mc-no", "tsx-ctrl", "taa-no", "mcdt-no", "sbdr-ssdp-no", "fbsdp-no",
        "psdp-no", "fb-clear", "rrsba", "bhi-no", "pbrsb-no", "gds-no", "rfds-no",
    };

    for (size_t i = 0; i < QC_N_ELEMENTS(msr); i++) {
        if (strcmp(msr[i], name) == 0)
            return true;
    }
    return false;
}

static int
qc_host_feature_cmp(const void *a, const void *b)
{
    return strcmp(((const qc_host_cpu_feature *) a)->name,
                  ((const qc_host_cpu_feature *) b)->name);
}

static int
qc_cpu_format_host_model(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    QC_CLEANUP(qc_host_cpu_model_freep) qc_host_cpu_model *c = NULL;

    if (qc_cpu_native(dc) &&
        qc_domcaps_host_cpu_model(dc->m, dc->accel, dc->gen, false, &c, err) < 0)
        return -1;
    if (qc_xw_start(x, "mode", err) < 0 || qc_xw_attr(x, "name", "host-model", err) < 0 ||
        qc_xw_attr(x, "supported", c ? "yes" : "no", err) < 0)
        return -1;
    if (c) {
        if (qc_xw_start(x, "model", err) < 0 || qc_xw_attr(x, "fallback", "forbid", err) < 0 ||
            xmlTextWriterWriteString(x->w, BAD_CAST c->model) < 0 || qc_xw_end(x, err) < 0)
            return qc_error_set(err, QC_E_XML, "writing XML: host-model failed");
        if (c->vendor && qc_xw_text_elem(x, "vendor", c->vendor, err) < 0)
            return -1;
        /* libvirt 11: a KVM guest may take the host's physical address bits */
        if (dc->gen >= QC_LV_11_3 && qc_dc_x86(dc) && dc->accel == QC_ACCEL_KVM &&
            dc->m->host.cpu_phys_bits > 0) {
            char bits[16];
            snprintf(bits, sizeof(bits), "%d", dc->m->host.cpu_phys_bits);
            if (qc_xw_start(x, "maxphysaddr", err) < 0 ||
                qc_xw_attr(x, "mode", "passthrough", err) < 0 ||
                qc_xw_attr(x, "limit", bits, err) < 0 || qc_xw_end(x, err) < 0)
                return -1;
        }
        /* libvirt 12 lists the features by name, whatever their policy */
        if (dc->gen >= QC_LV_12_8 && c->n_features > 1)
            qsort(c->features, c->n_features, sizeof(*c->features), qc_host_feature_cmp);
        for (size_t i = 0; i < c->n_features; i++) {
            if (strcmp(dc->arch, "i686") == 0 && qc_cpu_arch_capabilities_msr(c->features[i].name))
                continue;
            if (qc_xw_start(x, "feature", err) < 0 ||
                qc_xw_attr(x, "policy", c->features[i].require ? "require" : "disable",
                           err) < 0 ||
                qc_xw_attr(x, "name", c->features[i].name, err) < 0 || qc_xw_end(x, err) < 0)
                return -1;
        }
    }
    return qc_xw_end(x, err);
}

/* ---- custom models ------------------------------------------------------------------------ */

/* How the arch's custom models are filtered (mapping §3.4), or NONE when libvirt has no
 * CPU driver for it (riscv and loongarch64 before 11.x, and every arch libvirt does not
 * know). */
typedef enum { QC_CUSTOM_NONE, QC_CUSTOM_X86, QC_CUSTOM_PPC64, QC_CUSTOM_ALL } qc_custom_rule;

static qc_custom_rule
qc_cpu_custom_rule(const qc_dc *dc)
{
    if (qc_dc_x86(dc))
        return QC_CUSTOM_X86;
    if (qc_dc_is_target(dc, "ppc64", NULL))
        return QC_CUSTOM_PPC64;
    if (qc_dc_is_target(dc, "arm", "aarch64") || qc_dc_is_target(dc, "s390x", NULL))
        return QC_CUSTOM_ALL;
    if (dc->gen >= QC_LV_11_3 &&
        (qc_dc_is_target(dc, "riscv64", NULL) || qc_dc_is_target(dc, "loongarch64", NULL)))
        return QC_CUSTOM_ALL;
    return QC_CUSTOM_NONE;
}

/* ppc64: QEMU's family names "power7".."power10" are libvirt's POWER7..POWER10. */
static bool
qc_cpu_ppc_family(const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);

    if (strncmp(name, "power", 5) != 0 || n == 5 || n + 1 > cap ||
        strspn(name + 5, "0123456789") != n - 5)
        return false;
    for (size_t i = 0; i <= n; i++)
        out[i] = (char) (i < 5 ? name[i] - 'a' + 'A' : name[i]);
    return true;
}

/* Does `name` end in a version, "-v<N>"? Then its unversioned base is name[0..*ret_len). */
static bool
qc_cpu_versioned(const char *name, size_t *ret_len)
{
    const char *v = strrchr(name, '-');

    if (!v || v[1] != 'v' || !v[2] || strspn(v + 2, "0123456789") != strlen(v + 2))
        return false;
    *ret_len = (size_t) (v - name);
    return true;
}

/* x86 vendor attribute: the model's own vendor unless it is one of QEMU's generic models,
 * which QEMU marks by an empty model-id or one naming QEMU/KVM ("QEMU Virtual CPU",
 * "Common KVM processor"). A versioned model ("EPYC-Rome-v4", not expanded by the probe)
 * has the vendor of its unversioned name: every version of a model is one vendor's. */
static const char *
qc_cpu_custom_vendor(const qc_dc *dc, const char *name)
{
    const qc_cpu_model_info *c = qc_model_cpu_model(dc->m, name);
    char base[64];
    size_t len;
    const char *v = qc_lv_cpu_model_vendor("x86", name);

    if (v)
        return v;
    if (!c && qc_cpu_versioned(name, &len) && len < sizeof(base)) {
        memcpy(base, name, len);
        base[len] = '\0';
        c = qc_model_cpu_model(dc->m, base);
    }
    if (!c || !c->model_id || !*c->model_id || strncmp(c->model_id, "QEMU ", 5) == 0 ||
        strncmp(c->model_id, "Common ", 7) == 0)
        return "unknown";
    v = qc_cpu_vendor_name(c->vendor);
    return v ? v : "unknown";
}

/* The name to print for definition d, or NULL to leave it out. */
static const char *
qc_cpu_custom_name(const qc_dc *dc, qc_custom_rule rule, const qc_cpu_def *d, char *buf,
                   size_t cap, const char **ret_vendor)
{
    size_t len;

    *ret_vendor = "unknown";
    if (strcmp(d->name, "host") == 0)
        return NULL;
    switch (rule) {
    case QC_CUSTOM_X86:
        /* unversioned names are aliases of "-vN" definitions; max/base/host are neither.
         * libvirt 11 also lists the versions themselves. */
        if (!d->alias_of && !(dc->gen >= QC_LV_11_3 && qc_cpu_versioned(d->name, &len)))
            return NULL;
        if (!qc_lv_cpu_model_known(dc->gen, "x86", d->name))
            return NULL; /* newer than this libvirt's CPU map */
        *ret_vendor = qc_cpu_custom_vendor(dc, d->name);
        return d->name;
    case QC_CUSTOM_PPC64:
        if (!qc_cpu_ppc_family(d->name, buf, cap) || !qc_lv_cpu_model_known(dc->gen, "ppc64", buf))
            return NULL;
        *ret_vendor = "IBM";
        return buf;
    case QC_CUSTOM_ALL:
        /* libvirt 11's s390x models are IBM's, but for QEMU's generic max and qemu */
        if (dc->gen >= QC_LV_11_3 && qc_dc_is_target(dc, "s390x", NULL) &&
            strcmp(d->name, "max") != 0 && strcmp(d->name, "qemu") != 0)
            *ret_vendor = "IBM";
        return d->name;
    case QC_CUSTOM_NONE:
        break;
    }
    return NULL;
}

/* One <model> of custom mode, as printed. */
typedef struct qc_custom_model {
    const qc_cpu_def *def;
    char name[64];
    const char *vendor;
} qc_custom_model;

static int
qc_custom_model_cmp(const void *a, const void *b)
{
    return strcmp(((const qc_custom_model *) a)->name, ((const qc_custom_model *) b)->name);
}

static int
qc_cpu_str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* libvirt 11: <blockers model='M'> lists, by name, the features that make M unusable. */
static int
qc_cpu_format_blockers(const qc_dc *dc, qc_xw *x, const qc_custom_model *cm, qc_error **err)
{
    const qc_strlist *b = &cm->def->blockers;
    const char **names;
    int rc = -1;

    if (!b->n)
        return 0;
    if (!(names = calloc(b->n, sizeof(*names))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < b->n; i++)
        names[i] = qc_cpu_libvirt_name(dc, b->v[i]);
    qsort(names, b->n, sizeof(*names), qc_cpu_str_cmp);
    if (qc_xw_start(x, "blockers", err) < 0 || qc_xw_attr(x, "model", cm->name, err) < 0)
        goto out;
    for (size_t i = 0; i < b->n; i++) {
        if (i && strcmp(names[i], names[i - 1]) == 0)
            continue;
        if (qc_xw_start(x, "feature", err) < 0 || qc_xw_attr(x, "name", names[i], err) < 0 ||
            qc_xw_end(x, err) < 0)
            goto out;
    }
    rc = qc_xw_end(x, err);
out:
    free(names);
    return rc;
}

static int
qc_cpu_format_custom_model(const qc_dc *dc, qc_xw *x, const qc_custom_model *cm,
                           qc_error **err)
{
    const qc_cpu_def *d = cm->def;
    const char *usable = d->usable == QC_TRI_YES  ? "yes"
                         : d->usable == QC_TRI_NO ? "no"
                                                  : "unknown";
    bool later = dc->gen >= QC_LV_11_3;

    if (qc_xw_start(x, "model", err) < 0 || qc_xw_attr(x, "usable", usable, err) < 0 ||
        (d->deprecated && qc_xw_attr(x, "deprecated", "yes", err) < 0) ||
        qc_xw_attr(x, "vendor", cm->vendor, err) < 0 ||
        (later && d->alias_of && qc_xw_attr(x, "canonical", d->alias_of, err) < 0))
        return -1;
    if (xmlTextWriterWriteString(x->w, BAD_CAST cm->name) < 0)
        return qc_error_set(err, QC_E_XML, "writing XML: model %s failed", cm->name);
    if (qc_xw_end(x, err) < 0)
        return -1;
    return later && d->usable == QC_TRI_NO ? qc_cpu_format_blockers(dc, x, cm, err) : 0;
}

static int
qc_cpu_format_custom(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    const qc_accel_caps *ac = &dc->m->accel[dc->accel];
    qc_custom_rule rule = qc_cpu_custom_rule(dc);
    qc_custom_model *v = NULL;
    size_t n = 0;
    int rc = -1;

    if (rule != QC_CUSTOM_NONE && ac->n_cpu_defs &&
        !(v = calloc(ac->n_cpu_defs, sizeof(*v))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (size_t i = 0; rule != QC_CUSTOM_NONE && i < ac->n_cpu_defs; i++) {
        char buf[64];
        const char *vendor;
        const char *name = qc_cpu_custom_name(dc, rule, &ac->cpu_defs[i], buf, sizeof(buf),
                                              &vendor);
        if (!name)
            continue;
        v[n].def = &ac->cpu_defs[i];
        v[n].vendor = vendor;
        snprintf(v[n].name, sizeof(v[n].name), "%s", name);
        n++;
    }
    /* libvirt 9.0 keeps QEMU's reply order; 11.x sorts by name */
    if (n > 1 && dc->gen >= QC_LV_11_3)
        qsort(v, n, sizeof(*v), qc_custom_model_cmp);
    if (qc_xw_start(x, "mode", err) < 0 || qc_xw_attr(x, "name", "custom", err) < 0 ||
        qc_xw_attr(x, "supported", n ? "yes" : "no", err) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (qc_cpu_format_custom_model(dc, x, &v[i], err) < 0)
            goto out;
    }
    rc = qc_xw_end(x, err);
out:
    free(v);
    return rc;
}

int
qc_dc_format_cpu(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    if (qc_xw_start(x, "cpu", err) < 0 || qc_cpu_format_passthrough(dc, x, err) < 0 ||
        qc_cpu_format_maximum(dc, x, err) < 0 || qc_cpu_format_host_model(dc, x, err) < 0 ||
        qc_cpu_format_custom(dc, x, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

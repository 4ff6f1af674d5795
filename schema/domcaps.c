/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* domcaps.c: the domainCapabilities document: query resolution, top level, <os>, memory. */
#include "schema/domcaps-internal.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ------------------------------------------------------------------- */

/* ---- query resolution (mapping §3.1) ---------------------------------------------------- */

/* Edit distance of a and b (both short machine names), bounded by the caller's use. */
static size_t
qc_dc_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), prev[65], cur[65];

    if (la > 64 || lb > 64)
        return la > lb ? la : lb;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof(*prev));
    }
    return prev[lb];
}

typedef struct qc_dc_name {
    const char *name;
    size_t distance;
} qc_dc_name;

static int
qc_dc_name_cmp(const void *a, const void *b)
{
    return strcmp(((const qc_dc_name *) a)->name, ((const qc_dc_name *) b)->name);
}

static int
qc_dc_near_cmp(const void *a, const void *b)
{
    const qc_dc_name *x = a, *y = b;

    if (x->distance != y->distance)
        return x->distance < y->distance ? -1 : 1;
    return strcmp(x->name, y->name);
}

#define QC_DC_LIST_ALL 12 /* up to this many valid names are all listed */
#define QC_DC_LIST_NEAR 8 /* else the nearest to what was asked */

/* The accelerator's machine names and aliases for an error message: all of them, sorted,
 * when there are few; else the count and the ones nearest to `asked`. */
static char *
qc_dc_machine_list(const qc_accel_caps *ac, const char *asked)
{
    qc_dc_name *v = calloc(ac->n_machines * 2 + 1, sizeof(*v));
    size_t n = 0, shown, len = 64;
    char *s = NULL;

    if (!v)
        return NULL;
    for (size_t i = 0; i < ac->n_machines; i++) {
        const qc_machine *mc = &ac->machines[i];
        if (qc_lv_machine_hidden(mc->name))
            continue;
        v[n++].name = mc->name;
        if (mc->alias)
            v[n++].name = mc->alias;
    }
    for (size_t i = 0; i < n; i++) {
        v[i].distance = qc_dc_distance(asked, v[i].name);
        len += strlen(v[i].name) + 2;
    }
    if (n > QC_DC_LIST_ALL)
        qsort(v, n, sizeof(*v), qc_dc_near_cmp);
    shown = n > QC_DC_LIST_ALL ? QC_DC_LIST_NEAR : n;
    qsort(v, shown, sizeof(*v), qc_dc_name_cmp);
    if ((s = calloc(1, len))) {
        if (n > QC_DC_LIST_ALL)
            snprintf(s, len, "%zu names; nearest: ", n);
        for (size_t i = 0; i < shown; i++) {
            if (i)
                strcat(s, ", ");
            strcat(s, v[i].name);
        }
        if (n > QC_DC_LIST_ALL)
            strcat(s, ", ... ('qcaps probe' lists them all)");
    }
    free(v);
    return s;
}

/* The arches a binary of arch `own` serves: its own, plus libvirt's same-family ones. */
static bool
qc_dc_arch_ok(const char *own, const char *arch, char *valid, size_t cap)
{
    bool ok = strcmp(arch, own) == 0;

    snprintf(valid, cap, "%s", own);
    for (const char *const *also = qc_lv_arch_also(own); *also; also++) {
        ok = ok || strcmp(arch, *also) == 0;
        snprintf(valid + strlen(valid), cap - strlen(valid), ", %s", *also);
    }
    return ok;
}

static int
qc_dc_resolve_virttype(qc_dc *dc, const char *req, qc_error **err)
{
    const qc_model *m = dc->m;
    bool kvm = m->kvm && m->accel[QC_ACCEL_KVM].probed;
    bool tcg = qc_model_has_type(m, "tcg-accel") && m->accel[QC_ACCEL_TCG].probed;
    const char *valid = kvm && tcg ? "kvm, qemu" : kvm ? "kvm" : tcg ? "qemu" : "(none)";

    if (!req)
        req = kvm ? "kvm" : "qemu";
    if (strcmp(req, "kvm") == 0 && kvm) {
        dc->virttype = "kvm";
        dc->accel = QC_ACCEL_KVM;
        return 0;
    }
    if (strcmp(req, "qemu") == 0 && tcg) {
        dc->virttype = "qemu";
        dc->accel = QC_ACCEL_TCG;
        return 0;
    }
    return qc_error_set(err, QC_E_UNSUPPORTED,
                        "virttype '%s' is not supported by '%s'; valid: %s", req,
                        m->emulator ? m->emulator : "the emulator", valid);
}

static int
qc_dc_resolve_machine(qc_dc *dc, const char *req, qc_error **err)
{
    const qc_accel_caps *ac = &dc->m->accel[dc->accel];
    const qc_machine *mc = NULL;
    char *list;

    if (req) {
        mc = qc_model_find_machine(dc->m, dc->accel, req);
    } else {
        const char *pref = qc_lv_preferred_machine(dc->gen, dc->arch);
        if (pref)
            mc = qc_model_find_machine(dc->m, dc->accel, pref);
        if (!mc)
            mc = qc_model_default_machine(dc->m, dc->accel);
        /* QEMU's first machine when it names no default may be `none` */
        for (size_t i = 0; mc && qc_lv_machine_hidden(mc->name) && i < ac->n_machines; i++)
            mc = qc_lv_machine_hidden(ac->machines[i].name) ? mc : &ac->machines[i];
    }
    if (mc && qc_lv_machine_hidden(mc->name))
        mc = NULL;
    if (mc) {
        dc->machine = mc;
        return 0;
    }
    if (!req)
        return qc_error_set(err, QC_E_UNSUPPORTED, "'%s' reports no machine types for %s",
                            dc->m->emulator ? dc->m->emulator : "the emulator", dc->virttype);
    list = qc_dc_machine_list(ac, req);
    qc_error_set(err, QC_E_UNSUPPORTED, "machine '%s' is not supported by '%s' for %s; valid: %s",
                 req, dc->m->emulator ? dc->m->emulator : "the emulator", dc->virttype,
                 list ? list : "(out of memory)");
    free(list);
    return -1;
}

static int
qc_dc_resolve(qc_dc *dc, const qc_domcaps_req *req, qc_error **err)
{
    char valid[128];
    const char *own = qc_lv_arch_of_target(req->gen, dc->m->target);

    if (!dc->m->target)
        return qc_error_set(err, QC_E_INVALID, "the model has no target architecture");
    if (!own)
        own = dc->m->target; /* a target libvirt has no arch for: documents use its name */
    dc->gen = req->gen;
    dc->arch = own;
    if (req->arch) {
        if (!qc_dc_arch_ok(own, req->arch, valid, sizeof(valid)))
            return qc_error_set(err, QC_E_UNSUPPORTED,
                                "arch '%s' is not supported by '%s'; valid: %s", req->arch,
                                dc->m->emulator ? dc->m->emulator : "the emulator", valid);
        dc->arch = req->arch;
    }
    if (qc_dc_resolve_virttype(dc, req->virttype, err) < 0)
        return -1;
    return qc_dc_resolve_machine(dc, req->machine, err);
}

/* ---- elements --------------------------------------------------------------------------- */

static int
qc_dc_format_vcpu(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    int max = dc->machine->cpu_max;
    char buf[32];

    if (dc->accel == QC_ACCEL_KVM && dc->m->host.kvm_max_vcpus > 0 &&
        dc->m->host.kvm_max_vcpus < max)
        max = dc->m->host.kvm_max_vcpus;
    if (max <= 0)
        return 0;
    snprintf(buf, sizeof(buf), "%d", max);
    return qc_xw_empty_attr(x, "vcpu", "max", buf, err);
}

static int
qc_dc_format_loader(const qc_fw_result *fw, qc_xw *x, qc_error **err)
{
    static const char *const types[] = {"rom", "pflash"};
    static const char *const yesno[] = {"yes", "no"};
    qc_dc_enum secure = {{0}, 0};

    if (qc_xw_supported(x, "loader", true, true, err) < 0)
        return -1;
    for (size_t i = 0; i < fw->loaders.n; i++) {
        if (qc_xw_text_elem(x, "value", fw->loaders.v[i], err) < 0)
            return -1;
    }
    if (fw->secure)
        qc_dc_enum_add(&secure, "yes");
    qc_dc_enum_add(&secure, "no");
    if (qc_xw_enum(x, "type", types, 2, err) < 0 || qc_xw_enum(x, "readonly", yesno, 2, err) < 0 ||
        qc_xw_enum(x, "secure", secure.v, secure.n, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

/* libvirt 12: which secure-boot and enrolled-keys variants the matching descriptors offer
 * (empty enums when none matches). */
static int
qc_dc_format_firmware_features(const qc_fw_result *fw, qc_xw *x, qc_error **err)
{
    qc_dc_enum sb = {{0}, 0}, keys = {{0}, 0};

    if (fw->secure_boot_yes)
        qc_dc_enum_add(&sb, "yes");
    if (fw->secure_boot_no)
        qc_dc_enum_add(&sb, "no");
    if (fw->enrolled_keys_yes)
        qc_dc_enum_add(&keys, "yes");
    if (fw->enrolled_keys_no)
        qc_dc_enum_add(&keys, "no");
    if (qc_xw_supported(x, "firmwareFeatures", true, true, err) < 0 ||
        qc_xw_enum(x, "secureBoot", sb.v, sb.n, err) < 0 ||
        qc_xw_enum(x, "enrolledKeys", keys.v, keys.n, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

/* libvirt 12 <varstore>: a UEFI variable store kept by QEMU (uefi-vars devices) for a
 * firmware built for it (descriptor feature host-uefi-vars). */
static bool
qc_dc_varstore(const qc_dc *dc)
{
    bool dev = qc_model_has_type(dc->m, "uefi-vars-x64") ||
               qc_model_has_type(dc->m, "uefi-vars-sysbus");

    for (size_t i = 0; dev && i < dc->n_fw; i++) {
        const qc_fw_desc *d = &dc->fw[i];
        if (!d->error && qc_fw_matches(d, dc->m->target, dc->machine->name) &&
            qc_strlist_contains(&d->features, "host-uefi-vars"))
            return true;
    }
    return false;
}

static int
qc_dc_format_os(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    qc_fw_result fw;
    qc_dc_enum fwenum = {{0}, 0};
    qc_strlist legacy = {0};
    int rc = -1;

    memset(&fw, 0, sizeof(fw));
    /* libvirt's built-in loaders that the probe found installed */
    for (const char *const *l = qc_lv_legacy_loaders(dc->gen); *l; l++) {
        if (qc_strlist_contains(dc->firmware_images, *l) &&
            qc_strlist_add(&legacy, *l, err) < 0)
            goto out;
    }
    /* descriptors name QEMU targets ("i386", "arm"), globs the canonical machine name */
    if (qc_fw_resolve(dc->fw, dc->n_fw, &legacy, dc->m->target, dc->machine->name,
                      dc->warn, dc->warn_opaque, &fw, err) < 0)
        goto out;
    if (fw.bios)
        qc_dc_enum_add(&fwenum, "bios");
    if (fw.efi)
        qc_dc_enum_add(&fwenum, "efi");
    if (qc_xw_supported(x, "os", true, true, err) < 0 ||
        qc_xw_enum(x, "firmware", fwenum.v, fwenum.n, err) < 0 ||
        (dc->gen >= QC_LV_12_8 && qc_dc_format_firmware_features(&fw, x, err) < 0) ||
        qc_dc_format_loader(&fw, x, err) < 0 ||
        (dc->gen >= QC_LV_12_8 &&
         qc_xw_supported(x, "varstore", qc_dc_varstore(dc), false, err) < 0) ||
        qc_xw_end(x, err) < 0)
        goto out;
    rc = 0;
out:
    qc_fw_result_clear(&fw);
    qc_strlist_clear(&legacy);
    return rc;
}

static int
qc_dc_format_memory_backing(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    qc_dc_enum e = {{0}, 0};

    qc_dc_enum_add(&e, "file");
    qc_dc_enum_add(&e, "anonymous");
    if (qc_model_has_type(dc->m, "memory-backend-memfd"))
        qc_dc_enum_add(&e, "memfd");
    if (qc_xw_supported(x, "memoryBacking", true, true, err) < 0 ||
        qc_xw_enum(x, "sourceType", e.v, e.n, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

static int
qc_dc_format_doc(const qc_dc *dc, qc_xw *x, qc_error **err)
{
    if (qc_xw_start(x, "domainCapabilities", err) < 0 ||
        qc_xw_text_elem(x, "path", dc->m->emulator ? dc->m->emulator : "", err) < 0 ||
        qc_xw_text_elem(x, "domain", dc->virttype, err) < 0 ||
        qc_xw_text_elem(x, "machine", dc->machine->name, err) < 0 ||
        qc_xw_text_elem(x, "arch", dc->arch, err) < 0 || qc_dc_format_vcpu(dc, x, err) < 0 ||
        qc_xw_supported(x, "iothreads", true, false, err) < 0 ||
        qc_dc_format_os(dc, x, err) < 0 || qc_dc_format_cpu(dc, x, err) < 0 ||
        qc_dc_format_memory_backing(dc, x, err) < 0 || qc_dc_format_devices(dc, x, err) < 0 ||
        qc_dc_format_features(dc, x, err) < 0)
        return -1;
    return qc_xw_end(x, err);
}

char *
qc_domcaps_format(const qc_model *m, const qc_domcaps_req *req, qc_warn_fn warn,
                  void *warn_opaque, qc_error **err)
{
    static const qc_domcaps_req none = {.gen = QC_LV_LATEST};
    qc_dc dc;
    qc_xw x;
    char *out;

    if (!m) {
        qc_error_set(err, QC_E_INVALID, "domcaps: no model");
        return NULL;
    }
    memset(&dc, 0, sizeof(dc));
    dc.m = m;
    dc.fw = m->host.firmware;
    dc.n_fw = m->host.n_firmware;
    dc.firmware_images = &m->host.firmware_images;
    dc.warn = warn;
    dc.warn_opaque = warn_opaque;
    if (qc_dc_resolve(&dc, req ? req : &none, err) < 0 || qc_xw_open(&x, err) < 0)
        return NULL;
    if (qc_dc_format_doc(&dc, &x, err) < 0) {
        qc_xw_close(&x);
        return NULL;
    }
    if (!(out = qc_xw_finish(&x, err)))
        return NULL;
    return out;
}

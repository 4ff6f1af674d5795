/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpumap.c: the CPU models libvirt's CPU map names, per generation (libvirt.h).
 *
 * libvirt lists a custom-mode CPU model only when its cpu_map describes it, so a model
 * QEMU defines after a libvirt release (GraniteRapids-v7 for 12.8, YongFeng for 11.3) is
 * not in that libvirt's document. The x86 table is what each generation's domcapabilities
 * lists for the QEMU of its Debian release (the chroots of scripts/chroot.sh): a model is
 * known from the first generation that lists it. A model newer than every QEMU seen here
 * is unknown to all of them, as it is to libvirt until its map learns it.
 */
#include "schema/libvirt.h"

#include <stdlib.h>
#include <string.h>

typedef struct qc_lv_cpu {
    const char *name;
    qc_lv_gen since;
} qc_lv_cpu;

/* sorted by name (strcmp), for bsearch */
static const qc_lv_cpu qc_lv_x86_models[] = {
    {"486", QC_LV_9_0},
    {"486-v1", QC_LV_11_3},
    {"Broadwell", QC_LV_9_0},
    {"Broadwell-IBRS", QC_LV_9_0},
    {"Broadwell-noTSX", QC_LV_9_0},
    {"Broadwell-noTSX-IBRS", QC_LV_9_0},
    {"Broadwell-v1", QC_LV_11_3},
    {"Broadwell-v2", QC_LV_11_3},
    {"Broadwell-v3", QC_LV_11_3},
    {"Broadwell-v4", QC_LV_11_3},
    {"Cascadelake-Server", QC_LV_9_0},
    {"Cascadelake-Server-noTSX", QC_LV_9_0},
    {"Cascadelake-Server-v1", QC_LV_11_3},
    {"Cascadelake-Server-v2", QC_LV_11_3},
    {"Cascadelake-Server-v3", QC_LV_11_3},
    {"Cascadelake-Server-v4", QC_LV_11_3},
    {"Cascadelake-Server-v5", QC_LV_11_3},
    {"ClearwaterForest", QC_LV_12_8},
    {"ClearwaterForest-v1", QC_LV_12_8},
    {"ClearwaterForest-v2", QC_LV_12_8},
    {"ClearwaterForest-v3", QC_LV_12_8},
    {"Conroe", QC_LV_9_0},
    {"Conroe-v1", QC_LV_11_3},
    {"Cooperlake", QC_LV_9_0},
    {"Cooperlake-v1", QC_LV_11_3},
    {"Cooperlake-v2", QC_LV_11_3},
    {"Denverton", QC_LV_11_3},
    {"Denverton-v1", QC_LV_11_3},
    {"Denverton-v2", QC_LV_11_3},
    {"Denverton-v3", QC_LV_11_3},
    {"Dhyana", QC_LV_9_0},
    {"Dhyana-v1", QC_LV_11_3},
    {"Dhyana-v2", QC_LV_11_3},
    {"DiamondRapids", QC_LV_12_8},
    {"DiamondRapids-v1", QC_LV_12_8},
    {"EPYC", QC_LV_9_0},
    {"EPYC-Genoa", QC_LV_11_3},
    {"EPYC-Genoa-v1", QC_LV_11_3},
    {"EPYC-Genoa-v2", QC_LV_12_8},
    {"EPYC-IBPB", QC_LV_9_0},
    {"EPYC-Milan", QC_LV_9_0},
    {"EPYC-Milan-v1", QC_LV_11_3},
    {"EPYC-Milan-v2", QC_LV_11_3},
    {"EPYC-Milan-v3", QC_LV_12_8},
    {"EPYC-Rome", QC_LV_9_0},
    {"EPYC-Rome-v1", QC_LV_11_3},
    {"EPYC-Rome-v2", QC_LV_11_3},
    {"EPYC-Rome-v3", QC_LV_11_3},
    {"EPYC-Rome-v4", QC_LV_11_3},
    {"EPYC-Rome-v5", QC_LV_12_8},
    {"EPYC-Turin", QC_LV_12_8},
    {"EPYC-Turin-v1", QC_LV_12_8},
    {"EPYC-v1", QC_LV_11_3},
    {"EPYC-v2", QC_LV_11_3},
    {"EPYC-v3", QC_LV_11_3},
    {"EPYC-v4", QC_LV_11_3},
    {"EPYC-v5", QC_LV_12_8},
    {"GraniteRapids", QC_LV_11_3},
    {"GraniteRapids-v1", QC_LV_11_3},
    {"GraniteRapids-v2", QC_LV_11_3},
    {"GraniteRapids-v3", QC_LV_12_8},
    {"GraniteRapids-v4", QC_LV_12_8},
    {"GraniteRapids-v5", QC_LV_12_8},
    {"Haswell", QC_LV_9_0},
    {"Haswell-IBRS", QC_LV_9_0},
    {"Haswell-noTSX", QC_LV_9_0},
    {"Haswell-noTSX-IBRS", QC_LV_9_0},
    {"Haswell-v1", QC_LV_11_3},
    {"Haswell-v2", QC_LV_11_3},
    {"Haswell-v3", QC_LV_11_3},
    {"Haswell-v4", QC_LV_11_3},
    {"Icelake-Server", QC_LV_9_0},
    {"Icelake-Server-noTSX", QC_LV_9_0},
    {"Icelake-Server-v1", QC_LV_11_3},
    {"Icelake-Server-v2", QC_LV_11_3},
    {"Icelake-Server-v3", QC_LV_11_3},
    {"Icelake-Server-v4", QC_LV_11_3},
    {"Icelake-Server-v5", QC_LV_11_3},
    {"Icelake-Server-v6", QC_LV_11_3},
    {"Icelake-Server-v7", QC_LV_11_3},
    {"IvyBridge", QC_LV_9_0},
    {"IvyBridge-IBRS", QC_LV_9_0},
    {"IvyBridge-v1", QC_LV_11_3},
    {"IvyBridge-v2", QC_LV_11_3},
    {"KnightsMill", QC_LV_11_3},
    {"KnightsMill-v1", QC_LV_11_3},
    {"Nehalem", QC_LV_9_0},
    {"Nehalem-IBRS", QC_LV_9_0},
    {"Nehalem-v1", QC_LV_11_3},
    {"Nehalem-v2", QC_LV_11_3},
    {"Opteron_G1", QC_LV_9_0},
    {"Opteron_G1-v1", QC_LV_11_3},
    {"Opteron_G2", QC_LV_9_0},
    {"Opteron_G2-v1", QC_LV_11_3},
    {"Opteron_G3", QC_LV_9_0},
    {"Opteron_G3-v1", QC_LV_11_3},
    {"Opteron_G4", QC_LV_9_0},
    {"Opteron_G4-v1", QC_LV_11_3},
    {"Opteron_G5", QC_LV_9_0},
    {"Opteron_G5-v1", QC_LV_11_3},
    {"Penryn", QC_LV_9_0},
    {"Penryn-v1", QC_LV_11_3},
    {"SandyBridge", QC_LV_9_0},
    {"SandyBridge-IBRS", QC_LV_9_0},
    {"SandyBridge-v1", QC_LV_11_3},
    {"SandyBridge-v2", QC_LV_11_3},
    {"SapphireRapids", QC_LV_11_3},
    {"SapphireRapids-v1", QC_LV_11_3},
    {"SapphireRapids-v2", QC_LV_11_3},
    {"SapphireRapids-v3", QC_LV_11_3},
    {"SapphireRapids-v4", QC_LV_12_8},
    {"SapphireRapids-v5", QC_LV_12_8},
    {"SapphireRapids-v6", QC_LV_12_8},
    {"SierraForest", QC_LV_11_3},
    {"SierraForest-v1", QC_LV_11_3},
    {"SierraForest-v2", QC_LV_12_8},
    {"SierraForest-v3", QC_LV_12_8},
    {"SierraForest-v4", QC_LV_12_8},
    {"SierraForest-v5", QC_LV_12_8},
    {"Skylake-Client", QC_LV_9_0},
    {"Skylake-Client-IBRS", QC_LV_9_0},
    {"Skylake-Client-noTSX-IBRS", QC_LV_9_0},
    {"Skylake-Client-v1", QC_LV_11_3},
    {"Skylake-Client-v2", QC_LV_11_3},
    {"Skylake-Client-v3", QC_LV_11_3},
    {"Skylake-Client-v4", QC_LV_11_3},
    {"Skylake-Server", QC_LV_9_0},
    {"Skylake-Server-IBRS", QC_LV_9_0},
    {"Skylake-Server-noTSX-IBRS", QC_LV_9_0},
    {"Skylake-Server-v1", QC_LV_11_3},
    {"Skylake-Server-v2", QC_LV_11_3},
    {"Skylake-Server-v3", QC_LV_11_3},
    {"Skylake-Server-v4", QC_LV_11_3},
    {"Skylake-Server-v5", QC_LV_11_3},
    {"Snowridge", QC_LV_9_0},
    {"Snowridge-v1", QC_LV_11_3},
    {"Snowridge-v2", QC_LV_11_3},
    {"Snowridge-v3", QC_LV_11_3},
    {"Snowridge-v4", QC_LV_11_3},
    {"Westmere", QC_LV_9_0},
    {"Westmere-IBRS", QC_LV_9_0},
    {"Westmere-v1", QC_LV_11_3},
    {"Westmere-v2", QC_LV_11_3},
    {"YongFeng", QC_LV_12_8},
    {"YongFeng-v1", QC_LV_12_8},
    {"YongFeng-v2", QC_LV_12_8},
    {"YongFeng-v3", QC_LV_12_8},
    {"athlon", QC_LV_9_0},
    {"athlon-v1", QC_LV_11_3},
    {"core2duo", QC_LV_9_0},
    {"core2duo-v1", QC_LV_11_3},
    {"coreduo", QC_LV_9_0},
    {"coreduo-v1", QC_LV_11_3},
    {"kvm32", QC_LV_9_0},
    {"kvm32-v1", QC_LV_11_3},
    {"kvm64", QC_LV_9_0},
    {"kvm64-v1", QC_LV_11_3},
    {"n270", QC_LV_9_0},
    {"n270-v1", QC_LV_11_3},
    {"pentium", QC_LV_9_0},
    {"pentium-v1", QC_LV_11_3},
    {"pentium2", QC_LV_9_0},
    {"pentium2-v1", QC_LV_11_3},
    {"pentium3", QC_LV_9_0},
    {"pentium3-v1", QC_LV_11_3},
    {"phenom", QC_LV_9_0},
    {"phenom-v1", QC_LV_11_3},
    {"qemu32", QC_LV_9_0},
    {"qemu32-v1", QC_LV_11_3},
    {"qemu64", QC_LV_9_0},
    {"qemu64-v1", QC_LV_11_3},
};

static const qc_lv_cpu qc_lv_ppc64_models[] = {
    {"POWER10", QC_LV_9_0}, {"POWER11", QC_LV_12_8}, {"POWER7", QC_LV_9_0},
    {"POWER8", QC_LV_9_0},  {"POWER9", QC_LV_9_0},
};

/* Models whose cpu_map vendor no QEMU fact gives: athlon is "QEMU Virtual CPU version
 * 2.5+" like the generic qemu64/qemu32 (vendor unknown to libvirt), yet AMD's to
 * libvirt. Names here are unversioned; their versions share the vendor. */
static const struct {
    const char *name, *vendor;
} qc_lv_x86_vendors[] = {
    {"athlon", "AMD"},
};

const char *
qc_lv_cpu_model_vendor(const char *family, const char *name)
{
    size_t len;

    if (!family || !name || strcmp(family, "x86") != 0)
        return NULL;
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_lv_x86_vendors); i++) {
        len = strlen(qc_lv_x86_vendors[i].name);
        if (strncmp(name, qc_lv_x86_vendors[i].name, len) == 0 &&
            (name[len] == '\0' || (name[len] == '-' && name[len + 1] == 'v')))
            return qc_lv_x86_vendors[i].vendor;
    }
    return NULL;
}

#include "schema/cpumap-x86.inc"

_Static_assert(QC_N_ELEMENTS(qc_lv_x86_features_9_0) <= QC_LV_X86_MAX_FEATURES &&
                   QC_N_ELEMENTS(qc_lv_x86_features_11_3) <= QC_LV_X86_MAX_FEATURES &&
                   QC_N_ELEMENTS(qc_lv_x86_features_12_8) <= QC_LV_X86_MAX_FEATURES,
               "a libvirt CPU map knows more features than QC_LV_X86_MAX_FEATURES");

const qc_lv_x86_cpumap *
qc_lv_x86_map(qc_lv_gen g)
{
    switch (g) {
    case QC_LV_9_0:
        return &qc_lv_x86_cpumap_9_0;
    case QC_LV_11_3:
        return &qc_lv_x86_cpumap_11_3;
    case QC_LV_12_8:
    case QC_LV_N:
        break;
    }
    return &qc_lv_x86_cpumap_12_8;
}

static int
qc_lv_alias_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const qc_lv_x86_alias *) elem)->qemu);
}

int
qc_lv_x86_feature(const qc_lv_x86_cpumap *map, const char *qemu_name)
{
    const qc_lv_x86_alias *a =
        bsearch(qemu_name, map->aliases, map->n_aliases, sizeof(*a), qc_lv_alias_cmp);
    const char *name = a ? a->libvirt : qemu_name;
    size_t lo = 0, hi = map->n_features;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(map->features[map->byname[mid]], name);
        if (c == 0)
            return map->byname[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

bool
qc_lv_x86_model_has(const qc_lv_x86_cpumap *map, size_t i, size_t j)
{
    return i < map->n_models && j < map->n_features &&
           (map->bits[i * map->words + j / 64] >> (j % 64)) & 1u;
}

bool
qc_lv_x86_signature_match(const qc_lv_x86_model *lm, unsigned family, unsigned model,
                          unsigned stepping)
{
    for (unsigned i = lm->first_sig; i < lm->first_sig + lm->n_sigs; i++) {
        const qc_lv_x86_sig *s = &qc_lv_x86_sigs[i];
        if (s->family == family && s->model == model &&
            (!s->steppings || (stepping < 16 && (s->steppings & (1u << stepping)))))
            return true;
    }
    return false;
}

const char *
qc_lv_x86_removed_at(const qc_lv_x86_model *lm, size_t i)
{
    return i < lm->n_removed ? qc_lv_x86_removed_names[lm->first_removed + i] : NULL;
}

static int
qc_lv_cpu_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const qc_lv_cpu *) elem)->name);
}

bool
qc_lv_cpu_model_known(qc_lv_gen g, const char *family, const char *name)
{
    const qc_lv_cpu *table, *hit;
    size_t n;

    if (!family || !name)
        return false;
    if (strcmp(family, "x86") == 0) {
        table = qc_lv_x86_models;
        n = QC_N_ELEMENTS(qc_lv_x86_models);
    } else if (strcmp(family, "ppc64") == 0) {
        table = qc_lv_ppc64_models;
        n = QC_N_ELEMENTS(qc_lv_ppc64_models);
    } else {
        return true; /* libvirt's arm, s390x, riscv and loongarch drivers take QEMU's list */
    }
    hit = bsearch(name, table, n, sizeof(*table), qc_lv_cpu_cmp);
    return hit && hit->since <= g;
}

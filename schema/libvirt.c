/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt.c: libvirt's generations and arch tables (libvirt.h). */
#include "schema/libvirt.h"

#include <stdio.h>
#include <string.h>

static const char *const qc_lv_gen_names[QC_LV_N] = {"9.0", "11.3", "12.8"};

const char *
qc_lv_gen_name(qc_lv_gen g)
{
    return g < QC_LV_N ? qc_lv_gen_names[g] : "?";
}

int
qc_lv_gen_parse(const char *s, qc_lv_gen *ret, qc_error **err)
{
    if (s && strcmp(s, "latest") == 0) {
        *ret = QC_LV_LATEST;
        return 0;
    }
    for (int g = 0; s && g < QC_LV_N; g++) {
        const char *name = qc_lv_gen_names[g];
        size_t major = strcspn(name, ".");

        if (strcmp(s, name) == 0 || (strlen(s) == major && strncmp(s, name, major) == 0)) {
            *ret = (qc_lv_gen) g;
            return 0;
        }
    }
    return qc_error_set(err, QC_E_INVALID,
                        "unknown libvirt generation '%s'; valid: 9.0, 11.3, 12.8, latest",
                        s ? s : "");
}

/* Same value for every generation; and one that changes with a generation. */
#define QC_ALL(m) {m, m, m}
#define QC_FROM11(old, new) {old, new, new}

/* virArch in enum order, as libvirt's capabilities walks it. */
static const qc_lv_arch qc_lv_arch_table[] = {
    {"alpha", "alpha", 64, QC_LV_9_0, QC_ALL("clipper")},
    {"armv6l", "arm", 32, QC_LV_9_0, QC_FROM11("integratorcp", "virt")},
    {"armv7l", "arm", 32, QC_LV_9_0, QC_FROM11("integratorcp", "virt")},
    {"armv7b", "armv7b", 32, QC_LV_9_0, QC_FROM11("integratorcp", "virt")},
    {"aarch64", "aarch64", 64, QC_LV_9_0, QC_FROM11("integratorcp", "virt")},
    {"cris", "cris", 32, QC_LV_9_0, QC_ALL("axis-dev88")},
    {"i686", "i386", 32, QC_LV_9_0, QC_ALL("pc")},
    {"ia64", "ia64", 64, QC_LV_9_0, QC_ALL(NULL)},
    {"lm32", "lm32", 32, QC_LV_9_0, QC_ALL(NULL)},
    {"loongarch64", "loongarch64", 64, QC_LV_11_3, QC_ALL(NULL)},
    {"m68k", "m68k", 32, QC_LV_9_0, QC_ALL("mcf5208evb")},
    {"microblaze", "microblaze", 32, QC_LV_9_0, QC_ALL("petalogix-s3adsp1800")},
    {"microblazeel", "microblazeel", 32, QC_LV_9_0, QC_ALL("petalogix-s3adsp1800")},
    {"mips", "mips", 32, QC_LV_9_0, QC_ALL("malta")},
    {"mipsel", "mipsel", 32, QC_LV_9_0, QC_ALL("malta")},
    {"mips64", "mips64", 64, QC_LV_9_0, QC_ALL("malta")},
    {"mips64el", "mips64el", 64, QC_LV_9_0, QC_ALL("malta")},
    {"or32", "or32", 32, QC_LV_9_0, QC_ALL(NULL)},
    {"parisc", "parisc", 32, QC_LV_9_0, QC_ALL(NULL)},
    {"parisc64", "parisc64", 64, QC_LV_9_0, QC_ALL(NULL)},
    {"ppc", "ppc", 32, QC_LV_9_0, QC_ALL("g3beige")},
    {"ppcle", "ppcle", 32, QC_LV_9_0, QC_ALL("g3beige")},
    {"ppc64", "ppc64", 64, QC_LV_9_0, QC_ALL("pseries")},
    {"ppc64le", "ppc64le", 64, QC_LV_9_0, QC_ALL("pseries")},
    {"ppcemb", "ppcemb", 32, QC_LV_9_0, QC_ALL("bamboo")},
    {"riscv32", "riscv32", 32, QC_LV_9_0, QC_FROM11("spike_v1.10", "virt")},
    {"riscv64", "riscv64", 64, QC_LV_9_0, QC_FROM11("spike_v1.10", "virt")},
    {"s390", "s390", 32, QC_LV_9_0, QC_ALL(NULL)},
    {"s390x", "s390x", 64, QC_LV_9_0, QC_ALL("s390-ccw-virtio")},
    {"sh4", "sh4", 32, QC_LV_9_0, QC_ALL("shix")},
    {"sh4eb", "sh4eb", 64, QC_LV_9_0, QC_ALL("shix")}, /* 64: libvirt's table says so */
    {"sparc", "sparc", 32, QC_LV_9_0, QC_ALL("SS-5")},
    {"sparc64", "sparc64", 64, QC_LV_9_0, QC_ALL("sun4u")},
    {"unicore32", "unicore32", 32, QC_LV_9_0, QC_ALL(NULL)},
    {"x86_64", "x86_64", 64, QC_LV_9_0, QC_ALL("pc")},
    {"xtensa", "xtensa", 32, QC_LV_9_0, QC_ALL("sim")},
    {"xtensaeb", "xtensaeb", 32, QC_LV_9_0, QC_ALL("sim")},
};

/* Word sizes of QEMU targets that libvirt has no arch for (listed under their name). */
static const struct {
    const char *target;
    int wordsize;
} qc_lv_target_wordsize[] = {
    {"avr", 8}, {"hexagon", 32}, {"hppa", 32}, {"loongarch64", 64}, {"nios2", 32},
    {"or1k", 32}, {"rx", 32}, {"tricore", 32},
};

/* QEMU targets whose binary libvirt takes for another arch than the one of the same name
 * (qemu-system-arm serves armv6l and armv7l; a probed one is armv7l). */
static const struct {
    const char *target, *arch;
} qc_lv_target_arch[] = {
    {"i386", "i686"},
    {"arm", "armv7l"},
};

const qc_lv_arch *
qc_lv_arch_next(qc_lv_gen g, size_t *cursor)
{
    while (*cursor < QC_N_ELEMENTS(qc_lv_arch_table)) {
        const qc_lv_arch *a = &qc_lv_arch_table[(*cursor)++];
        if (a->since <= g)
            return a;
    }
    return NULL;
}

const qc_lv_arch *
qc_lv_arch_find(qc_lv_gen g, const char *name)
{
    for (size_t i = 0; name && i < QC_N_ELEMENTS(qc_lv_arch_table); i++) {
        if (strcmp(qc_lv_arch_table[i].name, name) == 0)
            return qc_lv_arch_table[i].since <= g ? &qc_lv_arch_table[i] : NULL;
    }
    return NULL;
}

const char *
qc_lv_arch_of_target(qc_lv_gen g, const char *target)
{
    const qc_lv_arch *a;

    if (!target)
        return NULL;
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_lv_target_arch); i++) {
        if (strcmp(qc_lv_target_arch[i].target, target) == 0)
            return qc_lv_target_arch[i].arch;
    }
    a = qc_lv_arch_find(g, target);
    /* the arch must be served by a binary of that very name (not ppc64le, armv7b, ...) */
    return a && strcmp(a->binary, target) == 0 ? a->name : NULL;
}

const char *
qc_lv_target_of_arch(qc_lv_gen g, const char *arch)
{
    const qc_lv_arch *a = qc_lv_arch_find(g, arch);

    if (!a)
        return arch;
    if (qc_lv_arch_is_ppc64(a->name))
        return "ppc64";
    return a->binary;
}

const char *const *
qc_lv_arch_also(const char *own)
{
    static const char *const x86[] = {"i686", NULL}, *const arm64[] = {"armv7l", NULL},
                             *const arm[] = {"armv6l", NULL}, *const ppc64[] = {"ppc64le", NULL},
                             *const none[] = {NULL};

    if (!own)
        return none;
    if (strcmp(own, "x86_64") == 0)
        return x86;
    if (strcmp(own, "aarch64") == 0)
        return arm64;
    if (strcmp(own, "armv7l") == 0)
        return arm;
    if (strcmp(own, "ppc64") == 0)
        return ppc64;
    return none;
}

int
qc_lv_wordsize(qc_lv_gen g, const char *arch_or_target)
{
    const qc_lv_arch *a = qc_lv_arch_find(g, arch_or_target);
    size_t len;

    if (a)
        return a->wordsize;
    if (!arch_or_target)
        return 32;
    for (size_t i = 0; i < QC_N_ELEMENTS(qc_lv_target_wordsize); i++) {
        if (strcmp(qc_lv_target_wordsize[i].target, arch_or_target) == 0)
            return qc_lv_target_wordsize[i].wordsize;
    }
    len = strlen(arch_or_target);
    return len > 2 && strcmp(arch_or_target + len - 2, "64") == 0 ? 64 : 32;
}

bool
qc_lv_arch_is_x86(const char *arch)
{
    return arch && (strcmp(arch, "i686") == 0 || strcmp(arch, "x86_64") == 0);
}

bool
qc_lv_arch_is_ppc64(const char *arch)
{
    return arch && (strcmp(arch, "ppc64") == 0 || strcmp(arch, "ppc64le") == 0);
}

bool
qc_lv_arch_is_native(const char *host, const char *guest)
{
    if (!host || !guest)
        return false;
    if (strcmp(host, "x86_64") == 0)
        return qc_lv_arch_is_x86(guest);
    if (strcmp(host, "aarch64") == 0)
        return strcmp(guest, "aarch64") == 0 || strcmp(guest, "armv7l") == 0;
    if (qc_lv_arch_is_ppc64(host))
        return qc_lv_arch_is_ppc64(guest);
    return strcmp(host, guest) == 0;
}

const char *const *
qc_lv_legacy_loaders(qc_lv_gen g)
{
    static const char *const loaders[] = {
        "/usr/share/OVMF/OVMF_CODE.fd",
        "/usr/share/OVMF/OVMF_CODE.secboot.fd",
        "/usr/share/AAVMF/AAVMF_CODE.fd",
        "/usr/share/AAVMF/AAVMF32_CODE.fd",
        NULL,
    };

    (void) g;
    return loaders;
}

bool
qc_lv_machine_hidden(const char *name)
{
    return name && strcmp(name, "none") == 0;
}

const char *
qc_lv_preferred_machine(qc_lv_gen g, const char *arch)
{
    const qc_lv_arch *a = qc_lv_arch_find(g, arch);

    return a && g < QC_LV_N ? a->preferred[g] : NULL;
}

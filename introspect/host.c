/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host.c: reads uname, /dev/kvm and /proc/cpuinfo into a qc_host. */
#include "host.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "common/cleanup.h"

#define QC_KVM_API_VERSION 12

static bool
qc_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

const char *
qc_host_arch_normalise(const char *m)
{
    static const struct {
        const char *uname;
        const char *qemu;
    } exact[] = {
        {"x86_64", "x86_64"}, {"amd64", "x86_64"}, {"aarch64", "aarch64"},
        {"arm64", "aarch64"}, {"aarch64_be", "aarch64"}, {"ppc64", "ppc64"},
        {"ppc64le", "ppc64"}, {"ppc", "ppc"}, {"ppcle", "ppc"}, {"s390x", "s390x"},
        {"s390", "s390x"}, {"riscv64", "riscv64"}, {"riscv32", "riscv32"},
        {"mips64", "mips64"}, {"mips64el", "mips64el"}, {"mips", "mips"},
        {"mipsel", "mipsel"}, {"loongarch64", "loongarch64"}, {"sparc64", "sparc64"},
        {"sparc", "sparc"}, {"alpha", "alpha"}, {"m68k", "m68k"}, {"sh4", "sh4"},
        {"parisc", "hppa"}, {"parisc64", "hppa"},
    };

    if (!m)
        return NULL;
    for (size_t i = 0; i < QC_N_ELEMENTS(exact); i++) {
        if (!strcmp(m, exact[i].uname))
            return exact[i].qemu;
    }
    /* i386, i486, i586, i686 */
    if (m[0] == 'i' && m[1] >= '3' && m[1] <= '6' && !strcmp(m + 2, "86"))
        return "i386";
    if (qc_starts_with(m, "armv8b") || (qc_starts_with(m, "armv") && strlen(m) > 4 &&
                                         m[strlen(m) - 1] == 'b'))
        return "armeb";
    if (qc_starts_with(m, "armv") || !strcmp(m, "arm"))
        return "arm";
    return m;
}

static int
qc_host_set_str(char **dst, const char *src, qc_error **err)
{
    char *s = strdup(src);

    if (!s)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    free(*dst);
    *dst = s;
    return 0;
}

static int
qc_host_read_uname(qc_host *h, qc_error **err)
{
    struct utsname u;

    if (uname(&u) < 0)
        return 0; /* unknown, not an error */
    if (qc_host_set_str(&h->arch, qc_host_arch_normalise(u.machine), err) < 0 ||
        qc_host_set_str(&h->kernel_release, u.release, err) < 0 ||
        qc_host_set_str(&h->kernel_version, u.version, err) < 0)
        return -1;
    return 0;
}

static void
qc_host_read_kvm(qc_host *h)
{
    qc_autoclose int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int n;

    h->kvm_usable = false;
    h->kvm_max_vcpus = 0;
    if (fd < 0 || ioctl(fd, KVM_GET_API_VERSION, 0) != QC_KVM_API_VERSION)
        return;
    h->kvm_usable = true;
    n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    if (n <= 0)
        n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    if (n > 0)
        h->kvm_max_vcpus = n;
}

/* "key\t\t: value" -> key and value, both trimmed in place. False if no ':'. */
static bool
qc_cpuinfo_split(char *line, char **ret_key, char **ret_value)
{
    char *colon = strchr(line, ':');
    char *end;

    if (!colon)
        return false;
    *colon = '\0';
    for (end = colon; end > line && isspace((unsigned char) end[-1]); end--)
        end[-1] = '\0';
    *ret_key = line;
    *ret_value = colon + 1;
    while (isspace((unsigned char) **ret_value))
        (*ret_value)++;
    end = *ret_value + strlen(*ret_value);
    while (end > *ret_value && isspace((unsigned char) end[-1]))
        *--end = '\0';
    return true;
}

static int
qc_cpuinfo_int(const char *v)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 0);
    if (errno || end == v || *end || n < 0 || n > 1000000)
        return -1;
    return (int) n;
}

static int
qc_cpuinfo_flags(qc_host *h, char *v, qc_error **err)
{
    char *save = NULL;

    qc_strlist_clear(&h->cpu_flags);
    for (char *t = strtok_r(v, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        if (qc_strlist_add(&h->cpu_flags, t, err) < 0)
            return -1;
    }
    qc_strlist_sort(&h->cpu_flags);
    qc_strlist_uniq(&h->cpu_flags);
    return 0;
}

static int
qc_cpuinfo_field(qc_host *h, const char *k, char *v, qc_error **err)
{
    /* x86 names first; "vendor"/"cpu" cover s390x and ppc64 when x86 ones are absent. */
    if (!strcmp(k, "vendor_id") || (!strcmp(k, "vendor") && !h->cpu_vendor))
        return qc_host_set_str(&h->cpu_vendor, v, err);
    if (!strcmp(k, "model name") || (!strcmp(k, "cpu") && !h->cpu_model_name))
        return qc_host_set_str(&h->cpu_model_name, v, err);
    if (!strcmp(k, "cpu family"))
        h->cpu_family = qc_cpuinfo_int(v);
    else if (!strcmp(k, "model"))
        h->cpu_model = qc_cpuinfo_int(v);
    else if (!strcmp(k, "stepping"))
        h->cpu_stepping = qc_cpuinfo_int(v);
    else if (!strcmp(k, "microcode"))
        return qc_host_set_str(&h->cpu_microcode, v, err);
    else if (!strcmp(k, "flags") || !strcmp(k, "Features"))
        return qc_cpuinfo_flags(h, v, err);
    return 0;
}

/* Reads the first processor block (up to the first blank line after a "processor" line). */
static int
qc_host_read_cpuinfo(qc_host *h, qc_error **err)
{
    FILE *f = fopen("/proc/cpuinfo", "re");
    qc_autofree char *line = NULL;
    size_t cap = 0;
    bool in_block = false;
    int ret = 0;

    if (!f)
        return 0;
    while (getline(&line, &cap, f) > 0) {
        char *k, *v;

        if (line[0] == '\n' && in_block)
            break;
        if (!qc_cpuinfo_split(line, &k, &v))
            continue;
        if (!strcmp(k, "processor")) {
            in_block = true;
            continue;
        }
        if (qc_cpuinfo_field(h, k, v, err) < 0) {
            ret = -1;
            break;
        }
    }
    fclose(f);
    return ret;
}

int
qc_host_read(qc_host *ret_host, qc_error **err)
{
    qc_host h;

    if (!ret_host)
        return qc_error_set(err, QC_E_INVALID, "no host struct given");
    memset(&h, 0, sizeof(h));
    h.cpu_family = h.cpu_model = h.cpu_stepping = -1;
    if (qc_host_read_uname(&h, err) < 0 || qc_host_read_cpuinfo(&h, err) < 0) {
        qc_host_clear(&h);
        return -1;
    }
    qc_host_read_kvm(&h);
    qc_host_clear(ret_host);
    *ret_host = h;
    return 0;
}

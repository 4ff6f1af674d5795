/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-sys.c: the one read of uname, /dev/kvm, /proc/cpuinfo and the passthrough and
 * secure-guest switches (qc_host_sys), and the probe's facts (qc_host_read_quick) from it. */
#include "introspect/host.h"

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
#include "introspect/hostfs.h"

#define QC_KVM_API_VERSION 12

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

/* ---- the raw read ---------------------------------------------------------------------- */

/* The one reader of /proc/cpuinfo under `root`: calls fn with each line (newline removed,
 * writable) until it returns 1 (stop) or -1 (error: returned). An unreadable file has no
 * lines. */
static int
qc_host_cpuinfo_scan(const char *root, int (*fn)(char *line, void *opaque), void *opaque)
{
    FILE *f = qc_hostfs_fopen(root, "/proc/cpuinfo");
    qc_autofree char *line = NULL;
    size_t cap = 0;
    int rc = 0;

    if (!f)
        return 0;
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = '\0';
        rc = fn(line, opaque);
    }
    fclose(f);
    return rc < 0 ? -1 : 0;
}

typedef struct qc_sys_cpuinfo {
    qc_strlist *lines;
    bool in_block;
} qc_sys_cpuinfo;

/* Keeps lines up to the first blank line after a "processor" line (its key trimmed). */
static int
qc_sys_cpuinfo_line(char *line, void *opaque)
{
    qc_sys_cpuinfo *c = opaque;
    size_t k = strcspn(line, ":");

    if (!line[0] && c->in_block)
        return 1;
    if (line[k]) {
        while (k > 0 && isspace((unsigned char) line[k - 1]))
            k--;
        c->in_block = c->in_block || (k == strlen("processor") && !strncmp(line, "processor", k));
    }
    return qc_strlist_add(c->lines, line, NULL);
}

static int
qc_sys_read_kvm(const char *root, qc_host_sys *s)
{
    qc_autoclose int fd = qc_hostfs_open(root, "/dev/kvm", O_RDWR);

    s->kvm_open = fd >= 0;
    s->kvm_api = s->kvm_max_vcpus = s->kvm_nr_vcpus = -1;
    if (fd < 0)
        return 0;
    s->kvm_api = ioctl(fd, KVM_GET_API_VERSION, 0);
    s->kvm_max_vcpus = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    s->kvm_nr_vcpus = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    return 0;
}

/* s390 protected virtualisation (/sys/firmware/uv and prot_virt on the kernel command line)
 * or AMD SEV enabled in kvm_amd: what libvirt calls kvmSupportsSecureGuest. */
static bool
qc_sys_secure_guest(const char *root)
{
    bool usable = false;

    if (qc_hostfs_exists(root, "/sys/firmware/uv", F_OK)) {
        qc_autofree char *cmdline = qc_hostfs_read(root, "/proc/cmdline");
        const char *p = cmdline ? strstr(cmdline, "prot_virt=") : NULL;
        char c = p ? p[strlen("prot_virt=")] : '\0';

        usable = c == '1' || c == 'y' || c == 'Y';
    }
    if (qc_hostfs_read_bool(root, "/sys/module/kvm_amd/parameters/sev") &&
        qc_hostfs_exists(root, "/dev/sev", F_OK))
        usable = true;
    return usable;
}

int
qc_host_sys_read(const char *root, unsigned parts, qc_host_sys *ret, qc_error **err)
{
    qc_host_sys s = {.kvm_api = -1, .kvm_max_vcpus = -1, .kvm_nr_vcpus = -1};
    qc_sys_cpuinfo ci = {.lines = &s.cpuinfo};
    struct utsname u;

    if ((parts & QC_HOST_SYS_UNAME) && uname(&u) == 0 &&
        (!(s.sysname = strdup(u.sysname)) || !(s.machine = strdup(u.machine)) ||
         !(s.release = strdup(u.release)) || !(s.version = strdup(u.version))))
        goto oom;
    if (parts & QC_HOST_SYS_KVM)
        qc_sys_read_kvm(root, &s);
    if ((parts & QC_HOST_SYS_CPUINFO) && qc_host_cpuinfo_scan(root, qc_sys_cpuinfo_line, &ci) < 0)
        goto oom;
    if (parts & QC_HOST_SYS_SWITCHES) {
        /* libvirt's virHostdevHostSupportsPassthroughVFIO: IOMMU groups and VFIO loaded */
        s.vfio = qc_hostfs_dir_nonempty(root, "/sys/kernel/iommu_groups") &&
                 qc_hostfs_exists(root, "/dev/vfio/vfio", F_OK);
        s.iommufd = qc_hostfs_exists(root, "/dev/iommu", F_OK);
        s.tdx = qc_hostfs_read_bool(root, "/sys/module/kvm_intel/parameters/tdx");
        s.secure_guest = qc_sys_secure_guest(root);
    }
    qc_host_sys_clear(ret);
    *ret = s;
    return 0;
oom:
    qc_host_sys_clear(&s);
    return qc_error_set(err, QC_E_NOMEM, "out of memory");
}

void
qc_host_sys_clear(qc_host_sys *s)
{
    free(s->sysname);
    free(s->machine);
    free(s->release);
    free(s->version);
    qc_strlist_clear(&s->cpuinfo);
    memset(s, 0, sizeof(*s));
}

/* ---- the probe's view: qc_host --------------------------------------------------------- */

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
    else if (!strcmp(k, "address sizes")) {
        int bits;
        char tail;
        /* "48 bits physical, 57 bits virtual" */
        h->cpu_phys_bits = sscanf(v, "%d bits physica%c", &bits, &tail) == 2 && tail == 'l' &&
                                   bits > 0 && bits <= 128
                               ? bits
                               : -1;
    }
    else if (!strcmp(k, "microcode"))
        return qc_host_set_str(&h->cpu_microcode, v, err);
    else if (!strcmp(k, "flags") || !strcmp(k, "Features"))
        return qc_cpuinfo_flags(h, v, err);
    return 0;
}

/* The probe's CPU facts: every field of the first processor block (qc_host_sys.cpuinfo). */
static int
qc_host_from_cpuinfo(qc_host *h, const qc_strlist *lines, qc_error **err)
{
    for (size_t i = 0; i < lines->n; i++) {
        qc_autofree char *line = strdup(lines->v[i]);
        char *k, *v;

        if (!line)
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        if (!qc_cpuinfo_split(line, &k, &v) || !strcmp(k, "processor"))
            continue;
        if (qc_cpuinfo_field(h, k, v, err) < 0)
            return -1;
    }
    return 0;
}

int
qc_host_from_sys(qc_host *ret_host, const qc_host_sys *s, qc_error **err)
{
    qc_host h;
    int n;

    memset(&h, 0, sizeof(h));
    h.cpu_family = h.cpu_model = h.cpu_stepping = h.cpu_phys_bits = -1;
    if (s->machine && (qc_host_set_str(&h.arch, qc_host_arch_normalise(s->machine), err) < 0 ||
                       qc_host_set_str(&h.kernel_release, s->release, err) < 0 ||
                       qc_host_set_str(&h.kernel_version, s->version, err) < 0))
        goto fail;
    if (qc_host_from_cpuinfo(&h, &s->cpuinfo, err) < 0)
        goto fail;
    h.kvm_usable = s->kvm_open && s->kvm_api == QC_KVM_API_VERSION;
    n = s->kvm_max_vcpus > 0 ? s->kvm_max_vcpus : s->kvm_nr_vcpus;
    h.kvm_max_vcpus = h.kvm_usable && n > 0 ? n : 0;
    h.vfio = s->vfio;
    h.secure_guest = s->secure_guest;
    h.iommufd = s->iommufd;
    h.tdx = s->tdx;
    qc_host_clear(ret_host);
    *ret_host = h;
    return 0;
fail:
    qc_host_clear(&h);
    return -1;
}

int
qc_host_read_quick(qc_host *ret_host, qc_error **err)
{
    qc_host_sys s = {0};
    int rc;

    if (!ret_host)
        return qc_error_set(err, QC_E_INVALID, "no host struct given");
    if (qc_host_sys_read(NULL, QC_HOST_SYS_ALL, &s, err) < 0)
        return -1;
    rc = qc_host_from_sys(ret_host, &s, err);
    qc_host_sys_clear(&s);
    return rc;
}

/* ---- uname machine -> QEMU target ---------------------------------------------------- */

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

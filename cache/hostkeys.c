/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostkeys.c: cheap fingerprints of every host input a probe's answer depends on.
 *
 * qc_host_read() runs `swtpm_setup` and parses firmware descriptors (tens of ms); a cache
 * hit must cost about a millisecond, so validity compares fingerprints of the *sources*
 * qc_host_read() reads instead: uname, /dev/kvm, the first /proc/cpuinfo block (without
 * the per-CPU and clock lines), the swtpm tools' inodes and times; VFIO and secure-guest
 * support are read with the probe's own functions. Equal sources give equal facts; any
 * change (even an irrelevant one) re-probes.
 * Firmware descriptors are not fingerprinted: cache.c re-reads them on every hit.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cache/cache-internal.h"
#include "introspect/host.h"

static int
qc_inputs_add(qc_host_inputs *in, const char *name, const char *value)
{
    if (qc_strlist_add(&in->names, name, NULL) < 0 ||
        qc_strlist_add(&in->values, value, NULL) < 0)
        return -1;
    return 0;
}

static int
qc_inputs_addf(qc_host_inputs *in, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
qc_inputs_addf(qc_host_inputs *in, const char *name, const char *fmt, ...)
{
    qc_autofree char *v = NULL;
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vasprintf(&v, fmt, ap);
    va_end(ap);
    if (r < 0)
        return -1;
    return qc_inputs_add(in, name, v);
}

static int
qc_inputs_kvm(qc_host_inputs *in)
{
    qc_autoclose int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int api = -1, max = -1, nr = -1;

    if (fd >= 0) {
        api = ioctl(fd, KVM_GET_API_VERSION, 0);
        max = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
        nr = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
    }
    return qc_inputs_addf(in, "KVM", "%s api=%d max-vcpus=%d nr-vcpus=%d",
                          fd >= 0 ? "usable" : "unusable", api, max, nr);
}

/* Lines of the first processor block that vary by CPU or by the clock are left out. */
static bool
qc_cpuinfo_volatile(const char *line)
{
    static const char *const skip[] = {"processor", "cpu MHz", "bogomips", "core id",
                                       "physical id", "siblings", "cpu cores", "apicid",
                                       "initial apicid"};

    for (size_t i = 0; i < QC_N_ELEMENTS(skip); i++) {
        size_t n = strlen(skip[i]);
        if (strncasecmp(line, skip[i], n) == 0 && (line[n] == ':' || line[n] == '\t' ||
                                                   line[n] == ' '))
            return true;
    }
    return false;
}

/* The CPU's signature and microcode verbatim (so that a reason can name them), the rest
 * of the first processor block hashed. */
static int
qc_inputs_cpuinfo(qc_host_inputs *in)
{
    static const char *const sig[] = {"vendor_id", "cpu family", "model", "model name",
                                      "stepping"};
    FILE *f = fopen("/proc/cpuinfo", "re");
    qc_autofree char *line = NULL;
    qc_autofree char *signature = strdup("");
    char microcode[128] = "-";
    size_t cap = 0;
    uint64_t h = qc_cache_hash("", 0);
    bool seen = false;

    if (!signature)
        return -1;
    while (f && getline(&line, &cap, f) > 0) {
        size_t klen = strcspn(line, "\t:");
        bool is_sig = false;
        if (line[0] == '\n') {
            if (seen)
                break;
            continue;
        }
        seen = true;
        line[strcspn(line, "\n")] = '\0';
        if (qc_cpuinfo_volatile(line))
            continue;
        for (size_t i = 0; i < QC_N_ELEMENTS(sig); i++)
            is_sig = is_sig || (klen == strlen(sig[i]) && strncmp(line, sig[i], klen) == 0);
        if (is_sig) {
            char *n = NULL;
            if (asprintf(&n, "%s%s;", signature, line) < 0)
                break;
            free(signature);
            signature = n;
        } else if (klen == strlen("microcode") && strncmp(line, "microcode", klen) == 0) {
            snprintf(microcode, sizeof(microcode), "%s", line);
        } else {
            for (const char *p = line; *p; p++) {
                h ^= (unsigned char) *p;
                h *= 0x100000001b3ULL;
            }
        }
    }
    if (f)
        fclose(f);
    if (qc_inputs_add(in, "CPU signature", signature) < 0 ||
        qc_inputs_add(in, "CPU microcode", microcode) < 0)
        return -1;
    return qc_inputs_addf(in, "CPU flags", "%016llx", (unsigned long long) h);
}

/* Where `prog` is in $PATH (as host.c looks it up) and which file that is. */
static int
qc_inputs_tool(qc_host_inputs *in, const char *prog, char **acc)
{
    const char *path = getenv("PATH");
    qc_autofree char *copy = strdup(path && *path ? path : "/usr/bin:/bin");
    char *save = NULL, *n = NULL;

    if (!copy)
        return -1;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char full[4096];
        struct stat st;
        if (snprintf(full, sizeof(full), "%s/%s", d, prog) >= (int) sizeof(full) ||
            access(full, X_OK) != 0)
            continue;
        if (stat(full, &st) < 0)
            memset(&st, 0, sizeof(st));
        if (asprintf(&n, "%s%s:%llu:%lld:%lld.%09ld:%lld.%09ld ", *acc, full,
                     (unsigned long long) st.st_ino, (long long) st.st_size,
                     (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                     (long long) st.st_ctim.tv_sec, st.st_ctim.tv_nsec) < 0)
            return -1;
        free(*acc);
        *acc = n;
        return 0;
    }
    if (asprintf(&n, "%s%s:- ", *acc, prog) < 0)
        return -1;
    free(*acc);
    *acc = n;
    return 0;
}


static int
qc_inputs_secure_guest(qc_host_inputs *in)
{
    return qc_inputs_addf(in, "secure guest", "%d", qc_host_secure_guest_usable());
}

int
qc_host_inputs_read(qc_host_inputs *in, qc_error **err)
{
    qc_autofree char *tools = strdup("");
    struct utsname u;

    qc_host_inputs_clear(in);
    if (!tools)
        goto oom;
    if (uname(&u) < 0)
        memset(&u, 0, sizeof(u));
    if (qc_inputs_addf(in, "kernel", "%s %s %s %s", u.sysname, u.release, u.version,
                       u.machine) < 0 ||
        qc_inputs_kvm(in) < 0 || qc_inputs_cpuinfo(in) < 0 ||
        qc_inputs_tool(in, "swtpm", &tools) < 0 ||
        qc_inputs_tool(in, "swtpm_setup", &tools) < 0 ||
        qc_inputs_tool(in, "swtpm_ioctl", &tools) < 0 || qc_inputs_add(in, "swtpm", tools) < 0 ||
        qc_inputs_addf(in, "VFIO", "%d", qc_host_vfio_usable()) < 0 ||
        qc_inputs_addf(in, "iommufd", "%d", qc_host_iommufd_usable()) < 0 ||
        qc_inputs_addf(in, "TDX", "%d", qc_host_tdx_usable()) < 0 ||
        qc_inputs_secure_guest(in) < 0)
        goto oom;
    return 0;
oom:
    qc_host_inputs_clear(in);
    return qc_error_set(err, QC_E_NOMEM, "out of memory");
}

void
qc_host_inputs_clear(qc_host_inputs *in)
{
    qc_strlist_clear(&in->names);
    qc_strlist_clear(&in->values);
}

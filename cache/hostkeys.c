/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostkeys.c: cheap fingerprints of every host input a probe's answer depends on.
 *
 * qc_host_read() runs `swtpm_setup` and parses firmware descriptors (tens of ms); a cache
 * hit must cost about a millisecond, so validity compares fingerprints of the *sources*
 * qc_host_read() reads instead, taken from the probe's own read of the system
 * (qc_host_sys_read(), introspect/host.h): uname, /dev/kvm, the first /proc/cpuinfo block
 * (without the per-CPU and clock lines), VFIO, iommufd, TDX and secure-guest support; and
 * the swtpm tools' inodes and times, each tool the file the probe would run (the host
 * layer's one $PATH lookup, qc_hostfs_which()). Equal sources give equal facts; any change
 * (even an irrelevant one) re-probes.
 * Firmware descriptors are not fingerprinted: cache.c re-reads them on every hit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cache-internal.h"
#include "introspect/host.h"
#include "introspect/hostfs.h"

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
qc_inputs_kvm(qc_host_inputs *in, const qc_host_sys *s)
{
    return qc_inputs_addf(in, "KVM", "%s api=%d max-vcpus=%d nr-vcpus=%d",
                          s->kvm_open ? "usable" : "unusable", s->kvm_api, s->kvm_max_vcpus,
                          s->kvm_nr_vcpus);
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
qc_inputs_cpuinfo(qc_host_inputs *in, const qc_host_sys *s)
{
    static const char *const sig[] = {"vendor_id", "cpu family", "model", "model name",
                                      "stepping"};
    qc_autofree char *signature = strdup("");
    char microcode[128] = "-";
    uint64_t h = qc_cache_hash("", 0);
    bool seen = false;

    if (!signature)
        return -1;
    for (size_t l = 0; l < s->cpuinfo.n; l++) {
        const char *line = s->cpuinfo.v[l];
        size_t klen = strcspn(line, "\t:");
        bool is_sig = false;
        if (!line[0]) {
            if (seen)
                break;
            continue;
        }
        seen = true;
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
    if (qc_inputs_add(in, "CPU signature", signature) < 0 ||
        qc_inputs_add(in, "CPU microcode", microcode) < 0)
        return -1;
    return qc_inputs_addf(in, "CPU flags", "%016llx", (unsigned long long) h);
}

/* Where `prog` is in $PATH and which file that is: the file the probe runs, found by the
 * host layer's one lookup (qc_hostfs_which(), introspect/hostfs.h). */
static int
qc_inputs_tool(qc_host_inputs *in, const char *prog, char **acc)
{
    qc_autofree char *full = qc_hostfs_which(NULL, NULL, prog);
    struct stat st;
    char *n = NULL;

    if (!full) {
        if (asprintf(&n, "%s%s:- ", *acc, prog) < 0)
            return -1;
    } else {
        if (stat(full, &st) < 0)
            memset(&st, 0, sizeof(st));
        if (asprintf(&n, "%s%s:%llu:%lld:%lld.%09ld:%lld.%09ld ", *acc, full,
                     (unsigned long long) st.st_ino, (long long) st.st_size,
                     (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                     (long long) st.st_ctim.tv_sec, st.st_ctim.tv_nsec) < 0)
            return -1;
    }
    free(*acc);
    *acc = n;
    return 0;
}

int
qc_host_inputs_read(qc_host_inputs *in, const qc_host_sys *sys, qc_error **err)
{
    qc_autofree char *tools = strdup("");
    QC_CLEANUP(qc_host_sys_clear) qc_host_sys own = {0};
    const qc_host_sys *s = sys ? sys : &own;

    qc_host_inputs_clear(in);
    if (!tools || (!sys && qc_host_sys_read(NULL, QC_HOST_SYS_ALL, &own, NULL) < 0))
        goto oom;
    if (qc_inputs_addf(in, "kernel", "%s %s %s %s", s->sysname ? s->sysname : "",
                       s->release ? s->release : "", s->version ? s->version : "",
                       s->machine ? s->machine : "") < 0 ||
        qc_inputs_kvm(in, s) < 0 || qc_inputs_cpuinfo(in, s) < 0 ||
        qc_inputs_tool(in, "swtpm", &tools) < 0 ||
        qc_inputs_tool(in, "swtpm_setup", &tools) < 0 ||
        qc_inputs_tool(in, "swtpm_ioctl", &tools) < 0 || qc_inputs_add(in, "swtpm", tools) < 0 ||
        qc_inputs_addf(in, "VFIO", "%d", s->vfio) < 0 ||
        qc_inputs_addf(in, "iommufd", "%d", s->iommufd) < 0 ||
        qc_inputs_addf(in, "TDX", "%d", s->tdx) < 0 ||
        qc_inputs_addf(in, "secure guest", "%d", s->secure_guest) < 0)
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host.h: reads the facts of the running host that a probe depends on.
 *
 * Contract: introspect/ is the one layer that reads the running system, and every read
 * of it goes through the root-prefix reader hostfs.h (NULL or "" root: the real system;
 * anything else a tree that mirrors it, so a test or a chroot points it anywhere):
 * - qc_host_sys_read() (host-sys.c) owns the one read of uname(2), /dev/kvm (open +
 *   KVM_CHECK_EXTENSION), /proc/cpuinfo (its first processor block; nothing else scans
 *   the file) and the VFIO / IOMMU / secure-guest switches. The probe's qc_host
 *   (qc_host_from_sys), the capabilities document's host facts (hostfacts.h: arch and
 *   <cpu>) and the cache's keys of them (cache/hostkeys.c) are views of that one struct.
 * - This file (host.c) reads swtpm (found by qc_hostfs_which(), the one $PATH lookup,
 *   which the cache's key uses too; then `swtpm_setup --print-capabilities`) and the QEMU
 *   firmware descriptors of the default search path (under the root) or of given dirs.
 * - emulators.c owns the one emulator discovery; hostfacts*.c the rest of the document's
 *   host facts (sysfs, /proc, the passwd/group databases).
 * A fact that cannot be read is left unknown (NULL / -1 / false), which is not an error.
 * Replay never calls this: the fixture header carries these facts instead.
 */
#ifndef QC_INTROSPECT_HOST_H
#define QC_INTROSPECT_HOST_H

#include <stdbool.h>

#include "common/error.h"
#include "model/model.h"

/* Fills *ret_host (which must be zeroed or cleared). */
int qc_host_read(qc_host *ret_host, qc_error **err);
/* The same in two steps, so a probe can start QEMU in between: the facts that decide how
 * to probe (qc_host_sys below: uname, /proc/cpuinfo, KVM, VFIO, secure guests; no
 * process is run), then
 * the rest (swtpm, which runs `swtpm_setup`, and the firmware descriptors) into *h. */
int qc_host_read_quick(qc_host *ret_host, qc_error **err);
int qc_host_read_rest(qc_host *h, qc_error **err);
/* qc_host_read_rest() of the tree under `root` (hostfs.h): the swtpm tools are looked up
 * in $PATH's absolute directories under it (and the one found there is run), the firmware
 * descriptors in the default search path under it. */
int qc_host_read_rest_at(qc_host *h, const char *root, qc_error **err);

/* Replaces h->firmware and h->firmware_images with the descriptors found in `dirs`
 * (NULL-terminated, lowest priority first; NULL: /usr/share/qemu/firmware,
 * /etc/qemu/firmware and, when not root, $XDG_CONFIG_HOME/qemu/firmware). A later
 * directory's file replaces an earlier one of the same basename, an empty file masks it,
 * dot-files and non-regular files are skipped; the result is sorted by basename. A
 * descriptor that does not parse is kept with `error` set (skipped by its users). */
int qc_host_read_firmware(qc_host *h, const char *const *dirs, qc_error **err);

/* What a firmware read consulted: paths[i] had the signature sigs[i] (common/pathsig.h)
 * when it was read. Every directory, descriptor and loader image whose presence or
 * contents decided the result is there, each noted *before* it was read, so that equal
 * signatures later mean the same read would give the same result. */
typedef struct qc_fw_inputs {
    qc_strlist paths;
    qc_strlist sigs;
} qc_fw_inputs;

/* qc_host_read_firmware() that also appends what it consulted to *rec (NULL: nothing). */
int qc_host_read_firmware_inputs(qc_host *h, const char *const *dirs, qc_fw_inputs *rec,
                                 qc_error **err);
/* The directories a firmware read of `dirs` (NULL: the default search path, which depends
 * on the effective uid and $XDG_CONFIG_HOME / $HOME) looks in, appended to *ret. */
int qc_host_firmware_search_path(const char *const *dirs, qc_strlist *ret, qc_error **err);

/* The two above for the tree under `root` (hostfs.h; NULL or "": the real system, which
 * is what they read): the default search path is under the root (root +
 * /usr/share/qemu/firmware, ...; an $XDG_CONFIG_HOME or $HOME that is not absolute is
 * skipped there), and so are the loader images and the descriptors' executables whose
 * existence is checked; `dirs`, when given, are paths of this system, taken as they are.
 * What is noted in *rec is the file read (under the root); the images and executables in
 * *h keep the names the tree's system knows them by (without the root). */
int qc_host_read_firmware_at(qc_host *h, const char *root, const char *const *dirs,
                             qc_fw_inputs *rec, qc_error **err);
int qc_host_firmware_search_path_at(const char *root, const char *const *dirs,
                                    qc_strlist *ret, qc_error **err);

/* ---- emulators: the one discovery rule (emulators.c) ----------------------------------
 * Candidates are the files named qemu-system-* and qemu-kvm that are executable regular
 * files, in the absolute directories of a ':'-separated list (relative entries are
 * skipped: they would depend on the current directory). */
typedef enum qc_emu_scope {
    QC_EMU_FIRST, /* what a query uses, as libvirt does: the first binary of each name in
                   * list order, sorted by name, then /usr/libexec/qemu-kvm when no
                   * qemu-kvm came before (libvirt's last resort for native guests) */
    QC_EMU_EVERY, /* what `qcaps warm` warms: every binary of the list, then of /usr/bin,
                   * /usr/local/bin and /usr/libexec (a service's $PATH may lack them),
                   * each absolute path (common/path.h) once, in directory order */
} qc_emu_scope;

typedef struct qc_emu_search {
    const char *path;        /* the directory list; NULL: $PATH; unset or empty: /usr/bin:/bin */
    qc_emu_scope scope;
    const char *target;      /* only qemu-system-<target> (no qemu-kvm); NULL: every one */
    /* When set, what the search consulted is appended with its signature (pathsig.h),
     * each taken before it was read: every directory, every candidate name that was not
     * taken (not executable now) and /usr/libexec/qemu-kvm. While they, the list and the
     * binaries found are unchanged, the result is too. */
    qc_strlist *input_paths, *input_sigs;
} qc_emu_search;

/* Appends the emulators search `s` finds to *ret. -1 only on OOM. */
int qc_host_find_emulators(const qc_emu_search *s, qc_strlist *ret, qc_error **err);

/* uname machine -> QEMU target name (i486..i686 -> i386, armv*l -> arm, ppc64le -> ppc64,
 * ...); unknown names are returned unchanged. Returns a static string or `uname_machine`. */
const char *qc_host_arch_normalise(const char *uname_machine);

/* ---- the system facts every view of the host comes from (host-sys.c) -----------------
 * One read of uname(2), /dev/kvm, the first processor block of /proc/cpuinfo and the
 * passthrough / secure-guest switches, every path under `root` (hostfs.h). The probe's
 * qc_host (qc_host_from_sys), the cache's fingerprints of it (cache/hostkeys.c) and the
 * capabilities facts' arch and <cpu> facts (hostfacts.c) are views of this struct, so
 * that a cache entry is keyed on exactly what the probe read. Unknown facts are
 * NULL / -1 / false. */
typedef struct qc_host_sys {
    char *sysname, *machine, *release, *version; /* uname(2); NULL when it failed */
    bool kvm_open;          /* /dev/kvm opens read-write */
    int kvm_api;            /* KVM_GET_API_VERSION, -1 when not open */
    int kvm_max_vcpus, kvm_nr_vcpus; /* KVM_CAP_MAX_VCPUS / _NR_VCPUS, -1 when not open */
    qc_strlist cpuinfo;     /* /proc/cpuinfo lines (no newline) up to the first blank line
                             * after a "processor" line */
    bool vfio;              /* IOMMU groups and /dev/vfio/vfio exist */
    bool secure_guest;      /* s390 PV or AMD SEV usable by KVM */
    bool iommufd;           /* /dev/iommu exists */
    bool tdx;               /* kvm_intel's tdx parameter is on */
} qc_host_sys;

typedef enum qc_host_sys_parts {
    QC_HOST_SYS_UNAME = 1 << 0,
    QC_HOST_SYS_KVM = 1 << 1,
    QC_HOST_SYS_CPUINFO = 1 << 2,
    QC_HOST_SYS_SWITCHES = 1 << 3, /* vfio, secure_guest, iommufd, tdx */
    QC_HOST_SYS_ALL = 0xf,
} qc_host_sys_parts;

/* Reads `parts` (the others left unknown) into *ret (zeroed or cleared). -1 only on OOM. */
int qc_host_sys_read(const char *root, unsigned parts, qc_host_sys *ret, qc_error **err);
void qc_host_sys_clear(qc_host_sys *s);
/* The probe's facts of qc_host_read_quick() from a read; replaces *ret_host. */
int qc_host_from_sys(qc_host *ret_host, const qc_host_sys *s, qc_error **err);

#endif

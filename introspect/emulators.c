/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* emulators.c: the one way qcaps finds this host's QEMU system emulators (host.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/path.h"
#include "common/pathsig.h"
#include "introspect/host.h"

#define QC_EMU_PREFIX "qemu-system-"
#define QC_EMU_KVM "qemu-kvm"
#define QC_EMU_LIBEXEC "/usr/libexec"

static bool
qc_emu_is_exec(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int
qc_emu_cmp_base(const void *a, const void *b)
{
    const char *x = *(const char *const *) a, *y = *(const char *const *) b;
    const char *bx = strrchr(x, '/'), *by = strrchr(y, '/');

    return strcmp(bx ? bx + 1 : x, by ? by + 1 : y);
}

static int
qc_emu_cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Notes path and its signature now, before it is read (when the search records). */
static int
qc_emu_input(const qc_emu_search *s, const char *path, qc_error **err)
{
    char sig[QC_PATHSIG_MAX];

    if (!s->input_paths)
        return 0;
    qc_pathsig(path, sig);
    if (qc_strlist_add(s->input_paths, path, err) < 0 ||
        qc_strlist_add(s->input_sigs, sig, err) < 0)
        return -1;
    return 0;
}

/* A name the search takes: qemu-system-<target> (any target without one), or qemu-kvm. */
static bool
qc_emu_name_ok(const qc_emu_search *s, const char *name)
{
    if (strncmp(name, QC_EMU_PREFIX, strlen(QC_EMU_PREFIX)) == 0)
        return !s->target || strcmp(name + strlen(QC_EMU_PREFIX), s->target) == 0;
    return !s->target && strcmp(name, QC_EMU_KVM) == 0;
}

/* Adds the emulators of directory dir to ret, in name order: with QC_EMU_FIRST only names
 * not taken yet (names), with QC_EMU_EVERY each absolute path once. */
static int
qc_emu_scan(const qc_emu_search *s, const char *dir, qc_strlist *names, qc_strlist *ret,
            qc_error **err)
{
    qc_strlist found = {0};
    struct dirent *de;
    DIR *d;
    int rc = -1;

    if (qc_emu_input(s, dir, err) < 0)
        return -1;
    if (!(d = opendir(dir)))
        return 0;
    while ((de = readdir(d))) {
        if (qc_emu_name_ok(s, de->d_name) && qc_strlist_add(&found, de->d_name, err) < 0)
            goto out;
    }
    if (found.n > 1)
        qsort(found.v, found.n, sizeof(*found.v), qc_emu_cmp_name);
    for (size_t i = 0; i < found.n; i++) {
        qc_autofree char *p = NULL;
        if (s->scope == QC_EMU_FIRST && qc_strlist_contains(names, found.v[i]))
            continue;
        if (asprintf(&p, "%s/%s", dir, found.v[i]) < 0) {
            p = NULL;
            qc_error_set(err, QC_E_NOMEM, "out of memory");
            goto out;
        }
        if (!qc_emu_is_exec(p)) {
            /* not an emulator now, but it may become one without its directory changing */
            if (qc_emu_input(s, p, err) < 0)
                goto out;
            continue;
        }
        if (s->scope == QC_EMU_EVERY) {
            QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
            char *abs = qc_path_absolute(p, &e);
            if (!abs) {
                if (e && e->code == QC_E_NOMEM) {
                    qc_error_propagate(err, qc_steal(&e));
                    goto out;
                }
                continue;
            }
            free(p);
            p = abs;
            if (qc_strlist_contains(ret, p))
                continue;
        }
        if (qc_strlist_add(names, found.v[i], err) < 0 ||
            qc_strlist_add_take(ret, qc_steal(&p), err) < 0)
            goto out;
    }
    rc = 0;
out:
    closedir(d);
    qc_strlist_clear(&found);
    return rc;
}

int
qc_host_find_emulators(const qc_emu_search *s, qc_strlist *ret, qc_error **err)
{
    static const char *const usual[] = {"/usr/bin", "/usr/local/bin", QC_EMU_LIBEXEC};
    const char *env = s->path ? s->path : getenv("PATH");
    qc_autofree char *dirs = strdup(env && *env ? env : "/usr/bin:/bin");
    qc_strlist names = {0};
    size_t first = ret->n;
    char *save = NULL;
    int rc = -1;

    if (!dirs)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        /* a relative entry would make the answer depend on the current directory */
        if (d[0] == '/' && qc_emu_scan(s, d, &names, ret, err) < 0)
            goto out;
    }
    if (s->scope == QC_EMU_EVERY) {
        for (size_t i = 0; i < QC_N_ELEMENTS(usual); i++) {
            if (qc_emu_scan(s, usual[i], &names, ret, err) < 0)
                goto out;
        }
    } else if (!s->target) {
        /* libvirt's last resort for native guests */
        const char *kvm = QC_EMU_LIBEXEC "/" QC_EMU_KVM;
        if (qc_emu_input(s, kvm, err) < 0)
            goto out;
        if (!qc_strlist_contains(&names, QC_EMU_KVM) && qc_emu_is_exec(kvm) &&
            qc_strlist_add(ret, kvm, err) < 0)
            goto out;
    }
    if (s->scope == QC_EMU_FIRST && ret->n - first > 1)
        qsort(ret->v + first, ret->n - first, sizeof(*ret->v), qc_emu_cmp_base);
    rc = 0;
out:
    qc_strlist_clear(&names);
    return rc;
}

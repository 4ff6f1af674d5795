/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* list.c: listing, verifying and clearing the entries of a cache directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache-internal.h"

/* ---- list and clear ------------------------------------------------------------------------ */

void
qc_cache_info_clear(qc_cache_info *i)
{
    if (!i)
        return;
    free(i->file);
    free(i->emulator);
    free(i->qemu_version);
    free(i->target);
    free(i->reason);
    memset(i, 0, sizeof(*i));
}

static bool
qc_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && strcmp(s + n - k, suffix) == 0;
}

/* Names in the directory ending in one of our suffixes; NULL-terminated, caller frees. */
static char **
qc_cache_names(qc_cache *c, bool all_kinds, size_t *ret_n, qc_error **err)
{
    DIR *d;
    struct dirent *de;
    char **v = NULL;
    size_t n = 0;
    int fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || !(d = fdopendir(fd))) {
        qc_error_set_errno(err, errno, "cannot read cache directory '%s'", c->dir);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    while ((de = readdir(d))) {
        char **nv;
        if (de->d_name[0] == '.' ||
            !(qc_has_suffix(de->d_name, QC_CACHE_SUFFIX) ||
              (all_kinds && (qc_cache_temp_file(de->d_name) ||
                             qc_has_suffix(de->d_name, QC_CACHE_SUFFIX QC_CACHE_LOCK_SUFFIX) ||
                             qc_cache_answer_file(de->d_name)))))
            continue;
        if (!(nv = realloc(v, (n + 2) * sizeof(*v))) || !(nv[n] = strdup(de->d_name))) {
            v = nv ? nv : v;
            goto oom;
        }
        v = nv;
        v[++n] = NULL;
    }
    closedir(d);
    *ret_n = n;
    if (!v && !(v = calloc(1, sizeof(*v)))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    return v;
oom:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    qc_error_set(err, QC_E_NOMEM, "out of memory");
    return NULL;
}

static void
qc_strv_free_n(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* Fills *i for one entry file: header facts, then the full validity check. */
static int
qc_cache_info_read(qc_cache *c, const char *name, qc_cache_info *i, qc_error **err)
{
    qc_autofree char *data = NULL;
    qc_autofree char *expect = NULL;
    qc_cache_header h;
    size_t len = 0, body = 0;
    bool missing = false;
    int r;

    if (!(i->file = strdup(name)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if ((r = qc_cache_read_entry(c->dirfd, name, 1, &data, &len, &missing, &i->reason)) == -2)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (r == 0)
        r = qc_cache_header_decode(data, len, &h, &body, &i->reason);
    if (r < 0) {
        /* an older format names no keys this qcaps reads: stale, replaced by the next use */
        i->state = r == -2 ? QC_CACHE_STALE : QC_CACHE_BROKEN;
        return i->reason ? 0 : qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    i->emulator = qc_steal(&h.keys.emulator);
    i->qemu_version = qc_steal(&h.qemu_version);
    i->target = qc_steal(&h.target);
    i->probed_at = h.probed_at;
    i->probe_ms = h.probe_ms;
    qc_cache_header_clear(&h);
    if (!(expect = qc_cache_entry_name(i->emulator, err)))
        return -1;
    if (strcmp(expect, name) != 0) {
        i->state = QC_CACHE_BROKEN;
        return asprintf(&i->reason, "misnamed (expected %s)", expect) < 0 ? -1 : 0;
    }
    r = qc_cache_lookup_mode(c, i->emulator, QC_LOOKUP_QUIET, QC_MODEL_VIEW_FULL, NULL, NULL,
                             &i->reason, err);
    if (r < 0)
        return -1;
    i->state = (qc_cache_state) r;
    return 0;
}

static int
qc_cache_info_cmp(const void *a, const void *b)
{
    const qc_cache_info *x = a, *y = b;

    if (!x->emulator || !y->emulator)
        return x->emulator ? -1 : y->emulator ? 1 : strcmp(x->file, y->file);
    return strcmp(x->emulator, y->emulator);
}

int
qc_cache_list(qc_cache *c, qc_cache_info **ret_infos, size_t *ret_n, qc_error **err)
{
    size_t n = 0;
    char **names = qc_cache_names(c, false, &n, err);
    qc_cache_info *infos;

    if (!names)
        return -1;
    if (!(infos = calloc(n + 1, sizeof(*infos)))) {
        qc_strv_free_n(names, n);
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (qc_cache_info_read(c, names[i], &infos[i], err) < 0) {
            for (size_t j = 0; j <= i; j++)
                qc_cache_info_clear(&infos[j]);
            free(infos);
            qc_strv_free_n(names, n);
            return -1;
        }
    }
    qc_strv_free_n(names, n);
    qsort(infos, n, sizeof(*infos), qc_cache_info_cmp);
    *ret_infos = infos;
    *ret_n = n;
    return 0;
}

static int
qc_strptr_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int
qc_cache_clear(qc_cache *c, int timeout_ms, qc_error **err)
{
    size_t n = 0;
    char **names = qc_cache_names(c, true, &n, err);
    int removed = 0;

    if (!names)
        return -1;
    /* <entry>, its .lock, .new and answers sort together: handle each entry once */
    qsort(names, n, sizeof(*names), qc_strptr_cmp);
    for (size_t i = 0; i < n; i++) {
        qc_autofree char *base = strdup(names[i]);
        qc_autofree char *lockname = NULL;
        char *suffix;
        int fd;

        if (!base || !(suffix = strstr(base, QC_CACHE_SUFFIX)))
            continue;
        suffix[strlen(QC_CACHE_SUFFIX)] = '\0';
        if (i > 0 && strncmp(names[i - 1], base, strlen(base)) == 0 &&
            (names[i - 1][strlen(base)] == '\0' || names[i - 1][strlen(base)] == '.'))
            continue;
        if (asprintf(&lockname, "%s" QC_CACHE_LOCK_SUFFIX, base) < 0) {
            qc_strv_free_n(names, n);
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        }
        if ((fd = qc_cache_lock_name(c, lockname, timeout_ms, err)) < 0) {
            qc_error_prefix(err, "clearing '%s'", c->dir);
            qc_strv_free_n(names, n);
            return -1;
        }
        /* its answers and temporary files too (the older <entry>.new among them) */
        qc_cache_beside_remove(c->dirfd, base);
        if (unlinkat(c->dirfd, base, 0) == 0)
            removed++;
        /* while locked: waiters notice the name no longer refers to their file */
        qc_cache_unlock_name(c, lockname, fd);
    }
    qc_strv_free_n(names, n);
    if (fsync(c->dirfd) < 0)
        return qc_error_set_errno(err, errno, "cannot sync cache directory '%s'", c->dir);
    return removed;
}

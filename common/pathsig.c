/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pathsig.c: stat() signatures of paths (pathsig.h). */
#include <errno.h>
#include <stdio.h>

#include "common/pathsig.h"

static char
qc_pathsig_type(mode_t mode)
{
    return S_ISREG(mode) ? 'f' : S_ISDIR(mode) ? 'd' : S_ISLNK(mode) ? 'l' : 'o';
}

void
qc_pathsig_from_stat(const struct stat *st, int err, char buf[QC_PATHSIG_MAX])
{
    if (!st) {
        if (err == ENOENT || err == ENOTDIR)
            snprintf(buf, QC_PATHSIG_MAX, "absent");
        else
            snprintf(buf, QC_PATHSIG_MAX, "error %d", err);
        return;
    }
    snprintf(buf, QC_PATHSIG_MAX, "%c %llx %llx %llx %lld.%09ld %lld.%09ld",
             qc_pathsig_type(st->st_mode), (unsigned long long) st->st_dev,
             (unsigned long long) st->st_ino, (unsigned long long) st->st_size,
             (long long) st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
             (long long) st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

void
qc_pathsig(const char *path, char buf[QC_PATHSIG_MAX])
{
    struct stat st;

    if (stat(path, &st) < 0)
        qc_pathsig_from_stat(NULL, errno, buf);
    else
        qc_pathsig_from_stat(&st, 0, buf);
}

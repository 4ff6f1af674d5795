/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pathsig.c: stat() signatures of paths (pathsig.h). */
#include <errno.h>
#include <stdio.h>

#include "common/fmt.h"
#include "common/pathsig.h"

static char
qc_pathsig_type(mode_t mode)
{
    return S_ISREG(mode) ? 'f' : S_ISDIR(mode) ? 'd' : S_ISLNK(mode) ? 'l' : 'o';
}

void
qc_pathsig_from_stat(const struct stat *st, int err, char buf[QC_PATHSIG_MAX])
{
    char *p = buf;

    if (!st) {
        if (err == ENOENT || err == ENOTDIR)
            snprintf(buf, QC_PATHSIG_MAX, "absent");
        else
            snprintf(buf, QC_PATHSIG_MAX, "error %d", err);
        return;
    }
    /* "%c %llx %llx %llx %lld.%09ld %lld.%09ld", without printf's cost (fmt.h) */
    p = qc_fmt_char(p, qc_pathsig_type(st->st_mode));
    p = qc_fmt_hex(qc_fmt_char(p, ' '), (uint64_t) st->st_dev);
    p = qc_fmt_hex(qc_fmt_char(p, ' '), (uint64_t) st->st_ino);
    p = qc_fmt_hex(qc_fmt_char(p, ' '), (uint64_t) st->st_size);
    p = qc_fmt_dec(qc_fmt_char(p, ' '), (int64_t) st->st_mtim.tv_sec);
    p = qc_fmt_dec_pad(qc_fmt_char(p, '.'), (uint64_t) st->st_mtim.tv_nsec, 9);
    p = qc_fmt_dec(qc_fmt_char(p, ' '), (int64_t) st->st_ctim.tv_sec);
    p = qc_fmt_dec_pad(qc_fmt_char(p, '.'), (uint64_t) st->st_ctim.tv_nsec, 9);
    qc_fmt_end(p);
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pathsig.h: a path's stat() signature, to tell later whether what was read there changed.
 *
 * Contract: a signature is a short string made from stat() (symlinks followed): the file
 * type, device, inode, size, mtime and ctime in nanoseconds, or "absent" / "error <errno>".
 * Equal signatures mean nothing observable by stat() changed; a directory's changes when an
 * entry is added, removed or renamed. (/proc and /sys files keep their times when their
 * contents change: never key on their signatures.)
 */
#ifndef QC_COMMON_PATHSIG_H
#define QC_COMMON_PATHSIG_H

#include <sys/stat.h>

/* the longest: 3 hex numbers of 16 digits and 2 times of 20 + 1 + 9, with 6 separators */
#define QC_PATHSIG_MAX 128

/* The signature of a stat() result, or of its failure (st NULL, err the errno). */
void qc_pathsig_from_stat(const struct stat *st, int err, char buf[QC_PATHSIG_MAX]);
/* The signature of `path` now. */
void qc_pathsig(const char *path, char buf[QC_PATHSIG_MAX]);

#endif

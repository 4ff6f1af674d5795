/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio.h: the one whole-file reader and the one atomic file writer of qcaps.
 *
 * Contract: libc only (no json-c, no libxml2: the fast path links this). Every fallible
 * function follows common/error.h: 0 on success, -1 with *err set, which names the file as
 * the caller gave it (`name`, relative to `dirfd` when that is no AT_FDCWD: a caller that
 * has a directory's name prefixes it with qc_error_prefix()). The error codes are part of
 * the contract, so that callers can tell the cases apart without parsing text:
 *   QC_E_SYSTEM   a system call failed; sys_errno holds errno (ENOENT for a missing file,
 *                 ELOOP for a symlink refused by QC_READ_NOFOLLOW)
 *   QC_E_INVALID  QC_READ_REGULAR and the file is no regular file
 *   QC_E_FORMAT   the file is larger than the limit
 *   QC_E_NOMEM    out of memory
 * Nothing here prints, and nothing is left behind on failure: a reader frees what it read,
 * the writer removes its temporary file on every failure path (and registers it with
 * common/emergency.h while it exists, so that a signal's handler removes it too).
 */
#ifndef QC_COMMON_FILEIO_H
#define QC_COMMON_FILEIO_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/error.h"

/* Writes all of data (retrying short writes and EINTR). 0, or -1 with errno. */
static inline int
qc_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

/* ---- reading ------------------------------------------------------------------------- */

typedef enum qc_read_flags {
    QC_READ_NOFOLLOW = 1 << 0, /* qc_file_read(): a symlink as last component is refused */
    QC_READ_REGULAR = 1 << 1,  /* anything but a regular file is refused (QC_E_INVALID);
                                * qc_file_read() then opens with O_NONBLOCK, so that a FIFO
                                * planted under the name cannot block the open */
} qc_read_flags;

/* Reads the file open on fd, from its offset, into a buffer of its own (caller frees)
 * with a NUL after the data (*ret_len excludes it; the data itself may hold NULs).
 * A regular file is read up to the size fstat() gives, with no extra read to see the end
 * (so a cache file costs one read); anything else (procfs, a pipe) up to its end. More
 * than `limit` bytes is QC_E_FORMAT, as is a regular file whose size exceeds it.
 * `lines` > 0 asks for a prefix: reading stops once the data holds `lines` newlines (the
 * buffer may hold more than that; it holds less only when the file does), in 16 KiB
 * chunks. Short reads and EINTR are retried. `name` is for messages only. */
int qc_fd_read(int fd, const char *name, unsigned flags, size_t limit, unsigned lines,
               char **ret_data, size_t *ret_len, qc_error **err);

/* Opens `name` relative to dirfd (AT_FDCWD: a path) read-only with O_CLOEXEC | O_NOCTTY
 * (plus O_NOFOLLOW / O_NONBLOCK as `flags` say) and reads it whole with qc_fd_read(). */
int qc_file_read(int dirfd, const char *name, unsigned flags, size_t limit, char **ret_data,
                 size_t *ret_len, qc_error **err);

/* ---- writing ------------------------------------------------------------------------- */

typedef enum qc_sync {
    QC_SYNC_NONE = 0, /* no fsync: only for files whose reader detects a torn write */
    QC_SYNC_FILE,     /* fsync the file before the rename */
    QC_SYNC_DIR,      /* and the directory after it, so that the rename is durable too */
} qc_sync;

/* Replaces `name` (relative to dirfd; AT_FDCWD: a path) atomically by the concatenation
 * of iov[0..n): writes a new file "<name>.XXXXXX.new" beside it (O_EXCL | O_NOFOLLOW,
 * unique per process and call, mode `mode` whatever the umask), syncs it as `sync` says
 * and renames it over `name`. Readers see the old file or the new one, never a part.
 * The temporary file is removed on every failure; on success none is left. A failure of
 * the final directory sync (QC_SYNC_DIR) is reported although `name` is then replaced.
 * Temporary names end in ".new", so that a directory listing can tell them (and the
 * leftovers of a process killed mid-write) from the files they become. */
int qc_file_write_atomic(int dirfd, const char *name, const struct iovec *iov, size_t n,
                         mode_t mode, qc_sync sync, qc_error **err);

#endif

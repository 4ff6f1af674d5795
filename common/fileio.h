/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio.h: small file-descriptor helpers shared by the layers that write files.
 *
 * Contract: header-only, libc only; errors are returned as -1 with errno set, for the
 * caller to turn into a qc_error naming the file.
 */
#ifndef QC_COMMON_FILEIO_H
#define QC_COMMON_FILEIO_H

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

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

#endif

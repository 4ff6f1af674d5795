/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio.c: the whole-file reader and the atomic writer (fileio.h). */
#include "common/fileio.h"

#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/emergency.h"

#define QC_READ_CHUNK 16384

static int
qc_read_too_large(qc_error **err, const char *name, size_t limit)
{
    return qc_error_set(err, QC_E_FORMAT, "'%s' is larger than %zu bytes", name, limit);
}

int
qc_fd_read(int fd, const char *name, unsigned flags, size_t limit, unsigned lines, char **ret_data,
           size_t *ret_len, qc_error **err)
{
    qc_autofree char *buf = NULL;
    size_t len = 0, cap, known = 0, seen = 0;
    /* room to read limit + 1 bytes, which is how a file over the limit shows */
    size_t max_cap = limit < SIZE_MAX / 2 ? limit + 2 : SIZE_MAX / 2;
    unsigned nl = 0;
    struct stat st;

    if (fstat(fd, &st) < 0)
        return qc_error_set_errno(err, errno, "cannot stat '%s'", name);
    if ((flags & QC_READ_REGULAR) && !S_ISREG(st.st_mode))
        return qc_error_set(err, QC_E_INVALID, "'%s' is not a regular file", name);
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((uintmax_t) st.st_size > limit)
            return qc_read_too_large(err, name, limit);
        known = (size_t) st.st_size;
    }
    cap = lines || !known ? QC_READ_CHUNK : known + 1;
    if (cap > max_cap)
        cap = max_cap;
    if (!(buf = malloc(cap)))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    while (!known || len < known) {
        ssize_t n;

        if (len + 1 == cap) {
            char *nb;
            size_t ncap = cap < max_cap / 2 ? cap * 2 : max_cap;
            if (cap == max_cap)
                return qc_read_too_large(err, name, limit);
            if (!(nb = realloc(buf, ncap)))
                return qc_error_set(err, QC_E_NOMEM, "out of memory");
            buf = nb;
            cap = ncap;
        }
        n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return qc_error_set_errno(err, errno, "cannot read '%s'", name);
        if (n == 0)
            break;
        len += (size_t) n;
        if (len > limit)
            return qc_read_too_large(err, name, limit);
        for (; lines && seen < len && nl < lines; seen++)
            nl += buf[seen] == '\n';
        if (lines && nl == lines)
            break;
    }
    buf[len] = '\0';
    *ret_data = qc_steal(&buf);
    *ret_len = len;
    return 0;
}

int
qc_file_read(int dirfd, const char *name, unsigned flags, size_t limit, char **ret_data,
             size_t *ret_len, qc_error **err)
{
    int oflags = O_RDONLY | O_NOCTTY | O_CLOEXEC;
    qc_autoclose int fd = -1;

    if (flags & QC_READ_NOFOLLOW)
        oflags |= O_NOFOLLOW;
    if (flags & QC_READ_REGULAR)
        oflags |= O_NONBLOCK;
    if ((fd = openat(dirfd, name, oflags)) < 0)
        return qc_error_set_errno(err, errno, "cannot open '%s'", name);
    return qc_fd_read(fd, name, flags, limit, 0, ret_data, ret_len, err);
}

/* ---- writing ------------------------------------------------------------------------- */

/* Six characters no other call of this process gets soon, and another process unlikely:
 * a counter, the pid and the clock, mixed (splitmix64). No system call. */
static void
qc_tmp_tag(char tag[7])
{
    static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    static atomic_uint_fast64_t counter;
    struct timespec ts;
    uint64_t x;

    clock_gettime(CLOCK_REALTIME, &ts);
    x = atomic_fetch_add(&counter, 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t) getpid() << 32 ^
        (uint64_t) ts.tv_nsec ^ (uint64_t) ts.tv_sec;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    for (int i = 0; i < 6; i++, x /= 36)
        tag[i] = set[x % 36];
    tag[6] = '\0';
}

/* Writes iov[0..n) whole, retrying short writes and EINTR. 0, or -1 with errno. */
static int
qc_writev_all(int fd, const struct iovec *iov, size_t n)
{
    struct iovec v[16];
    size_t i = 0;

    while (i < n) {
        size_t k = 0;
        ssize_t w;

        for (; k < QC_N_ELEMENTS(v) && i + k < n; k++)
            v[k] = iov[i + k];
        w = writev(fd, v, (int) k);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        /* past the buffers written whole, then the rest of a partial one */
        for (; i < n && (size_t) w >= iov[i].iov_len; i++)
            w -= (ssize_t) iov[i].iov_len;
        if (i < n && w > 0) {
            if (qc_write_all(fd, (const char *) iov[i].iov_base + w, iov[i].iov_len - (size_t) w) <
                0)
                return -1;
            i++;
        }
    }
    return 0;
}

/* fsync()s the directory holding `name` (dirfd itself unless it is AT_FDCWD). */
static int
qc_sync_dir(int dirfd, const char *name)
{
    qc_autofree char *dir = NULL;
    const char *slash;
    int fd, r;

    if (dirfd != AT_FDCWD)
        return fsync(dirfd);
    slash = strrchr(name, '/');
    if (!(dir = slash ? strndup(name, slash == name ? 1 : (size_t) (slash - name)) : strdup(".")))
        return -1;
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -1;
    r = fsync(fd);
    close(fd);
    return r;
}

int
qc_file_write_atomic(int dirfd, const char *name, const struct iovec *iov, size_t n, mode_t mode,
                     qc_sync sync, qc_error **err)
{
    qc_autofree char *tmp = NULL;
    qc_autoclose int fd = -1;
    size_t base = strlen(name);
    char tag[7];
    int slot, e;

    if (!(tmp = malloc(base + sizeof(".XXXXXX.new"))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (int tries = 0; fd < 0; tries++) {
        qc_tmp_tag(tag);
        snprintf(tmp, base + sizeof(".XXXXXX.new"), "%s.%s.new", name, tag);
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && (errno != EEXIST || tries == 100))
            return qc_error_set_errno(err, errno, "cannot create a file beside '%s'", name);
    }
    slot = qc_emergency_add_file(dirfd, tmp);
    if (fchmod(fd, mode) < 0 || qc_writev_all(fd, iov, n) < 0 ||
        (sync != QC_SYNC_NONE && fsync(fd) < 0) || close(qc_steal_fd(&fd)) < 0) {
        e = errno;
        qc_error_set_errno(err, e, "cannot write '%s'", name);
        goto fail;
    }
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        e = errno;
        qc_error_set_errno(err, e, "cannot rename '%s' to '%s'", tmp, name);
        goto fail;
    }
    qc_emergency_remove(slot);
    if (sync == QC_SYNC_DIR && qc_sync_dir(dirfd, name) < 0)
        return qc_error_set_errno(err, errno, "cannot sync the directory of '%s'", name);
    return 0;
fail:
    (void) unlinkat(dirfd, tmp, 0);
    qc_emergency_remove(slot);
    return -1;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostfs.c: the root-prefixed file, directory and device reads of the host layer. */
#include "introspect/hostfs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

const char *
qc_hostfs_at(const char *root, const char *path, char buf[PATH_MAX])
{
    int n;

    if (!path)
        return NULL;
    if (!root || !*root)
        return path;
    n = snprintf(buf, PATH_MAX, "%s%s", root, path);
    return n < 0 || n >= PATH_MAX ? NULL : buf;
}

int
qc_hostfs_open(const char *root, const char *path, int flags)
{
    char buf[PATH_MAX];
    const char *p = qc_hostfs_at(root, path, buf);

    if (!p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return open(p, flags | O_CLOEXEC);
}

FILE *
qc_hostfs_fopen(const char *root, const char *path)
{
    char buf[PATH_MAX];
    const char *p = qc_hostfs_at(root, path, buf);

    return p ? fopen(p, "re") : NULL;
}

DIR *
qc_hostfs_opendir(const char *root, const char *path)
{
    char buf[PATH_MAX];
    const char *p = qc_hostfs_at(root, path, buf);

    return p ? opendir(p) : NULL;
}

bool
qc_hostfs_exists(const char *root, const char *path, int mode)
{
    char buf[PATH_MAX];
    const char *p = qc_hostfs_at(root, path, buf);

    return p && access(p, mode) == 0;
}

char *
qc_hostfs_read(const char *root, const char *path)
{
    char buf[65536];
    qc_autoclose int fd = qc_hostfs_open(root, path, O_RDONLY | O_NOCTTY);
    size_t n = 0;

    if (fd < 0)
        return NULL;
    while (n < sizeof(buf) - 1) {
        size_t want = sizeof(buf) - 1 - n;
        ssize_t k = read(fd, buf + n, want);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t) k;
        /* a sysfs attribute is made whole by one show() call: a short read has it all,
         * and asking again for the end of file would cost a capabilities query 70 reads */
        if ((size_t) k < want && strncmp(path, "/sys/", 5) == 0)
            break;
    }
    buf[n] = '\0';
    while (n > 0 && isspace((unsigned char) buf[n - 1]))
        buf[--n] = '\0';
    return strdup(buf);
}

bool
qc_hostfs_read_ll(const char *root, const char *path, long long *ret)
{
    qc_autofree char *s = qc_hostfs_read(root, path);
    char *end = NULL;
    long long v;

    if (!s)
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s)
        return false;
    *ret = v;
    return true;
}

bool
qc_hostfs_read_bool(const char *root, const char *path)
{
    qc_autofree char *s = qc_hostfs_read(root, path);

    return s && (s[0] == '1' || s[0] == 'y' || s[0] == 'Y');
}

bool
qc_hostfs_dir_nonempty(const char *root, const char *path)
{
    DIR *d = qc_hostfs_opendir(root, path);
    struct dirent *de;
    bool any = false;

    while (d && !any && (de = readdir(d)))
        any = de->d_name[0] != '.';
    if (d)
        closedir(d);
    return any;
}

char *
qc_hostfs_which(const char *root, const char *path, const char *prog)
{
    bool rooted = root && *root;
    size_t plen = strlen(prog);
    const char *p;

    if (!path)
        path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    for (p = path; *p; p += *p == ':') {
        size_t len = strcspn(p, ":"), rlen, n;
        char buf[PATH_MAX];

        if (len == 0 || (rooted && p[0] != '/')) {
            p += len;
            continue;
        }
        /* "<root><dir>/<prog>" (a cached query looks up three programs in every
         * directory of $PATH: snprintf() was most of its cost) */
        rlen = rooted ? strlen(root) : 0;
        n = rlen + len + 1 + plen;
        if (n < sizeof(buf)) {
            memcpy(buf, root ? root : "", rlen);
            memcpy(buf + rlen, p, len);
            buf[rlen + len] = '/';
            memcpy(buf + rlen + len + 1, prog, plen + 1);
        }
        p += len;
        if (n < sizeof(buf) && access(buf, X_OK) == 0)
            return strdup(buf);
    }
    return NULL;
}

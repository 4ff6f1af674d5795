/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* files.c: names, checksum and raw reads of the files of a cache directory (files.h). */
#include "cache/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "common/fileio.h"
#include "common/fmt.h"

uint64_t
qc_cache_hash(const char *data, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char) data[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

char *
qc_cache_entry_name(const char *emulator, qc_error **err)
{
    const char *slash = strrchr(emulator, '/');
    const char *base = slash ? slash + 1 : emulator;
    char safe[65];
    size_t n = 0;
    char *name, *p;

    for (; base[n] && n < sizeof(safe) - 1; n++) {
        char ch = base[n];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '+' ||
                  (ch == '.' && n > 0);
        safe[n] = ok ? ch : '_';
    }
    safe[n] = '\0';
    /* "<safe>-%016llx.qcache": a cached query names every entry it checks */
    if (!(name = malloc(sizeof(safe) + 1 + 16 + sizeof(QC_CACHE_SUFFIX)))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    p = qc_fmt_char(qc_fmt_str(name, n ? safe : "emulator"), '-');
    p = qc_fmt_hex_pad(p, qc_cache_hash(emulator, strlen(emulator)), 16);
    qc_fmt_end(qc_fmt_str(p, QC_CACHE_SUFFIX));
    return name;
}

/* The checksum of the header line holds the checksums of both model lines and the time
 * of the probe: it identifies the entry's contents. */
char *
qc_cache_entry_id(const char *header, size_t len)
{
    char *id = NULL;

    if (asprintf(&id, "%016llx", (unsigned long long) qc_cache_hash(header, len)) < 0)
        return NULL;
    return id;
}

bool
qc_cache_answer_file(const char *name)
{
    const char *s = strstr(name, QC_CACHE_SUFFIX "."), *a;

    return s && (a = strstr(s, QC_CACHE_ANSWER_INFIX)) &&
           (a[strlen(QC_CACHE_ANSWER_INFIX)] == '\0' || a[strlen(QC_CACHE_ANSWER_INFIX)] == '.');
}

bool
qc_cache_temp_file(const char *name)
{
    const char *s = strstr(name, QC_CACHE_SUFFIX "."), *n;

    /* <file>.XXXXXX.new and the older <entry>.new and <answer>.new<pid> */
    return s && (n = strstr(s, QC_CACHE_NEW_SUFFIX)) &&
           (n[strlen(QC_CACHE_NEW_SUFFIX)] == '\0' || qc_cache_answer_file(name));
}

int
qc_cache_read_entry(int dirfd, const char *name, unsigned lines, char **ret_data,
                    size_t *ret_len, bool *ret_missing, char **ret_reason)
{
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    qc_autoclose int fd = -1;
    int r;

    *ret_missing = false;
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        *ret_missing = errno == ENOENT;
        if (asprintf(ret_reason, "%s", errno == ENOENT ? "no entry"
                                       : errno == ELOOP ? "a symlink"
                                                        : strerror(errno)) < 0)
            return -2;
        return -1;
    }
    /* a prefix is read in chunks: line 2 (the guests view) is a few KiB of 200 */
    if (qc_fd_read(fd, name, QC_READ_REGULAR, QC_CACHE_MAX_BYTES, lines, ret_data, ret_len,
                   &e) == 0)
        return 0;
    if (e->code == QC_E_NOMEM)
        return -2;
    if (e->code == QC_E_INVALID || e->code == QC_E_FORMAT)
        r = asprintf(ret_reason, "%s", e->code == QC_E_INVALID ? "not a regular file"
                                                                : "too large");
    else
        r = asprintf(ret_reason, "unreadable: %s", strerror(e->sys_errno));
    return r < 0 ? -2 : -1;
}

void
qc_cache_beside_remove(int dirfd, const char *entry)
{
    size_t n = strlen(entry);
    struct dirent *de;
    DIR *d;
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return;
    if (!(d = fdopendir(fd))) {
        close(fd);
        return;
    }
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, entry, n) == 0 && de->d_name[n] == '.' &&
            (qc_cache_answer_file(de->d_name) || qc_cache_temp_file(de->d_name)))
            (void) unlinkat(dirfd, de->d_name, 0);
    }
    closedir(d);
}

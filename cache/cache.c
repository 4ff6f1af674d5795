/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cache.c: the cache directory, entry lookup and atomic store, per-entry locks (get.c
 * probes on a miss, over these). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache-internal.h"
#include "common/clock.h"
#include "common/emergency.h"
#include "common/fileio.h"
#include "introspect/host.h"

#ifndef QC_MULTIARCH
#define QC_MULTIARCH ""
#endif

void
qc_cache_warn(const qc_cache *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qc_warn_v(c->warn, c->warn_opaque, fmt, ap);
    va_end(ap);
}

const char *
qc_cache_state_name(qc_cache_state s)
{
    switch (s) {
    case QC_CACHE_FRESH:
        return "fresh";
    case QC_CACHE_MISSING:
        return "missing";
    case QC_CACHE_STALE:
        return "stale";
    case QC_CACHE_BROKEN:
        return "broken";
    case QC_CACHE_BLOCKED:
        return "blocked";
    }
    return "?";
}

/* ---- the directory ------------------------------------------------------------------ */

char *
qc_cache_default_dir(qc_error **err)
{
    const char *env = getenv("QCAPS_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    char *dir = NULL;
    int r;

    if (env && !*env)
        return qc_error_set(err, QC_E_INVALID, "QCAPS_CACHE_DIR is set but empty"), NULL;
    if (env)
        r = (dir = strdup(env)) ? 0 : -1;
    else if (geteuid() == 0)
        r = (dir = strdup("/var/cache/qcaps")) ? 0 : -1;
    else if (xdg && xdg[0] == '/')
        r = asprintf(&dir, "%s/qcaps", xdg);
    else if (home && home[0] == '/')
        r = asprintf(&dir, "%s/.cache/qcaps", home);
    else
        return qc_error_set(err, QC_E_NOTFOUND, "no cache directory: set QCAPS_CACHE_DIR "
                                                "or HOME"), NULL;
    if (r < 0) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    return dir;
}

char *
qc_cache_system_dir(void)
{
    const char *env = getenv("QCAPS_SYSTEM_CACHE_DIR");

    if (geteuid() == 0 || getenv("QCAPS_CACHE_DIR"))
        return NULL;
    return strdup(env && *env ? env : "/var/cache/qcaps");
}

void
qc_cache_set_fallback(qc_cache *c, qc_cache *sys)
{
    if (!sys)
        return;
    qc_cache_free(c->fallback);
    c->fallback = sys;
}

qc_cache *
qc_cache_fallback(const qc_cache *c)
{
    return c ? c->fallback : NULL;
}

/* mkdir -p with mode 0755 (whatever the umask says). */
static int
qc_mkdir_p(const char *path, qc_error **err)
{
    qc_autofree char *p = strdup(path);

    if (!p)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char saved = *s;
        *s = '\0';
        if (mkdir(p, 0755) == 0)
            (void) chmod(p, 0755);
        else if (errno != EEXIST)
            return qc_error_set_errno(err, errno, "cannot create cache directory '%s'", p);
        *s = saved;
        if (!saved)
            break;
    }
    return 0;
}

qc_cache *
qc_cache_open(const char *dir, bool create, qc_cache_warn_fn warn, void *opaque, qc_error **err)
{
    return qc_cache_open_sys(dir, create, warn, opaque, NULL, err);
}

qc_cache *
qc_cache_open_sys(const char *dir, bool create, qc_cache_warn_fn warn, void *opaque,
                  const struct qc_host_sys *sys, qc_error **err)
{
    QC_CLEANUP(qc_cache_freep) qc_cache *c = calloc(1, sizeof(*c));
    const char *engine = getenv("QC_CACHE_TEST_ENGINE");
    struct stat st;

    if (!c) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    c->dirfd = -1;
    c->warn = warn;
    c->warn_opaque = opaque;
    c->uid = geteuid();
    if (!(c->dir = dir ? strdup(dir) : qc_cache_default_dir(err))) {
        if (dir)
            qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!*c->dir) {
        qc_error_set(err, QC_E_INVALID, "empty cache directory name");
        return NULL;
    }
    if (create && qc_mkdir_p(c->dir, err) < 0)
        return NULL;
    c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (c->dirfd < 0) {
        if (errno == ELOOP || errno == ENOTDIR)
            qc_error_set(err, QC_E_INVALID, "cache directory '%s' is a symlink or not a "
                                            "directory; refusing to use it", c->dir);
        else
            qc_error_set_errno(err, errno, "cannot open cache directory '%s'", c->dir);
        return NULL;
    }
    if (fstat(c->dirfd, &st) < 0) {
        qc_error_set_errno(err, errno, "cannot stat cache directory '%s'", c->dir);
        return NULL;
    }
    if (st.st_uid != c->uid && st.st_uid != 0) {
        qc_error_set(err, QC_E_INVALID, "cache directory '%s' belongs to uid %u, not to us; "
                     "refusing to use it", c->dir, (unsigned) st.st_uid);
        return NULL;
    }
    if (st.st_mode & S_IWOTH) {
        qc_error_set(err, QC_E_INVALID, "cache directory '%s' is world-writable; refusing "
                     "to use it", c->dir);
        return NULL;
    }
    if (!(c->engine = strdup(engine && *engine ? engine : "qcaps " QC_VERSION))) {
        qc_error_set(err, QC_E_NOMEM, "out of memory");
        return NULL;
    }
    if (qc_host_inputs_read(&c->inputs, sys, err) < 0)
        return NULL;
    return qc_steal(&c);
}

void
qc_cache_free(qc_cache *c)
{
    if (!c)
        return;
    if (c->dirfd >= 0)
        close(c->dirfd);
    qc_cache_free(c->fallback);
    free(c->dir);
    free(c->engine);
    qc_host_inputs_clear(&c->inputs);
    free(c);
}

const char *
qc_cache_dir(const qc_cache *c)
{
    return c->dir;
}

int
qc_cache_refresh_host(qc_cache *c, qc_error **err)
{
    return qc_host_inputs_read(&c->inputs, NULL, err);
}

/* ---- keys ------------------------------------------------------------------------------ */

static int64_t
qc_ts_ns(struct timespec ts)
{
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* QEMU's module directory: $QEMU_MODULE_DIR (QEMU honours it), else the first existing of
 * <prefix>/lib/<multiarch>/qemu, <prefix>/lib64/qemu, <prefix>/lib/qemu, where <prefix> is
 * the parent of the binary's real directory, then the same under /usr. `plain`: the
 * binary is no symlink, so that its real directory is that of its directory, and the
 * answer for its directory in *memo (optional) is its answer too. */
static int
qc_cache_moddir(const char *emulator, bool plain, qc_cache_moddir_memo *memo, qc_cache_keys *k)
{
    const char *env = getenv("QEMU_MODULE_DIR");
    const char *prefixes[2] = {NULL, "/usr"};
    const char *slash = strrchr(emulator, '/');
    size_t dlen = slash ? (size_t) (slash - emulator) : 0;
    qc_autofree char *real = NULL;
    struct stat st;

    if (env && *env) {
        if (!(k->moddir = strdup(env)))
            return -1;
        k->moddir_mtime_ns = stat(env, &st) == 0 ? qc_ts_ns(st.st_mtim) : -1;
        return 0;
    }
    if (!plain || !dlen)
        memo = NULL;
    if (memo && memo->dir && strlen(memo->dir) == dlen && memcmp(memo->dir, emulator, dlen) == 0) {
        if (memo->moddir && !(k->moddir = strdup(memo->moddir)))
            return -1;
        k->moddir_mtime_ns = memo->moddir_mtime_ns;
        return 0;
    }
    if ((real = realpath(emulator, NULL))) {
        char *s = strrchr(real, '/');
        if (s)
            *s = '\0';
        s = strrchr(real, '/');
        if (s && s != real) {
            *s = '\0';
            prefixes[0] = real;
        }
    }
    for (size_t i = 0; i < 2 && !k->moddir; i++) {
        static const char *const subs[] = {"/lib/" QC_MULTIARCH "/qemu", "/lib64/qemu",
                                           "/lib/qemu"};
        if (!prefixes[i] || (i == 1 && prefixes[0] && strcmp(prefixes[0], "/usr") == 0))
            continue;
        for (size_t j = *QC_MULTIARCH ? 0 : 1; j < QC_N_ELEMENTS(subs); j++) {
            char path[PATH_MAX];
            if (snprintf(path, sizeof(path), "%s%s", prefixes[i], subs[j]) >= (int) sizeof(path))
                continue;
            if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                if (!(k->moddir = strdup(path)))
                    return -1;
                k->moddir_mtime_ns = qc_ts_ns(st.st_mtim);
                break;
            }
        }
    }
    /* a binary that vanished says nothing of its directory */
    if (memo && real) {
        qc_cache_moddir_memo_clear(memo);
        if (!(memo->dir = strndup(emulator, dlen)) ||
            (k->moddir && !(memo->moddir = strdup(k->moddir)))) {
            qc_cache_moddir_memo_clear(memo);
            return -1;
        }
        memo->moddir_mtime_ns = k->moddir_mtime_ns;
    }
    return 0;
}

void
qc_cache_moddir_memo_clear(qc_cache_moddir_memo *memo)
{
    free(memo->dir);
    free(memo->moddir);
    memset(memo, 0, sizeof(*memo));
}

qc_cache_keys *
qc_cache_keys_read_memo(qc_cache *c, const char *emulator, qc_cache_moddir_memo *memo,
                        qc_error **err)
{
    qc_cache_keys *k = calloc(1, sizeof(*k));
    bool plain = false;
    struct stat st;
    int r;

    (void) c;
    if (!k || !(k->emulator = strdup(emulator)))
        goto oom;
    /* no symlink: lstat() is stat(), and says its directory's module directory is its own */
    if (memo && lstat(emulator, &st) == 0 && !S_ISLNK(st.st_mode))
        plain = true;
    if ((r = plain ? 0 : stat(emulator, &st)) == 0) {
        k->dev = (uint64_t) st.st_dev;
        k->ino = (uint64_t) st.st_ino;
        k->size = (uint64_t) st.st_size;
        k->mtime_ns = qc_ts_ns(st.st_mtim);
        k->ctime_ns = qc_ts_ns(st.st_ctim);
    } else {
        k->stat_errno = errno ? errno : EIO;
    }
    if (qc_cache_moddir(emulator, plain, memo, k) < 0)
        goto oom;
    return k;
oom:
    qc_cache_keys_free(k);
    qc_error_set(err, QC_E_NOMEM, "out of memory");
    return NULL;
}

qc_cache_keys *
qc_cache_keys_read(qc_cache *c, const char *emulator, qc_error **err)
{
    return qc_cache_keys_read_memo(c, emulator, NULL, err);
}

void
qc_cache_keys_free(qc_cache_keys *k)
{
    qc_cache_keys_clear(k);
    free(k);
}

static bool
qc_cache_keys_equal(const qc_cache_keys *a, const qc_cache_keys *b)
{
    return !a->stat_errno && !b->stat_errno && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns &&
           (a->moddir == b->moddir ||
            (a->moddir && b->moddir && strcmp(a->moddir, b->moddir) == 0)) &&
           a->moddir_mtime_ns == b->moddir_mtime_ns;
}

/* ---- reading entries ---------------------------------------------------------------------- */

int
qc_cache_read_head(qc_cache *c, const char *emulator, const char *name, unsigned lines,
                   char **ret_data, size_t *ret_len, qc_cache_header *h, size_t *ret_body,
                   char **ret_reason, qc_error **err)
{
    QC_CLEANUP(qc_cache_keys_freep) qc_cache_keys *now = NULL;
    qc_autofree char *data = NULL;
    bool missing = false, oom = false;
    int r;

    memset(h, 0, sizeof(*h));
    *ret_reason = NULL;
    r = qc_cache_read_entry(c->dirfd, name, lines, &data, ret_len, &missing, ret_reason);
    if (r == -2)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (r < 0)
        return missing ? QC_CACHE_MISSING : QC_CACHE_BROKEN;
    if ((r = qc_cache_header_decode(data, *ret_len, h, ret_body, ret_reason)) < 0) {
        if (!*ret_reason)
            return qc_error_set(err, QC_E_NOMEM, "out of memory");
        return r == -2 ? QC_CACHE_STALE : QC_CACHE_BROKEN;
    }
    if (!(now = qc_cache_keys_read(c, emulator, err)) ||
        ((*ret_reason = qc_cache_keys_diff(c, h, now, &oom)), oom)) {
        qc_cache_header_clear(h);
        return oom ? qc_error_set(err, QC_E_NOMEM, "out of memory") : -1;
    }
    if (*ret_reason) {
        qc_cache_header_clear(h);
        return QC_CACHE_STALE;
    }
    *ret_data = qc_steal(&data);
    return QC_CACHE_FRESH;
}

int
qc_cache_lookup_mode(qc_cache *c, const char *emulator, qc_lookup_mode mode,
                     qc_model_view view, qc_model **ret_model, char **ret_id,
                     char **ret_reason, qc_error **err)
{
    qc_autofree char *name = NULL;
    qc_autofree char *data = NULL;
    qc_autofree char *reason = NULL;
    qc_autofree char *id = NULL;
    qc_cache_header h;
    qc_model *m = NULL;
    size_t len = 0, body = 0, llen = 0;
    bool guests = ret_model && view == QC_MODEL_VIEW_GUESTS;
    int state;

    if (!(name = qc_cache_entry_name(emulator, err)))
        return -1;
    state = qc_cache_read_head(c, emulator, name, guests ? 2 : 0, &data, &len, &h, &body,
                               &reason, err);
    if (state != QC_CACHE_FRESH)
        goto out;
    if (!ret_model) {
        /* validity only: check the lengths and checksums, skip building the model */
        if (!qc_cache_entry_line(&h, data + body, len - body, QC_MODEL_VIEW_FULL, &llen,
                                 &reason))
            state = reason ? QC_CACHE_BROKEN : qc_error_set(err, QC_E_NOMEM, "out of memory");
    } else if (!(m = qc_cache_entry_model(&h, data + body, len - body, view, &reason))) {
        state = reason ? QC_CACHE_BROKEN : qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    if (state == QC_CACHE_FRESH && ret_id && !(id = qc_cache_entry_id(data, body - 1))) {
        qc_model_free(m);
        m = NULL;
        state = qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    qc_cache_header_clear(&h);
out:
    if (state < 0)
        return -1;
    if (state == QC_CACHE_BROKEN && mode == QC_LOOKUP_DISCARD) {
        qc_cache_beside_remove(c->dirfd, name);
        if (unlinkat(c->dirfd, name, 0) < 0 && errno != ENOENT) {
            /* not ours to replace: say it once, and never try to store over it */
            qc_cache_warn(c, "cache entry %s/%s is %s and cannot be removed (%s): answering "
                          "without the cache", c->dir, name, reason, strerror(errno));
            state = QC_CACHE_BLOCKED;
        } else {
            qc_cache_warn(c, "cache entry %s/%s is %s: discarded, probing again", c->dir,
                          name, reason);
        }
    } else if (state == QC_CACHE_BROKEN && mode != QC_LOOKUP_QUIET) {
        qc_cache_warn(c, "cache entry %s/%s is %s: ignored, probing again", c->dir, name,
                      reason);
    }
    if (ret_model)
        *ret_model = m;
    else
        qc_model_free(m);
    if (ret_id)
        *ret_id = qc_steal(&id);
    if (ret_reason)
        *ret_reason = qc_steal(&reason);
    return state;
}

int
qc_cache_lookup(qc_cache *c, const char *emulator, bool locked, qc_model **ret_model,
                char **ret_reason, qc_error **err)
{
    return qc_cache_lookup_mode(c, emulator, locked ? QC_LOOKUP_DISCARD : QC_LOOKUP_QUIET,
                                QC_MODEL_VIEW_FULL, ret_model, NULL, ret_reason, err);
}

/* ---- writing entries -------------------------------------------------------------------- */

int
qc_cache_store(qc_cache *c, const qc_cache_keys *keys, const qc_model *m, int probe_ms,
               char **ret_id, qc_error **err)
{
    QC_CLEANUP(qc_cache_keys_freep) qc_cache_keys *now = NULL;
    qc_autofree char *name = NULL;
    qc_autofree char *data = NULL;
    struct iovec iov;
    struct stat st;
    size_t len = 0;

    /* A binary replaced while it was probed: its model may describe either version. */
    if (!(now = qc_cache_keys_read(c, keys->emulator, err)))
        return -1;
    if (!qc_cache_keys_equal(keys, now))
        return 0;
    if (!(data = qc_cache_entry_encode(c, keys, m, probe_ms, &len, err)))
        return -1;
    if (!(name = qc_cache_entry_name(keys->emulator, err)))
        return -1;
    /* something that is no file of ours (a directory) is not replaced, nor written under */
    if (fstatat(c->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) &&
        !S_ISLNK(st.st_mode))
        return qc_error_set(err, QC_E_INVALID, "'%s/%s' is %s, not a cache entry: left alone",
                            c->dir, name, S_ISDIR(st.st_mode) ? "a directory" : "not a file");
    iov.iov_base = data;
    iov.iov_len = len;
    if (qc_file_write_atomic(c->dirfd, name, &iov, 1, 0644, QC_SYNC_DIR, err) < 0) {
        qc_error_prefix(err, "cache directory '%s'", c->dir);
        return -1;
    }
    /* answers rendered from the entry this one replaced can never be valid again, and a
     * temporary file of the entry (we hold its lock) is a crash's leftover */
    qc_cache_beside_remove(c->dirfd, name);
    if (ret_id &&
        !(*ret_id = qc_cache_entry_id(data, (size_t) ((char *) memchr(data, '\n', len) - data))))
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    return 0;
}

/* ---- locks ------------------------------------------------------------------------------ */

/* Locks <dir>/<lockname>. The file may be removed by `cache clear` while we wait, so the
 * lock counts only if the name still refers to the file we locked. */
int
qc_cache_lock_name(qc_cache *c, const char *lockname, int timeout_ms, qc_error **err)
{
    double deadline = qc_clock_now() + (timeout_ms > 0 ? timeout_ms : 0) / 1000.0;
    long sleep_us = 1000;
    bool unlinked = false;

    for (;;) {
        qc_autoclose int fd = -1;
        struct stat st, st2;

        fd = openat(c->dirfd, lockname, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                    0644);
        if (fd < 0 && errno == ELOOP && !unlinked) {
            /* a symlink planted under our name: drop the link itself, never its target */
            unlinked = true;
            if (unlinkat(c->dirfd, lockname, 0) == 0)
                continue;
        }
        if (fd < 0)
            return qc_error_set_errno(err, errno, "cannot create lock file '%s/%s'", c->dir,
                                      lockname);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
            (st.st_uid != c->uid && st.st_uid != 0))
            return qc_error_set(err, QC_E_INVALID, "lock file '%s/%s' is not a regular file "
                                "of ours", c->dir, lockname);
        while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
            struct timespec ts;
            if (errno != EWOULDBLOCK && errno != EINTR)
                return qc_error_set_errno(err, errno, "cannot lock '%s/%s'", c->dir, lockname);
            if (qc_clock_now() >= deadline)
                return qc_error_set(err, QC_E_TIMEOUT, "'%s/%s' is still locked by another "
                                    "process", c->dir, lockname);
            ts.tv_sec = 0;
            ts.tv_nsec = sleep_us * 1000;
            nanosleep(&ts, NULL);
            if (sleep_us < 20000)
                sleep_us *= 2;
        }
        if (fstatat(c->dirfd, lockname, &st2, AT_SYMLINK_NOFOLLOW) == 0 &&
            st2.st_ino == st.st_ino && st2.st_dev == st.st_dev) {
            /* ours until unlocked: a signal's handler removes it (common/emergency.h) */
            (void) qc_emergency_add_file(c->dirfd, lockname);
            return qc_steal_fd(&fd);
        }
    }
}

int
qc_cache_lock(qc_cache *c, const char *emulator, int timeout_ms, qc_error **err)
{
    qc_autofree char *name = qc_cache_entry_name(emulator, err);
    qc_autofree char *lockname = NULL;

    if (!name)
        return -1;
    if (asprintf(&lockname, "%s" QC_CACHE_LOCK_SUFFIX, name) < 0)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    return qc_cache_lock_name(c, lockname, timeout_ms, err);
}

void
qc_cache_unlock_name(qc_cache *c, const char *lockname, int fd)
{
    struct stat st, st2;

    if (fd < 0)
        return;
    qc_emergency_remove_file(c->dirfd, lockname);
    /* while still locked, and only if the name is still our file */
    if (lockname && fstat(fd, &st) == 0 &&
        fstatat(c->dirfd, lockname, &st2, AT_SYMLINK_NOFOLLOW) == 0 &&
        st.st_ino == st2.st_ino && st.st_dev == st2.st_dev)
        (void) unlinkat(c->dirfd, lockname, 0);
    close(fd);
}

void
qc_cache_unlock(qc_cache *c, const char *emulator, int fd)
{
    qc_autofree char *name = NULL;
    qc_autofree char *lockname = NULL;

    if (fd < 0)
        return;
    if (!(name = qc_cache_entry_name(emulator, NULL)) ||
        asprintf(&lockname, "%s" QC_CACHE_LOCK_SUFFIX, name) < 0)
        lockname = NULL; /* out of memory: the file stays, the lock goes */
    qc_cache_unlock_name(c, lockname, fd);
}

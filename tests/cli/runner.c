/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* runner.c: child-process runner and clean-up checks for the end-to-end tests. */
#include "runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
qc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Appends what is readable on fd to *buf; returns false at EOF. */
static bool
qc_drain(int fd, char **buf, size_t *len)
{
    char chunk[65536];
    ssize_t n = read(fd, chunk, sizeof(chunk));

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    *buf = realloc(*buf, *len + (size_t) n + 1);
    if (!*buf)
        abort();
    memcpy(*buf + *len, chunk, (size_t) n);
    *len += (size_t) n;
    (*buf)[*len] = '\0';
    return true;
}

void
qc_run_cmd(qc_run *r, const char *tmpdir, double limit_s, const char *const argv[])
{
    int po[2], pe[2];
    size_t olen = 0, elen = 0;
    bool oopen = true, eopen = true, killed = false;
    double start = qc_now();
    int st = 0;
    pid_t pid;

    memset(r, 0, sizeof(*r));
    r->out = calloc(1, 1);
    r->err = calloc(1, 1);
    if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
        abort();
    pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        if (tmpdir)
            setenv("TMPDIR", tmpdir, 1);
        execv(argv[0], (char *const *) argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    while (oopen || eopen) {
        struct pollfd p[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
        double left = limit_s - (qc_now() - start);
        if (left <= 0 && !killed) {
            kill(pid, SIGKILL);
            killed = true;
        }
        if (poll(p, 2, killed ? 1000 : (int) (left * 1000) + 1) < 0 && errno != EINTR)
            break;
        if (oopen && (p[0].revents & (POLLIN | POLLHUP)))
            oopen = qc_drain(po[0], &r->out, &olen);
        if (eopen && (p[1].revents & (POLLIN | POLLHUP)))
            eopen = qc_drain(pe[0], &r->err, &elen);
        if (killed && qc_now() - start > limit_s + 5)
            break;
    }
    close(po[0]);
    close(pe[0]);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    r->seconds = qc_now() - start;
    if (WIFEXITED(st)) {
        r->exit_code = WEXITSTATUS(st);
    } else {
        r->exit_code = -1;
        r->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    }
}

void
qc_run_clear(qc_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

char *
qc_make_tmpdir(const char *tag)
{
    const char *base = getenv("QC_BUILD_ROOT");
    char *path = NULL;

    if (asprintf(&path, "%s/qc-test-%s-XXXXXX", base ? base : "/tmp", tag) < 0)
        abort();
    if (!mkdtemp(path))
        abort();
    return path;
}

static int
qc_rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void) sb;
    (void) flag;
    (void) ftw;
    return remove(p);
}

void
qc_rmtree(const char *path)
{
    if (path)
        nftw(path, qc_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
qc_dir_count(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

int
qc_count_procs_with(const char *token)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        char path[300], buf[8192];
        ssize_t len, i;
        int fd;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            continue;
        len = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (len <= 0)
            continue;
        for (i = 0; i < len; i++)
            if (buf[i] == '\0')
                buf[i] = ' ';
        buf[len] = '\0';
        if (strstr(buf, token))
            n++;
    }
    closedir(d);
    return n;
}

char *
qc_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    char chunk[65536];
    size_t n;

    if (!f)
        return NULL;
    buf = calloc(1, 1);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        buf = realloc(buf, len + n + 1);
        if (!buf)
            abort();
        memcpy(buf + len, chunk, n);
        len += n;
        buf[len] = '\0';
    }
    fclose(f);
    return buf;
}

int
qc_write_file(const char *path, const char *text, int mode)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -1;
    fputs(text, f);
    if (fclose(f) != 0)
        return -1;
    return chmod(path, (mode_t) mode);
}

int
qc_count_lines(const char *s)
{
    int n = 0;

    for (; s && *s; s++)
        if (*s == '\n')
            n++;
    return n;
}

const char *
qc_env_path(const char *name)
{
    const char *v = getenv(name);

    if (!v || !*v) {
        fprintf(stderr, "environment variable %s is not set (run through meson test)\n", name);
        exit(99);
    }
    return v;
}

char *
qc_fixture_for(const char *suffix)
{
    char *dir = NULL, *want = NULL, *found = NULL, *p;
    struct dirent *e;
    DIR *d;

    /* the Debian 12 set (tests/helpers/testfx.h) */
    if (asprintf(&dir, "%s/qmp/bookworm", qc_env_path("QC_FIXTURES")) < 0 ||
        asprintf(&want, "_%s.replies", suffix) < 0)
        abort();
    for (p = want; *p; p++)
        if (*p == '-')
            *p = '+';
    if ((d = opendir(dir))) {
        while (!found && (e = readdir(d))) {
            size_t n = strlen(e->d_name), w = strlen(want);
            if (n > w && strncmp(e->d_name, "caps_", 5) == 0 &&
                strcmp(e->d_name + n - w, want) == 0 &&
                asprintf(&found, "%s/%s", dir, e->d_name) < 0)
                abort();
        }
        closedir(d);
    }
    free(dir);
    free(want);
    return found;
}

char *
qc_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

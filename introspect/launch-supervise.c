/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch-supervise.c: the launched QEMU until it is gone: exit watching and reaping, the
 * account of why it failed (status and stderr tail), and the teardown that leaves nothing. */
#include "introspect/launch-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/emergency.h"

#define QC_QEMU_STDERR_TAIL 512
#define QC_QEMU_POLL_MS 50          /* exit polling period when pidfd_open is missing */

/* ---- private directory -------------------------------------------------------------- */

char *
qc_qemu_path(const qc_qemu *q, const char *name)
{
    char *p = NULL;

    if (asprintf(&p, "%s/%s", q->dir, name) < 0)
        return NULL;
    return p;
}

/* Removes the directory and whatever QEMU left in it (one level; never recursive). */
static void
qc_qemu_remove_dir(qc_qemu *q)
{
    DIR *d;
    struct dirent *de;

    if (!q->dir)
        return;
    d = opendir(q->dir);
    if (d) {
        while ((de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno == EISDIR)
                unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
        }
        closedir(d);
    }
    rmdir(q->dir);
    qc_emergency_remove(q->em_slot);
    q->em_slot = -1;
    free(q->dir);
    q->dir = NULL;
}

/* ---- reaping ------------------------------------------------------------------------ */

int
qc_qemu_reap_blocking(qc_qemu *q)
{
    int st;
    pid_t r;

    do
        r = waitpid(q->pid, &st, 0);
    while (r < 0 && errno == EINTR);
    if (r == q->pid) {
        q->exited = true;
        qc_emergency_set_group(q->em_slot, 0);
        q->status = st;
    }
    return r == q->pid ? 0 : -1;
}

/* ---- exit watching ------------------------------------------------------------------ */

/* Reaps without blocking; true once the child is known to be gone. */
static bool
qc_qemu_poll_exit(qc_qemu *q)
{
    siginfo_t info;
    int st;
    pid_t r;

    if (q->exited || q->pid <= 0)
        return q->exited;
    /* Members of the group other than the (zombie) leader would outlive it otherwise; the
     * zombie keeps the pgid from being reused, so this cannot hit a stranger. */
    info.si_pid = 0;
    if (waitid(P_PID, (id_t) q->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == q->pid)
        kill(-q->pid, SIGKILL);
    do
        r = waitpid(q->pid, &st, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == q->pid) {
        q->exited = true;
        qc_emergency_set_group(q->em_slot, 0);
        q->status = st;
    }
    return q->exited;
}

static void
qc_qemu_exit_cb(evutil_socket_t fd, short what, void *opaque)
{
    qc_qemu *q = opaque;
    qc_qemu_exit_fn fn;

    if (!qc_qemu_poll_exit(q))
        return;
    /* pidfd stays readable after the exit: stop watching before anything else. */
    event_del(q->exit_ev);
    if (q->notified || !q->exit_fn)
        return;
    q->notified = true;
    fn = q->exit_fn;
    /* Last use of q: the handler may free it. */
    fn(q, q->status, q->exit_opaque);
}

int
qc_qemu_watch(qc_qemu *q, qc_error **err)
{
    struct timeval period = {0, QC_QEMU_POLL_MS * 1000};

#ifdef SYS_pidfd_open
    q->pidfd = (int) syscall(SYS_pidfd_open, q->pid, 0);
#else
    errno = ENOSYS;
#endif
    if (q->pidfd >= 0) {
        /* pidfd_open() already sets close-on-exec; keep it explicit for other forkers. */
        fcntl(q->pidfd, F_SETFD, FD_CLOEXEC);
        q->exit_ev = event_new(q->base, q->pidfd, EV_READ | EV_PERSIST, qc_qemu_exit_cb, q);
        if (!q->exit_ev || event_add(q->exit_ev, NULL) < 0)
            return qc_error_set(err, QC_E_SYSTEM, "cannot watch '%s' for exit", q->binary);
        return 0;
    }
    q->pidfd = -1;
    q->exit_ev_is_timer = true;
    q->exit_ev = event_new(q->base, -1, EV_PERSIST, qc_qemu_exit_cb, q);
    if (!q->exit_ev || event_add(q->exit_ev, &period) < 0)
        return qc_error_set(err, QC_E_SYSTEM, "cannot watch '%s' for exit", q->binary);
    return 0;
}

/* ---- public API --------------------------------------------------------------------- */

void
qc_qemu_set_exit_handler(qc_qemu *q, qc_qemu_exit_fn fn, void *opaque)
{
    if (!q)
        return;
    q->exit_fn = fn;
    q->exit_opaque = opaque;
    /* The exit was seen before anyone listened: deliver it from the loop, as promised. */
    if (fn && q->exited && !q->notified && q->exit_ev)
        event_active(q->exit_ev, EV_READ, 0);
}

pid_t
qc_qemu_pid(const qc_qemu *q)
{
    return q ? q->pid : -1;
}

const char *
qc_qemu_dir(const qc_qemu *q)
{
    return q ? q->dir : NULL;
}

bool
qc_qemu_exited(const qc_qemu *q)
{
    return q && q->exited;
}

bool
qc_qemu_wait_exit(qc_qemu *q, int timeout_ms)
{
    struct timespec start, now, tick = {0, 10 * 1000 * 1000};
    long elapsed = 0;

    if (!q || q->pid <= 0)
        return false;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (!qc_qemu_poll_exit(q) && elapsed < timeout_ms) {
        if (q->pidfd >= 0) {
            struct pollfd p = {.fd = q->pidfd, .events = POLLIN};
            poll(&p, 1, (int) (timeout_ms - elapsed));
        } else {
            nanosleep(&tick, NULL);
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    }
    return q->exited;
}

static char *
qc_qemu_status_text(qc_qemu *q)
{
    char *s = NULL;
    int r;

    if (!qc_qemu_poll_exit(q))
        r = asprintf(&s, "still running");
    else if (WIFEXITED(q->status))
        r = asprintf(&s, "exited with status %d", WEXITSTATUS(q->status));
    else if (WIFSIGNALED(q->status))
        r = asprintf(&s, "killed by signal %d", WTERMSIG(q->status));
    else
        r = asprintf(&s, "ended with wait status 0x%x", (unsigned int) q->status);
    return r < 0 ? NULL : s;
}

/* Removes, in place, the lines QEMU prints because of our own command line: they say
 * nothing about why QEMU failed. "-chardev ...,wait=on: info: QEMU waiting for connection
 * on: ...", and QEMU 11.1's "-mon chardev=qmp,mode=control: warning: '-mon' is
 * deprecated, ..." (the replacement, -object monitor-qmp, does not exist in the QEMU 5.2
 * to 10 qcaps also starts, and the binary's version is not known before it runs).
 * Returns the new length. */
static size_t
qc_qemu_drop_own_noise(char *buf, size_t len)
{
    static const char *const noise[] = {
        "info: QEMU waiting for connection on:",
        "-mon chardev=qmp,mode=control: warning: '-mon' is deprecated",
    };
    size_t in = 0, out = 0;

    while (in < len) {
        char *nl = memchr(buf + in, '\n', len - in);
        size_t end = nl ? (size_t) (nl - buf) + 1 : len;
        bool drop = false;

        for (size_t i = 0; i < QC_N_ELEMENTS(noise) && !drop; i++)
            drop = memmem(buf + in, end - in, noise[i], strlen(noise[i])) != NULL;

        if (!drop) {
            memmove(buf + out, buf + in, end - in);
            out += end - in;
        }
        in = end;
    }
    buf[out] = '\0';
    return out;
}

/* Reads up to the last QC_QEMU_STDERR_TAIL bytes of the stderr file into buf (NUL-ended),
 * starting at a line start when one is in reach. */
static size_t
qc_qemu_read_stderr_tail(qc_qemu *q, char *buf, size_t size)
{
    qc_autofree char *path = NULL;
    qc_autoclose int fd = -1;
    struct stat st;
    off_t start;
    ssize_t n;
    size_t len = 0;
    char *nl;

    buf[0] = '\0';
    if (!q->dir || !(path = qc_qemu_path(q, QC_QEMU_STDERR_NAME)))
        return 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0)
        return 0;
    /* Trailing newlines would waste the window; read a little more than we keep. */
    start = st.st_size > (off_t) (size - 1) ? st.st_size - (off_t) (size - 1) : 0;
    while (len < size - 1) {
        n = pread(fd, buf + len, size - 1 - len, start + (off_t) len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t) n;
    }
    buf[len] = '\0';
    len = qc_qemu_drop_own_noise(buf, len);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
        buf[--len] = '\0';
    if (len > QC_QEMU_STDERR_TAIL) {
        memmove(buf, buf + len - QC_QEMU_STDERR_TAIL, QC_QEMU_STDERR_TAIL + 1);
        len = QC_QEMU_STDERR_TAIL;
        start = 1; /* we cut: the first line is likely partial */
    }
    if (start > 0 && (nl = memchr(buf, '\n', len)) && nl + 1 < buf + len) {
        len -= (size_t) (nl + 1 - buf);
        memmove(buf, nl + 1, len + 1);
    }
    return len;
}

/* Flattens stderr text to one safe line: newlines become " / ", other control and
 * non-ASCII bytes '?', blank lines dropped, ends trimmed. */
static char *
qc_qemu_flatten(const char *in, size_t len)
{
    char *out = malloc(len * 3 + 1);
    size_t o = 0;
    bool pending_sep = false;

    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) in[i];

        if (c == '\n' || c == '\r') {
            pending_sep = o > 0;
            continue;
        }
        if (o == 0 && (c == ' ' || c == '\t'))
            continue;
        if (pending_sep) {
            while (o > 0 && out[o - 1] == ' ')
                o--;
            memcpy(out + o, " / ", 3);
            o += 3;
            pending_sep = false;
        }
        out[o++] = (c < 0x20 || c >= 0x7f) ? (c == '\t' ? ' ' : '?') : (char) c;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    return out;
}

char *
qc_qemu_describe(qc_qemu *q)
{
    char raw[QC_QEMU_STDERR_TAIL * 2 + 1];
    qc_autofree char *status = NULL;
    qc_autofree char *tail = NULL;
    size_t len;
    char *s = NULL;

    if (!q)
        return strdup("not started");
    if (!(status = qc_qemu_status_text(q)))
        return NULL;
    len = qc_qemu_read_stderr_tail(q, raw, sizeof(raw));
    if (len == 0)
        return qc_steal(&status);
    if (!(tail = qc_qemu_flatten(raw, len)))
        return NULL;
    if (!*tail)
        return qc_steal(&status);
    if (asprintf(&s, "%s: %s", status, tail) < 0)
        return NULL;
    return s;
}

void
qc_qemu_free(qc_qemu *q)
{
    if (!q)
        return;
    if (q->exit_ev) {
        event_del(q->exit_ev);
        event_free(q->exit_ev);
    }
    if (q->pid > 0 && !qc_qemu_poll_exit(q)) {
        /* pgid == pid (setpgid in both processes); the unreaped child pins that id. */
        kill(-q->pid, SIGKILL);
        kill(q->pid, SIGKILL);
        qc_qemu_reap_blocking(q);
    }
    qc_emergency_set_group(q->em_slot, 0); /* reaped: its id may be anyone's now */
    if (q->pidfd >= 0)
        close(q->pidfd);
    if (q->qmp_fd >= 0)
        close(q->qmp_fd);
    qc_qemu_remove_dir(q);
    free(q->binary);
    free(q);
}

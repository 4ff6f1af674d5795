/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* launch.c: starts one QEMU: checks the binary, makes the private directory and the QMP
 * socket, forks and execs it with a clean environment; launch-supervise.c takes over. */
#include "introspect/launch-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/emergency.h"

#define QC_QEMU_CONNECT_MS 2000     /* bound on a connect that could not complete at once */

/* The child's first free fd after 0-3 (stdio + QMP listener); fd 4 holds the exec pipe. */
#define QC_CHILD_PIPE_FD 4
#define QC_CHILD_FIRST_FREE 5

/* What the child reports through the exec pipe when it cannot become QEMU. */
enum qc_child_stage {
    QC_CHILD_SETUP = 1,
    QC_CHILD_EXEC,
};

struct qc_child_report {
    int stage;
    int err;
};

/* Everything the child needs, prepared before fork: after fork only async-signal-safe
 * calls are made, so nothing in the child allocates. */
struct qc_child_plan {
    char *const *argv;
    char *const *envp;
    const char *binary;
    int null_fd;
    int stderr_fd;
    int listen_fd;
    int pipe_fd;
    pid_t parent;
    int max_fd;                /* highest fd to close when close_range is unavailable */
};

static char qc_env_lc_all[] = "LC_ALL=C";
static char qc_env_path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
static char qc_env_home[] = "HOME=/";

/* ---- binary check ------------------------------------------------------------------- */

static int
qc_qemu_check_binary(const char *binary, qc_error **err)
{
    struct stat st;

    if (!binary || !*binary)
        return qc_error_set(err, QC_E_INVALID, "no emulator binary given");
    if (stat(binary, &st) < 0)
        return qc_error_set(err, QC_E_SPAWN, "emulator '%s': %s", binary, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return qc_error_set(err, QC_E_SPAWN, "emulator '%s' is a directory", binary);
    if (!S_ISREG(st.st_mode))
        return qc_error_set(err, QC_E_SPAWN, "emulator '%s' is not a regular file", binary);
    /* access(X_OK) succeeds for root when any x bit is set; check the bits ourselves so
     * root gets the same answer as the kernel's execve. */
    if (access(binary, X_OK) < 0 || !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
        return qc_error_set(err, QC_E_SPAWN, "emulator '%s' is not executable", binary);
    return 0;
}

/* ---- private directory -------------------------------------------------------------- */

static int
qc_qemu_make_dir(qc_qemu *q, qc_error **err)
{
    const char *tmp = getenv("TMPDIR");
    struct sockaddr_un sun;
    size_t need;
    char *tmpl = NULL;

    /* <dir>/qmp.sock must fit sun_path; an unusable TMPDIR falls back to /tmp. */
    need = strlen("/qcaps-XXXXXX/" QC_QEMU_SOCK_NAME) + 1;
    if (!tmp || tmp[0] != '/' || strlen(tmp) + need > sizeof(sun.sun_path))
        tmp = "/tmp";
    if (asprintf(&tmpl, "%s/qcaps-XXXXXX", tmp) < 0)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    if (!mkdtemp(tmpl)) {
        int e = errno;
        free(tmpl);
        return qc_error_set_errno(err, e, "cannot create a private directory in '%s'", tmp);
    }
    q->dir = tmpl;
    {
        /* what a signal handler of the program must remove if we never get to */
        static const char *const files[] = {QC_QEMU_SOCK_NAME, QC_QEMU_STDERR_NAME, NULL};
        q->em_slot = qc_emergency_add_dir(q->dir, files);
    }
    return 0;
}

/* ---- sockets ------------------------------------------------------------------------ */

static int
qc_qemu_sockaddr(const qc_qemu *q, struct sockaddr_un *sun, qc_error **err)
{
    int n;

    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s", q->dir, QC_QEMU_SOCK_NAME);
    if (n < 0 || (size_t) n >= sizeof(sun->sun_path))
        return qc_error_set(err, QC_E_SPAWN, "socket path in '%s' is too long", q->dir);
    return 0;
}

static int
qc_qemu_listen(qc_qemu *q, qc_error **err)
{
    struct sockaddr_un sun;
    qc_autoclose int fd = -1;

    if (qc_qemu_sockaddr(q, &sun, err) < 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return qc_error_set_errno(err, errno, "cannot create the QMP socket");
    if (bind(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0)
        return qc_error_set_errno(err, errno, "cannot bind '%s'", sun.sun_path);
    if (listen(fd, 1) < 0)
        return qc_error_set_errno(err, errno, "cannot listen on '%s'", sun.sun_path);
    return qc_steal_fd(&fd);
}

/* Waits (bounded) for a non-blocking connect that did not complete at once. */
static int
qc_qemu_connect_wait(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    int r;

    do
        r = poll(&pfd, 1, QC_QEMU_CONNECT_MS);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    if (r == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        return -1;
    if (soerr) {
        errno = soerr;
        return -1;
    }
    return 0;
}

/* Connects to our own listener before fork: the connection waits in the listener's queue
 * until QEMU accepts it, so there is no race with QEMU's start-up and no retry loop. */
static int
qc_qemu_connect(qc_qemu *q, qc_error **err)
{
    struct sockaddr_un sun;
    qc_autoclose int fd = -1;
    int attempts = 0;

    if (qc_qemu_sockaddr(q, &sun, err) < 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return qc_error_set_errno(err, errno, "cannot create the QMP client socket");
    for (;;) {
        if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) == 0)
            break;
        if (errno == EINTR)
            continue;
        if (errno == EINPROGRESS) {
            if (qc_qemu_connect_wait(fd) == 0)
                break;
        } else if (errno == EAGAIN && ++attempts < QC_QEMU_CONNECT_MS / 10) {
            /* A unix listener with a full backlog refuses with EAGAIN: retry briefly. */
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        return qc_error_set_errno(err, errno, "cannot connect to '%s'", sun.sun_path);
    }
    q->qmp_fd = qc_steal_fd(&fd);
    return 0;
}

/* ---- the child ---------------------------------------------------------------------- */

static void
qc_child_fail(int pipe_fd, int stage, int e)
{
    struct qc_child_report r = {stage, e};
    ssize_t n;

    do
        n = write(pipe_fd, &r, sizeof(r));
    while (n < 0 && errno == EINTR);
    _exit(127);
}

/* Closes every fd >= first with getdents64 on /proc/self/fd (no allocation); returns -1
 * if /proc is unavailable. */
static int
qc_child_close_from_proc(int first)
{
    char buf[4096];
    int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    long n;

    if (dfd < 0)
        return -1;
    while ((n = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
        long off = 0;
        while (off < n) {
            /* struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[] */
            unsigned short reclen;
            const char *name = buf + off + 19;
            int fd = 0;

            memcpy(&reclen, buf + off + 16, sizeof(reclen));
            if (name[0] >= '0' && name[0] <= '9') {
                for (const char *c = name; *c >= '0' && *c <= '9'; c++)
                    fd = fd * 10 + (*c - '0');
                if (fd >= first && fd != dfd)
                    close(fd);
            }
            off += reclen;
        }
    }
    close(dfd);
    return n < 0 ? -1 : 0;
}

static void
qc_child_close_fds(int first, int max_fd)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned int) first, ~0U, 0) == 0)
        return;
#endif
    if (qc_child_close_from_proc(first) == 0)
        return;
    for (int fd = first; fd <= max_fd; fd++)
        close(fd);
}

/* Moves fd to a number >= QC_CHILD_FIRST_FREE (close-on-exec), so that the dup2()s onto
 * 0..4 below never clobber a source that happens to sit there. */
static int
qc_child_lift(int fd, int report_fd)
{
    int r = fcntl(fd, F_DUPFD_CLOEXEC, QC_CHILD_FIRST_FREE);

    if (r < 0)
        qc_child_fail(report_fd, QC_CHILD_SETUP, errno);
    return r;
}

static void
qc_child_dup(int from, int to, int report_fd)
{
    int r;

    do
        r = dup2(from, to);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        qc_child_fail(report_fd, QC_CHILD_SETUP, errno);
}

/* Runs in the forked child: async-signal-safe calls only. Never returns. */
static void
qc_child_exec(const struct qc_child_plan *p)
{
    struct sigaction sa;
    sigset_t none;
    int pipe_fd = p->pipe_fd;
    int null_fd, err_fd, listen_fd;

    /* Dispositions first (signals are still blocked from the parent), then the mask. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &sa, NULL);
    }

    if (setpgid(0, 0) < 0)
        qc_child_fail(pipe_fd, QC_CHILD_SETUP, errno);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        qc_child_fail(pipe_fd, QC_CHILD_SETUP, errno);
    /* The parent may have died before prctl(): then nobody would kill us. */
    if (getppid() != p->parent)
        _exit(127);

    pipe_fd = qc_child_lift(p->pipe_fd, pipe_fd);
    null_fd = qc_child_lift(p->null_fd, pipe_fd);
    err_fd = qc_child_lift(p->stderr_fd, pipe_fd);
    listen_fd = qc_child_lift(p->listen_fd, pipe_fd);

    qc_child_dup(null_fd, STDIN_FILENO, pipe_fd);
    qc_child_dup(null_fd, STDOUT_FILENO, pipe_fd);
    qc_child_dup(err_fd, STDERR_FILENO, pipe_fd);
    qc_child_dup(listen_fd, 3, pipe_fd);
    /* The report pipe stays open (close-on-exec) on fd 4 until execve. */
    if (dup3(pipe_fd, QC_CHILD_PIPE_FD, O_CLOEXEC) < 0)
        qc_child_fail(pipe_fd, QC_CHILD_SETUP, errno);
    pipe_fd = QC_CHILD_PIPE_FD;
    qc_child_close_fds(QC_CHILD_FIRST_FREE, p->max_fd);

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    execve(p->binary, p->argv, p->envp);
    qc_child_fail(pipe_fd, QC_CHILD_EXEC, errno);
}

/* ---- spawning ----------------------------------------------------------------------- */

static int
qc_qemu_open_child_files(qc_qemu *q, int *ret_null, int *ret_stderr, qc_error **err)
{
    qc_autofree char *path = qc_qemu_path(q, QC_QEMU_STDERR_NAME);
    qc_autoclose int nfd = -1;
    int efd;

    if (!path)
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nfd < 0)
        return qc_error_set_errno(err, errno, "cannot open /dev/null");
    efd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (efd < 0)
        return qc_error_set_errno(err, errno, "cannot create '%s'", path);
    *ret_null = qc_steal_fd(&nfd);
    *ret_stderr = efd;
    return 0;
}

static int
qc_qemu_max_fd(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur <= INT_MAX)
        return (int) rl.rlim_cur - 1;
    return 65535;
}

/* Reads the child's exec report: 0 when the pipe closed on a successful execve. */
static int
qc_qemu_read_report(int fd, struct qc_child_report *r)
{
    ssize_t n;

    do
        n = read(fd, r, sizeof(*r));
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t) sizeof(*r))
        return -1;
    if (n != 0) {
        r->stage = QC_CHILD_SETUP;
        r->err = n < 0 ? errno : EIO;
        return -1;
    }
    return 0;
}

static int
qc_qemu_spawn(qc_qemu *q, qc_accel accel, qc_error **err)
{
    qc_autoclose int listen_fd = -1;
    qc_autoclose int null_fd = -1;
    qc_autoclose int stderr_fd = -1;
    qc_autoclose int pipe_r = -1;
    qc_autoclose int pipe_w = -1;
    qc_autofree char *machine = NULL;
    int pipefd[2];
    sigset_t all, old;
    struct qc_child_report report = {0, 0};
    pid_t pid;
    int fork_errno;

    if (asprintf(&machine, "none,accel=%s", accel == QC_ACCEL_KVM ? "kvm" : "tcg") < 0) {
        machine = NULL;
        return qc_error_set(err, QC_E_NOMEM, "out of memory");
    }
    char *argv[] = {
        q->binary, (char *) "-S", (char *) "-no-user-config", (char *) "-nodefaults",
        (char *) "-nographic", (char *) "-machine", machine,
        (char *) "-chardev", (char *) "socket,id=qmp,fd=3,server=on,wait=on",
        (char *) "-mon", (char *) "chardev=qmp,mode=control", NULL,
    };
    char *envp[] = {qc_env_lc_all, qc_env_path, qc_env_home, NULL};

    if ((listen_fd = qc_qemu_listen(q, err)) < 0)
        return -1;
    if (qc_qemu_connect(q, err) < 0)
        return -1;
    if (qc_qemu_open_child_files(q, &null_fd, &stderr_fd, err) < 0)
        return -1;
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return qc_error_set_errno(err, errno, "cannot create a pipe");
    pipe_r = pipefd[0];
    pipe_w = pipefd[1];

    struct qc_child_plan plan = {
        .argv = argv, .envp = envp, .binary = q->binary,
        .null_fd = null_fd, .stderr_fd = stderr_fd, .listen_fd = listen_fd,
        .pipe_fd = pipe_w, .parent = getpid(), .max_fd = qc_qemu_max_fd(),
    };

    /* Block every signal across fork so no handler of ours runs in the child before it
     * resets the dispositions; the child clears the mask right before execve. */
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    pid = fork();
    fork_errno = errno;
    if (pid == 0)
        qc_child_exec(&plan);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0)
        return qc_error_set_errno(err, fork_errno, "cannot fork for '%s'", q->binary);
    q->pid = pid;
    /* Also from here, so a kill of the group right after fork cannot miss the child. */
    setpgid(pid, pid);
    qc_emergency_set_group(q->em_slot, pid);

    /* The child holds its own copies now; ours must go so EOF on the pipe means exec. */
    qc_closep(&pipe_w);
    pipe_w = -1;
    if (qc_qemu_read_report(pipe_r, &report) < 0) {
        qc_qemu_reap_blocking(q);
        if (report.stage == QC_CHILD_EXEC)
            return qc_error_set(err, QC_E_SPAWN, "cannot execute '%s': %s", q->binary,
                                strerror(report.err));
        return qc_error_set(err, QC_E_SPAWN, "cannot start '%s': %s", q->binary,
                            strerror(report.err));
    }
    return 0;
}

/* ---- public API --------------------------------------------------------------------- */

qc_qemu *
qc_qemu_launch(struct event_base *base, const char *binary, qc_accel accel, qc_error **err)
{
    qc_qemu *q;

    if (!base)
        return qc_error_set(err, QC_E_INVALID, "no event base given"), NULL;
    if (accel != QC_ACCEL_KVM && accel != QC_ACCEL_TCG)
        return qc_error_set(err, QC_E_INVALID, "unknown accelerator %d", (int) accel), NULL;
    if (qc_qemu_check_binary(binary, err) < 0)
        return NULL;
    q = calloc(1, sizeof(*q));
    if (!q)
        return qc_error_set(err, QC_E_NOMEM, "out of memory"), NULL;
    q->base = base;
    q->pidfd = -1;
    q->qmp_fd = -1;
    q->em_slot = -1;
    q->binary = strdup(binary);
    if (!q->binary) {
        qc_qemu_free(q);
        return qc_error_set(err, QC_E_NOMEM, "out of memory"), NULL;
    }
    if (qc_qemu_make_dir(q, err) < 0 || qc_qemu_spawn(q, accel, err) < 0 ||
        qc_qemu_watch(q, err) < 0) {
        qc_qemu_free(q);
        return NULL;
    }
    return q;
}

int
qc_qemu_take_qmp_fd(qc_qemu *q)
{
    return q ? qc_steal_fd(&q->qmp_fd) : -1;
}

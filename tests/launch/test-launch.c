/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-launch.c: the QEMU launcher against real QEMU, fake-qemu and bad binaries. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "introspect/host.h"
#include "introspect/launch.h"

#define REAL_QEMU "/usr/bin/qemu-system-x86_64"
#define WAIT_SECONDS 20

static char *test_tmp;       /* per-run scratch directory for wrappers and dumps */
static char *launch_tmp;     /* $TMPDIR of the launcher during the tests: must stay empty */
static const char *fake_qemu;

typedef struct fixture {
    struct event_base *base;
    int fds_before;
    char *dir;               /* the launcher's private dir, copied before free */
    bool exit_seen;
    int exit_status;
} fixture;

/* ---- helpers ------------------------------------------------------------------------ */

static int
count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own fd */
}

static int
count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int r;

    va_start(ap, fmt);
    r = vasprintf(&s, fmt, ap);
    va_end(ap);
    assert_true(r >= 0);
    return s;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "re");
    size_t cap = 65536, len = 0, n;
    char *buf = malloc(cap);

    assert_non_null(f);
    assert_non_null(buf);
    while ((n = fread(buf + len, 1, cap - 1 - len, f)) > 0) {
        len += n;
        if (cap - 1 - len == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* A shell wrapper running fake-qemu in `mode` (the launcher clears the environment). */
static char *
fake_wrapper(const char *name, const char *mode)
{
    char *path = xasprintf("%s/%s", test_tmp, name);
    qc_autofree char *text = xasprintf("#!/bin/sh\nexec '%s' --fake-mode '%s' \"$@\"\n",
                                       fake_qemu, mode);

    write_file(path, text, 0755);
    return path;
}

/* A symlink to fake-qemu plus "<link>.fake-mode": no shell between launcher and fake. */
static char *
fake_link(const char *name, const char *mode)
{
    char *path = xasprintf("%s/%s", test_tmp, name);
    qc_autofree char *mode_path = xasprintf("%s.fake-mode", path);

    unlink(path);
    assert_int_equal(symlink(fake_qemu, path), 0);
    write_file(mode_path, mode, 0644);
    return path;
}

static void
on_exit_cb(qc_qemu *q, int status, void *opaque)
{
    fixture *fx = opaque;

    assert_true(qc_qemu_exited(q));
    fx->exit_seen = true;
    fx->exit_status = status;
    event_base_loopbreak(fx->base);
}

/* Runs the loop until the exit handler fired (or the deadline passed). */
static void
wait_for_exit(fixture *fx, qc_qemu *q)
{
    struct timeval tv = {WAIT_SECONDS, 0};

    qc_qemu_set_exit_handler(q, on_exit_cb, fx);
    event_base_loopexit(fx->base, &tv);
    event_base_dispatch(fx->base);
    assert_true(fx->exit_seen);
}

/* Frees q, after remembering its directory for the teardown check. */
static void
release(fixture *fx, qc_qemu *q)
{
    const char *dir = qc_qemu_dir(q);

    assert_non_null(dir);
    free(fx->dir);
    fx->dir = strdup(dir);
    qc_qemu_free(q);
}

static qc_qemu *
launch_ok(fixture *fx, const char *binary, qc_accel accel)
{
    qc_error *err = NULL;
    qc_qemu *q = qc_qemu_launch(fx->base, binary, accel, &err);

    if (!q)
        fail_msg("launch of %s failed: %s", binary, err ? err->message : "?");
    assert_true(qc_qemu_pid(q) > 0);
    assert_false(qc_qemu_exited(q));
    return q;
}

static void
launch_fails(fixture *fx, const char *binary, const char *expected)
{
    qc_error *err = NULL;
    qc_qemu *q = qc_qemu_launch(fx->base, binary, QC_ACCEL_TCG, &err);

    assert_null(q);
    assert_non_null(err);
    assert_int_equal(err->code, QC_E_SPAWN);
    assert_string_equal(err->message, expected);
    qc_error_free(err);
}

/* Reads one "\r\n"-terminated line from a non-blocking fd, bounded in time. */
static char *
read_greeting(int fd)
{
    char *buf = calloc(1, 4096);
    size_t len = 0;

    assert_non_null(buf);
    while (!strstr(buf, "\r\n") && len < 4095) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;

        assert_int_equal(poll(&p, 1, WAIT_SECONDS * 1000), 1);
        n = read(fd, buf + len, 4095 - len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        assert_true(n > 0);
        len += (size_t) n;
        buf[len] = '\0';
    }
    return buf;
}

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool
kvm_usable(void)
{
    int fd;

    if (access("/dev/kvm", R_OK | W_OK) < 0)
        return false;
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* Valgrind cannot survive a failing execve in a forked child (it kills the child itself
 * before our exec report is written), so that one check is left out under it. */
static bool
under_valgrind(void)
{
    qc_autofree char *maps = read_file("/proc/self/maps");

    return strstr(maps, "vgpreload") != NULL;
}

/* ---- setup / teardown --------------------------------------------------------------- */

static int
setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));

    assert_non_null(fx);
    fx->fds_before = count_fds();
    fx->base = event_base_new();
    assert_non_null(fx->base);
    *state = fx;
    return 0;
}

/* After every test: no child, no directory, no fd left behind. */
static int
teardown(void **state)
{
    fixture *fx = *state;
    struct stat st;

    event_base_free(fx->base);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    if (fx->dir) {
        assert_int_equal(stat(fx->dir, &st), -1);
        assert_int_equal(errno, ENOENT);
    }
    assert_int_equal(count_entries(launch_tmp), 0);
    assert_int_equal(count_fds(), fx->fds_before);
    free(fx->dir);
    free(fx);
    return 0;
}

/* ---- real QEMU ---------------------------------------------------------------------- */

static void
real_qemu_greets(fixture *fx, qc_accel accel)
{
    double t0 = now_ms();
    qc_qemu *q = launch_ok(fx, REAL_QEMU, accel);
    int fd = qc_qemu_take_qmp_fd(q);
    qc_autofree char *greeting = NULL;
    struct stat st;

    assert_true(fd >= 0);
    assert_int_equal(qc_qemu_take_qmp_fd(q), -1);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
    greeting = read_greeting(fd);
    printf("# %s accel=%s: greeting after %.1f ms\n", REAL_QEMU, qc_accel_name(accel),
           now_ms() - t0);
    assert_non_null(strstr(greeting, "\"QMP\""));
    assert_int_equal(getpgid(qc_qemu_pid(q)), qc_qemu_pid(q));
    assert_int_equal(stat(qc_qemu_dir(q), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    {
        qc_autofree char *d = qc_qemu_describe(q);
        assert_string_equal(d, "still running");
    }
    close(fd);
    release(fx, q);
}

static void
test_real_qemu_tcg(void **state)
{
    real_qemu_greets(*state, QC_ACCEL_TCG);
}

static void
test_real_qemu_kvm(void **state)
{
    if (!kvm_usable()) {
        printf("# /dev/kvm not usable: kvm launch not exercised\n");
        return;
    }
    real_qemu_greets(*state, QC_ACCEL_KVM);
}

/* QEMU answers the handshake on our socket and dies when its monitor says quit. */
static void
test_real_qemu_quit(void **state)
{
    static const char cmds[] = "{\"execute\": \"qmp_capabilities\"}\r\n"
                               "{\"execute\": \"quit\"}\r\n";
    fixture *fx = *state;
    qc_qemu *q = launch_ok(fx, REAL_QEMU, QC_ACCEL_TCG);
    int fd = qc_qemu_take_qmp_fd(q);
    qc_autofree char *greeting = read_greeting(fd);

    assert_non_null(strstr(greeting, "\"QMP\""));
    assert_int_equal(write(fd, cmds, sizeof(cmds) - 1), (ssize_t) sizeof(cmds) - 1);
    wait_for_exit(fx, q);
    assert_true(WIFEXITED(fx->exit_status));
    assert_int_equal(WEXITSTATUS(fx->exit_status), 0);
    close(fd);
    release(fx, q);
}

/* ---- bad binaries ------------------------------------------------------------------- */

static void
test_missing_binary(void **state)
{
    launch_fails(*state, "/nonexistent/qemu-system-x86_64",
                 "emulator '/nonexistent/qemu-system-x86_64': No such file or directory");
}

static void
test_directory(void **state)
{
    qc_autofree char *msg = xasprintf("emulator '%s' is a directory", test_tmp);

    launch_fails(*state, test_tmp, msg);
}

static void
test_not_regular(void **state)
{
    launch_fails(*state, "/dev/null", "emulator '/dev/null' is not a regular file");
}

static void
test_not_executable(void **state)
{
    qc_autofree char *path = xasprintf("%s/not-exec", test_tmp);
    qc_autofree char *msg = xasprintf("emulator '%s' is not executable", path);

    write_file(path, "#!/bin/sh\nexit 0\n", 0644);
    launch_fails(*state, path, msg);
}

/* execve itself fails: reported synchronously through the exec pipe, child reaped. */
static void
test_exec_failure(void **state)
{
    qc_autofree char *path = xasprintf("%s/bad-interp", test_tmp);
    qc_autofree char *msg = xasprintf("cannot execute '%s': No such file or directory", path);
    qc_autofree char *garbage = xasprintf("%s/garbage-exec", test_tmp);
    qc_autofree char *msg2 = xasprintf("cannot execute '%s': Exec format error", garbage);

    if (under_valgrind()) {
        printf("# under valgrind: exec failure reporting not exercised\n");
        return;
    }
    write_file(path, "#!/nonexistent/interpreter\n", 0755);
    launch_fails(*state, path, msg);
    write_file(garbage, "\x7f" "ELF garbage that is not an executable\n", 0755);
    launch_fails(*state, garbage, msg2);
}

/* ---- early exits -------------------------------------------------------------------- */

static void
test_true_exits(void **state)
{
    fixture *fx = *state;
    qc_qemu *q = launch_ok(fx, "/bin/true", QC_ACCEL_TCG);
    qc_autofree char *d = NULL;

    wait_for_exit(fx, q);
    assert_true(WIFEXITED(fx->exit_status));
    assert_int_equal(WEXITSTATUS(fx->exit_status), 0);
    d = qc_qemu_describe(q);
    assert_string_equal(d, "exited with status 0");
    release(fx, q);
}

/* A script that talks on stdout and stderr and exits: wait_exit then describe. */
static void
test_wait_exit(void **state)
{
    fixture *fx = *state;
    qc_autofree char *bin = xasprintf("%s/garbage-script", test_tmp);
    qc_autofree char *d = NULL;
    qc_qemu *q;
    int fd;
    char buf[64];

    write_file(bin, "#!/bin/sh\necho 'this is not QMP {{{'\necho 'junk on stderr' >&2\n"
                    "exit 3\n", 0755);
    q = launch_ok(fx, bin, QC_ACCEL_TCG);
    fd = qc_qemu_take_qmp_fd(q);
    /* Nobody accepts: the queued connection is reset (or sees EOF) when the child exits. */
    {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&p, 1, WAIT_SECONDS * 1000), 1);
        assert_true(read(fd, buf, sizeof(buf)) <= 0);
    }
    assert_true(qc_qemu_wait_exit(q, WAIT_SECONDS * 1000));
    assert_true(qc_qemu_exited(q));
    d = qc_qemu_describe(q);
    assert_string_equal(d, "exited with status 3: junk on stderr");
    /* The handler still runs from the loop. */
    wait_for_exit(fx, q);
    assert_int_equal(WEXITSTATUS(fx->exit_status), 3);
    close(fd);
    release(fx, q);
}

/* QEMU 11.1 warns that our own -mon is deprecated: that line says nothing about the
 * binary, and describe leaves it out as it does the "waiting for connection" one. */
static void
test_own_noise_dropped(void **state)
{
    fixture *fx = *state;
    qc_autofree char *bin = xasprintf("%s/deprecation-script", test_tmp);
    qc_autofree char *d = NULL;
    qc_qemu *q;

    write_file(bin, "#!/bin/sh\n"
                    "echo \"$0: -mon chardev=qmp,mode=control: warning: '-mon' is deprecated, "
                    "use '-object' with 'monitor-hmp' or 'monitor-qmp' types instead\" >&2\n"
                    "echo 'qemu-system-x: no such machine' >&2\n"
                    "exit 1\n", 0755);
    q = launch_ok(fx, bin, QC_ACCEL_TCG);
    assert_true(qc_qemu_wait_exit(q, WAIT_SECONDS * 1000));
    d = qc_qemu_describe(q);
    assert_string_equal(d, "exited with status 1: qemu-system-x: no such machine");
    wait_for_exit(fx, q);
    release(fx, q);
}

/* The handler is set only after the exit was observed (by describe): still delivered. */
static void
test_handler_set_late(void **state)
{
    fixture *fx = *state;
    qc_qemu *q = launch_ok(fx, "/bin/false", QC_ACCEL_TCG);
    qc_autofree char *d = NULL;
    struct timespec ts = {0, 10 * 1000 * 1000};

    for (int i = 0; i < 500 && !qc_qemu_exited(q); i++) {
        free(qc_qemu_describe(q));
        nanosleep(&ts, NULL);
    }
    assert_true(qc_qemu_exited(q));
    d = qc_qemu_describe(q);
    assert_string_equal(d, "exited with status 1");
    wait_for_exit(fx, q);
    assert_int_equal(WEXITSTATUS(fx->exit_status), 1);
    release(fx, q);
}

static void
test_stderr_in_describe(void **state)
{
    fixture *fx = *state;
    qc_autofree char *bin = fake_wrapper("stderr-exit", "stderr-exit");
    qc_qemu *q = launch_ok(fx, bin, QC_ACCEL_TCG);
    qc_autofree char *d = NULL;

    wait_for_exit(fx, q);
    assert_int_equal(WEXITSTATUS(fx->exit_status), 1);
    d = qc_qemu_describe(q);
    assert_string_equal(d, "exited with status 1: qemu-system-fake: -machine none: "
                           "simulated start-up failure / ?[31mcolour?[0m and a tab here / "
                           "fake-qemu: giving up");
    release(fx, q);
}

/* Only the tail of a long stderr is kept, from a line start. */
static void
test_stderr_tail(void **state)
{
    fixture *fx = *state;
    qc_autofree char *bin = xasprintf("%s/noisy", test_tmp);
    qc_qemu *q;
    qc_autofree char *d = NULL;

    write_file(bin, "#!/bin/sh\ni=0\nwhile [ $i -lt 100 ]; do\n"
                    "  echo \"line $i of noise from the fake emulator\" >&2\n"
                    "  i=$((i+1))\ndone\nexit 3\n", 0755);
    q = launch_ok(fx, bin, QC_ACCEL_TCG);
    wait_for_exit(fx, q);
    d = qc_qemu_describe(q);
    assert_true(strlen(d) < 700);
    assert_true(strncmp(d, "exited with status 3: line ", 27) == 0);
    assert_non_null(strstr(d, " / line 99 of noise from the fake emulator"));
    assert_true(strlen(strstr(d, "line 99")) == strlen("line 99 of noise from the fake emulator"));
    assert_null(strstr(d, "line 0 "));
    assert_null(strchr(d, '\n'));
    release(fx, q);
}

static void
test_killed_by_signal(void **state)
{
    fixture *fx = *state;
    qc_autofree char *bin = fake_wrapper("hang", "hang-before-greeting");
    qc_qemu *q = launch_ok(fx, bin, QC_ACCEL_TCG);
    qc_autofree char *d = NULL;

    assert_int_equal(kill(qc_qemu_pid(q), SIGTERM), 0);
    wait_for_exit(fx, q);
    assert_true(WIFSIGNALED(fx->exit_status));
    assert_int_equal(WTERMSIG(fx->exit_status), SIGTERM);
    d = qc_qemu_describe(q);
    assert_string_equal(d, "killed by signal 15");
    release(fx, q);
}

/* ---- the child's surroundings ------------------------------------------------------- */

static const char *
dump_value(const char *dump, const char *key)
{
    static char val[256];
    qc_autofree char *pat = xasprintf("\n%s ", key);
    const char *p = strstr(dump, pat);

    if (!p)
        return NULL;
    p += strlen(pat);
    snprintf(val, sizeof(val), "%.*s", (int) strcspn(p, "\n"), p);
    return val;
}

static void
test_child_environment(void **state)
{
    fixture *fx = *state;
    qc_autofree char *out = xasprintf("%s/env.dump", test_tmp);
    qc_autofree char *mode = xasprintf("dump-env:%s", out);
    qc_autofree char *bin = fake_link("qemu-dump", mode);
    qc_autofree char *dump = NULL;
    qc_autofree char *expect_args = NULL;
    qc_autofree char *stderr_line = NULL;
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe, old_usr2;
    sigset_t usr1, old_mask;
    int leak = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */
    qc_qemu *q;
    char pgid[32];

    /* Parent state the child must not inherit: an ignored signal, a blocked one, a fd. */
    assert_true(leak >= 0);
    sigaction(SIGPIPE, &ign, &old_pipe);
    sigaction(SIGUSR2, &ign, &old_usr2);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old_mask);
    unlink(out);

    q = launch_ok(fx, bin, QC_ACCEL_KVM);

    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    sigaction(SIGUSR2, &old_usr2, NULL);
    close(leak);

    wait_for_exit(fx, q);
    assert_int_equal(fx->exit_status, 0);
    dump = read_file(out);
    expect_args = xasprintf("\narg %s\narg -S\narg -no-user-config\narg -nodefaults\n"
                            "arg -nographic\narg -machine\narg none,accel=kvm\n"
                            "arg -chardev\narg socket,id=qmp,fd=3,server=on,wait=on\n"
                            "arg -mon\narg chardev=qmp,mode=control\nenv ",
                            bin);
    {
        /* The dump begins with "arg"; prefix a newline so every line matches "\n...". */
        qc_autofree char *d = xasprintf("\n%s", dump);
        assert_non_null(strstr(d, expect_args));
        /* Exactly three variables. */
        assert_non_null(strstr(d, "\nenv LC_ALL=C\n"));
        assert_non_null(strstr(d, "\nenv PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"));
        assert_non_null(strstr(d, "\nenv HOME=/\n"));
        int n_env = 0, n_fd = 0;
        for (const char *p = d; (p = strstr(p, "\nenv ")); p++)
            n_env++;
        for (const char *p = d; (p = strstr(p, "\nfd ")); p++)
            n_fd++;
        assert_int_equal(n_env, 3);
        assert_int_equal(n_fd, 4);
        assert_string_equal(dump_value(d, "fd 0"), "/dev/null");
        assert_string_equal(dump_value(d, "fd 1"), "/dev/null");
        stderr_line = xasprintf("%s/stderr", qc_qemu_dir(q));
        assert_string_equal(dump_value(d, "fd 2"), stderr_line);
        assert_true(strncmp(dump_value(d, "fd 3"), "socket:[", 8) == 0);
        snprintf(pgid, sizeof(pgid), "%ld", (long) qc_qemu_pid(q));
        assert_string_equal(dump_value(d, "pid"), pgid);
        assert_string_equal(dump_value(d, "pgid"), pgid);
        assert_string_equal(dump_value(d, "sigblk"), "0000000000000000");
        assert_string_equal(dump_value(d, "sigign"), "0000000000000000");
    }
    release(fx, q);
}

static void
test_own_process_group(void **state)
{
    fixture *fx = *state;
    qc_autofree char *bin = fake_wrapper("hang", "hang-before-greeting");
    qc_qemu *q = launch_ok(fx, bin, QC_ACCEL_TCG);
    qc_autofree char *d = NULL;
    pid_t pid = qc_qemu_pid(q);

    assert_int_equal(getpgid(pid), pid);
    assert_true(getpgid(pid) != getpgrp());
    d = qc_qemu_describe(q);
    assert_string_equal(d, "still running");
    release(fx, q);
    assert_int_equal(kill(pid, 0), -1);
    assert_int_equal(errno, ESRCH);
}

/* qc_qemu_free kills the whole process group, not just the child. */
static void
test_free_kills_group(void **state)
{
    fixture *fx = *state;
    qc_autofree char *pidfile = xasprintf("%s/grandchild.pid", test_tmp);
    qc_autofree char *script = xasprintf("#!/bin/sh\nsleep 1000 &\necho $! > %s.tmp\n"
                                         "mv %s.tmp %s\nexec sleep 1000\n",
                                         pidfile, pidfile, pidfile);
    qc_autofree char *bin = xasprintf("%s/forker", test_tmp);
    struct timespec ts = {0, 10 * 1000 * 1000};
    qc_autofree char *text = NULL;
    qc_qemu *q;
    pid_t grandchild;
    bool gone = false;

    unlink(pidfile);
    write_file(bin, script, 0755);
    q = launch_ok(fx, bin, QC_ACCEL_TCG);
    for (int i = 0; i < 1000 && access(pidfile, F_OK) < 0; i++)
        nanosleep(&ts, NULL);
    text = read_file(pidfile);
    grandchild = (pid_t) atol(text);
    assert_true(grandchild > 0);
    assert_int_equal(getpgid(grandchild), qc_qemu_pid(q));
    release(fx, q);
    /* Killed; it may linger briefly as a zombie until init reaps it. */
    for (int i = 0; i < 500 && !gone; i++) {
        qc_autofree char *stat_path = xasprintf("/proc/%ld/stat", (long) grandchild);
        FILE *f = fopen(stat_path, "re");
        char buf[512] = "";

        if (!f) {
            gone = true;
            break;
        }
        if (fgets(buf, sizeof(buf), f) && strstr(buf, ") Z "))
            gone = true;
        fclose(f);
        if (!gone)
            nanosleep(&ts, NULL);
    }
    assert_true(gone);
}

/* The directory honours $TMPDIR and holds only what QEMU may use. */
static void
test_tmpdir(void **state)
{
    fixture *fx = *state;
    qc_autofree char *tmp = xasprintf("%s/tmpdir", test_tmp);
    qc_autofree char *bin = fake_wrapper("hang", "hang-before-greeting");
    qc_autofree char *extra = NULL;
    const char *old = getenv("TMPDIR");
    qc_autofree char *saved = old ? strdup(old) : NULL;
    qc_qemu *q;

    mkdir(tmp, 0700);
    setenv("TMPDIR", tmp, 1);
    q = launch_ok(fx, bin, QC_ACCEL_TCG);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    assert_true(strncmp(qc_qemu_dir(q), tmp, strlen(tmp)) == 0);
    assert_true(strncmp(qc_qemu_dir(q) + strlen(tmp), "/qcaps-", 7) == 0);
    /* Stray files QEMU might leave are removed too. */
    extra = xasprintf("%s/qmp.pid", qc_qemu_dir(q));
    write_file(extra, "1\n", 0600);
    release(fx, q);
    assert_int_equal(rmdir(tmp), 0);
}

/* Freeing from inside the exit handler is allowed. */
static void
free_in_handler(qc_qemu *q, int status, void *opaque)
{
    fixture *fx = opaque;

    fx->exit_seen = true;
    fx->exit_status = status;
    free(fx->dir);
    fx->dir = strdup(qc_qemu_dir(q));
    qc_qemu_free(q);
    event_base_loopbreak(fx->base);
}

static void
test_free_in_handler(void **state)
{
    fixture *fx = *state;
    qc_qemu *q = launch_ok(fx, "/bin/true", QC_ACCEL_TCG);
    struct timeval tv = {WAIT_SECONDS, 0};

    qc_qemu_set_exit_handler(q, free_in_handler, fx);
    event_base_loopexit(fx->base, &tv);
    event_base_dispatch(fx->base);
    assert_true(fx->exit_seen);
}

/* fake-qemu serves the launcher's inherited fd 3 and picks the section of the accel. */
static void
test_fake_replay(void **state)
{
    static const char fixture_text[] =
        "{\"qcaps-fixture\": 1}\n\n"
        "{\"qcaps-section\": \"kvm\"}\n\n"
        "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7},"
        " \"package\": \"kvm-section\"}, \"capabilities\": []}}\n\n"
        "{\"qcaps-section\": \"tcg\"}\n\n"
        "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7},"
        " \"package\": \"tcg-section\"}, \"capabilities\": []}}\n\n"
        "{\"execute\": \"query-kvm\", \"id\": \"x\"}\n\n"
        "{\"return\": {\"present\": true, \"enabled\": false}, \"id\": \"x\"}\n";
    static const char cmds[] = "{\"execute\": \"qmp_capabilities\", \"id\": 1}\r\n"
                               "{\"execute\": \"query-kvm\", \"id\": 2}\r\n"
                               "{\"execute\": \"quit\", \"id\": 3}\r\n";
    fixture *fx = *state;
    qc_autofree char *path = xasprintf("%s/replay.fixture", test_tmp);
    qc_autofree char *mode = xasprintf("replay:%s", path);
    qc_autofree char *bin = fake_wrapper("replay", mode);
    qc_autofree char *greeting = NULL;
    qc_autofree char *rest = NULL;
    qc_qemu *q;
    int fd;

    write_file(path, fixture_text, 0644);
    q = launch_ok(fx, bin, QC_ACCEL_TCG);
    fd = qc_qemu_take_qmp_fd(q);
    greeting = read_greeting(fd);
    assert_non_null(strstr(greeting, "tcg-section"));
    assert_int_equal(write(fd, cmds, sizeof(cmds) - 1), (ssize_t) sizeof(cmds) - 1);
    wait_for_exit(fx, q);
    assert_true(WIFEXITED(fx->exit_status));
    assert_int_equal(WEXITSTATUS(fx->exit_status), 0);
    rest = calloc(1, 4096);
    assert_non_null(rest);
    assert_true(read(fd, rest, 4095) > 0);
    assert_non_null(strstr(rest, "\"enabled\":false"));
    assert_non_null(strstr(rest, "\"id\":3"));
    close(fd);
    release(fx, q);
}

/* ---- host facts --------------------------------------------------------------------- */

static void
test_host_read(void **state)
{
    qc_host h;
    qc_error *err = NULL;

    memset(&h, 0, sizeof(h));
    assert_int_equal(qc_host_read(&h, &err), 0);
    assert_null(err);
    assert_non_null(h.arch);
    assert_true(h.arch[0] != '\0');
    assert_non_null(h.kernel_release);
    assert_true(h.kernel_release[0] != '\0');
    assert_non_null(h.kernel_version);
    assert_int_equal(h.kvm_usable, kvm_usable());
    if (h.kvm_usable)
        assert_true(h.kvm_max_vcpus > 0);
    for (size_t i = 1; i < h.cpu_flags.n; i++)
        assert_true(strcmp(h.cpu_flags.v[i - 1], h.cpu_flags.v[i]) < 0);
#if defined(__x86_64__)
    assert_string_equal(h.arch, "x86_64");
    assert_non_null(h.cpu_vendor);
    assert_non_null(h.cpu_model_name);
    assert_true(h.cpu_family >= 0);
    assert_true(h.cpu_model >= 0);
    assert_true(h.cpu_flags.n > 0);
    assert_true(qc_strlist_bsearch(&h.cpu_flags, "fpu"));
#endif
    /* Reading again into a used struct replaces its contents. */
    assert_int_equal(qc_host_read(&h, &err), 0);
    qc_host_clear(&h);
}

static void
test_arch_normalise(void **state)
{
    static const char *const cases[][2] = {
        {"x86_64", "x86_64"}, {"i386", "i386"}, {"i486", "i386"}, {"i586", "i386"},
        {"i686", "i386"}, {"aarch64", "aarch64"}, {"armv7l", "arm"}, {"armv6l", "arm"},
        {"ppc64le", "ppc64"}, {"ppc64", "ppc64"}, {"s390x", "s390x"},
        {"riscv64", "riscv64"}, {"mips64", "mips64"}, {"weird-arch", "weird-arch"},
        {"i786", "i786"},
    };

    for (size_t i = 0; i < QC_N_ELEMENTS(cases); i++)
        assert_string_equal(qc_host_arch_normalise(cases[i][0]), cases[i][1]);
}

/* ---- main --------------------------------------------------------------------------- */

static void
remove_tree_shallow(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d))) {
        if (de->d_name[0] != '.')
            unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_real_qemu_tcg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_qemu_kvm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_qemu_quit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_binary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_executable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_true_exits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handler_set_late, setup, teardown),
        cmocka_unit_test_setup_teardown(test_own_noise_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stderr_in_describe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stderr_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_killed_by_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_own_process_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_kills_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpdir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_in_handler, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fake_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arch_normalise, setup, teardown),
    };
    char tmpl[] = "/tmp/qc-test-launch-XXXXXX";
    int r;

    /* TAP has no exit-77 skip (meson counts it as an error): skip the plan instead. */
    if (access(REAL_QEMU, X_OK) < 0) {
        printf("1..0 # SKIP %s not installed\n", REAL_QEMU);
        return 0;
    }
    fake_qemu = getenv("QC_FAKE_QEMU");
    if (!fake_qemu || !*fake_qemu) {
        fprintf(stderr, "QC_FAKE_QEMU is not set (run through meson test)\n");
        return 1;
    }
    test_tmp = mkdtemp(tmpl);
    if (!test_tmp) {
        perror("mkdtemp");
        return 1;
    }
    launch_tmp = xasprintf("%s/tmp", test_tmp);
    if (mkdir(launch_tmp, 0700) < 0 || setenv("TMPDIR", launch_tmp, 1) < 0) {
        perror(launch_tmp);
        return 1;
    }
    r = cmocka_run_group_tests_name("launch", tests, NULL, NULL);
    rmdir(launch_tmp);
    free(launch_tmp);
    remove_tree_shallow(test_tmp);
    return r;
}

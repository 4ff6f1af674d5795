/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-signals.c: SIGINT, SIGTERM or SIGHUP mid-probe (probe, domcaps, warm) leave no
 * QEMU (not even a wrapper script's child), private directory, socket or cache lock, and
 * qcaps exits 128 + the signal. */
#include <dirent.h>
#include <errno.h>
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

#include "tests/cli/runner.h"

/* Entries of dir whose name starts with prefix / ends with suffix. */
static int
qc_count_named(const char *dir, const char *prefix, const char *suffix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name), sl = suffix ? strlen(suffix) : 0;
        if (prefix && strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        if (suffix && (len < sl || strcmp(e->d_name + len - sl, suffix) != 0))
            continue;
        n++;
    }
    closedir(d);
    return n;
}

static void
qc_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One case: `verb` on an emulator that greets and then never answers, itself a wrapper
 * script with a child of its own; `sig` once the probe is under way. */
static void
qc_signal_case(const char *verb, int sig)
{
    char *root = qc_make_tmpdir("signals");
    char *tmp = qc_xasprintf("%s/tmp", root);
    char *cache = qc_xasprintf("%s/cache", root);
    char *emu = qc_xasprintf("%s/qemu-system-x86_64", root);
    char *childpid = qc_xasprintf("%s/child.pid", root);
    char *script = qc_xasprintf("#!/bin/sh\nsleep 300 &\necho $! > '%s'\n"
                                "exec '%s' --fake-mode greeting-then-hang \"$@\"\n",
                                childpid, qc_env_path("QC_FAKE_QEMU"));
    const char *argv[10];
    int n = 0, status = 0, started = 0;
    char *text;
    pid_t pid, child = 0;

    assert_int_equal(mkdir(tmp, 0700), 0);
    assert_int_equal(qc_write_file(emu, script, 0755), 0);
    argv[n++] = qc_env_path("QC_QCAPS");
    argv[n++] = verb;
    if (strcmp(verb, "warm") == 0) {
        argv[n++] = "--cache-dir";
        argv[n++] = cache;
        argv[n++] = emu;
    } else {
        argv[n++] = "--emulator";
        argv[n++] = emu;
        argv[n++] = "--cache-dir";
        argv[n++] = cache;
    }
    argv[n] = NULL;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("TMPDIR", tmp, 1);
        execv(argv[0], (char *const *) argv);
        _exit(127);
    }
    /* under way: QEMU's private directory exists and the wrapper's child runs */
    for (int i = 0; i < 200 && !started; i++) {
        qc_sleep_ms(50);
        started = qc_count_named(tmp, "qcaps-", NULL) > 0 && access(childpid, R_OK) == 0;
    }
    assert_true(started);
    qc_sleep_ms(200); /* the greeting is in, the first queries are out */
    assert_non_null(text = qc_read_file(childpid));
    child = (pid_t) atol(text);
    free(text);
    assert_true(child > 0 && kill(child, 0) == 0);
    assert_int_equal(kill(pid, sig), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status))
        fail_msg("%s: qcaps ended by signal %d, not by exit", verb, WTERMSIG(status));
    assert_int_equal(WEXITSTATUS(status), 128 + sig);
    assert_int_equal(qc_count_named(tmp, "qcaps-", NULL), 0);
    assert_int_equal(qc_count_named(cache, NULL, ".lock"), 0);
    assert_int_equal(qc_count_named(cache, NULL, ".new"), 0);
    /* the wrapper's child went with QEMU's process group (reaped by init: allow a moment) */
    for (int i = 0; i < 40 && kill(child, 0) == 0; i++)
        qc_sleep_ms(50);
    assert_int_equal(kill(child, 0), -1);
    assert_int_equal(errno, ESRCH);
    qc_rmtree(root);
    free(root);
    free(tmp);
    free(cache);
    free(emu);
    free(childpid);
    free(script);
}

static void
test_probe(void **state)
{
    (void) state;
    qc_signal_case("probe", SIGINT);
    qc_signal_case("probe", SIGTERM);
    qc_signal_case("probe", SIGHUP);
}

static void
test_domcaps(void **state)
{
    (void) state;
    qc_signal_case("domcaps", SIGTERM);
    qc_signal_case("domcaps", SIGINT);
}

static void
test_warm(void **state)
{
    (void) state;
    qc_signal_case("warm", SIGTERM);
    qc_signal_case("warm", SIGHUP);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_domcaps),
        cmocka_unit_test(test_warm),
    };
    return cmocka_run_group_tests_name("signals", tests, NULL, NULL);
}

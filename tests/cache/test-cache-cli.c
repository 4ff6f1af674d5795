/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cache-cli.c: `qcaps warm`, `qcaps cache` and cached `qcaps probe` against fake QEMUs
 * that count their starts: hits start nothing, every key change re-probes, concurrent
 * cold lookups probe once, broken entries warn once, faults never lose a valid entry;
 * kept domcaps answers are exactly as right as a rendering. */
#include <dirent.h>
#include <sys/sysmacros.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "tests/cli/runner.h"

typedef struct qc_ct {
    char *root;
    char *dir;      /* cache directory */
    char *tmp;      /* TMPDIR of qcaps */
    char *count;    /* one line per fake QEMU start */
} qc_ct;

static int
qc_ct_setup(void **state)
{
    qc_ct *t = calloc(1, sizeof(*t));

    unsetenv("QC_CACHE_TEST_ENGINE");
    t->root = qc_make_tmpdir("cache-cli");
    if (asprintf(&t->dir, "%s/cache", t->root) < 0 || asprintf(&t->tmp, "%s/tmp", t->root) < 0 ||
        asprintf(&t->count, "%s/starts", t->root) < 0 || mkdir(t->tmp, 0700) < 0)
        return -1;
    *state = t;
    return 0;
}

static int
qc_ct_teardown(void **state)
{
    qc_ct *t = *state;

    unsetenv("QC_CACHE_TEST_ENGINE");
    qc_rmtree(t->root);
    free(t->root);
    free(t->dir);
    free(t->tmp);
    free(t->count);
    free(t);
    return 0;
}

/* An emulator <root>/<name>/qemu-system-x86_64 replaying the x86_64 fixture (or running
 * fake-qemu in `mode`) and counting its starts. Caller frees. */
static char *
qc_ct_emu(qc_ct *t, const char *name, const char *mode)
{
    char *dir = NULL, *path = NULL, *text = NULL;
    qc_autofree char *fx = qc_fixture_for("x86_64");

    assert_non_null(fx);
    assert_true(asprintf(&dir, "%s/%s", t->root, name) > 0);
    mkdir(dir, 0755);
    assert_true(asprintf(&path, "%s/qemu-system-x86_64", dir) > 0);
    assert_true(asprintf(&text, "#!/bin/sh\necho start >> '%s'\n"
                         "exec '%s' --fake-mode '%s%s' \"$@\"\n", t->count,
                         qc_env_path("QC_FAKE_QEMU"), mode ? mode : "replay:",
                         mode ? "" : fx) > 0);
    assert_int_equal(qc_write_file(path, text, 0755), 0);
    free(text);
    free(dir);
    return path;
}

static int
qc_ct_starts(qc_ct *t)
{
    qc_autofree char *s = qc_read_file(t->count);

    return s ? qc_count_lines(s) : 0;
}

/* Runs qcaps with the given arguments (NULL-terminated), --cache-dir is not added. */
static void
qc_ct_run(qc_ct *t, qc_run *r, ...)
{
    const char *argv[32];
    size_t n = 0;
    va_list ap;

    argv[n++] = qc_env_path("QC_QCAPS");
    va_start(ap, r);
    while (n < 31 && (argv[n] = va_arg(ap, const char *)))
        n++;
    va_end(ap);
    argv[n] = NULL;
    qc_run_cmd(r, t->tmp, 120, argv);
}

static int
qc_warnings(const char *err)
{
    int n = 0;

    for (const char *p = err; (p = strstr(p, "warning:")); p++)
        n++;
    return n;
}

static char *
qc_ct_entry(qc_ct *t)
{
    char *path = NULL;
    const char *name;

    /* exactly one entry expected: find it in the directory */
    {
        qc_autofree char *cmd = NULL;
        FILE *p;
        char line[512] = "";
        assert_true(asprintf(&cmd, "ls '%s' | grep '\\.qcache$'", t->dir) > 0);
        p = popen(cmd, "r");
        assert_non_null(p);
        assert_non_null(fgets(line, sizeof(line), p));
        pclose(p);
        line[strcspn(line, "\n")] = '\0';
        name = line;
        assert_true(asprintf(&path, "%s/%s", t->dir, name) > 0);
    }
    return path;
}

static void
t_hit_after_warm(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *emu = qc_ct_emu(t, "a", NULL);
    qc_autofree char *cached = NULL;
    qc_run r;
    int n1, per;

    qc_ct_run(t, &r, "warm", "--cache-dir", t->dir, emu, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "1 probed, 0 fresh, 0 failed"));
    qc_run_clear(&r);
    n1 = per = qc_ct_starts(t);
    assert_true(per >= 1);

    /* hit: no QEMU started, and the same model as a live probe */
    qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--emulator", emu, "--format", "json",
              NULL);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.err, "");
    assert_int_equal(qc_ct_starts(t), n1);
    cached = strdup(r.out);
    qc_run_clear(&r);
    qc_ct_run(t, &r, "probe", "--no-cache", "--emulator", emu, "--format", "json", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, cached);
    assert_int_equal(qc_ct_starts(t), n1 + per);
    qc_run_clear(&r);
    n1 += per;

    /* a second warm probes nothing */
    qc_ct_run(t, &r, "warm", "--cache-dir", t->dir, emu, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "0 probed, 1 fresh, 0 failed"));
    assert_int_equal(qc_ct_starts(t), n1);
    qc_run_clear(&r);

    /* touch: a miss, then a hit again */
    assert_int_equal(utimensat(AT_FDCWD, emu, NULL, 0), 0);
    qc_ct_run(t, &r, "warm", "--check", "--cache-dir", t->dir, emu, NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.out, "binary mtime"));
    qc_run_clear(&r);
    qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--emulator", emu, "--format", "json",
              NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(qc_ct_starts(t), n1 + per);
    qc_run_clear(&r);
    qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--emulator", emu, NULL);
    assert_int_equal(qc_ct_starts(t), n1 + per);
    qc_run_clear(&r);

    /* --refresh probes although the entry is valid */
    qc_ct_run(t, &r, "probe", "--refresh", "--cache-dir", t->dir, "--emulator", emu, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(qc_ct_starts(t), n1 + 2 * per);
    qc_run_clear(&r);
}

static void
t_engine_bump(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *emu = qc_ct_emu(t, "a", NULL);
    qc_run r;
    int n;

    qc_ct_run(t, &r, "warm", "--cache-dir", t->dir, emu, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    n = qc_ct_starts(t);
    setenv("QC_CACHE_TEST_ENGINE", "qcaps 99.0-test", 1);
    qc_ct_run(t, &r, "warm", "--check", "--cache-dir", t->dir, emu, NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.out, "engine"));
    qc_run_clear(&r);
    qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--emulator", emu, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(qc_ct_starts(t), 2 * n);
    qc_run_clear(&r);
    qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--emulator", emu, NULL);
    assert_int_equal(qc_ct_starts(t), 2 * n);
    qc_run_clear(&r);
    unsetenv("QC_CACHE_TEST_ENGINE");
}

static void
t_concurrent_cold(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *emu = qc_ct_emu(t, "a", NULL);
    pid_t pids[8];
    int after, st;
    qc_run r;

    for (int i = 0; i < 8; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            int ok;
            qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--emulator", emu, NULL);
            ok = r.exit_code == 0 && qc_warnings(r.err) == 0;
            qc_run_clear(&r);
            _exit(ok ? 0 : 1);
        }
    }
    for (int i = 0; i < 8; i++) {
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    after = qc_ct_starts(t);
    qc_ct_run(t, &r, "probe", "--refresh", "--cache-dir", t->dir, "--emulator", emu, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    /* the 8 cold lookups together started as many QEMUs as one probe does */
    assert_int_equal(after, qc_ct_starts(t) - after);
}

/* Ends a forked child of t_warm_and_clear without leaking the parent's heap. */
static void __attribute__((noreturn))
qc_child_exit(char **emus, int code)
{
    for (int i = 0; i < 3; i++)
        free(emus[i]);
    _exit(code);
}

static void
t_warm_and_clear(void **state)
{
    qc_ct *t = *state;
    char *emus[3] = {qc_ct_emu(t, "a", NULL), qc_ct_emu(t, "b", NULL), qc_ct_emu(t, "c", NULL)};
    pid_t w, c;
    int st;
    qc_run r;

    w = fork();
    if (w == 0) {
        for (int i = 0; i < 3; i++) {
            qc_ct_run(t, &r, "warm", "--refresh", "--jobs", "2", "--cache-dir", t->dir, emus[0],
                      emus[1], emus[2], NULL);
            if (r.exit_code != 0) {
                fprintf(stderr, "warm: %s%s", r.out, r.err);
                qc_child_exit(emus, 1);
            }
            qc_run_clear(&r);
        }
        qc_child_exit(emus, 0);
    }
    c = fork();
    if (c == 0) {
        for (int i = 0; i < 6; i++) {
            usleep(30000);
            qc_ct_run(t, &r, "cache", "clear", "--cache-dir", t->dir, NULL);
            if (r.exit_code != 0) {
                fprintf(stderr, "clear: %s%s", r.out, r.err);
                qc_child_exit(emus, 1);
            }
            qc_run_clear(&r);
        }
        qc_child_exit(emus, 0);
    }
    assert_int_equal(waitpid(w, &st, 0), w);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(waitpid(c, &st, 0), c);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* whatever is left is valid, nothing half-written */
    qc_ct_run(t, &r, "cache", "check", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    qc_ct_run(t, &r, "warm", "--cache-dir", t->dir, emus[0], emus[1], emus[2], NULL);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.err, "");
    qc_run_clear(&r);
    qc_ct_run(t, &r, "warm", "--check", "--cache-dir", t->dir, emus[0], emus[1], emus[2], NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    for (int i = 0; i < 3; i++)
        free(emus[i]);
}

/* Damages the one entry with `how`, then: one warning, re-probed, and valid again. */
static void
qc_ct_damage(qc_ct *t, const char *emu, const char *how)
{
    qc_autofree char *path = NULL;
    qc_autofree char *text = NULL;
    qc_autofree char *target = NULL;
    qc_run r;
    int n, per;
    size_t len;

    qc_ct_run(t, &r, "warm", "--cache-dir", t->dir, emu, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    path = qc_ct_entry(t);
    text = qc_read_file(path);
    assert_non_null(text);
    len = strlen(text);
    assert_true(asprintf(&target, "%s/precious", t->root) > 0);
    assert_int_equal(qc_write_file(target, "precious\n", 0600), 0);
    if (strcmp(how, "truncated") == 0) {
        assert_int_equal(truncate(path, (off_t) len / 3), 0);
    } else if (strcmp(how, "empty") == 0) {
        assert_int_equal(truncate(path, 0), 0);
    } else if (strcmp(how, "corrupt") == 0) {
        text[len / 2] ^= 0x20;
        assert_int_equal(qc_write_file(path, text, 0644), 0);
    } else {
        assert_int_equal(unlink(path), 0);
        assert_int_equal(symlink(target, path), 0);
    }
    qc_run_clear(&r);
    n = qc_ct_starts(t);
    per = n; /* warmed once from an empty counter */
    qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--emulator", emu, NULL);
    assert_int_equal(r.exit_code, 0);
    if (qc_warnings(r.err) != 1)
        fail_msg("%s: expected one warning, got: %s", how, r.err);
    assert_int_equal(qc_ct_starts(t), n + per);
    qc_run_clear(&r);
    qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--emulator", emu, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.err, "");
    assert_int_equal(qc_ct_starts(t), n + per);
    qc_run_clear(&r);
    free(text);
    text = qc_read_file(target);
    assert_string_equal(text, "precious\n");
}

static void
t_broken_entries(void **state)
{
    static const char *const hows[] = {"truncated", "empty", "corrupt", "symlink"};
    qc_ct *t = *state;

    for (size_t i = 0; i < 4; i++) {
        qc_autofree char *emu = qc_ct_emu(t, hows[i], NULL);
        qc_run r;
        qc_ct_run(t, &r, "cache", "clear", "--cache-dir", t->dir, NULL);
        qc_run_clear(&r);
        unlink(t->count);
        qc_ct_damage(t, emu, hows[i]);
    }
}

static void
t_readonly_dir(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *a = qc_ct_emu(t, "a", NULL);
    qc_autofree char *b = qc_ct_emu(t, "b", NULL);
    qc_autofree char *script = NULL;
    int n, before;
    qc_run r;

    qc_ct_run(t, &r, "warm", "--cache-dir", t->dir, a, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    n = qc_ct_starts(t);
    before = qc_dir_count(t->dir);
    /* read-only even for root: a private mount namespace with a read-only bind mount */
    assert_true(asprintf(&script, "mount --bind '%s' '%s' && mount -o remount,bind,ro '%s' '%s' "
                         "&& exec \"$@\"", t->dir, t->dir, t->dir, t->dir) > 0);
    for (int i = 0; i < 2; i++) {
        const char *argv[] = {"/usr/bin/unshare", "-m", "/bin/sh", "-c", script, "sh",
                              qc_env_path("QC_QCAPS"), "probe", "--cache-dir", t->dir,
                              "--emulator", i == 0 ? a : b, NULL};
        qc_run_cmd(&r, t->tmp, 60, argv);
        if (r.exit_code != 0 && strstr(r.err, "mount")) {
            fprintf(stderr, "# no mount namespace here (%s): read-only case not run\n", r.err);
            qc_run_clear(&r);
            return;
        }
        assert_int_equal(r.exit_code, 0);
        if (i == 0) {
            /* a valid entry answers from a read-only directory, silently */
            assert_string_equal(r.err, "");
            assert_int_equal(qc_ct_starts(t), n);
        } else {
            assert_int_equal(qc_warnings(r.err), 1);
            assert_non_null(strstr(r.err, "without the cache"));
            assert_non_null(strstr(r.out, "x86_64"));
            assert_int_equal(qc_ct_starts(t), 2 * n);
        }
        qc_run_clear(&r);
    }
    assert_int_equal(qc_dir_count(t->dir), before);
}

static void
t_failure_keeps_others(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *a = qc_ct_emu(t, "a", NULL);
    qc_autofree char *bad = qc_ct_emu(t, "bad", "stderr-exit");
    qc_autofree char *c = qc_ct_emu(t, "c", NULL);
    qc_run r;

    qc_ct_run(t, &r, "warm", "--jobs", "3", "--cache-dir", t->dir, a, bad, c, NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.out, "2 probed, 0 fresh, 1 failed"));
    assert_non_null(strstr(r.err, bad));
    qc_run_clear(&r);
    qc_ct_run(t, &r, "warm", "--check", "--cache-dir", t->dir, a, c, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    qc_ct_run(t, &r, "cache", "list", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, a));
    assert_non_null(strstr(r.out, c));
    assert_null(strstr(r.out, bad));
    qc_run_clear(&r);
    qc_ct_run(t, &r, "cache", "clear", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "removed 2 entries"));
    qc_run_clear(&r);
    assert_int_equal(qc_dir_count(t->dir), 0);
}

/* Files named *.lock in dir. */
static int
qc_lock_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        n += len > 5 && strcmp(e->d_name + len - 5, ".lock") == 0;
    }
    closedir(d);
    return n;
}

/* No lock file outlives its query, failed or not; an entry that is a directory is said
 * once per query and answered around, not "discarded" and then failed to be replaced. */
static void
t_no_leftover_locks(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *a = qc_ct_emu(t, "a", NULL);
    qc_autofree char *bad = qc_ct_emu(t, "bad", "stderr-exit");
    qc_autofree char *entry = NULL;
    const char *fails[] = {"/nonexistent/qemu-system-x86_64", "/etc/passwd", bad};
    struct dirent *e;
    qc_run r;
    DIR *d;

    for (size_t i = 0; i < 3; i++) {
        qc_ct_run(t, &r, "domcaps", "--cache-dir", t->dir, "--emulator", fails[i], NULL);
        assert_int_equal(r.exit_code, 2);
        qc_run_clear(&r);
    }
    qc_ct_run(t, &r, "domcaps", "--cache-dir", t->dir, "--emulator", a, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    assert_int_equal(qc_lock_files(t->dir), 0);

    /* the entry of `a`, replaced by a directory */
    assert_non_null(d = opendir(t->dir));
    while ((e = readdir(d)) && !entry) {
        size_t len = strlen(e->d_name);
        if (len > 7 && strcmp(e->d_name + len - 7, ".qcache") == 0)
            assert_true(asprintf(&entry, "%s/%s", t->dir, e->d_name) > 0);
    }
    closedir(d);
    assert_non_null(entry);
    assert_int_equal(unlink(entry), 0);
    assert_int_equal(mkdir(entry, 0755), 0);
    for (int i = 0; i < 2; i++) {
        qc_ct_run(t, &r, "domcaps", "--cache-dir", t->dir, "--emulator", a, "--refresh",
                  NULL);
        assert_int_equal(r.exit_code, 0);
        assert_int_equal(qc_warnings(r.err), 1);
        assert_non_null(strstr(r.err, "is a directory, not a cache entry: left alone"));
        qc_run_clear(&r);
        qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--emulator", a, NULL);
        assert_int_equal(r.exit_code, 0);
        assert_int_equal(qc_warnings(r.err), 1);
        assert_non_null(strstr(r.err, "cannot be removed"));
        assert_non_null(strstr(r.err, "answering without the cache"));
        assert_null(strstr(r.err, "discarded"));
        assert_null(strstr(r.err, "cannot rename"));
        qc_run_clear(&r);
    }
    assert_int_equal(qc_lock_files(t->dir), 0);
    assert_int_equal(rmdir(entry), 0);
}

/* A relative path, a bare name in $PATH and the absolute path are one binary: one probe,
 * one entry, and the absolute path in the model and in <path>. */
static void
t_paths_normalised(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *a = qc_ct_emu(t, "a", NULL);
    qc_autofree char *want = NULL;
    qc_autofree char *path_env = NULL;
    qc_autofree char *old_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    char cwd[4096];
    qc_run r;

    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_non_null(want = realpath(a, NULL));
    assert_int_equal(chdir(t->root), 0);
    qc_ct_run(t, &r, "warm", "--cache-dir", t->dir, "a/qemu-system-x86_64",
              "./a/qemu-system-x86_64", a, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "1 probed, 0 fresh, 0 failed"));
    assert_non_null(strstr(r.out, want));
    qc_run_clear(&r);
    assert_int_equal(qc_ct_starts(t), 1 + 1); /* KVM-capable replay: two passes */
    qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--emulator", "./a/../a/qemu-system-x86_64",
              "--format", "json", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, want));
    qc_run_clear(&r);
    assert_true(asprintf(&path_env, "%s/a:%s", t->root, old_path ? old_path : "/usr/bin") > 0);
    setenv("PATH", path_env, 1);
    qc_ct_run(t, &r, "domcaps", "--cache-dir", t->dir, "--emulator", "qemu-system-x86_64",
              "--libvirt", "9.0", NULL);
    if (old_path)
        setenv("PATH", old_path, 1);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "<path>"));
    assert_non_null(strstr(r.out, want));
    qc_run_clear(&r);
    assert_int_equal(qc_ct_starts(t), 2); /* both answered from the one entry */
    qc_ct_run(t, &r, "domcaps", "--cache-dir", t->dir, "--emulator", "qemu-system-nosuch", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "emulator 'qemu-system-nosuch' not found in $PATH"));
    qc_run_clear(&r);
    assert_int_equal(chdir(cwd), 0);
}

/* A user reads the system cache that root's warm-up filled (read only: nothing is
 * written there, and nothing is probed), and `cache list` says it does. */
static void
t_system_cache_for_users(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *a = qc_ct_emu(t, "a", NULL);
    qc_autofree char *sys = NULL;
    qc_autofree char *home = NULL;
    qc_autofree char *user_dir = NULL;
    qc_autofree char *saved_dir = getenv("QCAPS_CACHE_DIR") ? strdup(getenv("QCAPS_CACHE_DIR"))
                                                            : NULL;
    qc_autofree char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    /* KVM usable is one of the cache's keys: the user gets /dev/kvm as a member of the
     * kvm group would, through a node of its own bound over it in a mount namespace */
    qc_autofree char *node = NULL;
    qc_autofree char *script = NULL;
    const char *user[] = {"/usr/bin/unshare", "-m", "/bin/sh", "-c", NULL, "sh",
                          qc_env_path("QC_QCAPS"), "domcaps", "--emulator", a, NULL};
    const char *list[] = {"/usr/bin/unshare", "-m", "/bin/sh", "-c", NULL, "sh",
                          qc_env_path("QC_QCAPS"), "cache", "list", NULL};
    int entries;
    qc_run r;

    if (geteuid() != 0 || access("/usr/bin/setpriv", X_OK) != 0) {
        fprintf(stderr, "# not root or no setpriv: the second user's case is not run\n");
        return;
    }
    assert_true(asprintf(&node, "%s/kvm", t->root) > 0);
    if (mknod(node, S_IFCHR | 0666, makedev(10, 232)) < 0 || chmod(node, 0666) < 0) {
        fprintf(stderr, "# cannot make a device node here: the second user's case is not run\n");
        return;
    }
    assert_true(asprintf(&script, "mount --bind '%s' /dev/kvm && exec /usr/bin/setpriv "
                         "--reuid=65534 --regid=65534 --clear-groups \"$@\"", node) > 0);
    user[4] = script;
    list[4] = script;
    assert_true(asprintf(&sys, "%s/system", t->root) > 0);
    assert_true(asprintf(&home, "%s/home", t->root) > 0);
    assert_true(asprintf(&user_dir, "%s/.cache/qcaps", home) > 0);
    qc_ct_run(t, &r, "warm", "--cache-dir", sys, a, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    entries = qc_dir_count(sys);
    assert_int_equal(qc_ct_starts(t), 2);
    /* what the other user needs to reach: the emulator, its counter, a TMPDIR, a HOME */
    assert_int_equal(chmod(t->root, 0755), 0);
    assert_int_equal(mkdir(home, 0755), 0);
    assert_int_equal(chown(home, 65534, 65534), 0);
    assert_int_equal(chmod(t->tmp, 01777), 0);
    assert_int_equal(chmod(t->count, 0666), 0);
    unsetenv("QCAPS_CACHE_DIR");
    setenv("QCAPS_SYSTEM_CACHE_DIR", sys, 1);
    setenv("HOME", home, 1);
    qc_run_cmd(&r, t->tmp, 120, user);
    if (r.exit_code != 0 && strstr(r.err, "mount")) {
        fprintf(stderr, "# no mount namespace here (%s): the second user's case is not run\n",
                r.err);
        qc_run_clear(&r);
        unsetenv("QCAPS_SYSTEM_CACHE_DIR");
        if (saved_dir)
            setenv("QCAPS_CACHE_DIR", saved_dir, 1);
        if (saved_home)
            setenv("HOME", saved_home, 1);
        return;
    }
    if (r.exit_code != 0)
        fprintf(stderr, "# %s", r.err);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "<domainCapabilities>"));
    qc_run_clear(&r);
    qc_run_cmd(&r, t->tmp, 60, list);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "read-only system cache"));
    assert_non_null(strstr(r.out, a));
    qc_run_clear(&r);
    unsetenv("QCAPS_SYSTEM_CACHE_DIR");
    if (saved_dir)
        setenv("QCAPS_CACHE_DIR", saved_dir, 1);
    if (saved_home)
        setenv("HOME", saved_home, 1);
    assert_int_equal(qc_ct_starts(t), 2);         /* no probe */
    assert_int_equal(qc_dir_count(sys), entries); /* nothing written to the system's */
    assert_true(access(user_dir, F_OK) != 0 || qc_dir_count(user_dir) == 0);
}

static void
t_usage(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *a = qc_ct_emu(t, "a", NULL);
    qc_autofree char *fx = qc_fixture_for("x86_64");
    qc_run r;

    qc_ct_run(t, &r, "record", "--emulator", a, "--output", "/dev/null", "--no-cache", NULL);
    assert_int_equal(r.exit_code, 1);
    qc_run_clear(&r);
    qc_ct_run(t, &r, "probe", "--no-cache", "--refresh", "--emulator", a, NULL);
    assert_int_equal(r.exit_code, 1);
    qc_run_clear(&r);
    qc_ct_run(t, &r, "warm", "--jobs", "0", a, NULL);
    assert_int_equal(r.exit_code, 1);
    qc_run_clear(&r);
    qc_ct_run(t, &r, "cache", "frobnicate", NULL);
    assert_int_equal(r.exit_code, 1);
    qc_run_clear(&r);
    /* fixture replays never touch the cache */
    qc_ct_run(t, &r, "probe", "--cache-dir", t->dir, "--fixture", fx, NULL);
    assert_int_equal(r.exit_code, 1);
    qc_run_clear(&r);
    setenv("QCAPS_CACHE_DIR", t->dir, 1);
    qc_ct_run(t, &r, "probe", "--fixture", fx, NULL);
    unsetenv("QCAPS_CACHE_DIR");
    assert_int_not_equal(r.exit_code, 1);
    qc_run_clear(&r);
    assert_int_equal(access(t->dir, F_OK), -1);
    assert_int_equal(qc_ct_starts(t), 0);
}

/* Number of kept answers (*.answer files) in the cache directory. */
static int
qc_ct_answers(qc_ct *t)
{
    qc_autofree char *cmd = qc_xasprintf("ls '%s' 2>/dev/null | grep -c '\\.answer$'", t->dir);
    FILE *p = popen(cmd, "r");
    int n = -1;

    assert_non_null(p);
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

/* A firmware descriptor for x86_64 q35/pc machines whose code image is `image`. */
static void
qc_ct_descriptor(const char *path, const char *image)
{
    qc_autofree char *text = qc_xasprintf(
        "{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"flash\", "
        "\"executable\": {\"filename\": \"%s\", \"format\": \"raw\"}}, "
        "\"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}], "
        "\"features\": [\"requires-smm\"]}\n", image);

    assert_int_equal(qc_write_file(path, text, 0644), 0);
}

/* domcaps of emu through the cache (--no-cache when dir is NULL), with firmware dir fw;
 * through the cache, no QEMU may start unless `probe`. */
static void
qc_ct_domcaps_p(qc_ct *t, qc_run *r, const char *emu, const char *fw, const char *format,
                bool probe)
{
    int starts = qc_ct_starts(t);

    if (t->dir)
        qc_ct_run(t, r, "domcaps", "--cache-dir", t->dir, "--emulator", emu, "--machine",
                  "q35", "--firmware-dir", fw, "--format", format, NULL);
    else
        qc_ct_run(t, r, "domcaps", "--no-cache", "--emulator", emu, "--machine", "q35",
                  "--firmware-dir", fw, "--format", format, NULL);
    assert_int_equal(r->exit_code, 0);
    if (t->dir && !probe)
        assert_int_equal(qc_ct_starts(t), starts);
}

static void
qc_ct_domcaps(qc_ct *t, qc_run *r, const char *emu, const char *fw, const char *format)
{
    qc_ct_domcaps_p(t, r, emu, fw, format, false);
}

/* The document of a fresh rendering (no cache) for comparison. */
static char *
qc_ct_domcaps_live(qc_ct *t, const char *emu, const char *fw, const char *format)
{
    char *dir = t->dir;
    char *out;
    qc_run r;

    t->dir = NULL;
    qc_ct_domcaps(t, &r, emu, fw, format);
    t->dir = dir;
    out = strdup(r.out);
    qc_run_clear(&r);
    return out;
}

/* Kept domcaps answers: the second query is read back, equal to a fresh rendering, with
 * the same warnings; adding a descriptor, a loader image, touching the binary, a torn or
 * symlinked answer file all give the fresh document; clear removes answers. */
static void
t_domcaps_answers(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *emu = qc_ct_emu(t, "a", NULL);
    qc_autofree char *fw = qc_xasprintf("%s/fw", t->root);
    qc_autofree char *image = qc_xasprintf("%s/fw/CODE.fd", t->root);
    qc_autofree char *desc = qc_xasprintf("%s/fw/50-test.json", t->root);
    qc_autofree char *bad = qc_xasprintf("%s/fw/60-bad.json", t->root);
    qc_autofree char *first = NULL;
    qc_autofree char *live = NULL;
    qc_autofree char *warn = NULL;
    qc_autofree char *answer = NULL;
    qc_run r;
    int starts;

    assert_int_equal(mkdir(fw, 0755), 0);
    qc_ct_domcaps_p(t, &r, emu, fw, "xml", true);
    first = strdup(r.out);
    qc_run_clear(&r);
    assert_int_equal(qc_ct_answers(t), 1);
    /* answered: no QEMU, the same document as a rendering */
    qc_ct_domcaps(t, &r, emu, fw, "xml");
    assert_string_equal(r.out, first);
    assert_string_equal(r.err, "");
    qc_run_clear(&r);
    live = qc_ct_domcaps_live(t, emu, fw, "xml");
    assert_string_equal(live, first);
    free(live);
    /* another format is another answer */
    qc_ct_domcaps(t, &r, emu, fw, "json");
    assert_int_equal(qc_ct_answers(t), 2);
    assert_true(r.out[0] == '{');
    qc_run_clear(&r);

    /* a new descriptor whose image is missing, then the image: each changes the answer */
    qc_ct_descriptor(desc, image);
    qc_ct_domcaps(t, &r, emu, fw, "xml");
    live = qc_ct_domcaps_live(t, emu, fw, "xml");
    assert_string_equal(r.out, live);
    assert_null(strstr(r.out, image));
    assert_string_not_equal(r.out, first);
    qc_run_clear(&r);
    free(live);
    assert_int_equal(qc_write_file(image, "", 0644), 0);
    qc_ct_domcaps(t, &r, emu, fw, "xml");
    assert_non_null(strstr(r.out, image));
    live = qc_ct_domcaps_live(t, emu, fw, "xml");
    assert_string_equal(r.out, live);
    qc_run_clear(&r);

    /* a descriptor that does not parse: the same warning, rendered or read back */
    assert_int_equal(qc_write_file(bad, "{", 0644), 0);
    qc_ct_domcaps(t, &r, emu, fw, "xml");
    assert_non_null(strstr(r.err, "60-bad.json"));
    warn = strdup(r.err);
    assert_string_equal(r.out, live);
    qc_run_clear(&r);
    qc_ct_domcaps(t, &r, emu, fw, "xml");
    assert_string_equal(r.err, warn);
    assert_string_equal(r.out, live);
    qc_run_clear(&r);
    assert_int_equal(unlink(bad), 0);

    /* a torn answer, then a symlink in its place: rendered again, the target untouched */
    qc_ct_domcaps(t, &r, emu, fw, "xml");
    qc_run_clear(&r);
    {
        qc_autofree char *cmd = qc_xasprintf("ls -t '%s'/*.answer | head -1", t->dir);
        FILE *p = popen(cmd, "r");
        char line[1024] = "";
        assert_non_null(p);
        assert_non_null(fgets(line, sizeof(line), p));
        pclose(p);
        line[strcspn(line, "\n")] = '\0';
        answer = strdup(line);
    }
    assert_int_equal(truncate(answer, 200), 0);
    qc_ct_domcaps(t, &r, emu, fw, "xml");
    assert_string_equal(r.out, live);
    qc_run_clear(&r);
    {
        qc_autofree char *target = qc_xasprintf("%s/target", t->root);
        qc_autofree char *text = NULL;
        assert_int_equal(qc_write_file(target, "keep me\n", 0644), 0);
        assert_int_equal(unlink(answer), 0);
        assert_int_equal(symlink(target, answer), 0);
        qc_ct_domcaps(t, &r, emu, fw, "xml");
        assert_string_equal(r.out, live);
        qc_run_clear(&r);
        text = qc_read_file(target);
        assert_string_equal(text, "keep me\n");
    }

    /* a changed binary: re-probed, the old answers removed with the old entry */
    assert_int_equal(qc_ct_answers(t), 2);
    assert_int_equal(utimensat(AT_FDCWD, emu, NULL, 0), 0);
    starts = qc_ct_starts(t);
    qc_ct_domcaps_p(t, &r, emu, fw, "xml", true);
    assert_string_equal(r.out, live);
    qc_run_clear(&r);
    assert_true(qc_ct_starts(t) > starts);
    assert_int_equal(qc_ct_answers(t), 1);

    /* clear takes the answers too */
    qc_ct_run(t, &r, "cache", "clear", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    assert_int_equal(qc_ct_answers(t), 0);
}

/* Kept capabilities answers: read back while the host facts, the emulators in $PATH and
 * their entries are unchanged; a touched binary or a new emulator renders again. */
static void
t_capabilities_answers(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *emu = qc_ct_emu(t, "a", NULL);
    qc_autofree char *bindir = qc_xasprintf("%s/a", t->root);
    qc_autofree char *aarch64 = qc_xasprintf("%s/a/qemu-system-aarch64", t->root);
    qc_autofree char *fx = qc_fixture_for("aarch64");
    qc_autofree char *script = NULL;
    qc_autofree char *first = NULL;
    qc_autofree char *oldpath = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    qc_run r;
    int starts;

    setenv("PATH", bindir, 1); /* the only emulators are ours */
    qc_ct_run(t, &r, "capabilities", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, emu));
    first = strdup(r.out);
    qc_run_clear(&r);
    starts = qc_ct_starts(t);
    assert_true(starts > 0);
    setenv("PATH", oldpath, 1);
    assert_int_equal(qc_ct_answers(t), 1); /* the cache's own: qcaps.qcache.<slot>.answer */
    setenv("PATH", bindir, 1);
    /* read back: no QEMU, the same document, equal to one rendered without the cache */
    qc_ct_run(t, &r, "capabilities", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, first);
    assert_string_equal(r.err, "");
    qc_run_clear(&r);
    assert_int_equal(qc_ct_starts(t), starts);
    qc_ct_run(t, &r, "capabilities", "--no-cache", NULL);
    assert_string_equal(r.out, first);
    qc_run_clear(&r);
    starts = qc_ct_starts(t);

    /* a touched binary: its entry is probed again, the document rendered again */
    assert_int_equal(utimensat(AT_FDCWD, emu, NULL, 0), 0);
    qc_ct_run(t, &r, "capabilities", "--cache-dir", t->dir, NULL);
    assert_string_equal(r.out, first);
    qc_run_clear(&r);
    assert_true(qc_ct_starts(t) > starts);

    /* a new emulator in $PATH shows up */
    assert_non_null(fx);
    script = qc_xasprintf("#!/bin/sh\nexec '%s' --fake-mode 'replay:%s' \"$@\"\n",
                          qc_env_path("QC_FAKE_QEMU"), fx);
    assert_int_equal(qc_write_file(aarch64, script, 0755), 0);
    qc_ct_run(t, &r, "capabilities", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, aarch64));
    qc_run_clear(&r);
    qc_ct_run(t, &r, "capabilities", "--cache-dir", t->dir, "--format", "json", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, aarch64));
    qc_run_clear(&r);
    setenv("PATH", oldpath, 1);

    qc_ct_run(t, &r, "cache", "clear", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    assert_int_equal(qc_ct_answers(t), 0);
}

/* capabilities through the cache equals a rendering from the same entries without any
 * kept answer (a copy of the cache without its answers, made first), names emu and
 * `present`, not `absent` (each optional). */
static void
qc_ct_caps_fresh(qc_ct *t, const char *emu, const char *present, const char *absent)
{
    qc_autofree char *ref = qc_xasprintf("%s/ref", t->root);
    qc_autofree char *cmd = qc_xasprintf("PATH=/usr/bin:/bin; rm -rf '%s' && mkdir -p '%s' '%s' "
                                         "&& cp -p '%s'/* '%s' 2>/dev/null; rm -f '%s'/*.answer",
                                         ref, ref, t->dir, t->dir, ref, ref);
    qc_autofree char *live = NULL;
    qc_run r;

    assert_int_equal(system(cmd), 0);
    qc_ct_run(t, &r, "capabilities", "--cache-dir", ref, NULL);
    assert_int_equal(r.exit_code, 0);
    live = strdup(r.out);
    qc_run_clear(&r);
    qc_ct_run(t, &r, "capabilities", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, live);
    assert_non_null(strstr(r.out, emu));
    if (present)
        assert_non_null(strstr(r.out, present));
    if (absent)
        assert_null(strstr(r.out, absent));
    qc_run_clear(&r);
}

/* Every input of a kept capabilities answer is checked on each query: a qemu-system-* of
 * $PATH that becomes executable (its directory unchanged), one removed, one added to
 * another directory of $PATH, a touched binary and a replaced entry each give the fresh
 * document (equal to one rendered without the cache), and an unchanged host is answered
 * again without starting anything. */
static void
t_capabilities_answer_inputs(void **state)
{
    qc_ct *t = *state;
    qc_autofree char *emu = qc_ct_emu(t, "a", NULL);
    qc_autofree char *bindir = qc_xasprintf("%s/a", t->root);
    qc_autofree char *bdir = qc_xasprintf("%s/b", t->root);
    qc_autofree char *path2 = qc_xasprintf("%s:%s/b", bindir, t->root);
    qc_autofree char *aarch64 = qc_xasprintf("%s/a/qemu-system-aarch64", t->root);
    qc_autofree char *riscv = qc_xasprintf("%s/b/qemu-system-riscv64", t->root);
    qc_autofree char *fx = qc_fixture_for("aarch64");
    qc_autofree char *script = NULL;
    qc_autofree char *oldpath = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    qc_run r;
    int starts;

    assert_non_null(fx);
    script = qc_xasprintf("#!/bin/sh\nexec '%s' --fake-mode 'replay:%s' \"$@\"\n",
                          qc_env_path("QC_FAKE_QEMU"), fx);
    /* not executable: not an emulator, but an input of the answer */
    assert_int_equal(qc_write_file(aarch64, script, 0644), 0);
    assert_int_equal(mkdir(bdir, 0755), 0);
    setenv("PATH", path2, 1);
    qc_ct_caps_fresh(t, emu, NULL, aarch64);
    /* answered again: nothing starts, no warning */
    starts = qc_ct_starts(t);
    qc_ct_run(t, &r, "capabilities", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.err, "");
    assert_null(strstr(r.out, aarch64));
    qc_run_clear(&r);
    assert_int_equal(qc_ct_starts(t), starts);

    assert_int_equal(chmod(aarch64, 0755), 0);
    qc_ct_caps_fresh(t, emu, aarch64, NULL);
    assert_int_equal(unlink(aarch64), 0);
    qc_ct_caps_fresh(t, emu, NULL, aarch64);
    assert_int_equal(qc_write_file(riscv, script, 0755), 0);
    qc_ct_caps_fresh(t, emu, riscv, NULL);
    assert_int_equal(unlink(riscv), 0);
    qc_ct_caps_fresh(t, emu, NULL, riscv);

    /* a touched binary, then an entry replaced behind the answer's back */
    assert_int_equal(utimensat(AT_FDCWD, emu, NULL, 0), 0);
    starts = qc_ct_starts(t);
    qc_ct_run(t, &r, "capabilities", "--cache-dir", t->dir, NULL);
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);
    assert_true(qc_ct_starts(t) > starts);
    setenv("PATH", oldpath, 1); /* for qc_ct_entry()'s ls */
    {
        qc_autofree char *entry = qc_ct_entry(t);
        qc_autofree char *copy = qc_xasprintf("%s.copy", entry);
        qc_autofree char *cmd = qc_xasprintf("PATH=/usr/bin:/bin; cp -p '%s' '%s' && "
                                             "mv '%s' '%s'", entry, copy, copy, entry);
        qc_autofree char *before = NULL;

        setenv("PATH", path2, 1);
        qc_ct_run(t, &r, "capabilities", "--cache-dir", t->dir, NULL);
        before = strdup(r.out);
        setenv("PATH", oldpath, 1);
        qc_run_clear(&r);
        assert_int_equal(system(cmd), 0);
        setenv("PATH", path2, 1);
        /* rendered again from the new file (nothing to probe), the same document */
        starts = qc_ct_starts(t);
        qc_ct_run(t, &r, "capabilities", "--cache-dir", t->dir, NULL);
        assert_string_equal(r.out, before);
        qc_run_clear(&r);
        assert_int_equal(qc_ct_starts(t), starts);
    }
    setenv("PATH", oldpath, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_hit_after_warm, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_engine_bump, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_concurrent_cold, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_warm_and_clear, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_broken_entries, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_readonly_dir, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_failure_keeps_others, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_no_leftover_locks, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_paths_normalised, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_system_cache_for_users, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_usage, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_domcaps_answers, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_capabilities_answers, qc_ct_setup, qc_ct_teardown),
        cmocka_unit_test_setup_teardown(t_capabilities_answer_inputs, qc_ct_setup,
                                        qc_ct_teardown),
    };

    return cmocka_run_group_tests_name("cache-cli", tests, NULL, NULL);
}

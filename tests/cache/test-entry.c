/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-entry.c: cache entries in a tmpdir: round trip, every key, broken files, symlinks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache/cache.h"
#include "introspect/host.h"
#include "model/model-json.h"
#include "tests/cli/runner.h"

typedef struct qc_t {
    char *root;       /* private tmpdir */
    char *dir;        /* cache directory */
    char *emu;        /* a file standing in for the binary */
    qc_model *model;  /* replayed x86_64 model */
    int warnings;
    char *last_warning;
} qc_t;

static void
qc_t_warn(const char *message, void *opaque)
{
    qc_t *t = opaque;

    t->warnings++;
    free(t->last_warning);
    t->last_warning = strdup(message);
}

static int
qc_t_setup(void **state)
{
    qc_t *t = calloc(1, sizeof(*t));

    unsetenv("QC_CACHE_TEST_ENGINE");
    t->root = qc_make_tmpdir("cache-entry");
    if (asprintf(&t->dir, "%s/cache", t->root) < 0 ||
        asprintf(&t->emu, "%s/qemu-system-x86_64", t->root) < 0 ||
        qc_write_file(t->emu, "#!/bin/sh\nexit 1\n", 0755) != 0)
        return -1;
    /* a small model: the codec itself is tested in tests/probe */
    if (!(t->model = qc_model_new()) || !(t->model->emulator = strdup(t->emu)) ||
        !(t->model->target = strdup("x86_64")) ||
        qc_host_read(&t->model->host, NULL) < 0 ||
        qc_strlist_add(&t->model->flags, "kvm", NULL) < 0 ||
        qc_strlist_add(&t->model->flags, "vnc", NULL) < 0 ||
        qc_strlist_add(&t->model->commands, "query-version", NULL) < 0)
        return -1;
    t->model->version_major = 7;
    t->model->version_minor = 2;
    t->model->version_micro = 22;
    t->model->kvm = true;
    *state = t;
    return 0;
}

static int
qc_t_teardown(void **state)
{
    qc_t *t = *state;

    unsetenv("QC_CACHE_TEST_ENGINE");
    qc_rmtree(t->root);
    free(t->root);
    free(t->dir);
    free(t->emu);
    free(t->last_warning);
    qc_model_free(t->model);
    free(t);
    return 0;
}

static qc_cache *
qc_t_open(qc_t *t)
{
    qc_error *e = NULL;
    qc_cache *c = qc_cache_open(t->dir, true, qc_t_warn, t, &e);

    if (!c)
        fail_msg("qc_cache_open: %s", e->message);
    return c;
}

static void
qc_t_store(qc_t *t, qc_cache *c)
{
    qc_cache_keys *k = qc_cache_keys_read(c, t->emu, NULL);
    int fd = qc_cache_lock(c, t->emu, 1000, NULL);

    assert_non_null(k);
    assert_true(fd >= 0);
    assert_int_equal(qc_cache_store(c, k, t->model, 123, NULL, NULL), 0);
    qc_cache_unlock(c, t->emu, fd);
    qc_cache_keys_free(k);
}

static char *
qc_t_entry_path(qc_t *t)
{
    qc_autofree char *name = qc_cache_entry_name(t->emu, NULL);
    char *path = NULL;

    assert_non_null(name);
    assert_true(asprintf(&path, "%s/%s", t->dir, name) > 0);
    return path;
}

static int
qc_t_lookup(qc_t *t, qc_cache *c, bool locked, char **ret_reason)
{
    qc_model *m = NULL;
    int st = qc_cache_lookup(c, t->emu, locked, &m, ret_reason, NULL);

    assert_true(st >= 0);
    assert_true((st == QC_CACHE_FRESH) == (m != NULL));
    qc_model_free(m);
    return st;
}

static void
t_roundtrip(void **state)
{
    qc_t *t = *state;
    QC_CLEANUP(qc_cache_freep) qc_cache *c = qc_t_open(t);
    qc_autofree char *a = NULL;
    qc_autofree char *b = NULL;
    qc_autofree char *path = qc_t_entry_path(t);
    qc_model *m = NULL;
    struct stat st;

    assert_int_equal(qc_cache_lookup(c, t->emu, false, &m, NULL, NULL), QC_CACHE_MISSING);
    qc_t_store(t, c);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(stat(t->dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    assert_int_equal(qc_cache_lookup(c, t->emu, false, &m, NULL, NULL), QC_CACHE_FRESH);
    /* a hit gives the model as stored (lib/ re-reads firmware descriptors) */
    a = qc_model_to_string(t->model, NULL);
    b = qc_model_to_string(m, NULL);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
    qc_model_free(m);
    assert_int_equal(t->warnings, 0);
}

static void
t_stale_keys(void **state)
{
    qc_t *t = *state;
    QC_CLEANUP(qc_cache_freep) qc_cache *c = qc_t_open(t);
    qc_autofree char *reason = NULL;
    qc_autofree char *reason2 = NULL;
    struct timespec ts[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
    qc_cache *c2;

    qc_t_store(t, c);
    assert_int_equal(qc_t_lookup(t, c, false, NULL), QC_CACHE_FRESH);
    /* an *older* mtime too (dpkg downgrade): every key compares for inequality */
    assert_int_equal(utimensat(AT_FDCWD, t->emu, ts, 0), 0);
    assert_int_equal(qc_t_lookup(t, c, false, &reason), QC_CACHE_STALE);
    assert_non_null(strstr(reason, "binary mtime"));
    assert_non_null(strstr(reason, "binary ctime"));
    qc_t_store(t, c);
    assert_int_equal(qc_t_lookup(t, c, false, NULL), QC_CACHE_FRESH);
    /* another engine version */
    setenv("QC_CACHE_TEST_ENGINE", "qcaps 99.0-test", 1);
    c2 = qc_t_open(t);
    assert_int_equal(qc_t_lookup(t, c2, false, &reason2), QC_CACHE_STALE);
    assert_non_null(strstr(reason2, "engine"));
    qc_cache_free(c2);
    unsetenv("QC_CACHE_TEST_ENGINE");
    assert_int_equal(t->warnings, 0);
}

static void
t_changed_during_probe(void **state)
{
    qc_t *t = *state;
    QC_CLEANUP(qc_cache_freep) qc_cache *c = qc_t_open(t);
    QC_CLEANUP(qc_cache_keys_freep) qc_cache_keys *k = qc_cache_keys_read(c, t->emu, NULL);
    qc_autofree char *path = qc_t_entry_path(t);

    assert_int_equal(qc_write_file(t->emu, "#!/bin/sh\nexit 2\n", 0755), 0);
    assert_int_equal(qc_cache_store(c, k, t->model, 1, NULL, NULL), 0);
    assert_int_equal(access(path, F_OK), -1);
}

/* Writes `text` over the entry, then checks: quiet lookup does not warn, the locked one
 * warns once and removes the file, and a store afterwards is valid again. */
/* Replaces the entry file with `len` bytes of `text`. */
static void
qc_t_write_entry(qc_t *t, const char *text, size_t len)
{
    qc_autofree char *path = qc_t_entry_path(t);
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void
qc_t_broken(qc_t *t, const char *text, size_t len, const char *why)
{
    QC_CLEANUP(qc_cache_freep) qc_cache *c = qc_t_open(t);
    qc_autofree char *path = qc_t_entry_path(t);
    qc_autofree char *reason = NULL;

    qc_t_write_entry(t, text, len);
    t->warnings = 0;
    assert_int_equal(qc_t_lookup(t, c, false, &reason), QC_CACHE_BROKEN);
    if (!strstr(reason, why))
        fail_msg("reason '%s' lacks '%s'", reason, why);
    assert_int_equal(t->warnings, 0);
    assert_int_equal(qc_t_lookup(t, c, true, NULL), QC_CACHE_BROKEN);
    assert_int_equal(t->warnings, 1);
    assert_non_null(strstr(t->last_warning, why));
    assert_int_equal(access(path, F_OK), -1);
    qc_t_store(t, c);
    assert_int_equal(qc_t_lookup(t, c, true, NULL), QC_CACHE_FRESH);
    assert_int_equal(t->warnings, 1);
}

static void
t_broken(void **state)
{
    qc_t *t = *state;
    QC_CLEANUP(qc_cache_freep) qc_cache *c = qc_t_open(t);
    qc_autofree char *path = qc_t_entry_path(t);
    qc_autofree char *good = NULL;
    qc_autofree char *old = NULL;
    size_t len;
    char *p;

    qc_t_store(t, c);
    good = qc_read_file(path);
    assert_non_null(good);
    len = strlen(good);
    qc_t_broken(t, "", 0, "empty");
    qc_t_broken(t, good, len / 2, "truncated");
    qc_t_broken(t, good, len - 2, "truncated");
    qc_t_broken(t, "hello, world\n", 13, "not a qcaps cache entry");
    qc_t_broken(t, "{\"qcaps-cache\":1,\"engine\n", 25, "corrupt");
    old = strdup(good);
    p = strstr(old, "\"qcaps-cache\":3");
    p[strlen("\"qcaps-cache\":")] = '0';
    qc_t_broken(t, old, len, "unknown format 0");
    p[strlen("\"qcaps-cache\":")] = '9';
    qc_t_broken(t, old, len, "unknown format 9");
    free(old);
    /* an older format is stale, replaced without a warning */
    old = strdup(good);
    p = strstr(old, "\"qcaps-cache\":3");
    p[strlen("\"qcaps-cache\":")] = '1';
    {
        qc_autofree char *reason = NULL;
        qc_t_write_entry(t, old, len);
        t->warnings = 0;
        assert_int_equal(qc_t_lookup(t, c, true, &reason), QC_CACHE_STALE);
        assert_non_null(strstr(reason, "cache format 1 (now 3)"));
        assert_int_equal(t->warnings, 0);
    }
    free(old);
    old = strdup(good);
    p = strstr(old, "\"flags\":[\"kvm");
    assert_non_null(p);
    p[strlen("\"flags\":[\"")] = 'K';
    qc_t_broken(t, old, len, "checksum");
}

static void
t_symlink(void **state)
{
    qc_t *t = *state;
    QC_CLEANUP(qc_cache_freep) qc_cache *c = qc_t_open(t);
    qc_autofree char *path = qc_t_entry_path(t);
    qc_autofree char *target = NULL;
    qc_autofree char *lock = NULL;
    qc_autofree char *text = NULL;
    struct stat st;

    assert_true(asprintf(&target, "%s/precious", t->root) > 0);
    assert_int_equal(qc_write_file(target, "precious\n", 0600), 0);
    assert_int_equal(symlink(target, path), 0);
    t->warnings = 0;
    assert_int_equal(qc_t_lookup(t, c, true, NULL), QC_CACHE_BROKEN);
    assert_int_equal(t->warnings, 1);
    assert_non_null(strstr(t->last_warning, "symlink"));
    assert_int_equal(lstat(path, &st), -1);
    /* a symlink planted as the lock file is dropped, not followed */
    assert_true(asprintf(&lock, "%s.lock", path) > 0);
    unlink(lock);
    assert_int_equal(symlink(target, lock), 0);
    assert_int_equal(symlink(target, path), 0);
    qc_t_store(t, c);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    /* the planted link was replaced by our lock file, which went with the lock */
    assert_int_equal(lstat(lock, &st), -1);
    assert_int_equal(errno, ENOENT);
    text = qc_read_file(target);
    assert_string_equal(text, "precious\n");
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
}

static void
t_unsafe_dir(void **state)
{
    qc_t *t = *state;
    qc_autofree char *ww = NULL;
    qc_autofree char *ln = NULL;
    qc_error *e = NULL;

    assert_true(asprintf(&ww, "%s/world", t->root) > 0);
    assert_int_equal(mkdir(ww, 0777), 0);
    assert_int_equal(chmod(ww, 0777), 0);
    assert_null(qc_cache_open(ww, true, NULL, NULL, &e));
    assert_non_null(strstr(e->message, "world-writable"));
    qc_error_free(e);
    e = NULL;
    assert_true(asprintf(&ln, "%s/link", t->root) > 0);
    assert_int_equal(symlink(t->root, ln), 0);
    assert_null(qc_cache_open(ln, true, NULL, NULL, &e));
    assert_non_null(strstr(e->message, "symlink"));
    qc_error_free(e);
}

static void
t_list_clear(void **state)
{
    qc_t *t = *state;
    QC_CLEANUP(qc_cache_freep) qc_cache *c = qc_t_open(t);
    qc_autofree char *notes = NULL;
    qc_cache_info *infos = NULL;
    size_t n = 0;

    qc_t_store(t, c);
    assert_true(asprintf(&notes, "%s/notes.txt", t->dir) > 0);
    assert_int_equal(qc_write_file(notes, "mine\n", 0644), 0);
    assert_int_equal(qc_cache_list(c, &infos, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_string_equal(infos[0].emulator, t->emu);
    assert_string_equal(infos[0].qemu_version, "7.2.22");
    assert_int_equal(infos[0].state, QC_CACHE_FRESH);
    assert_int_equal(infos[0].probe_ms, 123);
    qc_cache_info_clear(&infos[0]);
    free(infos);
    assert_int_equal(qc_cache_clear(c, 1000, NULL), 1);
    assert_int_equal(qc_dir_count(t->dir), 1);
    assert_int_equal(access(notes, F_OK), 0);
}

/* The host facts the cache keys and documents read: the physical address bits of
 * /proc/cpuinfo's "address sizes" line, where the kernel gives one (x86). */
static void
t_host_phys_bits(void **state)
{
    qc_t *t = *state;
    qc_autofree char *cpuinfo = qc_read_file("/proc/cpuinfo");
    const char *line = cpuinfo ? strstr(cpuinfo, "address sizes\t: ") : NULL;
    int bits = 0;

    if (!line) {
        assert_int_equal(t->model->host.cpu_phys_bits, -1);
        return;
    }
    assert_int_equal(sscanf(line, "address sizes\t: %d bits physical", &bits), 1);
    assert_true(bits > 0);
    assert_int_equal(t->model->host.cpu_phys_bits, bits);
}

static void
t_names(void **state)
{
    qc_autofree char *a = qc_cache_entry_name("/usr/bin/qemu-system-x86_64", NULL);
    qc_autofree char *b = qc_cache_entry_name("/usr/local/bin/qemu-system-x86_64", NULL);
    qc_autofree char *c = qc_cache_entry_name("/x/../.hidden one/é", NULL);

    (void) state;
    assert_true(strncmp(a, "qemu-system-x86_64-", 19) == 0);
    assert_string_not_equal(a, b);
    assert_null(strchr(c, '/'));
    assert_true(c[0] != '.');
    assert_null(strchr(c, ' '));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_roundtrip, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_stale_keys, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_changed_during_probe, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_broken, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_symlink, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_unsafe_dir, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_list_clear, qc_t_setup, qc_t_teardown),
        cmocka_unit_test_setup_teardown(t_host_phys_bits, qc_t_setup, qc_t_teardown),
        cmocka_unit_test(t_names),
    };

    return cmocka_run_group_tests_name("cache-entry", tests, NULL, NULL);
}

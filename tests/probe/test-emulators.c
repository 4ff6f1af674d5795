/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-emulators.c: qc_host_find_emulators(), the one rule by which capabilities, domcaps
 * (the default emulator of an arch) and warm find the emulators of a host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "introspect/host.h"

typedef struct qc_et {
    char root[64];
    char *path; /* "<root>/a:<root>/b:<root>/link:rel" */
} qc_et;

static void
qc_et_file(const qc_et *t, const char *rel, mode_t mode)
{
    char p[256];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", t->root, rel);
    assert_non_null(f = fopen(p, "w"));
    fputs("#!/bin/sh\n", f);
    fclose(f);
    assert_int_equal(chmod(p, mode), 0);
}

static int
qc_et_setup(void **state)
{
    qc_et *t = calloc(1, sizeof(*t));
    char p[256];

    snprintf(t->root, sizeof(t->root), "/tmp/qc-test-emus-XXXXXX");
    assert_non_null(mkdtemp(t->root));
    for (const char *d = "a\0b\0"; *d; d += strlen(d) + 1) {
        snprintf(p, sizeof(p), "%s/%s", t->root, d);
        assert_int_equal(mkdir(p, 0755), 0);
    }
    snprintf(p, sizeof(p), "%s/a", t->root);
    {
        char l[256];
        snprintf(l, sizeof(l), "%s/link", t->root);
        assert_int_equal(symlink(p, l), 0); /* the same directory, reached twice */
    }
    qc_et_file(t, "a/qemu-system-x86_64", 0755);
    qc_et_file(t, "a/qemu-system-arm", 0644);  /* not executable: no emulator */
    qc_et_file(t, "a/qemu-img", 0755);         /* not a system emulator */
    qc_et_file(t, "b/qemu-system-x86_64", 0755); /* shadowed by a/ for a query */
    qc_et_file(t, "b/qemu-system-arm", 0755);
    qc_et_file(t, "b/qemu-kvm", 0755);
    assert_true(asprintf(&t->path, "%s/a:%s/b:%s/link:rel", t->root, t->root, t->root) > 0);
    *state = t;
    return 0;
}

static int
qc_et_teardown(void **state)
{
    qc_et *t = *state;
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
    assert_int_equal(system(cmd), 0);
    free(t->path);
    free(t);
    return 0;
}

static void
qc_et_expect(const qc_strlist *l, const qc_et *t, const char *const *want, size_t n)
{
    if (l->n != n) {
        for (size_t i = 0; i < l->n; i++)
            fprintf(stderr, "got %s\n", l->v[i]);
        fail_msg("%zu emulators, want %zu", l->n, n);
    }
    for (size_t i = 0; i < n; i++) {
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", t->root, want[i]);
        assert_string_equal(l->v[i], p);
    }
}

/* A query's list: the first of each name in $PATH order, sorted by name; qemu-kvm from
 * $PATH (then no /usr/libexec fallback); no relative directory; what was read noted. */
static void
test_first(void **state)
{
    qc_et *t = *state;
    static const char *const want[] = {"b/qemu-kvm", "b/qemu-system-arm",
                                       "a/qemu-system-x86_64"};
    qc_strlist l = {0}, paths = {0}, sigs = {0};
    qc_error *err = NULL;
    char p[256];

    assert_int_equal(qc_host_find_emulators(&(qc_emu_search) {.path = t->path,
                                                              .scope = QC_EMU_FIRST,
                                                              .input_paths = &paths,
                                                              .input_sigs = &sigs},
                                            &l, &err),
                     0);
    qc_et_expect(&l, t, want, QC_N_ELEMENTS(want));
    /* the directories, the candidate that is not executable (it may become one) */
    assert_int_equal(paths.n, sigs.n);
    snprintf(p, sizeof(p), "%s/a", t->root);
    assert_true(qc_strlist_contains(&paths, p));
    snprintf(p, sizeof(p), "%s/a/qemu-system-arm", t->root);
    assert_true(qc_strlist_contains(&paths, p));
    assert_false(qc_strlist_contains(&paths, "rel"));
    assert_true(qc_strlist_contains(&paths, "/usr/libexec/qemu-kvm"));
    qc_strlist_clear(&l);
    qc_strlist_clear(&paths);
    qc_strlist_clear(&sigs);
}

/* The default emulator of an arch: the first qemu-system-<target>, never qemu-kvm. */
static void
test_target(void **state)
{
    qc_et *t = *state;
    static const char *const x86[] = {"a/qemu-system-x86_64"};
    static const char *const arm[] = {"b/qemu-system-arm"};
    qc_strlist l = {0};
    qc_error *err = NULL;

    assert_int_equal(qc_host_find_emulators(&(qc_emu_search) {.path = t->path,
                                                              .target = "x86_64"},
                                            &l, &err),
                     0);
    qc_et_expect(&l, t, x86, 1);
    qc_strlist_clear(&l);
    assert_int_equal(qc_host_find_emulators(&(qc_emu_search) {.path = t->path,
                                                              .target = "arm"},
                                            &l, &err),
                     0);
    qc_et_expect(&l, t, arm, 1);
    qc_strlist_clear(&l);
    assert_int_equal(qc_host_find_emulators(&(qc_emu_search) {.path = t->path,
                                                              .target = "s390x"},
                                            &l, &err),
                     0);
    assert_int_equal(l.n, 0);
}

/* warm's list: every binary, each absolute path once (link/ is a/ again), in directory
 * order, then the usual directories (whatever this machine has there). */
static void
test_every(void **state)
{
    qc_et *t = *state;
    static const char *const want[] = {"a/qemu-system-x86_64", "b/qemu-kvm",
                                       "b/qemu-system-arm", "b/qemu-system-x86_64"};
    qc_strlist l = {0};
    qc_error *err = NULL;

    assert_int_equal(qc_host_find_emulators(&(qc_emu_search) {.path = t->path,
                                                              .scope = QC_EMU_EVERY},
                                            &l, &err),
                     0);
    assert_true(l.n >= QC_N_ELEMENTS(want)); /* ours come first */
    for (size_t i = 0; i < QC_N_ELEMENTS(want); i++) {
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", t->root, want[i]);
        assert_string_equal(l.v[i], p);
    }
    qc_strlist_clear(&l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first, qc_et_setup, qc_et_teardown),
        cmocka_unit_test_setup_teardown(test_target, qc_et_setup, qc_et_teardown),
        cmocka_unit_test_setup_teardown(test_every, qc_et_setup, qc_et_teardown),
    };

    return cmocka_run_group_tests_name("emulators", tests, NULL, NULL);
}

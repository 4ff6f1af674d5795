/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-kept.c: the public answer-only queries (qcaps_domcaps_kept(),
 * qcaps_capabilities_kept()) and qcaps_libvirt_check(), against a fake QEMU that counts
 * its starts: nothing kept answers 0 and starts nothing, a rendering keeps what the next
 * call returns byte for byte, and what would not use the cache answers 0. */
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

#include "common/cleanup.h"
#include "qcaps.h"
#include "tests/cli/runner.h"

typedef struct qc_kt {
    char *root, *dir, *bin, *emu, *count, *path;
} qc_kt;

/* A fake QEMU at `path` replaying the fixture of `arch`, counting its starts in t->count. */
static int
qc_kt_fake(const qc_kt *t, const char *path, const char *arch)
{
    qc_autofree char *fx = qc_fixture_for(arch);
    qc_autofree char *text = NULL;

    if (!fx)
        return -1;
    text = qc_xasprintf("#!/bin/sh\necho start >> '%s'\nexec '%s' --fake-mode 'replay:%s' \"$@\"\n",
                        t->count, qc_env_path("QC_FAKE_QEMU"), fx);
    return qc_write_file(path, text, 0755);
}

static int
qc_kt_setup(void **state)
{
    qc_kt *t = calloc(1, sizeof(*t));

    if (!t)
        return -1;
    t->root = qc_make_tmpdir("kept");
    t->dir = qc_xasprintf("%s/cache", t->root);
    t->bin = qc_xasprintf("%s/bin", t->root);
    t->emu = qc_xasprintf("%s/qemu-system-x86_64", t->bin);
    t->count = qc_xasprintf("%s/starts", t->root);
    if (mkdir(t->bin, 0755) < 0 || qc_kt_fake(t, t->emu, "x86_64") < 0)
        return -1;
    t->path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    *state = t;
    return 0;
}

static int
qc_kt_teardown(void **state)
{
    qc_kt *t = *state;

    if (t->path)
        setenv("PATH", t->path, 1);
    qc_rmtree(t->root);
    free(t->root);
    free(t->dir);
    free(t->bin);
    free(t->emu);
    free(t->count);
    free(t->path);
    free(t);
    return 0;
}

static int
qc_kt_starts(const qc_kt *t)
{
    qc_autofree char *s = qc_read_file(t->count);

    return s ? qc_count_lines(s) : 0;
}

static qcaps_context *
qc_kt_context(const qc_kt *t)
{
    qcaps_context *ctx = qcaps_context_new(NULL);
    qcaps_error *err = NULL;

    assert_non_null(ctx);
    assert_int_equal(qcaps_context_set_cache_dir(ctx, t->dir, &err), 0);
    return ctx;
}

static void
t_domcaps_kept(void **state)
{
    qc_kt *t = *state;
    qcaps_context *ctx = qc_kt_context(t);
    qcaps_domcaps_query q = {.emulator = t->emu};
    qcaps_error *err = NULL;
    char *text = (char *) "unset", *doc, *json;
    int starts;

    /* nothing kept: 0, no text, no probe */
    assert_int_equal(qcaps_domcaps_kept(ctx, &q, QCAPS_FORMAT_XML, &text, &err), 0);
    assert_null(text);
    assert_null(err);
    assert_int_equal(qc_kt_starts(t), 0);

    assert_non_null(doc = qcaps_domcaps(ctx, &q, QCAPS_FORMAT_XML, &err));
    assert_true((starts = qc_kt_starts(t)) > 0);
    assert_int_equal(qcaps_domcaps_kept(ctx, &q, QCAPS_FORMAT_XML, &text, &err), 1);
    assert_string_equal(text, doc);
    free(text);
    /* the other format is another answer, kept only once rendered */
    assert_int_equal(qcaps_domcaps_kept(ctx, &q, QCAPS_FORMAT_JSON, &text, &err), 0);
    assert_non_null(json = qcaps_domcaps(ctx, &q, QCAPS_FORMAT_JSON, &err));
    assert_int_equal(qcaps_domcaps_kept(ctx, &q, QCAPS_FORMAT_JSON, &text, &err), 1);
    assert_string_equal(text, json);
    free(text);
    free(json);
    /* another libvirt generation is another document */
    assert_int_equal(qcaps_context_set_libvirt(ctx, "9.0", &err), 0);
    assert_int_equal(qcaps_domcaps_kept(ctx, &q, QCAPS_FORMAT_XML, &text, &err), 0);
    assert_int_equal(qcaps_context_set_libvirt(ctx, NULL, &err), 0);
    /* what does not read the cache answers 0 */
    qcaps_context_set_cache_mode(ctx, QCAPS_CACHE_REFRESH);
    assert_int_equal(qcaps_domcaps_kept(ctx, &q, QCAPS_FORMAT_XML, &text, &err), 0);
    qcaps_context_set_cache_mode(ctx, QCAPS_CACHE_USE);
    q.fixture = "/nonexistent.replies";
    q.emulator = NULL;
    assert_int_equal(qcaps_domcaps_kept(ctx, &q, QCAPS_FORMAT_XML, &text, &err), 0);
    assert_null(err);
    /* a changed binary is no longer the kept answer's */
    q = (qcaps_domcaps_query){.emulator = t->emu};
    assert_int_equal(qcaps_domcaps_kept(ctx, &q, QCAPS_FORMAT_XML, &text, &err), 1);
    free(text);
    assert_int_equal(chmod(t->emu, 0700), 0);
    assert_int_equal(qcaps_domcaps_kept(ctx, &q, QCAPS_FORMAT_XML, &text, &err), 0);
    assert_null(text);
    assert_int_equal(qc_kt_starts(t), starts); /* the kept queries never probe */
    free(doc);

    assert_int_equal(qcaps_domcaps_kept(NULL, &q, QCAPS_FORMAT_XML, &text, &err), -1);
    assert_int_equal(qcaps_error_get_code(err), QCAPS_E_INVALID);
    assert_string_equal(qcaps_error_message(err), "qcaps_domcaps_kept: no context");
    qcaps_error_free(err);
    err = NULL;
    assert_int_equal(qcaps_domcaps_kept(ctx, NULL, QCAPS_FORMAT_XML, &text, &err), -1);
    qcaps_error_free(err);
    qcaps_context_free(ctx);
}

static void
t_capabilities_kept(void **state)
{
    qc_kt *t = *state;
    qcaps_context *ctx = qc_kt_context(t);
    qcaps_error *err = NULL;
    char *text = NULL, *doc;

    setenv("PATH", t->bin, 1);
    assert_int_equal(qcaps_capabilities_kept(ctx, QCAPS_FORMAT_XML, &text, &err), 0);
    assert_null(text);
    assert_int_equal(qc_kt_starts(t), 0);
    assert_non_null(doc = qcaps_capabilities(ctx, QCAPS_FORMAT_XML, &err));
    assert_non_null(strstr(doc, t->emu));
    assert_int_equal(qcaps_capabilities_kept(ctx, QCAPS_FORMAT_XML, &text, &err), 1);
    assert_string_equal(text, doc);
    free(text);
    /* an emulator more in $PATH is a different document */
    assert_int_equal(qc_write_file(t->count, "", 0644), 0);
    {
        qc_autofree char *other = qc_xasprintf("%s/qemu-system-i386", t->bin);
        assert_int_equal(qc_write_file(other, "#!/bin/sh\nexit 1\n", 0755), 0);
    }
    assert_int_equal(qcaps_capabilities_kept(ctx, QCAPS_FORMAT_XML, &text, &err), 0);
    assert_null(text);
    assert_int_equal(qc_kt_starts(t), 0);
    free(doc);

    assert_int_equal(qcaps_capabilities_kept(NULL, QCAPS_FORMAT_XML, &text, &err), -1);
    assert_int_equal(qcaps_error_get_code(err), QCAPS_E_INVALID);
    qcaps_error_free(err);
    qcaps_context_free(ctx);
}

/* Each emulator's module directory is a key of its own, also when several share a
 * directory (whose module directory one pass over them looks up once) and when one is a
 * symlink into another prefix. */
static void
t_capabilities_moddir(void **state)
{
    qc_kt *t = *state;
    qcaps_context *ctx = qc_kt_context(t);
    qcaps_error *err = NULL;
    qc_autofree char *arm = qc_xasprintf("%s/qemu-system-aarch64", t->bin);
    qc_autofree char *other = qc_xasprintf("%s/other", t->root);
    qc_autofree char *other_bin = qc_xasprintf("%s/bin", other);
    qc_autofree char *other_emu = qc_xasprintf("%s/qemu-system-riscv64", other_bin);
    qc_autofree char *link = qc_xasprintf("%s/qemu-system-riscv64", t->bin);
    qc_autofree char *lib = qc_xasprintf("%s/lib", t->root);
    qc_autofree char *mods = qc_xasprintf("%s/lib/qemu", t->root);
    qc_autofree char *other_mods = qc_xasprintf("%s/lib/qemu", other);
    qc_autofree char *other_lib = qc_xasprintf("%s/lib", other);
    qc_autofree char *mod = qc_xasprintf("%s/lib/qemu/accel-tcg-x86_64.so", t->root);
    char *text = NULL, *doc;

    assert_int_equal(qc_kt_fake(t, arm, "aarch64"), 0);
    assert_int_equal(mkdir(other, 0755), 0);
    assert_int_equal(mkdir(other_bin, 0755), 0);
    assert_int_equal(mkdir(other_lib, 0755), 0);
    assert_int_equal(mkdir(other_mods, 0755), 0);
    assert_int_equal(qc_kt_fake(t, other_emu, "riscv64"), 0);
    assert_int_equal(symlink(other_emu, link), 0);
    setenv("PATH", t->bin, 1);
    assert_non_null(doc = qcaps_capabilities(ctx, QCAPS_FORMAT_XML, &err));
    assert_non_null(strstr(doc, arm));
    assert_non_null(strstr(doc, link));
    assert_int_equal(qcaps_capabilities_kept(ctx, QCAPS_FORMAT_XML, &text, &err), 1);
    assert_string_equal(text, doc);
    free(text);
    free(doc);
    /* a module directory appears for the two binaries of bin/, not for the symlink's */
    assert_int_equal(mkdir(lib, 0755), 0);
    assert_int_equal(mkdir(mods, 0755), 0);
    assert_int_equal(qcaps_capabilities_kept(ctx, QCAPS_FORMAT_XML, &text, &err), 0);
    assert_non_null(doc = qcaps_capabilities(ctx, QCAPS_FORMAT_XML, &err));
    assert_int_equal(qcaps_capabilities_kept(ctx, QCAPS_FORMAT_XML, &text, &err), 1);
    free(text);
    free(doc);
    /* a module added there changes its time */
    assert_int_equal(qc_write_file(mod, "", 0644), 0);
    assert_int_equal(qcaps_capabilities_kept(ctx, QCAPS_FORMAT_XML, &text, &err), 0);
    assert_non_null(doc = qcaps_capabilities(ctx, QCAPS_FORMAT_XML, &err));
    assert_int_equal(qcaps_capabilities_kept(ctx, QCAPS_FORMAT_XML, &text, &err), 1);
    free(text);
    free(doc);
    /* and one added to the symlink's prefix changes the symlink's alone */
    assert_int_equal(rmdir(other_mods), 0);
    assert_int_equal(qcaps_capabilities_kept(ctx, QCAPS_FORMAT_XML, &text, &err), 0);
    assert_null(text);
    assert_null(err);
    qcaps_context_free(ctx);
}

static void
t_libvirt_check(void **state)
{
    qcaps_error *err = NULL;

    (void) state;
    assert_int_equal(qcaps_libvirt_check("12.8", &err), 0);
    assert_int_equal(qcaps_libvirt_check("11", &err), 0);
    assert_int_equal(qcaps_libvirt_check("latest", &err), 0);
    assert_int_equal(qcaps_libvirt_check(NULL, &err), 0);
    assert_null(err);
    assert_int_equal(qcaps_libvirt_check("10.0", &err), -1);
    assert_int_equal(qcaps_error_get_code(err), QCAPS_E_INVALID);
    assert_non_null(strstr(qcaps_error_message(err), "10.0"));
    qcaps_error_free(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_domcaps_kept, qc_kt_setup, qc_kt_teardown),
        cmocka_unit_test_setup_teardown(t_capabilities_kept, qc_kt_setup, qc_kt_teardown),
        cmocka_unit_test_setup_teardown(t_capabilities_moddir, qc_kt_setup, qc_kt_teardown),
        cmocka_unit_test(t_libvirt_check),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-diff-cli.c: `qcaps diff` and `qcaps export` end to end: every source diffed with
 * itself (and a fixture with its saved model) is empty with exit 0; host exports round
 * trip; every bad side is one line on stderr and exit 2; options and colour. */
#include <dirent.h>
#include <fcntl.h>
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
#include "tests/cli/runner.h"

#define QC_ARGV(...) ((const char *const[]){qc_env_path("QC_QCAPS"), __VA_ARGS__, NULL})

static char *tmp;

/* Runs argv; checks the exit code, that stdout is empty when `empty`, and that stderr is
 * one line holding err_needle (or nothing, when err_needle is NULL). */
static void
qc_expect(const char *const argv[], int code, bool empty, const char *err_needle)
{
    qc_run r;

    qc_run_cmd(&r, NULL, 120, argv);
    if (r.exit_code != code || (empty && r.out[0]) || (!err_needle && r.err[0]) ||
        (err_needle && (!strstr(r.err, err_needle) || qc_count_lines(r.err) != 1)))
        fail_msg("qcaps %s %s %s: exit %d (want %d), stdout %.200s, stderr: %s", argv[1],
                 argv[2] ? argv[2] : "", argv[2] && argv[3] ? argv[3] : "", r.exit_code, code,
                 r.out, r.err);
    qc_run_clear(&r);
}

/* Every *.replies of fixtures/qmp/<set> (paths, caller frees each and the array). */
static size_t
qc_fixtures(const char *set, char ***ret)
{
    char *dir = qc_xasprintf("%s/qmp/%s", qc_env_path("QC_FIXTURES"), set);
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    size_t n = 0;

    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);

        if (len <= 8 || strcmp(e->d_name + len - 8, ".replies") != 0)
            continue;
        assert_non_null(v = realloc(v, (n + 1) * sizeof(*v)));
        v[n++] = qc_xasprintf("%s/%s", dir, e->d_name);
    }
    if (d)
        closedir(d);
    free(dir);
    *ret = v;
    return n;
}

static char *
qc_tmp_file(const char *name, const char *text, int mode)
{
    char *p = qc_xasprintf("%s/%s", tmp, name);

    assert_int_equal(qc_write_file(p, text, mode), 0);
    return p;
}

/* ---- a source diffed with itself is empty ------------------------------------------------- */

static void
test_self_and_saved_model(void **state)
{
    static const char *const sets[] = {"bookworm", "trixie", "forky"};
    size_t total = 0;

    (void)state;
    for (size_t s = 0; s < QC_N_ELEMENTS(sets); s++) {
        char **fx;
        size_t n = qc_fixtures(sets[s], &fx);

        for (size_t i = 0; i < n; i++) {
            char *base = strrchr(fx[i], '/') + 1;
            char *model = qc_xasprintf("%s/expected/%s/%.*s.json", qc_env_path("QC_FIXTURES"),
                                       sets[s], (int)strlen(base) - 8, base);

            qc_expect(QC_ARGV("diff", fx[i], fx[i]), 0, true, NULL);
            /* the saved model a fixture replays to is the same source */
            qc_expect(QC_ARGV("diff", "--host", fx[i], model), 0, true, NULL);
            free(model);
            free(fx[i]);
        }
        free(fx);
        total += n;
    }
    assert_true(total >= 27);
}

static void
test_self_json_and_stat(void **state)
{
    char *fx = qc_fixture_for("x86_64");
    qc_run r;

    (void)state;
    qc_run_cmd(&r, NULL, 60, QC_ARGV("diff", "--format", "json", fx, fx));
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "\"differences\": 0,"));
    assert_non_null(strstr(r.out, "\"groups\": []"));
    qc_run_clear(&r);
    qc_expect(QC_ARGV("diff", "--stat", fx, fx), 0, true, NULL);
    qc_expect(QC_ARGV("diff", "--document", "domcaps", fx, fx), 0, true, NULL);
    qc_expect(QC_ARGV("diff", "--document", "capabilities", fx, fx), 0, true, NULL);
    free(fx);
}

/* A bare name that is no file here is an emulator in $PATH, as for the other verbs. */
static void
test_bare_emulator_name(void **state)
{
    qc_autofree char *fx = qc_fixture_for("aarch64");
    qc_autofree char *bin = qc_xasprintf("%s/bin", tmp);
    /* named like a foreign target, so only the TCG pass runs, as it did when recorded */
    qc_autofree char *emu = qc_xasprintf("%s/qemu-system-aarch64", bin);
    qc_autofree char *body = NULL;
    qc_autofree char *saved = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    qc_autofree char *path = qc_xasprintf("%s:%s", bin, saved);

    (void)state;
    assert_non_null(fx);
    assert_int_equal(mkdir(bin, 0755), 0);
    body = qc_xasprintf("#!/bin/sh\nexec '%s' --fake-mode 'replay:%s' \"$@\"\n",
                        qc_env_path("QC_FAKE_QEMU"), fx);
    assert_int_equal(qc_write_file(emu, body, 0755), 0);
    setenv("PATH", path, 1);
    qc_expect(QC_ARGV("diff", "qemu-system-aarch64", emu), 0, true, NULL);
    qc_expect(QC_ARGV("diff", "--document", "domcaps", emu, "qemu-system-aarch64"), 0, true,
              NULL);
    qc_expect(QC_ARGV("diff", "qc-no-such-qemu", emu), 2, true,
              "qcaps diff: qc-no-such-qemu: no such file, nor an emulator of that name in $PATH");
    setenv("PATH", saved, 1);
}

/* ---- host exports ---------------------------------------------------------------------------- */

static void
test_exports(void **state)
{
    char *dir = qc_xasprintf("%s/qmp/bookworm", qc_env_path("QC_FIXTURES"));
    char *facts = qc_xasprintf("%s/host/bookworm_x86_64.json", qc_env_path("QC_FIXTURES"));
    char *out = qc_xasprintf("%s/bookworm.export", tmp), *text;
    char *fx = qc_fixture_for("x86_64");
    qc_run r;

    (void)state;
    qc_run_cmd(&r, NULL, 120,
               QC_ARGV("export", "--fixture-dir", dir, "--host-facts", facts, "--output", out));
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "exported 27 emulators"));
    qc_run_clear(&r);
    assert_non_null(text = qc_read_file(out));
    assert_int_equal(strncmp(text, "{\n  \"qcaps-export\": 1,", 22), 0);
    free(text);
    /* the same export twice, and to stdout: the same bytes */
    qc_run_cmd(&r, NULL, 120,
               QC_ARGV("export", "--fixture-dir", dir, "--host-facts", facts, "--output", "-"));
    assert_int_equal(r.exit_code, 0);
    assert_non_null(text = qc_read_file(out));
    assert_string_equal(r.out, text);
    free(text);
    qc_run_clear(&r);
    qc_expect(QC_ARGV("diff", out, out), 0, true, NULL);
    qc_expect(QC_ARGV("diff", "--document", "capabilities", out, out), 0, true, NULL);
    qc_expect(QC_ARGV("diff", "--document", "domcaps", "--arch", "x86_64", out, out), 0, true,
              NULL);
    /* an export against one of its fixtures compares that emulator */
    qc_expect(QC_ARGV("diff", out, fx), 0, true, NULL);
    qc_expect(QC_ARGV("diff", fx, out), 0, true, NULL);
    free(fx);
    free(out);
    free(facts);
    free(dir);
}

/* ---- bad sides ----------------------------------------------------------------------------------
 */

static void
test_bad_sides(void **state)
{
    const char *good = qc_fixture_for("x86_64");
    char *garbage, *json, *other, *empty, *unknown, *cut, *model, *guests, *export99, *cutexp;
    char *text, *half, *aarch = qc_fixture_for("aarch64");

    (void)state;
    garbage = qc_tmp_file("garbage.bin", "\x7f\x01\x02 garbage\n", 0644);
    json = qc_tmp_file("bad.json", "{ \"qcaps-fixture\": ", 0644);
    other = qc_tmp_file("other.json", "{\"a\": 1}\n", 0644);
    empty = qc_tmp_file("empty", "", 0644);
    unknown = qc_tmp_file("notjson", "[1, 2]\n", 0644);
    model = qc_tmp_file("model.json", "{\"format-version\": 2, \"accelerators\": {}}\n", 0644);
    guests = qc_tmp_file("guests.json",
                         "{\"format-version\": 3, \"view\": \"guests\", "
                         "\"accelerators\": {}}\n",
                         0644);
    export99 = qc_tmp_file("99.export", "{\"qcaps-export\": 99}\n", 0644);
    cutexp = qc_tmp_file("cut.export", "{\"qcaps-export\": 1, \"models\": [", 0644);
    assert_non_null(text = qc_read_file(good));
    half = strndup(text, strlen(text) / 2);
    cut = qc_tmp_file("cut.replies", half, 0644);
    free(half);
    free(text);

    qc_expect(QC_ARGV("diff", "/nonexistent/caps.replies", good), 2, true,
              "qcaps diff: /nonexistent/caps.replies: No such file or directory");
    qc_expect(QC_ARGV("diff", good, garbage), 2, true,
              "not an emulator, fixture, model or export: neither JSON nor an executable");
    qc_expect(QC_ARGV("diff", json, good), 2, true, "not an emulator, fixture, model or export");
    qc_expect(QC_ARGV("diff", good, other), 2, true, "none of the members");
    qc_expect(QC_ARGV("diff", good, empty), 2, true, "an empty file");
    qc_expect(QC_ARGV("diff", good, unknown), 2, true, "not an object");
    qc_expect(QC_ARGV("diff", good, tmp), 2, true, "a directory");
    qc_expect(QC_ARGV("diff", good, "/dev/null"), 2, true, "not a regular file");
    qc_expect(QC_ARGV("diff", good, cut), 2, true, "qcaps diff: ");
    qc_expect(QC_ARGV("diff", good, model), 2, true, "model");
    qc_expect(QC_ARGV("diff", good, guests), 2, true, "qcaps diff: ");
    qc_expect(QC_ARGV("diff", good, export99), 2, true, "qcaps-export 99");
    qc_expect(QC_ARGV("diff", good, cutexp), 2, true, "export");
    /* a binary that is no QEMU: the probe fails */
    qc_expect(QC_ARGV("diff", "--no-cache", "--timeout", "10", good, "/bin/true"), 2, true,
              "qcaps diff: ");
    /* documents of two arches, or an arch a side lacks */
    qc_expect(QC_ARGV("diff", "--document", "domcaps", good, aarch), 2, true,
              "compares the documents of one arch");
    qc_expect(QC_ARGV("diff", "--document", "domcaps", "--arch", "aarch64", good, aarch), 2, true,
              "arch 'aarch64'");
    qc_expect(QC_ARGV("diff", "--document", "domcaps", "--machine", "nope", good, good), 2, true,
              "nope");
    free(garbage);
    free(json);
    free(other);
    free(empty);
    free(unknown);
    free(cut);
    free(model);
    free(guests);
    free(export99);
    free(cutexp);
    free(aarch);
    free((char *)good);
}

static void
test_usage(void **state)
{
    char *fx = qc_fixture_for("x86_64");
    qc_run r;

    (void)state;
    qc_run_cmd(&r, NULL, 30, QC_ARGV("diff", "--help"));
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "Usage: qcaps diff"));
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 30, QC_ARGV("export", "--help"));
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "Usage: qcaps export"));
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 30, QC_ARGV("--help"));
    assert_non_null(strstr(r.out, "  diff "));
    assert_non_null(strstr(r.out, "  export "));
    qc_run_clear(&r);
    /* usage errors are trouble (2) for diff, as for diff(1); 1 means "differences" */
    qc_run_cmd(&r, NULL, 30, QC_ARGV("diff"));
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "give two sources"));
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 30, QC_ARGV("diff", fx, fx, fx));
    assert_int_equal(r.exit_code, 2);
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 30, QC_ARGV("diff", "--format", "yaml", fx, fx));
    assert_int_equal(r.exit_code, 2);
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 30, QC_ARGV("diff", "--arch", "x86_64", fx, fx));
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "need --document domcaps"));
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 30, QC_ARGV("diff", "--color=sometimes", fx, fx));
    assert_int_equal(r.exit_code, 2);
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 30, QC_ARGV("diff", "--document", "domcaps", "--libvirt", "8", fx, fx));
    assert_int_equal(r.exit_code, 2);
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 30, QC_ARGV("diff", "--document", "nope", fx, fx));
    assert_int_equal(r.exit_code, 2);
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 30, QC_ARGV("export"));
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "give --output FILE"));
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 30, QC_ARGV("export", "--fixture-dir", "/nonexistent", "--output", "-"));
    assert_int_equal(r.exit_code, 2);
    qc_run_clear(&r);
    free(fx);
}

static void
test_colour_and_stat(void **state)
{
    char *dir = qc_xasprintf("%s/qmp", qc_env_path("QC_FIXTURES"));
    char *a = qc_xasprintf("%s/bookworm/caps_7.2.22_avr.replies", dir);
    char *b = NULL, **fx;
    size_t n = qc_fixtures("forky", &fx);
    qc_run r;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        if (!b && strstr(fx[i], "_avr.replies"))
            b = qc_xasprintf("%s", fx[i]);
        free(fx[i]);
    }
    free(fx);
    assert_non_null(b);
    qc_run_cmd(&r, NULL, 60, QC_ARGV("diff", "--color=always", a, b));
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.out, "\033[32m+ "));
    assert_non_null(strstr(r.out, "\033[31m- "));
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 60, QC_ARGV("diff", a, b)); /* not a terminal: no colour */
    assert_int_equal(r.exit_code, 1);
    assert_null(strchr(r.out, '\033'));
    assert_int_equal(strncmp(r.out, "--- ", 4), 0);
    qc_run_clear(&r);
    qc_run_cmd(&r, NULL, 60, QC_ARGV("diff", "--stat", a, b));
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.out, "\ntotal: "));
    assert_null(strstr(r.out, "\n  + "));
    qc_run_clear(&r);
    free(a);
    free(b);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_and_saved_model),
        cmocka_unit_test(test_self_json_and_stat),
        cmocka_unit_test(test_bare_emulator_name),
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_bad_sides),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_colour_and_stat),
    };
    int rc;

    tmp = qc_make_tmpdir("diff-cli");
    /* keep every probe's cache entry out of the user's cache */
    setenv("QCAPS_CACHE_DIR", tmp, 1);
    rc = cmocka_run_group_tests_name("diff-cli", tests, NULL, NULL);
    qc_rmtree(tmp);
    free(tmp);
    return rc;
}

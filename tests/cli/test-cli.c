/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cli.c: the qcaps command's usage contract: help texts, usage errors (exit 1), and
 * replay through the CLI equal to the committed expected model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "runner.h"

#define QC_ARGV(...) ((const char *const[]){qc_env_path("QC_QCAPS"), __VA_ARGS__, NULL})

static void
qc_expect(const char *const argv[], int code, const char *out_needle, const char *err_needle)
{
    qc_run r;

    qc_run_cmd(&r, NULL, 30, argv);
    if (r.exit_code != code)
        fprintf(stderr, "# %s %s: exit %d, stderr: %s", argv[1], argv[2] ? argv[2] : "",
                r.exit_code, r.err);
    assert_int_equal(r.exit_code, code);
    if (out_needle)
        assert_non_null(strstr(r.out, out_needle));
    if (err_needle)
        assert_non_null(strstr(r.err, err_needle));
    qc_run_clear(&r);
}

static void
test_help(void **state)
{
    (void) state;
    qc_expect(QC_ARGV("--help"), 0, "Usage: qcaps", NULL);
    qc_expect(QC_ARGV("probe", "--help"), 0, "--fixture FILE", NULL);
    qc_expect(QC_ARGV("record", "--help"), 0, "--output FILE", NULL);
    qc_expect(QC_ARGV("--version"), 0, "qcaps ", NULL);
    /* virsh habits: help VERB, domcapabilities, --emulatorbin */
    qc_expect(QC_ARGV("help", "domcaps"), 0, "Usage: qcaps domcaps", NULL);
    qc_expect(QC_ARGV("help", "warm"), 0, "Usage: qcaps warm", NULL);
    qc_expect(QC_ARGV("help", "frobnicate"), 1, NULL, "unknown command 'frobnicate'");
    qc_expect(QC_ARGV("domcapabilities", "--help"), 0, "Usage: qcaps domcaps", NULL);
}

static void
test_usage_errors(void **state)
{
    (void) state;
    qc_expect(QC_ARGV("frobnicate"), 1, NULL, "unknown command 'frobnicate'");
    qc_expect(QC_ARGV("probe"), 1, NULL, "give PATH, --emulator PATH or --fixture FILE");
    qc_expect(QC_ARGV("probe", "--emulator", "/x", "--fixture", "/y"), 1, NULL, "give");
    qc_expect(QC_ARGV("probe", "--bogus"), 1, NULL, "unknown option '--bogus'");
    qc_expect(QC_ARGV("probe", "--emulator"), 1, NULL, "needs an argument");
    qc_expect(QC_ARGV("probe", "--emulator", "/x", "--format", "yaml"), 1, NULL, "yaml");
    qc_expect(QC_ARGV("probe", "--emulator", "/x", "--timeout", "soon"), 1, NULL, "soon");
    qc_expect(QC_ARGV("probe", "--emulator", "/x", "extra"), 1, NULL, "'extra'");
    qc_expect(QC_ARGV("record", "--emulator", "/x"), 1, NULL, "--output FILE");
}

/* One rule for every verb: an option that does not apply to what was asked is a usage
 * error naming both options, not silently ignored; "-" as an output is standard output. */
static void
test_option_conflicts(void **state)
{
    qc_autofree char *fx = qc_fixture_for("avr");
    qc_autofree char *dir = qc_make_tmpdir("cli-opts");
    qc_run r;

    (void) state;
    assert_non_null(fx);
    qc_expect(QC_ARGV("probe", "--fixture", fx, "--tcg-only"), 1, NULL,
              "--tcg-only and --fixture exclude each other");
    qc_expect(QC_ARGV("probe", "--fixture", fx, "--timeout", "5"), 1, NULL,
              "--timeout and --fixture exclude each other");
    qc_expect(QC_ARGV("capabilities", "--dump-host-facts", "--format", "xml"), 1, NULL,
              "--dump-host-facts and --format exclude each other");
    qc_expect(QC_ARGV("capabilities", "--dump-host-facts", "--no-cache"), 1, NULL,
              "--dump-host-facts and the cache options exclude each other");
    qc_expect(QC_ARGV("domcaps", "--fixture", fx, "--firmware-dir", "/nonexistent"), 1, NULL,
              "--firmware-dir is no directory: '/nonexistent'");
    qc_expect(QC_ARGV("domcaps", "--fixture", fx, "--cache-dir", dir), 1, NULL,
              "--fixture replays never use the cache");
    /* a live record to standard output, nothing left in TMPDIR */
    if (access("/usr/bin/qemu-system-avr", X_OK) == 0) {
        qc_run_cmd(&r, dir, 60, QC_ARGV("record", "--emulator", "/usr/bin/qemu-system-avr",
                                        "--output", "-"));
        assert_int_equal(r.exit_code, 0);
        assert_non_null(strstr(r.out, "\"qcaps-fixture\": 1"));
        assert_non_null(strstr(r.err, "to standard output"));
        assert_int_equal(qc_dir_count(dir), 0);
        assert_int_equal(access("-", F_OK), -1);
        qc_run_clear(&r);
    }
    qc_rmtree(dir);
}

/* One operand names the emulator of probe, record and domcaps, as --emulator does; with
 * --emulator or --fixture too, or a second operand, it is a usage error naming both. */
static void
test_emulator_operand(void **state)
{
    qc_autofree char *fx = qc_fixture_for("aarch64");
    qc_autofree char *dir = qc_make_tmpdir("cli-operand");
    /* named like a foreign target, so only the TCG pass runs, as it did when recorded */
    qc_autofree char *emu = qc_xasprintf("%s/qemu-system-aarch64", dir);
    qc_autofree char *body = NULL;
    qc_autofree char *path_tag = qc_xasprintf("<path>%s</path>", emu);
    qc_run by_option, by_operand;

    (void) state;
    assert_non_null(fx);
    body = qc_xasprintf("#!/bin/sh\nexec '%s' --fake-mode 'replay:%s' \"$@\"\n",
                        qc_env_path("QC_FAKE_QEMU"), fx);
    assert_int_equal(qc_write_file(emu, body, 0755), 0);

    qc_run_cmd(&by_option, dir, 60,
               QC_ARGV("probe", "--emulator", emu, "--format", "json", "--no-cache"));
    qc_run_cmd(&by_operand, dir, 60, QC_ARGV("probe", emu, "--format", "json", "--no-cache"));
    if (by_operand.exit_code != 0)
        fprintf(stderr, "# probe %s: exit %d: %s", emu, by_operand.exit_code, by_operand.err);
    assert_int_equal(by_option.exit_code, 0);
    assert_int_equal(by_operand.exit_code, 0);
    assert_string_equal(by_operand.out, by_option.out);
    qc_run_clear(&by_option);
    qc_run_clear(&by_operand);
    /* the front parses domcaps too: the operand reaches the engine on a miss */
    qc_expect(QC_ARGV("domcaps", "--no-cache", emu), 0, path_tag, NULL);

    qc_expect(QC_ARGV("probe", emu, "--fixture", fx), 1, NULL, "and --fixture '");
    qc_expect(QC_ARGV("probe", "--emulator", emu, "other"), 1, NULL,
              "the emulator 'other' and --emulator '");
    qc_expect(QC_ARGV("domcaps", "--emulatorbin", emu, "other"), 1, NULL,
              "the emulator 'other' and --emulator '");
    qc_expect(QC_ARGV("domcaps", emu, "second"), 1, NULL, "unexpected argument 'second'");
    qc_expect(QC_ARGV("record", emu, "second", "--output", "-"), 1, NULL,
              "unexpected argument 'second'");
    qc_expect(QC_ARGV("record", emu), 1, NULL, "give PATH (or --emulator PATH) and --output");
    assert_int_equal(qc_count_procs_with(dir), 0);
    qc_rmtree(dir);
}

/* --libvirt selects the generation whose document is written; the default is the newest. */
static void
test_libvirt_generation(void **state)
{
    char *fx = NULL;

    (void) state;
    assert_non_null(fx = qc_fixture_for("aarch64"));
    qc_expect(QC_ARGV("domcaps", "--fixture", fx, "--libvirt", "9.0"), 0,
              "<machine>integratorcp</machine>", NULL);
    qc_expect(QC_ARGV("domcaps", "--fixture", fx, "--libvirt", "11"), 0,
              "<machine>virt-7.2</machine>", NULL);
    qc_expect(QC_ARGV("domcaps", "--fixture", fx), 0, "<machine>virt-7.2</machine>", NULL);
    qc_expect(QC_ARGV("domcaps", "--fixture", fx, "--libvirt", "10.0"), 1, NULL,
              "unknown libvirt generation '10.0'; valid: 9.0, 11.3, 12.8, latest");
    qc_expect(QC_ARGV("capabilities", "--libvirt", "8"), 1, NULL,
              "unknown libvirt generation '8'");
    qc_expect(QC_ARGV("capabilities", "--dump-host-facts", "--libvirt", "9.0"), 1, NULL,
              "--libvirt");
    free(fx);
}

/* A program that includes only qcaps.h needs no -dev package of qcaps' own dependencies:
 * pkg-config answers with qcaps.pc alone on its search path. */
static void
test_pkgconfig_alone(void **state)
{
    qc_autofree char *pcdir = qc_xasprintf("%s/meson-private", qc_env_path("QC_BUILD_ROOT"));
    qc_autofree char *saved = getenv("PKG_CONFIG_LIBDIR") ? strdup(getenv("PKG_CONFIG_LIBDIR"))
                                                          : NULL;
    const char *argv[] = {"/usr/bin/pkg-config", "--cflags", "--libs", "qcaps", NULL};
    qc_run r;

    (void) state;
    if (access(argv[0], X_OK) != 0)
        return;
    setenv("PKG_CONFIG_LIBDIR", pcdir, 1);
    qc_run_cmd(&r, NULL, 30, argv);
    if (saved)
        setenv("PKG_CONFIG_LIBDIR", saved, 1);
    else
        unsetenv("PKG_CONFIG_LIBDIR");
    if (r.exit_code != 0)
        fprintf(stderr, "# %s", r.err);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "-lqcaps"));
    assert_null(strstr(r.out, "json"));
    qc_run_clear(&r);
}

static void
test_bad_fixture_files(void **state)
{
    char *dir = qc_make_tmpdir("fx"), *bad = NULL, *empty = NULL;

    (void) state;
    assert_true(asprintf(&bad, "%s/bad.replies", dir) > 0);
    assert_true(asprintf(&empty, "%s/empty.replies", dir) > 0);
    assert_int_equal(qc_write_file(bad, "{\n  \"execute\": \"query-version\"\n}\n\n{ oops\n",
                                   0644), 0);
    assert_int_equal(qc_write_file(empty, "", 0644), 0);
    qc_expect(QC_ARGV("probe", "--fixture", "/nonexistent.replies"), 2, NULL,
              "/nonexistent.replies");
    qc_expect(QC_ARGV("probe", "--fixture", bad), 2, NULL, bad);
    qc_expect(QC_ARGV("probe", "--fixture", empty), 2, NULL, empty);
    qc_expect(QC_ARGV("probe", "--fixture", dir), 2, NULL, dir);
    qc_rmtree(dir);
    free(dir);
    free(bad);
    free(empty);
}

static void
test_cli_replay_equals_expected(void **state)
{
    char *fx = qc_fixture_for("x86_64"), *exp_path = NULL, *expected, *base, *dot;
    qc_run r;

    (void) state;
    assert_non_null(fx);
    base = strrchr(fx, '/') + 1;
    dot = strstr(base, ".replies");
    assert_true(asprintf(&exp_path, "%s/expected/bookworm/%.*s.json", qc_env_path("QC_FIXTURES"),
                         (int) (dot - base), base) > 0);
    assert_non_null(expected = qc_read_file(exp_path));
    qc_run_cmd(&r, NULL, 30, QC_ARGV("probe", "--fixture", fx, "--format", "json"));
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, expected);
    qc_run_clear(&r);

    qc_run_cmd(&r, NULL, 30, QC_ARGV("probe", "--fixture", fx));
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "pc-i440fx-7.2"));
    assert_non_null(strstr(r.out, "target:            x86_64"));
    qc_run_clear(&r);
    free(expected);
    free(exp_path);
    free(fx);
}

/* The front binary (cli/front.c) must not load libxml2 and its chain, nor libevent (the
 * probe and the QMP client, which it never runs): that is its point. */
static void
test_front_links_no_libxml2(void **state)
{
    qc_autofree char *cmd = qc_xasprintf("readelf -d '%s'", qc_env_path("QC_QCAPS"));
    char line[512];
    bool needed = false;
    FILE *p;

    (void) state;
    p = popen(cmd, "r");
    assert_non_null(p);
    while (fgets(line, sizeof(line), p)) {
        if (strstr(line, "(NEEDED)")) {
            needed = true;
            if (strstr(line, "libxml2") || strstr(line, "libicu") || strstr(line, "stdc++") ||
                strstr(line, "libevent"))
                fail_msg("qcaps links %s", line);
        }
    }
    assert_int_equal(pclose(p), 0);
    assert_true(needed);
}

/* Without its engine the front says so, names where it looked and fails (exit 2). */
static void
test_front_without_engine(void **state)
{
    qc_autofree char *dir = qc_make_tmpdir("front");
    qc_autofree char *copy = qc_xasprintf("%s/qcaps", dir);
    qc_autofree char *cmd = qc_xasprintf("cp '%s' '%s'", qc_env_path("QC_QCAPS"), copy);
    qc_run r;

    (void) state;
    if (access(QC_INSTALLED_ENGINE, X_OK) == 0) {
        qc_rmtree(dir);
        skip(); /* an installed engine would answer */
    }
    assert_int_equal(system(cmd), 0);
    qc_run_cmd(&r, NULL, 30, (const char *const[]){copy, "--version", NULL});
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "qcaps-engine"));
    assert_non_null(strstr(r.err, dir));
    qc_run_clear(&r);
    qc_rmtree(dir);
}

/* A moved or DESTDIR-staged install: bin/qcaps finds libexec/qcaps-engine beside it. */
static void
test_front_staged_install(void **state)
{
    qc_autofree char *root = qc_make_tmpdir("staged");
    const char *libexec = strrchr(QC_INSTALLED_ENGINE, '/');
    qc_autofree char *libdir = NULL;
    qc_autofree char *engine_dir = NULL;
    qc_autofree char *front = qc_xasprintf("%s/bin/qcaps", root);
    qc_autofree char *cmd = NULL;
    qc_run r;

    (void) state;
    /* QC_INSTALLED_ENGINE is <prefix>/<libexecdir>/qcaps-engine: take <libexecdir>'s name */
    libdir = strndup(QC_INSTALLED_ENGINE, (size_t) (libexec - QC_INSTALLED_ENGINE));
    engine_dir = qc_xasprintf("%s/%s", root, strrchr(libdir, '/') + 1);
    cmd = qc_xasprintf("mkdir -p '%s/bin' '%s' && cp '%s' '%s/bin/qcaps' && "
                       "cp '%s-engine' '%s/qcaps-engine'", root, engine_dir,
                       qc_env_path("QC_QCAPS"), root, qc_env_path("QC_QCAPS"), engine_dir);
    assert_int_equal(system(cmd), 0);
    qc_run_cmd(&r, NULL, 30, (const char *const[]){front, "--version", NULL});
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "qcaps"));
    qc_run_clear(&r);
    qc_rmtree(root);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_front_links_no_libxml2),
        cmocka_unit_test(test_front_without_engine),
        cmocka_unit_test(test_front_staged_install),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_option_conflicts),
        cmocka_unit_test(test_emulator_operand),
        cmocka_unit_test(test_pkgconfig_alone),
        cmocka_unit_test(test_bad_fixture_files),
        cmocka_unit_test(test_libvirt_generation),
        cmocka_unit_test(test_cli_replay_equals_expected),
    };

    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}

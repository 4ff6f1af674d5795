/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-bad-input.c: `qcaps probe` against broken emulators: one clear line, exit 2, in time,
 * and nothing left behind (no process, no socket, no temporary directory). */
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

#include "runner.h"

typedef struct qc_case {
    char *dir;      /* private directory of the case; its path is unique */
    char *tmp;      /* TMPDIR given to qcaps: must be empty afterwards */
    char *fake;     /* a symlink to fake-qemu inside dir, so leftovers can be found */
} qc_case;

static int
qc_case_setup(void **state)
{
    qc_case *c = calloc(1, sizeof(*c));

    c->dir = qc_make_tmpdir("bad");
    if (asprintf(&c->tmp, "%s/tmp", c->dir) < 0 || mkdir(c->tmp, 0700) < 0)
        return -1;
    if (asprintf(&c->fake, "%s/fake-qemu", c->dir) < 0 ||
        symlink(qc_env_path("QC_FAKE_QEMU"), c->fake) < 0)
        return -1;
    *state = c;
    return 0;
}

static int
qc_case_teardown(void **state)
{
    qc_case *c = *state;

    qc_rmtree(c->dir);
    free(c->dir);
    free(c->tmp);
    free(c->fake);
    free(c);
    return 0;
}

/* Writes an emulator script into the case directory and returns its path. */
static char *
qc_case_script(qc_case *c, const char *name, const char *body)
{
    char *path = NULL, *text = NULL;

    assert_true(asprintf(&path, "%s/%s", c->dir, name) > 0);
    assert_true(asprintf(&text, "#!/bin/sh\n%s\n", body) > 0);
    assert_int_equal(qc_write_file(path, text, 0755), 0);
    free(text);
    return path;
}

/* An emulator that runs fake-qemu in MODE. */
static char *
qc_case_fake(qc_case *c, const char *mode)
{
    char *body = NULL, *path;

    assert_true(asprintf(&body, "exec '%s' --fake-mode '%s' \"$@\"", c->fake, mode) > 0);
    path = qc_case_script(c, "qemu-system-x86_64", body);
    free(body);
    return path;
}

/* Runs `qcaps probe --emulator EMU [--timeout T]` and checks the failure contract. */
static void
qc_expect_failure(qc_case *c, const char *emu, const char *timeout, const char *needle)
{
    const char *argv[] = {qc_env_path("QC_QCAPS"), "probe", "--emulator", emu,
                          timeout ? "--timeout" : NULL, timeout, NULL};
    qc_run r;

    qc_run_cmd(&r, c->tmp, 30, argv);
    if (r.exit_code != 2 || !strstr(r.err, emu) || (needle && !strstr(r.err, needle)))
        fprintf(stderr, "# exit %d, stderr: %s", r.exit_code, r.err);
    assert_int_equal(r.exit_code, 2);
    assert_int_equal(qc_count_lines(r.err), 1);
    assert_non_null(strstr(r.err, "qcaps: "));
    assert_non_null(strstr(r.err, emu));
    if (needle)
        assert_non_null(strstr(r.err, needle));
    assert_string_equal(r.out, "");
    assert_true(r.seconds < (timeout ? atof(timeout) + 5 : 20));
    /* Nothing left: no process started from the case directory, no temp dir or socket. */
    assert_int_equal(qc_count_procs_with(c->dir), 0);
    assert_int_equal(qc_dir_count(c->tmp), 0);
    qc_run_clear(&r);
}

static void
test_nonexistent(void **state)
{
    qc_case *c = *state;
    char *emu = NULL;

    assert_true(asprintf(&emu, "%s/no-such-qemu", c->dir) > 0);
    qc_expect_failure(c, emu, NULL, "No such file");
    free(emu);
}

static void
test_directory(void **state)
{
    qc_case *c = *state;

    qc_expect_failure(c, c->dir, NULL, "directory");
}

static void
test_not_executable(void **state)
{
    qc_case *c = *state;
    char *emu = qc_case_script(c, "qemu-noexec", "exit 0");

    assert_int_equal(chmod(emu, 0644), 0);
    qc_expect_failure(c, emu, NULL, "not executable");
    free(emu);
}

static void
test_bin_true(void **state)
{
    qc_case *c = *state;

    qc_expect_failure(c, "/bin/true", NULL,
                      "true': not a QEMU system emulator: it exited with status 0 "
                      "before the QMP greeting, saying nothing");
}

static void
test_garbage_script(void **state)
{
    qc_case *c = *state;
    char *emu = qc_case_script(c, "qemu-garbage",
                               "echo 'this is not QMP {{{'; echo 'junk on stderr' >&2; exit 3");

    qc_expect_failure(c, emu, NULL, "junk on stderr");
    free(emu);
}

static void
test_greeting_then_hang(void **state)
{
    qc_case *c = *state;
    char *emu = qc_case_fake(c, "greeting-then-hang");

    qc_expect_failure(c, emu, "2", "timed out");
    free(emu);
}

static void
test_hang_before_greeting(void **state)
{
    qc_case *c = *state;
    char *emu = qc_case_fake(c, "hang-before-greeting");

    qc_expect_failure(c, emu, "2", "timed out");
    free(emu);
}

static void
test_close_mid_reply(void **state)
{
    qc_case *c = *state;
    char *emu = qc_case_fake(c, "close-mid-reply");

    qc_expect_failure(c, emu, NULL, NULL);
    free(emu);
}

static void
test_huge_reply(void **state)
{
    qc_case *c = *state;
    char *emu = qc_case_fake(c, "huge-reply");

    qc_expect_failure(c, emu, NULL, "exceeds");
    free(emu);
}

static void
test_invalid_json(void **state)
{
    qc_case *c = *state;
    char *emu = qc_case_fake(c, "garbage");

    qc_expect_failure(c, emu, NULL, NULL);
    free(emu);
}

static void
test_invalid_utf8(void **state)
{
    qc_case *c = *state;
    char *emu = qc_case_fake(c, "invalid-utf8");

    qc_expect_failure(c, emu, NULL, NULL);
    free(emu);
}

/* A libvirt-layout conversation of a QEMU whose target nobody knows. */
static const char qc_bad_target_fixture[] =
    "{\n  \"execute\": \"qmp_capabilities\",\n  \"id\": \"libvirt-1\"\n}\n\n"
    "{\n  \"return\": {},\n  \"id\": \"libvirt-1\"\n}\n\n"
    "{\n  \"execute\": \"query-version\",\n  \"id\": \"libvirt-2\"\n}\n\n"
    "{\n  \"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7},"
    " \"package\": \"\"},\n  \"id\": \"libvirt-2\"\n}\n\n"
    "{\n  \"execute\": \"query-kvm\",\n  \"id\": \"libvirt-4\"\n}\n\n"
    "{\n  \"return\": {\"enabled\": false, \"present\": false},\n  \"id\": \"libvirt-4\"\n}\n\n"
    "{\n  \"execute\": \"query-target\",\n  \"id\": \"libvirt-3\"\n}\n\n"
    "{\n  \"return\": {\"arch\": \"../sparc\"},\n  \"id\": \"libvirt-3\"\n}\n";

static void
test_bad_target_name(void **state)
{
    qc_case *c = *state;
    char *fx = NULL, *mode = NULL, *emu;

    assert_true(asprintf(&fx, "%s/bad-target.replies", c->dir) > 0);
    assert_int_equal(qc_write_file(fx, qc_bad_target_fixture, 0644), 0);
    assert_true(asprintf(&mode, "replay:%s", fx) > 0);
    emu = qc_case_fake(c, mode);
    qc_expect_failure(c, emu, NULL, "'../sparc' is not a target architecture name");
    free(emu);
    free(mode);
    free(fx);
}

static void
test_crash_mid_probe(void **state)
{
    qc_case *c = *state;
    char *mode = NULL, *emu, *fx = qc_fixture_for("x86_64");

    assert_non_null(fx);
    assert_true(asprintf(&mode, "crash-after:3:%s", fx) > 0);
    free(fx);
    emu = qc_case_fake(c, mode);
    qc_expect_failure(c, emu, NULL, "signal");
    free(emu);
    free(mode);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nonexistent, qc_case_setup, qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_directory, qc_case_setup, qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_not_executable, qc_case_setup, qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_bin_true, qc_case_setup, qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_garbage_script, qc_case_setup, qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_greeting_then_hang, qc_case_setup,
                                        qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_hang_before_greeting, qc_case_setup,
                                        qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_close_mid_reply, qc_case_setup, qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_huge_reply, qc_case_setup, qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_json, qc_case_setup, qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, qc_case_setup, qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_bad_target_name, qc_case_setup, qc_case_teardown),
        cmocka_unit_test_setup_teardown(test_crash_mid_probe, qc_case_setup, qc_case_teardown),
    };

    return cmocka_run_group_tests_name("bad-input", tests, NULL, NULL);
}

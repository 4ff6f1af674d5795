/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-live.c: probes of the real installed QEMU binaries (suite 'slow'; exit 77 = skipped
 * when none is installed): every binary probes, record -> replay equals live, and a fake
 * QEMU replaying a fixture over a real socket (with interleaved events) equals replay. */
#include <glob.h>
#include <stdbool.h>
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
#include <json-c/json.h>

#include "runner.h"

static glob_t qc_bins;

static void
qc_probe_json(const char *tmp, const char *flag, const char *arg, qc_run *r)
{
    /* a live probe must really start QEMU, not answer from the cache */
    bool live = strcmp(flag, "--emulator") == 0;
    const char *argv[] = {qc_env_path("QC_QCAPS"), "probe", flag, arg, "--format", "json",
                          live ? "--no-cache" : NULL, NULL};

    qc_run_cmd(r, tmp, 120, argv);
    if (r->exit_code != 0)
        fail_msg("qcaps probe %s %s: exit %d: %s", flag, arg, r->exit_code, r->err);
}

static void
test_probe_every_installed_binary(void **state)
{
    char *tmp = qc_make_tmpdir("live");

    (void) state;
    for (size_t i = 0; i < qc_bins.gl_pathc; i++) {
        qc_run r;
        json_object *o;
        qc_probe_json(tmp, "--emulator", qc_bins.gl_pathv[i], &r);
        assert_non_null(o = json_tokener_parse(r.out));
        json_object_put(o);
        assert_string_equal(r.err, "");
        qc_run_clear(&r);
        assert_int_equal(qc_dir_count(tmp), 0);
    }
    qc_rmtree(tmp);
    free(tmp);
}

static void
qc_roundtrip(const char *emulator)
{
    char *tmp = qc_make_tmpdir("rt"), *fx = NULL;
    const char *rec[] = {qc_env_path("QC_QCAPS"), "record", "--emulator", emulator,
                         "--output", NULL, NULL};
    qc_run live, replay, r;

    if (access(emulator, X_OK) != 0) {
        qc_rmtree(tmp);
        free(tmp);
        return;
    }
    assert_true(asprintf(&fx, "%s/rec.replies", tmp) > 0);
    rec[5] = fx;
    qc_run_cmd(&r, tmp, 120, rec);
    if (r.exit_code != 0)
        fail_msg("record %s: %s", emulator, r.err);
    qc_run_clear(&r);
    qc_probe_json(tmp, "--emulator", emulator, &live);
    qc_probe_json(tmp, "--fixture", fx, &replay);
    assert_string_equal(live.out, replay.out);
    /* Recording again gives the same bytes, although the passes run concurrently. */
    {
        char *first = qc_read_file(fx), *second;
        assert_non_null(first);
        qc_run_cmd(&r, tmp, 120, rec);
        assert_int_equal(r.exit_code, 0);
        qc_run_clear(&r);
        assert_non_null(second = qc_read_file(fx));
        assert_string_equal(first, second);
        free(first);
        free(second);
    }
    qc_run_clear(&live);
    qc_run_clear(&replay);
    unlink(fx);
    assert_int_equal(qc_dir_count(tmp), 0);
    qc_rmtree(tmp);
    free(tmp);
    free(fx);
}

static void
test_record_replay_equals_live(void **state)
{
    (void) state;
    qc_roundtrip("/usr/bin/qemu-system-x86_64");  /* KVM + TCG passes on a KVM host */
    qc_roundtrip("/usr/bin/qemu-system-aarch64"); /* TCG only */
    qc_roundtrip("/usr/bin/qemu-system-s390x");
}

/* The model as JSON without the facts that depend on where it ran. */
static char *
qc_portable_json(const char *text)
{
    json_object *o = json_tokener_parse(text);
    char *s;

    assert_non_null(o);
    json_object_object_del(o, "emulator");
    json_object_object_del(o, "host");
    s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return s;
}

static void
test_fake_qemu_over_socket_equals_replay(void **state)
{
    static const char *const modes[] = {"replay", "events"};
    char *fx = qc_fixture_for("aarch64");
    char *dir = qc_make_tmpdir("sock");

    (void) state;
    assert_non_null(fx);
    for (size_t i = 0; i < 2; i++) {
        char *emu = NULL, *body = NULL, *a, *b;
        qc_run via_socket, replay;

        /* Named like a foreign target, so only the TCG pass runs, as it did when recorded. */
        assert_true(asprintf(&emu, "%s/qemu-system-aarch64", dir) > 0);
        assert_true(asprintf(&body, "#!/bin/sh\nexec '%s' --fake-mode '%s:%s' \"$@\"\n",
                             qc_env_path("QC_FAKE_QEMU"), modes[i], fx) > 0);
        assert_int_equal(qc_write_file(emu, body, 0755), 0);
        qc_probe_json(NULL, "--emulator", emu, &via_socket);
        qc_probe_json(NULL, "--fixture", fx, &replay);
        a = qc_portable_json(via_socket.out);
        b = qc_portable_json(replay.out);
        assert_string_equal(a, b);
        free(a);
        free(b);
        qc_run_clear(&via_socket);
        qc_run_clear(&replay);
        free(emu);
        free(body);
    }
    qc_rmtree(dir);
    free(dir);
    free(fx);
}

/* QEMU 7.2 sent its greeting twice in ~2% of starts when it accepted the monitor
 * connection in its main loop (wait=off); a hundred probes in a row catch a regression
 * with high probability. */
static void
test_many_starts_in_a_row(void **state)
{
    const char *emu = "/usr/bin/qemu-system-alpha";
    char *tmp = qc_make_tmpdir("many");
    int failures = 0;

    (void) state;
    if (access(emu, X_OK) != 0)
        emu = qc_bins.gl_pathv[0];
    for (int i = 0; i < 100; i++) {
        const char *argv[] = {qc_env_path("QC_QCAPS"), "probe", "--emulator", emu,
                              "--no-cache", NULL};
        qc_run r;

        qc_run_cmd(&r, tmp, 60, argv);
        if (r.exit_code != 0) {
            fprintf(stderr, "# run %d: %s", i, r.err);
            failures++;
        }
        qc_run_clear(&r);
    }
    assert_int_equal(failures, 0);
    assert_int_equal(qc_dir_count(tmp), 0);
    qc_rmtree(tmp);
    free(tmp);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_every_installed_binary),
        cmocka_unit_test(test_record_replay_equals_live),
        cmocka_unit_test(test_fake_qemu_over_socket_equals_replay),
        cmocka_unit_test(test_many_starts_in_a_row),
    };
    int r;

    if (glob("/usr/bin/qemu-system-*", 0, NULL, &qc_bins) != 0 || qc_bins.gl_pathc == 0) {
        fprintf(stderr, "no qemu-system-* installed: skipping\n");
        return 77;
    }
    r = cmocka_run_group_tests_name("live", tests, NULL, NULL);
    globfree(&qc_bins);
    return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-replay.c: every committed fixture replays to its expected model, byte for byte, and
 * the models hold the concrete facts of the QEMU 7.2 binaries they were recorded from.
 * QC_TEST_REGENERATE=1 rewrites fixtures/expected/ instead of comparing. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schema/libvirt.h"
#include "introspect/probe.h"
#include "model/model-json.h"
#include "model/model.h"
#include "qmp/fixture.h"
#include "qcaps.h"
#include "runner.h"

/* Replays the committed fixture of qemu-system-<suffix>. */
static qc_model *
qc_replay(const char *suffix)
{
    char *path = qc_fixture_for(suffix);
    qc_error *err = NULL;
    qc_fixture *fx;
    qc_probe_opts o = {0};
    qc_model *m;

    if (!path)
        fail_msg("no committed fixture for qemu-system-%s", suffix);
    fx = qc_fixture_load(path, &err);
    if (!fx)
        fail_msg("%s", err->message);
    o.fixture = fx;
    m = qc_probe_run(&o, &err);
    if (!m)
        fail_msg("%s", err->message);
    qc_fixture_free(fx);
    free(path);
    return m;
}

/* One fixture of a set: it replays to its expected model, byte for byte, twice, and its
 * file name carries the QEMU version it replays to. */
static void
qc_check_fixture(const char *root, const char *set, const char *name, bool regen)
{
    size_t len = strlen(name);
    char *path = NULL, *expected_path = NULL, *text, *expected, *prefix = NULL;
    qc_error *err = NULL;
    qc_probe_opts o = {0};
    qc_fixture *fx;
    qc_model *m;

    assert_true(asprintf(&path, "%s/qmp/%s/%s", root, set, name) > 0);
    assert_true(asprintf(&expected_path, "%s/expected/%s/%.*s.json", root, set, (int) len - 8,
                         name) > 0);
    fx = qc_fixture_load(path, &err);
    if (!fx)
        fail_msg("%s", err->message);
    o.fixture = fx;
    if (!(m = qc_probe_run(&o, &err)))
        fail_msg("%s", err->message);
    assert_true(asprintf(&prefix, "caps_%d.%d.%d_", m->version_major, m->version_minor,
                         m->version_micro) > 0);
    if (strncmp(name, prefix, strlen(prefix)) != 0)
        fail_msg("%s: the file name does not start with %s (the version it replays to)", path,
                 prefix);
    assert_non_null(text = qc_model_to_string(m, NULL));
    if (regen) {
        assert_int_equal(qc_write_file(expected_path, text, 0644), 0);
    } else {
        expected = qc_read_file(expected_path);
        if (!expected)
            fail_msg("missing %s (QC_TEST_REGENERATE=1 writes it)", expected_path);
        if (strcmp(expected, text) != 0)
            fail_msg("replay of %s differs from %s", path, expected_path);
        free(expected);
    }
    /* Replaying twice gives the same bytes (no hidden state, no clock). */
    {
        qc_model *again = qc_probe_run(&o, &err);
        char *text2;
        assert_non_null(again);
        assert_non_null(text2 = qc_model_to_string(again, NULL));
        assert_string_equal(text, text2);
        free(text2);
        qc_model_free(again);
    }
    free(text);
    free(prefix);
    qc_model_free(m);
    qc_fixture_free(fx);
    free(path);
    free(expected_path);
}

/* Every fixture of every set (fixtures/qmp/<set>/, found by name) against
 * fixtures/expected/<set>/. */
static void
test_all_fixtures_match_expected(void **state)
{
    const char *root = qc_env_path("QC_FIXTURES");
    bool regen = getenv("QC_TEST_REGENERATE") && strcmp(getenv("QC_TEST_REGENERATE"), "1") == 0;
    char *qmp = NULL;
    struct dirent *se;
    DIR *sd;
    int sets = 0;

    (void) state;
    assert_true(asprintf(&qmp, "%s/qmp", root) > 0);
    assert_non_null(sd = opendir(qmp));
    while ((se = readdir(sd))) {
        char *dir = NULL;
        struct dirent *e;
        DIR *d;
        int n = 0;

        if (se->d_name[0] == '.')
            continue;
        assert_true(asprintf(&dir, "%s/%s", qmp, se->d_name) > 0);
        if (!(d = opendir(dir))) {
            free(dir);
            continue; /* not a set */
        }
        while ((e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (len < 9 || strcmp(e->d_name + len - 8, ".replies") != 0)
                continue;
            qc_check_fixture(root, se->d_name, e->d_name, regen);
            n++;
        }
        closedir(d);
        free(dir);
        if (n == 0)
            fail_msg("fixture set %s is empty", se->d_name);
        /* Debian 12 ships 27 qemu-system-* binaries in the packages we record. */
        if (strcmp(se->d_name, "bookworm") == 0)
            assert_int_equal(n, 27);
        sets++;
    }
    closedir(sd);
    free(qmp);
    assert_true(sets >= 1);
}

static void
test_x86_64_facts(void **state)
{
    qc_model *m = qc_replay("x86_64");
    const qc_machine *mach;

    (void) state;
    assert_string_equal(m->target, "x86_64");
    assert_string_equal(qc_lv_arch_of_target(QC_LV_9_0, m->target), "x86_64");
    assert_int_equal(m->version_major, 7);
    assert_int_equal(m->version_minor, 2);
    assert_true(m->accel[QC_ACCEL_TCG].probed);
    for (int a = 0; a < QC_ACCEL_COUNT; a++) {
        if (!m->accel[a].probed)
            continue;
        assert_non_null(mach = qc_model_default_machine(m, (qc_accel) a));
        assert_string_equal(mach->name, "pc-i440fx-7.2");
        assert_non_null(mach = qc_model_find_machine(m, (qc_accel) a, "q35"));
        assert_string_equal(mach->name, "pc-q35-7.2");
        assert_int_equal(mach->cpu_max, 288);
        assert_non_null(qc_model_find_cpu(m, (qc_accel) a, "EPYC-Milan"));
        assert_non_null(qc_model_find_cpu(m, (qc_accel) a, "Skylake-Client"));
    }
    assert_true(qc_model_has_type(m, "virtio-blk-pci"));
    assert_true(qc_model_has_command(m, "query-cpu-model-expansion"));
    assert_true(qc_strlist_contains(&m->tpm_models, "tpm-crb"));
    assert_true(qc_model_has_flag(m, "vnc"));
    assert_false(m->have_gic && m->n_gic > 0);
    qc_model_free(m);
}

static void
test_x86_64_kvm_and_tcg_differ(void **state)
{
    qc_model *m = qc_replay("x86_64");
    const qc_cpu_def *k, *t;

    (void) state;
    /* The committed fixture was recorded on a KVM host: both passes ran. */
    assert_true(m->kvm);
    assert_true(m->accel[QC_ACCEL_KVM].probed);
    assert_true(m->accel[QC_ACCEL_TCG].probed);
    assert_non_null(m->accel[QC_ACCEL_KVM].host_cpu);
    assert_non_null(m->accel[QC_ACCEL_TCG].host_cpu);
    assert_non_null(k = qc_model_find_cpu(m, QC_ACCEL_KVM, "qemu64"));
    assert_non_null(t = qc_model_find_cpu(m, QC_ACCEL_TCG, "qemu64"));
    assert_int_equal(t->usable, QC_TRI_YES);
    qc_model_free(m);
}

static void
test_aarch64_facts(void **state)
{
    qc_model *m = qc_replay("aarch64");
    const qc_machine *mach;

    (void) state;
    assert_string_equal(m->target, "aarch64");
    assert_string_equal(qc_lv_arch_of_target(QC_LV_9_0, m->target), "aarch64");
    assert_false(m->accel[QC_ACCEL_KVM].probed); /* not native on this x86_64 host */
    assert_non_null(mach = qc_model_find_machine(m, QC_ACCEL_TCG, "virt"));
    assert_string_equal(mach->name, "virt-7.2");
    assert_true(m->have_gic);
    assert_true(m->n_gic >= 2);
    assert_non_null(qc_model_find_cpu(m, QC_ACCEL_TCG, "cortex-a57"));
    assert_non_null(qc_model_find_cpu(m, QC_ACCEL_TCG, "max"));
    qc_model_free(m);
}

static void
test_other_targets(void **state)
{
    static const struct {
        const char *suffix, *target, *arch, *machine_alias, *machine;
    } cases[] = {
        {"ppc64", "ppc64", "ppc64", "pseries", "pseries-7.2"},
        {"s390x", "s390x", "s390x", "s390-ccw-virtio", "s390-ccw-virtio-7.2"},
        {"riscv64", "riscv64", "riscv64", "virt", "virt"},
        {"i386", "i386", "i686", "q35", "pc-q35-7.2"},
        {"arm", "arm", "armv7l", "virt", "virt-7.2"},
        /* Targets libvirt 9.0 has no arch for still probe. */
        {"loongarch64", "loongarch64", NULL, "virt", "virt"},
        {"tricore", "tricore", NULL, NULL, NULL},
        {"avr", "avr", NULL, NULL, NULL},
    };
    (void) state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        qc_model *m = qc_replay(cases[i].suffix);
        assert_string_equal(m->target, cases[i].target);
        if (cases[i].arch)
            assert_string_equal(qc_lv_arch_of_target(QC_LV_9_0, m->target), cases[i].arch);
        else
            assert_null(qc_lv_arch_of_target(QC_LV_9_0, m->target));
        assert_true(m->accel[QC_ACCEL_TCG].n_machines > 0);
        if (cases[i].machine_alias) {
            const qc_machine *mach =
                qc_model_find_machine(m, QC_ACCEL_TCG, cases[i].machine_alias);
            assert_non_null(mach);
            assert_string_equal(mach->name, cases[i].machine);
        }
        qc_model_free(m);
    }
}

static void
test_public_api_replay(void **state)
{
    char *path = qc_fixture_for("x86_64");
    qcaps_error *err = NULL;
    qcaps_model *pm;
    qc_model *m = qc_replay("x86_64");
    char *a, *b;

    (void) state;
    assert_non_null(pm = qcaps_replay(path, &err));
    assert_null(err);
    assert_string_equal(qcaps_model_target(pm), "x86_64");
    assert_int_equal(qcaps_model_version(pm) / 1000, 7002);
    assert_string_equal(qcaps_model_default_machine(pm, "tcg"), "pc-i440fx-7.2");
    assert_non_null(a = qcaps_model_to_json(pm, NULL));
    assert_non_null(b = qc_model_to_string(m, NULL));
    assert_string_equal(a, b);
    free(a);
    free(b);
    qcaps_model_free(pm);
    qc_model_free(m);

    assert_null(qcaps_replay("/nonexistent/fixture.replies", &err));
    assert_non_null(err);
    assert_non_null(strstr(qcaps_error_message(err), "/nonexistent/fixture.replies"));
    qcaps_error_free(err);
    free(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_fixtures_match_expected),
        cmocka_unit_test(test_x86_64_facts),
        cmocka_unit_test(test_x86_64_kvm_and_tcg_differ),
        cmocka_unit_test(test_aarch64_facts),
        cmocka_unit_test(test_other_targets),
        cmocka_unit_test(test_public_api_replay),
    };

    return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}

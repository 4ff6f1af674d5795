/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-probe-replay.c: the probe engine over hand-written fixtures (qcaps and libvirt layout). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "introspect/probe.h"
#include "model/model-json.h"
#include "qmp/fixture.h"

static qc_model *
replay(const char *name, qc_error **err)
{
    char path[4096];
    qc_fixture *fx;
    qc_probe_opts o = {0};
    qc_model *m;

    snprintf(path, sizeof(path), "%s/tests/probe/data/%s", getenv("QC_SOURCE_ROOT"), name);
    fx = qc_fixture_load(path, err);
    if (!fx)
        fail_msg("cannot load %s: %s", path, (*err)->message);
    o.fixture = fx;
    m = qc_probe_run(&o, err);
    qc_fixture_free(fx);
    return m;
}

static void
test_kvm_tcg(void **state)
{
    qc_error *err = NULL;
    qc_model *m = replay("qcaps-x86_64.replies", &err);
    char *a, *b;
    qc_model *again;

    if (!m)
        fail_msg("%s", err->message);
    assert_string_equal(m->emulator, "/usr/bin/qemu-system-x86_64");
    assert_true(m->kvm);
    assert_true(m->accel[QC_ACCEL_KVM].probed && m->accel[QC_ACCEL_TCG].probed);
    /* per-accelerator answers */
    assert_int_equal(m->accel[QC_ACCEL_KVM].n_machines, 3); /* "none" is a fact too */
    assert_int_equal(m->accel[QC_ACCEL_TCG].n_machines, 4);
    assert_int_equal(qc_model_find_cpu(m, QC_ACCEL_KVM, "Skylake")->usable, QC_TRI_YES);
    assert_int_equal(qc_model_find_cpu(m, QC_ACCEL_TCG, "Skylake")->usable, QC_TRI_NO);
    /* CommandNotFound for an optional query is a fact */
    assert_int_equal(m->tpm_models.n, 0);
    assert_int_equal(m->tpm_types.n, 1);
    /* DeviceNotFound: present=false */
    assert_false(qc_model_device_props(m, "virtio-blk-pci")->present);
    assert_true(qc_model_device_props(m, "VGA")->present);
    /* SEV GenericError: unsupported */
    assert_null(m->sev);
    assert_false(qc_model_has_flag(m, "sev-guest"));
    assert_null(m->gic);
    assert_true(qc_model_has_flag(m, "vga.vgamem_mb"));
    assert_true(qc_model_has_flag(m, "memory-backend-file.pmem"));
    assert_true(qc_model_has_flag(m, "spice-gl"));
    assert_true(qc_model_has_flag(m, "migrate-rdma"));
    assert_true(qc_model_has_flag(m, "sdl"));
    assert_true(qc_model_has_flag(m, "display-dbus"));
    assert_true(qc_model_has_flag(m, "cpu-max"));
    assert_true(qc_model_has_flag(m, "virtio-pci-non-transitional"));
    assert_int_equal(m->host.kvm_max_vcpus, 1024);
    /* deterministic: a second replay gives the same text */
    again = replay("qcaps-x86_64.replies", &err);
    a = qc_model_to_string(m, NULL);
    b = qc_model_to_string(again, NULL);
    assert_string_equal(a, b);
    free(a);
    free(b);
    qc_model_free(again);
    qc_model_free(m);
}

static void
test_libvirt_unknown_target(void **state)
{
    qc_error *err = NULL;
    qc_model *m = replay("libvirt-hppa.replies", &err);

    if (!m)
        fail_msg("%s", err->message);
    assert_string_equal(m->target, "hppa");
    assert_false(m->kvm);
    assert_true(m->accel[QC_ACCEL_TCG].probed);
    assert_false(m->accel[QC_ACCEL_KVM].probed);
    assert_false(m->accel[QC_ACCEL_TCG].have_cpu_defs);
    assert_int_equal(m->accel[QC_ACCEL_TCG].n_machines, 1);
    assert_true(qc_model_has_flag(m, "tcg"));
    qc_model_free(m);
}

/* QEMU 11: a target qcaps has no table entry for (hexagon), and optional queries that the
 * schema lists but that answer GenericError for this target: missing facts, not failures. */
static void
test_newer_target(void **state)
{
    qc_error *err = NULL;
    qc_model *m = replay("libvirt-newer-target.replies", &err);

    if (!m)
        fail_msg("%s", err->message);
    assert_string_equal(m->target, "hexagon");
    assert_true(m->accel[QC_ACCEL_TCG].probed);
    assert_false(m->accel[QC_ACCEL_TCG].have_cpu_defs);
    assert_int_equal(m->accel[QC_ACCEL_TCG].n_cpu_defs, 0);
    assert_int_equal(m->tpm_models.n, 0);
    assert_int_equal(m->accel[QC_ACCEL_TCG].n_machines, 1);
    qc_model_free(m);
}

static void
expect_failure(const char *fixture, const char *needle)
{
    qc_error *err = NULL;
    qc_model *m = replay(fixture, &err);

    assert_null(m);
    assert_non_null(err);
    if (!strstr(err->message, needle) ||
        (!strstr(err->message, "probing '") && !strstr(err->message, "fixture '")))
        fail_msg("message '%s' lacks '%s'", err->message, needle);
    qc_error_free(err);
}

static void
test_failures(void **state)
{
    expect_failure("missing-machines.replies", "query-machines");
    expect_failure("error-machines.replies", "machine list exploded");
    expect_failure("error-machines.replies", "query-machines");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kvm_tcg),
        cmocka_unit_test(test_libvirt_unknown_target),
        cmocka_unit_test(test_newer_target),
        cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests_name("probe-replay", tests, NULL, NULL);
}

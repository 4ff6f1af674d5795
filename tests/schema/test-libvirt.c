/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-libvirt.c: the libvirt generation and arch tables of schema/libvirt.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "schema/libvirt.h"

static void
test_gen_parse(void **state)
{
    qc_error *err = NULL;
    qc_lv_gen g = QC_LV_N;

    assert_int_equal(qc_lv_gen_parse("9.0", &g, &err), 0);
    assert_int_equal(g, QC_LV_9_0);
    assert_int_equal(qc_lv_gen_parse("11", &g, &err), 0);
    assert_int_equal(g, QC_LV_11_3);
    assert_int_equal(qc_lv_gen_parse("12.8", &g, &err), 0);
    assert_int_equal(g, QC_LV_12_8);
    assert_int_equal(qc_lv_gen_parse("latest", &g, &err), 0);
    assert_int_equal(g, QC_LV_LATEST);
    assert_string_equal(qc_lv_gen_name(QC_LV_11_3), "11.3");
    /* no rounding: a generation qcaps was not checked against is refused */
    for (size_t i = 0; i < 5; i++) {
        static const char *const bad[] = {"10.0", "1", "9.", "", "12.80"};
        assert_int_equal(qc_lv_gen_parse(bad[i], &g, &err), -1);
        assert_int_equal(err->code, QC_E_INVALID);
        assert_non_null(strstr(err->message, "valid: 9.0, 11.3, 12.8, latest"));
        qc_error_free(err);
        err = NULL;
    }
    assert_int_equal(qc_lv_gen_parse(NULL, &g, &err), -1);
    qc_error_free(err);
}

static void
test_arch_of_target(void **state)
{
    for (int g = 0; g < QC_LV_N; g++) {
        assert_string_equal(qc_lv_arch_of_target(g, "i386"), "i686");
        assert_string_equal(qc_lv_arch_of_target(g, "arm"), "armv7l");
        assert_string_equal(qc_lv_arch_of_target(g, "x86_64"), "x86_64");
        assert_string_equal(qc_lv_arch_of_target(g, "xtensaeb"), "xtensaeb");
        assert_null(qc_lv_arch_of_target(g, "hppa"));
        assert_null(qc_lv_arch_of_target(g, "hexagon"));
        assert_null(qc_lv_arch_of_target(g, "bogus"));
        assert_null(qc_lv_arch_of_target(g, NULL));
        /* an arch served by a binary of another name is no target's */
        assert_null(qc_lv_arch_of_target(g, "armv7l"));
        /* and back */
        assert_string_equal(qc_lv_target_of_arch(g, "i686"), "i386");
        assert_string_equal(qc_lv_target_of_arch(g, "armv6l"), "arm");
        assert_string_equal(qc_lv_target_of_arch(g, "ppc64le"), "ppc64");
        assert_string_equal(qc_lv_target_of_arch(g, "hppa"), "hppa");
    }
}

static void
test_preferred_machine(void **state)
{
    assert_string_equal(qc_lv_preferred_machine(QC_LV_9_0, "aarch64"), "integratorcp");
    assert_string_equal(qc_lv_preferred_machine(QC_LV_11_3, "aarch64"), "virt");
    assert_string_equal(qc_lv_preferred_machine(QC_LV_12_8, "armv7l"), "virt");
    assert_string_equal(qc_lv_preferred_machine(QC_LV_9_0, "x86_64"), "pc");
    assert_string_equal(qc_lv_preferred_machine(QC_LV_12_8, "s390x"), "s390-ccw-virtio");
    assert_null(qc_lv_preferred_machine(QC_LV_12_8, "ia64"));
    assert_null(qc_lv_preferred_machine(QC_LV_12_8, "hppa"));
}

static void
test_families(void **state)
{
    const char *const *also = qc_lv_arch_also("x86_64");

    assert_string_equal(also[0], "i686");
    assert_null(also[1]);
    assert_null(qc_lv_arch_also("s390x")[0]);
    assert_null(qc_lv_arch_also(NULL)[0]);
    assert_true(qc_lv_arch_is_native("x86_64", "i686"));
    assert_true(qc_lv_arch_is_native("aarch64", "armv7l"));
    assert_false(qc_lv_arch_is_native("aarch64", "armv6l"));
    assert_true(qc_lv_arch_is_native("ppc64le", "ppc64"));
    assert_false(qc_lv_arch_is_native(NULL, "x86_64"));
    assert_int_equal(qc_lv_wordsize(QC_LV_9_0, "sh4eb"), 64);
    assert_int_equal(qc_lv_wordsize(QC_LV_9_0, "avr"), 8);
    assert_int_equal(qc_lv_wordsize(QC_LV_9_0, "futurearch64"), 64);
    assert_int_equal(qc_lv_wordsize(QC_LV_9_0, "futurearch"), 32);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gen_parse),
        cmocka_unit_test(test_arch_of_target),
        cmocka_unit_test(test_preferred_machine),
        cmocka_unit_test(test_families),
    };
    return cmocka_run_group_tests_name("libvirt", tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-flags.c: schema path queries and flag derivation on small inline facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "introspect/flags.h"

static const char *schema_text =
    "[{\"name\":\"blockdev-add\",\"meta-type\":\"command\",\"arg-type\":\"A\",\"ret-type\":\"E\"},"
    " {\"name\":\"device_add\",\"meta-type\":\"command\",\"arg-type\":\"E\",\"ret-type\":\"E\","
    "  \"features\":[\"json-cli-hotplug\"]},"
    " {\"name\":\"query-list\",\"meta-type\":\"command\",\"arg-type\":\"E\",\"ret-type\":\"[L]\"},"
    " {\"name\":\"E\",\"meta-type\":\"object\",\"members\":[]},"
    " {\"name\":\"STOP\",\"meta-type\":\"event\",\"arg-type\":\"E\"},"
    " {\"name\":\"A\",\"meta-type\":\"object\",\"tag\":\"driver\","
    "  \"members\":[{\"name\":\"driver\",\"type\":\"D\"},{\"name\":\"opt\",\"type\":\"S\","
    "  \"default\":null},{\"name\":\"alt\",\"type\":\"ALT\"}],"
    "  \"variants\":[{\"case\":\"file\",\"type\":\"F\"}]},"
    " {\"name\":\"D\",\"meta-type\":\"enum\",\"values\":[\"file\",\"nbd\"]},"
    " {\"name\":\"F\",\"meta-type\":\"object\",\"members\":[{\"name\":\"aio\",\"type\":\"AIO\"}],"
    "  \"features\":[\"dynamic-auto-read-only\"]},"
    " {\"name\":\"AIO\",\"meta-type\":\"enum\",\"members\":[{\"name\":\"threads\"},"
    "  {\"name\":\"io_uring\"}]},"
    " {\"name\":\"ALT\",\"meta-type\":\"alternate\",\"members\":[{\"type\":\"S\"},{\"type\":\"D\"}]},"
    " {\"name\":\"[L]\",\"meta-type\":\"array\",\"element-type\":\"L\"},"
    " {\"name\":\"L\",\"meta-type\":\"object\",\"members\":[{\"name\":\"x\",\"type\":\"S\"}]},"
    " {\"name\":\"S\",\"meta-type\":\"builtin\",\"json-type\":\"string\"}]";

static void
test_schema_query(void **state)
{
    json_object *arr = json_tokener_parse(schema_text);
    qc_qmp_schema *s = qc_qmp_schema_new(arr, NULL);
    qc_strlist cmds = {0};

    assert_non_null(s);
    json_object_put(arr); /* the schema keeps its own reference */
    assert_true(qc_qmp_schema_query(s, "blockdev-add"));
    assert_false(qc_qmp_schema_query(s, "blockdev-del"));
    assert_true(qc_qmp_schema_query(s, "blockdev-add/arg-type/+file/aio/^io_uring"));
    assert_false(qc_qmp_schema_query(s, "blockdev-add/arg-type/+file/aio/^native"));
    assert_false(qc_qmp_schema_query(s, "blockdev-add/arg-type/+nbd"));
    assert_true(qc_qmp_schema_query(s, "blockdev-add/arg-type/+file/$dynamic-auto-read-only"));
    assert_true(qc_qmp_schema_query(s, "blockdev-add/arg-type/driver/^nbd"));
    assert_true(qc_qmp_schema_query(s, "blockdev-add/arg-type/*opt"));
    assert_false(qc_qmp_schema_query(s, "blockdev-add/arg-type/*driver"));
    assert_true(qc_qmp_schema_query(s, "blockdev-add/arg-type/opt/!string"));
    assert_false(qc_qmp_schema_query(s, "blockdev-add/arg-type/opt/!number"));
    assert_true(qc_qmp_schema_query(s, "blockdev-add/arg-type/alt/^nbd"));
    assert_true(qc_qmp_schema_query(s, "blockdev-add/arg-type/alt/!string"));
    assert_true(qc_qmp_schema_query(s, "device_add/$json-cli-hotplug"));
    assert_false(qc_qmp_schema_query(s, "device_add/$json-cli"));
    assert_true(qc_qmp_schema_query(s, "query-list/ret-type/x"));
    assert_false(qc_qmp_schema_query(s, "query-list/bogus"));
    assert_false(qc_qmp_schema_query(s, ""));
    assert_int_equal(qc_qmp_schema_names(s, "command", &cmds, NULL), 0);
    assert_int_equal(cmds.n, 3);
    qc_strlist_clear(&cmds);
    assert_int_equal(qc_qmp_schema_names(s, "event", &cmds, NULL), 0);
    assert_int_equal(cmds.n, 1);
    assert_string_equal(cmds.v[0], "STOP");
    qc_strlist_clear(&cmds);
    qc_qmp_schema_free(s);
}

static void
test_flags(void **state)
{
    json_object *arr = json_tokener_parse(schema_text);
    qc_qmp_schema *s = qc_qmp_schema_new(arr, NULL);
    qc_model *m = qc_model_new();
    const char *machine_types[3] = {NULL, NULL, "none-machine"};
    qc_type_props *t;

    json_object_put(arr);
    m->target = strdup("sparc");
    m->version_major = 7;
    m->version_minor = 2;
    m->kvm = true;
    qc_strlist_add(&m->qom_types, "VGA", NULL);
    qc_strlist_add(&m->qom_types, "tcg-accel", NULL);
    qc_strlist_add(&m->qom_types, "sev-guest", NULL);
    qc_strlist_add(&m->qom_types, "virtio-blk-pci-transitional", NULL);
    qc_strlist_sort(&m->qom_types);
    qc_strlist_add(&m->commands, "blockdev-reopen", NULL);
    qc_strlist_add(&m->commands, "query-vnc", NULL);
    assert_int_equal(qc_flags_derive_early(m, s, NULL), 0);
    assert_true(qc_model_has_flag(m, "vga"));
    assert_true(qc_model_has_flag(m, "tcg"));
    assert_true(qc_model_has_flag(m, "kvm"));
    assert_true(qc_model_has_flag(m, "vnc"));
    assert_true(qc_model_has_flag(m, "sev-guest"));
    assert_true(qc_model_has_flag(m, "virtio-pci-non-transitional"));
    assert_true(qc_model_has_flag(m, "aio.io_uring"));
    assert_true(qc_model_has_flag(m, "device.json+hotplug"));
    assert_false(qc_model_has_flag(m, "device.json"));
    assert_false(qc_model_has_flag(m, "cpu-max"));

    m->object_props = t = calloc(1, sizeof(*t));
    m->n_object_props = 1;
    t->type_name = strdup("none-machine");
    t->present = true;
    qc_strlist_add(&t->props, "confidential-guest-support", NULL);
    assert_int_equal(qc_flags_derive_late(m, machine_types, NULL), 0);
    assert_true(qc_model_has_flag(m, "machine.confidential-guest-support"));
    assert_true(qc_model_has_flag(m, "esp"));             /* sparc */
    assert_false(qc_model_has_flag(m, "sev-guest"));      /* no SEV caps: cleared */
    assert_false(qc_model_has_flag(m, "incremental-backup"));
    assert_false(qc_model_has_flag(m, "enable-fips"));
    for (size_t i = 1; i < m->flags.n; i++)
        assert_true(strcmp(m->flags.v[i - 1], m->flags.v[i]) < 0);
    qc_model_free(m);
    qc_qmp_schema_free(s);
}

static void
test_hyperv(void **state)
{
    qc_model *m = qc_model_new();
    qc_cpu_expansion e = {0};
    qc_cpu_prop p[5] = {
        {.name = (char *) "hv-relaxed", .type = QC_PROP_BOOL, .b = false},
        {.name = (char *) "hv-spinlocks", .type = QC_PROP_NUMBER, .n = 4095},
        {.name = (char *) "hv-tlbflush-direct", .type = QC_PROP_BOOL, .b = true},
        {.name = (char *) "hv-vendor-id", .type = QC_PROP_STRING, .s = (char *) ""},
        {.name = (char *) "vmx", .type = QC_PROP_BOOL, .b = true},
    };

    e.props = p;
    e.n_props = 5;
    /* QEMU's names, all of them: which libvirt shows is the writers' business */
    assert_int_equal(qc_flags_hyperv(m, &e, NULL), 0);
    assert_int_equal(m->hyperv.n, 3);
    assert_string_equal(m->hyperv.v[0], "hv-spinlocks");
    assert_string_equal(m->hyperv.v[1], "hv-tlbflush-direct");
    assert_string_equal(m->hyperv.v[2], "hv-vendor-id");
    qc_model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_query),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_hyperv),
    };
    return cmocka_run_group_tests_name("flags", tests, NULL, NULL);
}

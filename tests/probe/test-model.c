/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-model.c: string lists, lookups, arch map and the JSON codec of the model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "common/jsontext.h"
#include "model/model-json.h"

static void
test_strlist(void **state)
{
    qc_strlist l = {0};

    assert_int_equal(qc_strlist_add(&l, "b", NULL), 0);
    assert_int_equal(qc_strlist_add(&l, "a", NULL), 0);
    assert_int_equal(qc_strlist_add(&l, "b", NULL), 0);
    assert_int_equal(qc_strlist_index(&l, "a"), 1);
    assert_int_equal(qc_strlist_index(&l, "z"), -1);
    qc_strlist_sort(&l);
    qc_strlist_uniq(&l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0], "a");
    assert_true(qc_strlist_bsearch(&l, "b"));
    assert_false(qc_strlist_bsearch(&l, "c"));
    qc_strlist_clear(&l);
    assert_int_equal(l.n, 0);
}

static void
test_arch(void **state)
{
    /* every QEMU target of 5.2 to 11.1 is known; anything else is unknown */
    assert_true(qc_qemu_target_known("loongarch64"));
    assert_true(qc_qemu_target_known("x86_64"));
    assert_false(qc_qemu_target_known("sparc128"));
    assert_false(qc_qemu_target_known("x86_64-microvm"));
    assert_false(qc_qemu_target_known(NULL));
    /* binary-name suffixes: build variants name their target, ppc64le names none */
    assert_string_equal(qc_qemu_target_of_name("x86_64-microvm"), "x86_64");
    assert_string_equal(qc_qemu_target_of_name("aarch64"), "aarch64");
    assert_null(qc_qemu_target_of_name("ppc64le"));
    assert_null(qc_qemu_target_of_name("x86"));
    assert_true(qc_qemu_target_known("hexagon")); /* QEMU 11 */
}

/* json-c 0.16 and 0.17+ lay out empty containers differently; our text does not. */
static void
test_json_text_layout(void **state)
{
    char *text = strdup("{\n  \"a\": [\n    ],\n  \"b\": {\n  },\n  \"c\": \"[\\n ]\",\n"
                        "  \"d\": [\n    1\n  ],\n  \"e\": []\n}");
    /* é, €, U+1F600 and a stray continuation byte: escapes json-c 0.18 reads too */
    char *utf8 = strdup("[\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x80\"]");
    json_object *back;

    (void) state;
    assert_non_null(text = qc_json_text_layout(text));
    assert_string_equal(text, "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": \"[\\n ]\",\n"
                              "  \"d\": [\n    1\n  ],\n  \"e\": []\n}");
    assert_non_null(utf8 = qc_json_text_layout(utf8));
    assert_string_equal(utf8, "[\"\\u00e9 \\u20ac \\ud83d\\ude00 \\ufffd\"]");
    assert_non_null(back = json_tokener_parse(utf8));
    assert_string_equal(json_object_get_string(json_object_array_get_idx(back, 0)),
                        "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd");
    json_object_put(back);
    assert_null(qc_json_text_layout(NULL));
    free(text);
    free(utf8);
}

static qc_model *
sample_model(void)
{
    qc_model *m = qc_model_new();
    qc_accel_caps *ac = &m->accel[QC_ACCEL_KVM];

    m->emulator = strdup("/usr/bin/qemu-system-x86_64");
    m->version_major = 7;
    m->version_minor = 2;
    m->version_micro = 22;
    m->package = strdup("pkg \"quoted\" /slash");
    m->target = strdup("x86_64");
    m->host.arch = strdup("x86_64");
    m->host.kvm_usable = true;
    qc_strlist_add(&m->host.cpu_flags, "vmx", NULL);
    m->kvm = true;
    qc_strlist_add(&m->flags, "kvm", NULL);
    qc_strlist_add(&m->flags, "vnc", NULL);
    ac->probed = true;
    ac->machines = calloc(2, sizeof(*ac->machines));
    ac->n_machines = 2;
    ac->machines[0].name = strdup("pc-q35-7.2");
    ac->machines[0].alias = strdup("q35");
    ac->machines[0].cpu_max = 288;
    ac->machines[0].acpi = QC_TRI_YES;
    ac->machines[1].name = strdup("pc-i440fx-7.2");
    ac->machines[1].alias = strdup("pc");
    ac->machines[1].is_default = true;
    ac->have_cpu_defs = true;
    ac->cpu_defs = calloc(1, sizeof(*ac->cpu_defs));
    ac->n_cpu_defs = 1;
    ac->cpu_defs[0].name = strdup("max");
    ac->cpu_defs[0].usable = QC_TRI_NO;
    qc_strlist_add(&ac->cpu_defs[0].blockers, "avx", NULL);
    ac->host_cpu = calloc(1, sizeof(*ac->host_cpu));
    ac->host_cpu->model = strdup("base");
    ac->host_cpu->type = strdup("static");
    ac->host_cpu->props = calloc(2, sizeof(qc_cpu_prop));
    ac->host_cpu->n_props = 2;
    ac->host_cpu->props[0].name = strdup("aes");
    ac->host_cpu->props[0].b = true;
    ac->host_cpu->props[0].migratable = QC_TRI_YES;
    ac->host_cpu->props[1].name = strdup("xlevel");
    ac->host_cpu->props[1].type = QC_PROP_NUMBER;
    ac->host_cpu->props[1].n = 2147483656;
    m->accel[QC_ACCEL_TCG].probed = true;
    m->device_props = calloc(2, sizeof(qc_type_props));
    m->n_device_props = 2;
    m->device_props[0].type_name = strdup("VGA");
    m->device_props[0].present = true;
    qc_strlist_add(&m->device_props[0].props, "vgamem_mb", NULL);
    m->device_props[1].type_name = strdup("virtio-blk-pci");
    m->have_gic = true;
    m->gic = calloc(1, sizeof(*m->gic));
    m->n_gic = 1;
    m->gic[0].version = 3;
    m->gic[0].emulated = true;
    m->sgx = calloc(1, sizeof(*m->sgx));
    m->sgx->sgx1 = true;
    m->sgx->sections = calloc(1, sizeof(qc_sgx_section));
    m->sgx->n_sections = 1;
    m->sgx->sections[0].size = 1 << 30;
    qc_strlist_add(&m->hyperv, "hv-spinlocks", NULL);
    return m;
}

static void
test_lookups(void **state)
{
    qc_model *m = sample_model();

    assert_true(qc_model_has_flag(m, "vnc"));
    assert_false(qc_model_has_flag(m, "sdl"));
    assert_string_equal(qc_model_find_machine(m, QC_ACCEL_KVM, "q35")->name, "pc-q35-7.2");
    assert_null(qc_model_find_machine(m, QC_ACCEL_TCG, "q35"));
    assert_string_equal(qc_model_default_machine(m, QC_ACCEL_KVM)->name, "pc-i440fx-7.2");
    assert_non_null(qc_model_find_cpu(m, QC_ACCEL_KVM, "max"));
    assert_false(qc_model_device_props(m, "virtio-blk-pci")->present);
    assert_int_equal(qc_model_version_number(m), 7002022);
    assert_int_equal(qc_cpu_expansion_prop(m->accel[0].host_cpu, "xlevel")->n, 2147483656);
    qc_model_free(m);
}

static void
test_json_roundtrip(void **state)
{
    qc_model *m = sample_model(), *back;
    char *a = qc_model_to_string(m, NULL), *b;

    assert_non_null(a);
    assert_non_null(strstr(a, "\"format-version\": 3"));
    assert_non_null(strstr(a, "/slash")); /* no slash escaping */
    assert_non_null(strstr(a, "\"sev\": null"));
    back = qc_model_from_string(a, strlen(a), NULL);
    assert_non_null(back);
    b = qc_model_to_string(back, NULL);
    assert_string_equal(a, b);
    free(a);
    free(b);
    qc_model_free(m);
    qc_model_free(back);
}

static void
expect_format_error(const char *from, const char *to, const char *msg)
{
    qc_model *m = sample_model();
    char *text = qc_model_to_string(m, NULL), *p, *edited;
    qc_error *err = NULL;

    p = strstr(text, from);
    assert_non_null(p);
    edited = calloc(1, strlen(text) + strlen(to) + 1);
    memcpy(edited, text, (size_t) (p - text));
    strcat(edited, to);
    strcat(edited, p + strlen(from));
    assert_null(qc_model_from_string(edited, strlen(edited), &err));
    assert_non_null(err);
    assert_int_equal(err->code, QC_E_FORMAT);
    if (!strstr(err->message, msg))
        fail_msg("message '%s' lacks '%s'", err->message, msg);
    qc_error_free(err);
    free(edited);
    free(text);
    qc_model_free(m);
}

static void
test_json_rejects(void **state)
{
    expect_format_error("\"cpu-max\": 288", "\"cpu-max\": \"288\"",
                        "accelerators.kvm.machines[0].cpu-max: expected integer");
    expect_format_error("\"format-version\": 3", "\"format-version\": 2", "format-version");
    expect_format_error("\"avx\"", "17", "accelerators.kvm.cpu-definitions[0].blockers[0]");
    expect_format_error("\"kvm-usable\": true", "\"kvm-usable\": 1", "host.kvm-usable");
    expect_format_error("\"vgamem_mb\"", "false", "device-properties.VGA[0]: expected string");
    expect_format_error("\"type\": \"number\"", "\"type\": \"float\"",
                        "accelerators.kvm.host-cpu.props[1].type");
    expect_format_error("\"hyperv\"", "\"hyperv-x\"", "hyperv: missing member");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strlist),       cmocka_unit_test(test_arch),
        cmocka_unit_test(test_lookups),       cmocka_unit_test(test_json_roundtrip),
        cmocka_unit_test(test_json_rejects),  cmocka_unit_test(test_json_text_layout),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-domcaps-golden.c: replays fixtures, renders domcaps, validates, compares goldens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "introspect/probe.h"
#include "qmp/fixture.h"
#include "schema/domcaps.h"
#include "schema/libvirt.h"
#include "schema/relaxng.h"
#include "schema/xmljson.h"
#include "tests/helpers/testfx.h"

typedef struct qc_golden_case {
    const char *stem;     /* fixture stem */
    const char *machine;  /* NULL: default */
    const char *virttype; /* NULL: default */
} qc_golden_case;

/* One test: a case rendered for one libvirt generation (every case, every generation). */
typedef struct qc_golden {
    const char *stem, *machine, *virttype;
    qc_lv_gen gen;
} qc_golden;

static const qc_golden_case goldens[] = {
    {"caps_7.2.22_x86_64", NULL, "kvm"},
    {"caps_7.2.22_x86_64", NULL, "qemu"},
    {"caps_7.2.22_x86_64", "q35", "kvm"},
    {"caps_7.2.22_x86_64", "q35", "qemu"},
    {"caps_7.2.22_i386", NULL, NULL},
    {"caps_7.2.22_aarch64", NULL, NULL},
    {"caps_7.2.22_aarch64", "virt", NULL},
    {"caps_7.2.22_arm", "virt", NULL},
    {"caps_7.2.22_ppc64", "pseries", NULL},
    {"caps_7.2.22_s390x", NULL, NULL},
    {"caps_7.2.22_riscv64", "virt", NULL},
    {"caps_7.2.22_loongarch64", NULL, NULL},
    {"caps_7.2.22_avr", NULL, NULL},
    {"caps_7.2.22_x86_64+microvm", NULL, NULL},
};

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = calloc(1, (size_t) n + 1)) && fread(buf, 1, (size_t) n, f) != (size_t) n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "we");

    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static qc_model *
replay(const char *stem)
{
    char *path = NULL;
    qc_fixture *fx;
    qc_probe_opts o = {0};
    qc_error *err = NULL;
    qc_model *m;

    path = qc_testfx_path(stem);
    fx = qc_fixture_load(path, &err);
    if (!fx)
        fail_msg("%s: %s", path, err->message);
    o.fixture = fx;
    m = qc_probe_run(&o, &err);
    if (!m)
        fail_msg("%s: %s", path, err->message);
    qc_fixture_free(fx);
    free(path);
    return m;
}

static void
test_golden(void **state)
{
    const qc_golden *g = *state;
    qc_domcaps_req req = {g->gen, NULL, g->machine, g->virttype};
    qc_error *err = NULL;
    char *rng = NULL, *path = NULL, *xml, *want, *json, *back;
    qc_model *m = replay(g->stem);

    xml = qc_domcaps_format(m, &req, NULL, NULL, &err);
    if (!xml)
        fail_msg("%s: %s", g->stem, err->message);
    assert_true(asprintf(&rng, "%s/schema/domcapabilities.rng", getenv("QC_SOURCE_ROOT")) > 0);
    if (qc_relaxng_validate(rng, xml, &err) < 0)
        fail_msg("%s: %s", g->stem, err->message);
    assert_true(asprintf(&path, "%s/expected/domcaps/libvirt-%s/%s%s%s%s%s.xml",
                         getenv("QC_FIXTURES"), qc_lv_gen_name(g->gen), g->stem, g->machine ? "-" : "", g->machine ? g->machine : "",
                         g->virttype ? "-" : "", g->virttype ? g->virttype : "") > 0);
    if (getenv("QC_TEST_REGENERATE"))
        write_file(path, xml);
    want = read_file(path);
    if (!want)
        fail_msg("missing %s (QC_TEST_REGENERATE=1 writes it)", path);
    assert_string_equal(xml, want);
    /* the JSON mapping is lossless: XML -> JSON -> XML gives the same bytes */
    if (!(json = qc_xml_to_json(xml, &err)))
        fail_msg("%s: JSON: %s", g->stem, err->message);
    if (!(back = qc_json_to_xml(json, &err)))
        fail_msg("%s: JSON -> XML: %s", g->stem, err->message);
    assert_string_equal(back, xml);
    free(back);
    free(json);
    free(want);
    free(path);
    free(rng);
    free(xml);
    qc_model_free(m);
}

int
main(void)
{
    enum { N = QC_N_ELEMENTS(goldens) };
    static qc_golden cases[N * QC_LV_N];
    static char names[N * QC_LV_N][128];
    struct CMUnitTest tests[N * QC_LV_N];

    for (size_t g = 0; g < QC_LV_N; g++) {
        for (size_t i = 0; i < N; i++) {
            size_t k = g * N + i;
            cases[k].stem = goldens[i].stem;
            cases[k].machine = goldens[i].machine;
            cases[k].virttype = goldens[i].virttype;
            cases[k].gen = (qc_lv_gen) g;
            snprintf(names[k], sizeof(names[k]), "libvirt %s: %s%s%s%s%s",
                     qc_lv_gen_name(cases[k].gen), goldens[i].stem,
                     goldens[i].machine ? " " : "", goldens[i].machine ? goldens[i].machine : "",
                     goldens[i].virttype ? " " : "",
                     goldens[i].virttype ? goldens[i].virttype : "");
            struct CMUnitTest t = {names[k], test_golden, NULL, NULL, &cases[k]};
            tests[k] = t;
        }
    }
    return _cmocka_run_group_tests("domcaps-golden", tests, N * QC_LV_N, NULL, NULL);
}

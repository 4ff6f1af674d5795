/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-model-diff.c: model/model-diff.h rule by rule on small built models, schema/facts.h's
 * document diff, and the public qcaps_diff*() / qcaps_changes_* API over the fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "model/model-diff.h"
#include "model/model.h"
#include "qcaps.h"
#include "schema/facts.h"
#include "tests/helpers/testfx.h"

/* ---- building models ------------------------------------------------------------------- */

static qc_model *
mk_model(void)
{
    qc_model *m = qc_model_new();

    assert_non_null(m);
    m->version_major = 9;
    m->version_minor = 2;
    m->version_micro = 0;
    m->target = strdup("x86_64");
    m->accel[QC_ACCEL_KVM].probed = true;
    m->accel[QC_ACCEL_TCG].probed = true;
    m->accel[QC_ACCEL_KVM].have_cpu_defs = true;
    m->accel[QC_ACCEL_TCG].have_cpu_defs = true;
    return m;
}

static qc_machine *
add_machine(qc_model *m, qc_accel a, const char *name, const char *alias, bool is_default)
{
    qc_accel_caps *c = &m->accel[a];
    qc_machine *v = realloc(c->machines, (c->n_machines + 1) * sizeof(*v)), *mc;

    assert_non_null(v);
    c->machines = v;
    mc = &v[c->n_machines++];
    memset(mc, 0, sizeof(*mc));
    mc->name = strdup(name);
    mc->alias = alias ? strdup(alias) : NULL;
    mc->is_default = is_default;
    mc->cpu_max = 288;
    return mc;
}

/* The same machine under both accelerators. */
static void
add_machine_both(qc_model *m, const char *name, const char *alias, bool is_default, bool deprecated)
{
    add_machine(m, QC_ACCEL_KVM, name, alias, is_default)->deprecated = deprecated;
    add_machine(m, QC_ACCEL_TCG, name, alias, is_default)->deprecated = deprecated;
}

static qc_cpu_def *
add_cpu(qc_model *m, qc_accel a, const char *name, const char *alias_of, const char *blocker)
{
    qc_accel_caps *c = &m->accel[a];
    qc_cpu_def *v = realloc(c->cpu_defs, (c->n_cpu_defs + 1) * sizeof(*v)), *d;

    assert_non_null(v);
    c->cpu_defs = v;
    d = &v[c->n_cpu_defs++];
    memset(d, 0, sizeof(*d));
    d->name = strdup(name);
    d->alias_of = alias_of ? strdup(alias_of) : NULL;
    d->usable = blocker ? QC_TRI_NO : QC_TRI_YES;
    if (blocker)
        assert_int_equal(qc_strlist_add(&d->blockers, blocker, NULL), 0);
    return d;
}

static void
add_cpu_both(qc_model *m, const char *name, const char *alias_of)
{
    add_cpu(m, QC_ACCEL_KVM, name, alias_of, NULL);
    add_cpu(m, QC_ACCEL_TCG, name, alias_of, NULL);
}

/* The one change of group g named `name` (and scope, when given); fails otherwise. */
static const qc_diff_change *
find(const qc_diff *d, qc_diff_group g, const char *name, const char *scope)
{
    const qc_diff_change *found = NULL;

    for (size_t i = 0; i < d->n; i++) {
        const qc_diff_change *c = &d->v[i];

        if (c->group != g || strcmp(c->name, name) != 0 ||
            (scope && (!c->scope || strcmp(c->scope, scope) != 0)))
            continue;
        if (found)
            fail_msg("two changes %s/%s", qc_diff_group_name(g), name);
        found = c;
    }
    if (!found)
        fail_msg("no change %s/%s%s%s", qc_diff_group_name(g), name, scope ? " " : "",
                 scope ? scope : "");
    return found;
}

static size_t
count_group(const qc_diff *d, qc_diff_group g)
{
    size_t n = 0;

    for (size_t i = 0; i < d->n; i++)
        n += d->v[i].group == g;
    return n;
}

/* ---- model rules ------------------------------------------------------------------------ */

static void
test_same_is_empty(void **state)
{
    qc_model *m = mk_model();
    qc_diff d = {0};

    (void)state;
    add_machine_both(m, "pc-q35-9.2", "q35", true, false);
    add_cpu_both(m, "Skylake", "Skylake-v1");
    assert_int_equal(qc_model_diff(m, m, QC_MODEL_DIFF_HOST, &d, NULL), 0);
    assert_int_equal(d.n, 0);
    qc_diff_clear(&d);
    qc_model_free(m);
}

static void
test_machines(void **state)
{
    qc_model *o = mk_model(), *n = mk_model();
    const qc_diff_change *c;
    qc_diff d = {0};

    (void)state;
    add_machine_both(o, "pc-q35-2.4", NULL, false, true);
    add_machine_both(o, "pc-q35-8.0", NULL, false, false);
    add_machine_both(o, "pc-q35-9.2", "q35", true, false);
    add_machine_both(n, "pc-q35-8.0", NULL, false, true);
    add_machine_both(n, "pc-q35-9.2", NULL, false, false);
    add_machine_both(n, "pc-q35-10.0", "q35", true, false);
    /* QEMU 8.0+ reports acpi; an older side not saying is not a change */
    n->accel[QC_ACCEL_KVM].machines[1].acpi = QC_TRI_YES;
    n->accel[QC_ACCEL_TCG].machines[1].acpi = QC_TRI_YES;
    assert_int_equal(qc_model_diff(o, n, 0, &d, NULL), 0);
    qc_diff_sort(&d);

    c = find(&d, QC_DIFF_MACHINES, "pc-q35-2.4", NULL);
    assert_int_equal(c->kind, QC_DIFF_REMOVED);
    assert_null(c->scope); /* the same under kvm and tcg: once */
    assert_string_equal(c->detail, "was deprecated");
    c = find(&d, QC_DIFF_MACHINES, "pc-q35-10.0", NULL);
    assert_int_equal(c->kind, QC_DIFF_ADDED);
    assert_string_equal(c->detail, "alias q35, default");
    c = find(&d, QC_DIFF_MACHINES, "pc-q35-8.0", NULL);
    assert_int_equal(c->kind, QC_DIFF_CHANGED);
    assert_string_equal(c->attribute, "deprecated");
    assert_string_equal(c->detail, "newly deprecated");
    c = find(&d, QC_DIFF_MACHINES, "default", NULL);
    assert_string_equal(c->old_value, "pc-q35-9.2");
    assert_string_equal(c->new_value, "pc-q35-10.0");
    c = find(&d, QC_DIFF_MACHINES, "q35", NULL);
    assert_string_equal(c->attribute, "alias");
    assert_string_equal(c->detail, "alias moved: pc-q35-9.2 -> pc-q35-10.0");
    assert_int_equal(count_group(&d, QC_DIFF_MACHINES), 5);
    /* the default and the alias come first, then the names in version order */
    assert_string_equal(d.v[0].name, "default");
    assert_string_equal(d.v[1].name, "q35");
    assert_string_equal(d.v[2].name, "pc-q35-2.4");
    assert_string_equal(d.v[3].name, "pc-q35-8.0");
    assert_string_equal(d.v[4].name, "pc-q35-10.0");
    qc_diff_clear(&d);
    qc_model_free(o);
    qc_model_free(n);
}

static void
test_cpu_rename_and_usability(void **state)
{
    qc_model *o = mk_model(), *n = mk_model();
    const qc_diff_change *c;
    qc_diff d = {0};

    (void)state;
    add_cpu_both(o, "Icelake-Client", "Icelake-v1");
    add_cpu_both(o, "Icelake-v1", NULL);
    add_cpu_both(n, "Icelake", "Icelake-v1");
    add_cpu_both(n, "Icelake-v1", NULL);
    /* usable under kvm before, blocked now; tcg unchanged */
    add_cpu(o, QC_ACCEL_KVM, "EPYC", NULL, NULL);
    add_cpu(o, QC_ACCEL_TCG, "EPYC", NULL, "avx2");
    add_cpu(n, QC_ACCEL_KVM, "EPYC", NULL, "sha-ni");
    assert_int_equal(
        qc_strlist_add(&add_cpu(n, QC_ACCEL_TCG, "EPYC", NULL, "avx2")->blockers, "xsaves", NULL),
        0);
    assert_int_equal(qc_model_diff(o, n, 0, &d, NULL), 0);

    /* a rename is one change, not a removal and an addition */
    c = find(&d, QC_DIFF_CPU_MODELS, "Icelake-Client", NULL);
    assert_int_equal(c->kind, QC_DIFF_CHANGED);
    assert_string_equal(c->attribute, "name");
    assert_string_equal(c->new_value, "Icelake");
    assert_string_equal(c->detail, "renamed to Icelake (both alias of Icelake-v1)");
    for (size_t i = 0; i < d.n; i++)
        assert_false(d.v[i].group == QC_DIFF_CPU_MODELS && !strcmp(d.v[i].name, "Icelake"));

    c = find(&d, QC_DIFF_CPU_MODELS, "EPYC", "kvm");
    assert_string_equal(c->attribute, "usable");
    assert_string_equal(c->old_value, "yes");
    assert_string_equal(c->new_value, "no");
    assert_int_equal(c->added.n, 1);
    assert_string_equal(c->added.v[0], "sha-ni");
    assert_string_equal(c->detail, "usable -> not usable, blocked by: sha-ni");
    c = find(&d, QC_DIFF_CPU_MODELS, "EPYC", "tcg");
    assert_string_equal(c->attribute, "blockers");
    assert_string_equal(c->detail, "still not usable; now also blocked by: xsaves");
    qc_diff_clear(&d);

    /* and back */
    assert_int_equal(qc_model_diff(n, o, 0, &d, NULL), 0);
    c = find(&d, QC_DIFF_CPU_MODELS, "EPYC", "kvm");
    assert_string_equal(c->detail, "not usable -> usable (was blocked by: sha-ni)");
    qc_diff_clear(&d);
    qc_model_free(o);
    qc_model_free(n);

    /* ppc's aliases name their model by QOM type, not alias-of */
    o = mk_model();
    n = mk_model();
    add_cpu(o, QC_ACCEL_TCG, "power5+", NULL, NULL)->type_name =
        strdup("power5+_v2.1-powerpc64-cpu");
    add_cpu(n, QC_ACCEL_TCG, "power5p", NULL, NULL)->type_name =
        strdup("power5+_v2.1-powerpc64-cpu");
    o->accel[QC_ACCEL_KVM].probed = n->accel[QC_ACCEL_KVM].probed = false;
    assert_int_equal(qc_model_diff(o, n, 0, &d, NULL), 0);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].detail,
                        "renamed to power5p (both of QOM type power5+_v2.1-powerpc64-cpu)");
    qc_diff_clear(&d);
    assert_int_equal(qc_model_diff(n, o, 0, &d, NULL), 0);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].name, "power5p");
    qc_diff_clear(&d);
    qc_model_free(o);
    qc_model_free(n);
}

static void
test_accelerators_and_unknowns(void **state)
{
    qc_model *o = mk_model(), *n = mk_model();
    const qc_diff_change *c;
    qc_diff d = {0};

    (void)state;
    /* only the new side has a KVM pass: said once, its lists are not compared */
    o->accel[QC_ACCEL_KVM].probed = false;
    add_machine(n, QC_ACCEL_KVM, "pc-q35-10.0", NULL, true);
    /* one side lists no CPU models: not a removal of every model */
    n->accel[QC_ACCEL_TCG].have_cpu_defs = false;
    add_cpu(o, QC_ACCEL_TCG, "max", NULL, NULL);
    assert_int_equal(qc_model_diff(o, n, 0, &d, NULL), 0);
    c = find(&d, QC_DIFF_VERSION, "kvm", "accelerator");
    assert_int_equal(c->kind, QC_DIFF_ADDED);
    c = find(&d, QC_DIFF_CPU_MODELS, "query-cpu-definitions", NULL);
    assert_int_equal(c->kind, QC_DIFF_CHANGED);
    assert_int_equal(count_group(&d, QC_DIFF_CPU_MODELS), 1);
    assert_int_equal(count_group(&d, QC_DIFF_MACHINES), 0);
    qc_diff_clear(&d);
    qc_model_free(o);
    qc_model_free(n);
}

static void
test_host_only_on_request(void **state)
{
    qc_model *o = mk_model(), *n = mk_model();
    const qc_diff_change *c;
    qc_diff d = {0};

    (void)state;
    o->host.kernel_release = strdup("6.1.0");
    n->host.kernel_release = strdup("6.12.0");
    assert_int_equal(qc_strlist_add(&n->host.cpu_flags, "avx512f", NULL), 0);
    assert_int_equal(qc_model_diff(o, n, 0, &d, NULL), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(qc_model_diff(o, n, QC_MODEL_DIFF_HOST, &d, NULL), 0);
    c = find(&d, QC_DIFF_HOST, "kernel-release", NULL);
    assert_string_equal(c->new_value, "6.12.0");
    c = find(&d, QC_DIFF_HOST, "cpu-flags", NULL);
    assert_int_equal(c->added.n, 1);
    qc_diff_clear(&d);
    qc_model_free(o);
    qc_model_free(n);
}

static void
test_common(void **state)
{
    qc_model *a = mk_model(), *b = mk_model();
    const qc_diff_change *c;
    qc_diff d = {0};

    (void)state;
    add_machine_both(a, "pc-q35-9.2", NULL, true, false);
    add_machine_both(a, "none", NULL, false, false);
    add_machine_both(b, "pc-q35-9.2", NULL, false, false);
    add_machine_both(b, "none", NULL, false, false);
    add_machine_both(b, "pc-q35-10.0", NULL, true, false);
    add_cpu_both(a, "Skylake", NULL);
    add_cpu_both(a, "EPYC", NULL);
    add_cpu_both(b, "Skylake", NULL);
    add_cpu(b, QC_ACCEL_KVM, "EPYC", NULL, "sha-ni");
    add_cpu(b, QC_ACCEL_TCG, "EPYC", NULL, NULL);
    assert_int_equal(qc_model_common(a, b, &d, NULL), 0);
    assert_int_equal(d.n, 4);
    assert_int_equal(qc_diff_count_differences(&d), 0);
    c = find(&d, QC_DIFF_BOTH, "machines", "kvm");
    assert_int_equal(c->items.n, 1);
    assert_string_equal(c->items.v[0], "pc-q35-9.2");
    c = find(&d, QC_DIFF_BOTH, "cpu-models", "kvm");
    assert_int_equal(c->items.n, 1);
    c = find(&d, QC_DIFF_BOTH, "cpu-models", "tcg");
    assert_int_equal(c->items.n, 2);
    qc_diff_clear(&d);
    qc_model_free(a);
    qc_model_free(b);
}

/* ---- documents ---------------------------------------------------------------------------- */

static void
test_document_facts(void **state)
{
    static const char a[] = "<d><machine>pc-7.2</machine><enum name='bus'><value>usb</value>"
                            "<value>sata</value></enum><x a='1'/></d>";
    static const char b[] = "<d><enum name='bus'><value>sata</value><value>virtio</value>"
                            "</enum><machine>pc-11.1</machine><x a='2'/></d>";
    qc_xml_facts fa = {0}, fb = {0};
    qc_error *err = NULL;
    const qc_diff_change *c;
    qc_diff d = {0};
    char *s;

    (void)state;
    assert_int_equal(qc_xml_facts_read(a, strlen(a), "a", NULL, 0, &fa, NULL), 0);
    assert_int_equal(qc_xml_facts_read(b, strlen(b), "b", NULL, 0, &fb, NULL), 0);
    assert_int_equal(fa.n, 6);
    assert_non_null(s = qc_xml_fact_format(&fa.v[2]));
    assert_string_equal(s, "/d/enum[@name='bus']");
    free(s);
    assert_non_null(s = qc_xml_fact_format(&fa.v[3]));
    assert_string_equal(s, "/d/enum[@name='bus']/value=usb");
    free(s);
    assert_int_equal(qc_xml_facts_diff(&fa, &fb, &d, NULL), 0);
    /* order does not matter; a text change of a unique path is one change */
    c = find(&d, QC_DIFF_DOCUMENT, "/d/machine", NULL);
    assert_int_equal(c->kind, QC_DIFF_CHANGED);
    assert_string_equal(c->old_value, "pc-7.2");
    assert_string_equal(c->new_value, "pc-11.1");
    /* values of a set (siblings at one path): a removal and an addition, not a change */
    assert_int_equal(count_group(&d, QC_DIFF_DOCUMENT), 5);
    for (size_t i = 0; i < d.n; i++)
        assert_false(d.v[i].kind == QC_DIFF_CHANGED && strstr(d.v[i].name, "value"));
    qc_diff_clear(&d);
    assert_int_equal(qc_xml_facts_diff(&fa, &fa, &d, NULL), 0);
    assert_int_equal(d.n, 0);
    qc_xml_facts_clear(&fa);
    qc_xml_facts_clear(&fb);
    assert_int_equal(qc_xml_facts_read("<a><b></a>", 10, "bad", NULL, 0, &fa, &err), -1);
    assert_int_equal(err->code, QC_E_XML);
    assert_non_null(strstr(err->message, "bad: "));
    qc_error_free(err);
    qc_xml_facts_clear(&fa);
}

/* ---- the public API over the fixtures -------------------------------------------------------- */

static qcaps_model *
replay(const char *stem)
{
    char *path = qc_testfx_path(stem);
    qcaps_error *err = NULL;
    qcaps_model *m = qcaps_replay(path, &err);

    if (!m)
        fail_msg("%s: %s", path, qcaps_error_message(err));
    free(path);
    return m;
}

static void
test_public_api(void **state)
{
    qcaps_model *a = replay("caps_7.2.22_x86_64"), *b = replay("caps_7.2.22_aarch64");
    qcaps_error *err = NULL;
    qcaps_changes *d;
    json_object *o, *v;
    size_t machines = 0;
    char *json;

    (void)state;
    assert_non_null(d = qcaps_diff(a, a, QCAPS_DIFF_HOST, &err));
    assert_int_equal(qcaps_changes_count(d), 0);
    assert_int_equal(qcaps_changes_differences(d), 0);
    assert_null(qcaps_changes_get(d, 0));
    qcaps_changes_free(d);

    assert_non_null(d = qcaps_diff(a, b, 0, &err));
    assert_true(qcaps_changes_differences(d) > 100);
    for (size_t i = 0; i < qcaps_changes_count(d); i++) {
        const qcaps_change *c = qcaps_changes_get(d, i);

        assert_non_null(qcaps_change_group(c));
        assert_non_null(qcaps_change_name(c));
        assert_null(qcaps_change_emulator(c));
        if (!strcmp(qcaps_change_group(c), "machines")) {
            machines++;
            assert_true(qcaps_change_scope_is_accel(c));
        }
        if (qcaps_change_get_kind(c) == QCAPS_CHANGE_CHANGED &&
            !strcmp(qcaps_change_group(c), "version") && !strcmp(qcaps_change_name(c), "target")) {
            assert_string_equal(qcaps_change_old(c), "x86_64");
            assert_string_equal(qcaps_change_new(c), "aarch64");
        }
        assert_null(qcaps_change_list_get(c, QCAPS_CHANGE_LIST_ITEMS,
                                          qcaps_change_list_count(c, QCAPS_CHANGE_LIST_ITEMS)));
    }
    assert_true(machines > 50);
    assert_non_null(json = qcaps_changes_to_json(d, 0, &err));
    assert_non_null(o = json_tokener_parse(json));
    assert_true(json_object_object_get_ex(o, "qcaps-diff", &v));
    assert_int_equal(json_object_get_int(v), 1);
    assert_true(json_object_object_get_ex(o, "groups", &v));
    assert_true(json_object_is_type(v, json_type_array));
    json_object_put(o);
    free(json);
    qcaps_changes_free(d);

    /* NULL-safe, errors through qcaps_error */
    assert_null(qcaps_diff(a, NULL, 0, &err));
    assert_int_equal(qcaps_error_get_code(err), QCAPS_E_INVALID);
    qcaps_error_free(err);
    err = NULL;
    assert_null(qcaps_diff_documents("<a/>", "<a", &err));
    assert_int_equal(qcaps_error_get_code(err), QCAPS_E_XML);
    qcaps_error_free(err);
    err = NULL;
    assert_non_null(d = qcaps_diff_documents("<a><b/></a>", "<a><c/></a>", &err));
    assert_int_equal(qcaps_changes_differences(d), 2);
    qcaps_changes_free(d);
    assert_int_equal(qcaps_changes_count(NULL), 0);
    assert_null(qcaps_change_name(NULL));
    assert_int_equal(qcaps_change_list_count(NULL, QCAPS_CHANGE_LIST_ADDED), 0);
    qcaps_changes_free(NULL);
    qcaps_source_free(NULL);
    qcaps_host_free(NULL);
    qcaps_model_free(a);
    qcaps_model_free(b);
}

static void
test_sources(void **state)
{
    char *path = qc_testfx_path("caps_7.2.22_s390x");
    qcaps_context *ctx = qcaps_context_new(NULL);
    qcaps_error *err = NULL;
    qcaps_source *s;

    (void)state;
    assert_non_null(ctx);
    assert_non_null(s = qcaps_source_open(ctx, path, &err));
    assert_int_equal(qcaps_source_get_kind(s), QCAPS_SOURCE_FIXTURE);
    assert_string_equal(qcaps_source_kind_name(qcaps_source_get_kind(s)), "fixture");
    assert_non_null(qcaps_source_model(s));
    assert_null(qcaps_source_host(s));
    qcaps_source_free(s);
    assert_null(qcaps_source_open(ctx, "/nonexistent/qcaps-diff", &err));
    assert_int_equal(qcaps_error_get_code(err), QCAPS_E_SYSTEM);
    qcaps_error_free(err);
    err = NULL;
    assert_null(qcaps_source_open(ctx, "/", &err));
    assert_int_equal(qcaps_error_get_code(err), QCAPS_E_FORMAT);
    assert_string_equal(qcaps_error_message(err),
                        "/: not an emulator, fixture, model or export: a directory");
    qcaps_error_free(err);
    qcaps_context_free(ctx);
    free(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_is_empty),
        cmocka_unit_test(test_machines),
        cmocka_unit_test(test_cpu_rename_and_usability),
        cmocka_unit_test(test_accelerators_and_unknowns),
        cmocka_unit_test(test_host_only_on_request),
        cmocka_unit_test(test_common),
        cmocka_unit_test(test_document_facts),
        cmocka_unit_test(test_public_api),
        cmocka_unit_test(test_sources),
    };

    return cmocka_run_group_tests_name("model-diff", tests, NULL, NULL);
}

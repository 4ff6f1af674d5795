/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-model-view.c: the guests view of the model (model/README.md "Views").
 *
 * Every fixture of fixtures/qmp/ is replayed into a model, written in the guests view and
 * read back: the document is much smaller, reads back as QC_MODEL_VIEW_GUESTS and keeps
 * everything schema/capabilities.c reads, so the host capabilities document rendered from
 * the guests models equals, byte for byte, the one rendered from the full models (and the
 * golden fixtures/expected/capabilities/<host>.xml). The reader stays strict for full
 * documents and accepts the absence of exactly the members the guests view drops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "introspect/probe.h"
#include "model/model-json.h"
#include "qmp/fixture.h"
#include "schema/capabilities.h"
#include "schema/hostfacts.h"
#include "tests/helpers/testfx.h"

#define QC_JSON_PLAIN (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* The fixtures of testfx's set, found by name (qc_views_setup). */
static const char *const *qc_suffixes;
static size_t qc_n_fixtures;

/* The models of every fixture: as probed (full) and read back from the guests view. */
typedef struct qc_views {
    qc_strlist paths;                 /* recorded emulator paths, fixture order */
    qc_model *full[QC_TESTFX_MAX];
    qc_model *guests[QC_TESTFX_MAX];
    char *full_text[QC_TESTFX_MAX];   /* qc_model_to_string */
    char *guests_text[QC_TESTFX_MAX]; /* qc_model_to_string_view(GUESTS) */
} qc_views;

static size_t
qc_fixture_index(const char *suffix)
{
    for (size_t i = 0; i < qc_n_fixtures; i++) {
        if (!strcmp(qc_suffixes[i], suffix))
            return i;
    }
    fail_msg("no fixture %s", suffix);
    return 0;
}

static int
qc_views_setup(void **state)
{
    qc_views *v = calloc(1, sizeof(*v));

    assert_non_null(v);
    qc_n_fixtures = qc_testfx_suffixes(&qc_suffixes);
    for (size_t i = 0; i < qc_n_fixtures; i++) {
        qc_error *err = NULL;

        v->full[i] = qc_testfx_replay(qc_suffixes[i]);
        assert_int_equal(qc_strlist_add(&v->paths, v->full[i]->emulator, NULL), 0);
        if (!(v->full_text[i] = qc_model_to_string(v->full[i], &err)) ||
            !(v->guests_text[i] = qc_model_to_string_view(v->full[i], QC_MODEL_VIEW_GUESTS,
                                                          &err)))
            fail_msg("%s: %s", qc_suffixes[i], err->message);
        if (!(v->guests[i] = qc_model_from_string(v->guests_text[i],
                                                  strlen(v->guests_text[i]), &err)))
            fail_msg("%s: guests view does not read back: %s", qc_suffixes[i], err->message);
    }
    *state = v;
    return 0;
}

static int
qc_views_teardown(void **state)
{
    qc_views *v = *state;

    for (size_t i = 0; i < qc_n_fixtures; i++) {
        qc_model_free(v->full[i]);
        qc_model_free(v->guests[i]);
        free(v->full_text[i]);
        free(v->guests_text[i]);
    }
    qc_strlist_clear(&v->paths);
    free(v);
    return 0;
}

/* Length of the compact text of m in `view` (what the cache stores). */
static size_t
qc_plain_len(const qc_model *m, qc_model_view view)
{
    json_object *o = qc_model_to_json_view(m, view, NULL);
    size_t n;

    assert_non_null(o);
    n = strlen(json_object_to_json_string_ext(o, QC_JSON_PLAIN));
    json_object_put(o);
    return n;
}

/* Everything schema/capabilities.c reads survives the round trip. */
static void
qc_assert_guest_facts(const qc_model *a, const qc_model *b)
{
    assert_string_equal(a->emulator, b->emulator);
    assert_string_equal(a->target, b->target);
    assert_int_equal(a->kvm, b->kvm);
    assert_int_equal(qc_model_version_number(a), qc_model_version_number(b));
    assert_int_equal(a->flags.n, b->flags.n);
    for (size_t i = 0; i < a->flags.n; i++)
        assert_string_equal(a->flags.v[i], b->flags.v[i]);
    for (int k = 0; k < QC_ACCEL_COUNT; k++) {
        const qc_accel_caps *x = &a->accel[k], *y = &b->accel[k];

        assert_int_equal(x->probed, y->probed);
        assert_int_equal(x->n_machines, y->n_machines);
        for (size_t i = 0; i < x->n_machines; i++) {
            const qc_machine *p = &x->machines[i], *q = &y->machines[i];

            assert_string_equal(p->name, q->name);
            assert_true((p->alias == NULL) == (q->alias == NULL));
            if (p->alias)
                assert_string_equal(p->alias, q->alias);
            assert_int_equal(p->is_default, q->is_default);
            assert_int_equal(p->cpu_max, q->cpu_max);
            assert_int_equal(p->deprecated, q->deprecated);
        }
    }
}

static void
test_guests_roundtrip(void **state)
{
    qc_views *v = *state;
    size_t x86 = qc_fixture_index("x86_64");

    for (size_t i = 0; i < qc_n_fixtures; i++) {
        const qc_model *m = v->full[i], *g = v->guests[i];
        size_t full_len = strlen(v->full_text[i]), guests_len = strlen(v->guests_text[i]);
        size_t full_plain = qc_plain_len(m, QC_MODEL_VIEW_FULL);
        size_t guests_plain = qc_plain_len(g, QC_MODEL_VIEW_GUESTS);
        bool cpu = m->kvm && m->accel[QC_ACCEL_KVM].probed;
        qc_error *err = NULL;
        qc_model *back;
        char *again;

        printf("# %-15s full %6zu B (plain %6zu), guests %6zu B (plain %6zu): %4.1f%%\n",
               qc_suffixes[i], full_len, full_plain, guests_len, guests_plain,
               100.0 * (double) guests_plain / (double) full_plain);
        /* the document says what it is; the full one is unchanged (no "view") */
        assert_non_null(strstr(v->guests_text[i], "\n  \"view\": \"guests\",\n"));
        assert_null(strstr(v->full_text[i], "\"view\""));
        assert_int_equal(g->view, QC_MODEL_VIEW_GUESTS);
        assert_non_null(back = qc_model_from_string(v->full_text[i], full_len, NULL));
        assert_int_equal(back->view, QC_MODEL_VIEW_FULL);
        qc_model_free(back);
        /* the host-CPU inputs are kept exactly where capabilities computes a host CPU */
        assert_int_equal(strstr(v->guests_text[i], "\"cpu-models\"") != NULL, cpu);
        assert_null(strstr(v->guests_text[i], "\"qom-types\""));
        assert_null(strstr(v->guests_text[i], "\"device-properties\""));
        assert_int_equal(g->qom_types.n + g->commands.n + g->n_device_props +
                             g->n_object_props + g->n_cmdline_options,
                         0);
        qc_assert_guest_facts(m, g);
        /* much smaller: at most half everywhere, a third for x86_64 with its CPU inputs */
        assert_true(guests_len * 2 < full_len);
        assert_true(guests_plain * 2 < full_plain);
        if (i == x86) {
            assert_true(guests_len * 3 < full_len);
            assert_true(guests_plain * 3 < full_plain);
        }
        /* deterministic and idempotent: the guests model writes the same guests text */
        assert_non_null(again = qc_model_to_string_view(g, QC_MODEL_VIEW_GUESTS, NULL));
        assert_string_equal(again, v->guests_text[i]);
        free(again);
        assert_non_null(again = qc_model_to_string_view(m, QC_MODEL_VIEW_GUESTS, NULL));
        assert_string_equal(again, v->guests_text[i]);
        free(again);
        /* a partial model is never passed off as a full one */
        assert_null(qc_model_to_json_view(g, QC_MODEL_VIEW_FULL, &err));
        assert_non_null(err);
        assert_int_equal(err->code, QC_E_INVALID);
        qc_error_free(err);
        err = NULL;
        assert_null(qc_model_to_string(g, &err));
        assert_int_equal(err->code, QC_E_INVALID);
        qc_error_free(err);
    }
}

/* ---- capabilities from either set of models ---------------------------------------- */

typedef struct qc_model_set {
    const qc_strlist *paths;
    qc_model *const *v;
} qc_model_set;

static const qc_model *
qc_set_model(const char *path, void *opaque, qc_error **err)
{
    const qc_model_set *s = opaque;
    ssize_t k = qc_strlist_index(s->paths, path);

    if (k < 0) {
        qc_error_set(err, QC_E_NOTFOUND, "no fixture for %s", path);
        return NULL;
    }
    return s->v[k];
}

static char *
qc_render_gen(const qc_views *v, qc_model *const *models, const qc_hostfacts *hf, bool json,
              qc_lv_gen gen)
{
    qc_model_set set = {.paths = &v->paths, .v = models};
    qc_caps_req req = {.gen = gen, .host = hf, .emulators = &v->paths, .model = qc_set_model,
                       .model_opaque = &set, .json = json};
    qc_error *err = NULL;
    char *out = qc_capabilities_format(&req, &err);

    if (!out)
        fail_msg("%s", err->message);
    return out;
}

static char *
qc_render(const qc_views *v, qc_model *const *models, const qc_hostfacts *hf, bool json)
{
    return qc_render_gen(v, models, hf, json, QC_LV_9_0);
}

/* Every generation's document is the same from either view: libvirt 11 on names the host
 * CPU by the versioned model (kvm64-v1), which the guests view must keep (alias-of). */
static void
test_capabilities_generations(void **state)
{
    qc_views *v = *state;
    qc_hostfacts *hf = qc_testfx_host();

    for (int g = QC_LV_9_0; g <= QC_LV_LATEST; g++) {
        char *full = qc_render_gen(v, v->full, hf, false, (qc_lv_gen) g);
        char *guests = qc_render_gen(v, v->guests, hf, false, (qc_lv_gen) g);
        assert_string_equal(guests, full);
        assert_non_null(strstr(guests, g >= QC_LV_11_3 ? "<model>kvm64-v1</model>"
                                                       : "<model>kvm64</model>"));
        if (g == QC_LV_12_8) {
            char *path = NULL, *golden;
            assert_true(asprintf(&path, "%s/expected/capabilities/%s.libvirt-12.8.xml",
                                 qc_testfx_env("QC_FIXTURES"), QC_TESTFX_HOST) > 0);
            if (!(golden = qc_testfx_read(path)))
                fail_msg("missing %s", path);
            assert_string_equal(guests, golden);
            free(golden);
            free(path);
        }
        free(full);
        free(guests);
    }
    qc_hostfacts_free(hf);
}

static void
test_capabilities_equal(void **state)
{
    qc_views *v = *state;
    qc_hostfacts *hf = qc_testfx_host();
    size_t x86 = qc_fixture_index("x86_64");
    char *path = NULL, *golden, *full, *guests;
    size_t n_defs;
    qc_cpu_def *defs;

    for (int json = 0; json < 2; json++) {
        full = qc_render(v, v->full, hf, json);
        guests = qc_render(v, v->guests, hf, json);
        assert_string_equal(guests, full);
        assert_true(asprintf(&path, "%s/expected/capabilities/%s.%s", qc_testfx_env("QC_FIXTURES"),
                             QC_TESTFX_HOST, json ? "json" : "xml") > 0);
        if (!(golden = qc_testfx_read(path)))
            fail_msg("missing %s", path);
        assert_string_equal(guests, golden);
        if (!json) {
            /* the host CPU model (from the native binary's KVM pass) is part of it */
            assert_non_null(strstr(guests, "<model>kvm64</model>"));
            assert_non_null(strstr(guests, "<feature name='tsc_adjust'/>"));
        }
        free(golden);
        free(path);
        path = NULL;
        free(full);
        free(guests);
    }
    /* and it depends on the CPU inputs the guests view keeps (the KVM pass's CPU
     * definitions: libvirt's decode takes only models QEMU has): without them it differs */
    defs = v->guests[x86]->accel[QC_ACCEL_KVM].cpu_defs;
    n_defs = v->guests[x86]->accel[QC_ACCEL_KVM].n_cpu_defs;
    v->guests[x86]->accel[QC_ACCEL_KVM].cpu_defs = NULL;
    v->guests[x86]->accel[QC_ACCEL_KVM].n_cpu_defs = 0;
    full = qc_render(v, v->full, hf, false);
    guests = qc_render(v, v->guests, hf, false);
    v->guests[x86]->accel[QC_ACCEL_KVM].cpu_defs = defs;
    v->guests[x86]->accel[QC_ACCEL_KVM].n_cpu_defs = n_defs;
    assert_string_not_equal(guests, full);
    assert_null(strstr(guests, "<model>kvm64</model>"));
    free(full);
    free(guests);
    qc_hostfacts_free(hf);
}

/* ---- the reader: strict for full documents, dropped members only for guests -------- */

static json_object *
qc_doc(const char *text)
{
    json_object *o = json_tokener_parse(text);

    assert_non_null(o);
    return o;
}

/* Member `key` of o (borrowed); the test fails if it is absent. */
static json_object *
qc_at(json_object *o, const char *key)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(o, key, &v))
        fail_msg("no member %s", key);
    return v;
}

static json_object *
qc_first_kvm_machine(json_object *doc)
{
    json_object *ms = qc_at(qc_at(qc_at(doc, "accelerators"), "kvm"), "machines");

    return json_object_array_get_idx(ms, 0);
}

static void
qc_expect_reject(json_object *doc, const char *needle)
{
    qc_error *err = NULL;

    assert_null(qc_model_from_json(doc, &err));
    assert_non_null(err);
    assert_int_equal(err->code, QC_E_FORMAT);
    if (!strstr(err->message, needle))
        fail_msg("error '%s' lacks '%s'", err->message, needle);
    qc_error_free(err);
    json_object_put(doc);
}

static qc_model *
qc_expect_accept(json_object *doc, qc_model_view view)
{
    qc_error *err = NULL;
    qc_model *m = qc_model_from_json(doc, &err);

    if (!m)
        fail_msg("rejected: %s", err->message);
    assert_int_equal(m->view, view);
    json_object_put(doc);
    return m;
}

static void
test_reader_full_strict(void **state)
{
    qc_views *v = *state;
    const char *full = v->full_text[qc_fixture_index("x86_64")];
    const char *arm = v->full_text[qc_fixture_index("aarch64")];
    json_object *d;

    /* a full document lacking any member is rejected, dropped-by-guests ones included */
    d = qc_doc(full);
    json_object_object_del(d, "qom-types");
    qc_expect_reject(d, "qom-types: missing member");
    d = qc_doc(arm);
    json_object_object_del(d, "cpu-models");
    qc_expect_reject(d, "cpu-models: missing member");
    d = qc_doc(full);
    json_object_object_del(d, "sev");
    qc_expect_reject(d, "sev: missing member");
    d = qc_doc(full);
    json_object_object_del(qc_first_kvm_machine(d), "acpi");
    qc_expect_reject(d, "accelerators.kvm.machines[0].acpi: missing member");
    d = qc_doc(full);
    json_object_object_del(qc_at(qc_at(d, "accelerators"), "tcg"), "host-cpu");
    qc_expect_reject(d, "accelerators.tcg.host-cpu: missing member");
    d = qc_doc(full);
    json_object_object_del(
        json_object_array_get_idx(
            qc_at(qc_at(qc_at(qc_at(d, "accelerators"), "kvm"), "host-cpu"), "props"), 0),
        "migratable");
    qc_expect_reject(d, "accelerators.kvm.host-cpu.props[0].migratable: missing member");
    /* "view" is optional, "full" says the default, anything else is an error */
    d = qc_doc(full);
    json_object_object_add(d, "view", json_object_new_string("full"));
    qc_model_free(qc_expect_accept(d, QC_MODEL_VIEW_FULL));
    d = qc_doc(full);
    json_object_object_add(d, "view", json_object_new_string("partial"));
    qc_expect_reject(d, "view: expected \"full\" or \"guests\"");
    d = qc_doc(full);
    json_object_object_add(d, "view", json_object_new_int(1));
    qc_expect_reject(d, "view: expected string");
}

static void
test_reader_guests(void **state)
{
    qc_views *v = *state;
    size_t x86 = qc_fixture_index("x86_64"), arm = qc_fixture_index("aarch64");
    const char *g86 = v->guests_text[x86], *garm = v->guests_text[arm];
    json_object *d;
    qc_model *m;

    /* dropped members may be missing (the writer's output) ... */
    qc_model_free(qc_expect_accept(qc_doc(g86), QC_MODEL_VIEW_GUESTS));
    qc_model_free(qc_expect_accept(qc_doc(garm), QC_MODEL_VIEW_GUESTS));
    /* ... or present, and are then read: a full document marked as a guests view */
    d = qc_doc(v->full_text[x86]);
    json_object_object_add(d, "view", json_object_new_string("guests"));
    json_object_object_del(d, "qom-types");
    json_object_object_del(qc_first_kvm_machine(d), "acpi");
    m = qc_expect_accept(d, QC_MODEL_VIEW_GUESTS);
    assert_int_equal(m->qom_types.n, 0);
    assert_int_equal(m->commands.n, v->full[x86]->commands.n);
    assert_int_equal(m->accel[QC_ACCEL_KVM].machines[0].acpi, QC_TRI_ABSENT);
    qc_model_free(m);
    /* no kvm: the host-CPU inputs are dropped, even from the TCG pass of a full doc */
    d = qc_doc(v->full_text[arm]);
    json_object_object_add(d, "view", json_object_new_string("guests"));
    json_object_object_del(d, "cpu-models");
    json_object_object_del(qc_at(qc_at(d, "accelerators"), "tcg"), "host-cpu");
    json_object_object_del(qc_at(qc_at(d, "accelerators"), "tcg"), "cpu-definitions");
    qc_model_free(qc_expect_accept(d, QC_MODEL_VIEW_GUESTS));

    /* kept members are still required */
    d = qc_doc(g86);
    json_object_object_del(d, "flags");
    qc_expect_reject(d, "flags: missing member");
    d = qc_doc(g86);
    json_object_object_del(d, "host");
    qc_expect_reject(d, "host: missing member");
    d = qc_doc(garm);
    json_object_object_del(d, "accelerators");
    qc_expect_reject(d, "accelerators: missing member");
    d = qc_doc(g86);
    json_object_object_del(qc_first_kvm_machine(d), "cpu-max");
    qc_expect_reject(d, "accelerators.kvm.machines[0].cpu-max: missing member");
    d = qc_doc(g86);
    json_object_object_del(qc_first_kvm_machine(d), "deprecated");
    qc_expect_reject(d, "accelerators.kvm.machines[0].deprecated: missing member");
    /* with kvm, the KVM pass's CPU facts and cpu-models feed <host><cpu>: kept */
    d = qc_doc(g86);
    json_object_object_del(d, "cpu-models");
    qc_expect_reject(d, "cpu-models: missing member");
    d = qc_doc(g86);
    json_object_object_del(qc_at(qc_at(d, "accelerators"), "kvm"), "host-cpu");
    qc_expect_reject(d, "accelerators.kvm.host-cpu: missing member");
    d = qc_doc(g86);
    json_object_object_del(qc_at(qc_at(d, "accelerators"), "kvm"), "cpu-definitions");
    qc_expect_reject(d, "accelerators.kvm.cpu-definitions: missing member");
    d = qc_doc(g86);
    json_object_object_del(
        json_object_array_get_idx(
            qc_at(qc_at(qc_at(qc_at(d, "accelerators"), "kvm"), "host-cpu"), "props"), 0),
        "value");
    qc_expect_reject(d, "accelerators.kvm.host-cpu.props[0].value: missing member");
    /* without "view" a guests document is a full one that lacks members */
    d = qc_doc(garm);
    json_object_object_del(d, "view");
    qc_expect_reject(d, "accelerators.tcg.machines[0].hotpluggable-cpus: missing member");
    /* a present dropped member is still type-checked */
    d = qc_doc(g86);
    json_object_object_add(d, "commands", json_object_new_int(7));
    qc_expect_reject(d, "commands: expected array");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guests_roundtrip),
        cmocka_unit_test(test_capabilities_equal),
        cmocka_unit_test(test_capabilities_generations),
        cmocka_unit_test(test_reader_full_strict),
        cmocka_unit_test(test_reader_guests),
    };

    return cmocka_run_group_tests_name("model-view", tests, qc_views_setup, qc_views_teardown);
}

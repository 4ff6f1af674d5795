/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-hostcaps.c: host facts (live, file, fake sysfs) and the capabilities document.
 *
 * The golden test builds the document from fixtures/host/<host>.json and every fixture in
 * fixtures/qmp/, compares it with fixtures/expected/capabilities/<host>.{xml,json} and
 * validates it against schema/capabilities.rng. QC_TEST_REGENERATE=1 rewrites the goldens.
 */
#include <errno.h>
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

#include "introspect/host.h"
#include "introspect/hostfacts-internal.h"
#include "introspect/hostfs.h"
#include "introspect/probe.h"
#include "lib/internal.h"
#include "model/model.h"
#include "qmp/fixture.h"
#include "schema/capabilities.h"
#include "schema/hostfacts.h"
#include "schema/relaxng.h"
#include "schema/xmljson.h"
#include "tests/helpers/testfx.h"


static void
qc_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "we");

    if (!f)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static bool
qc_regen(void)
{
    const char *v = getenv("QC_TEST_REGENERATE");

    return v && !strcmp(v, "1");
}

/* ---- the model source of the golden test: every fixture of fixtures/qmp ------------- */

typedef struct qc_test_models {
    qc_strlist paths;
    qc_model *v[64];
    size_t n;
} qc_test_models;

static const qc_model *
qc_test_model(const char *path, void *opaque, qc_error **err)
{
    qc_test_models *ms = opaque;
    ssize_t k = qc_strlist_index(&ms->paths, path);

    if (k < 0) {
        qc_error_set(err, QC_E_NOTFOUND, "no fixture for %s", path);
        return NULL;
    }
    return ms->v[k];
}

static void
qc_test_models_load(qc_test_models *ms, qc_strlist *emus)
{
    const char *const *suffixes;
    size_t n = qc_testfx_suffixes(&suffixes);

    for (size_t i = 0; i < n; i++) {
        qc_model *m = qc_testfx_replay(suffixes[i]);

        assert_non_null(m->emulator);
        assert_int_equal(qc_strlist_add(&ms->paths, m->emulator, NULL), 0);
        assert_int_equal(qc_strlist_add(emus, m->emulator, NULL), 0);
        ms->v[ms->n++] = m;
    }
}

static void
qc_test_models_clear(qc_test_models *ms)
{
    for (size_t i = 0; i < ms->n; i++)
        qc_model_free(ms->v[i]);
    qc_strlist_clear(&ms->paths);
}

static void
qc_compare_golden(const char *text, const char *ext)
{
    char *path = NULL, *expected;

    assert_true(asprintf(&path, "%s/expected/capabilities/%s.%s", qc_testfx_env("QC_FIXTURES"),
                         QC_TESTFX_HOST, ext) > 0);
    if (qc_regen()) {
        qc_write_file(path, text);
    } else {
        if (!(expected = qc_testfx_read(path)))
            fail_msg("missing %s (QC_TEST_REGENERATE=1 writes it)", path);
        if (strcmp(expected, text) != 0)
            fail_msg("%s differs from the generated document (QC_TEST_REGENERATE=1 "
                     "rewrites it)", path);
        free(expected);
    }
    free(path);
}

static void
qc_validate(const char *xml)
{
    char *rng = NULL;
    qc_error *err = NULL;

    assert_true(asprintf(&rng, "%s/schema/capabilities.rng", qc_testfx_env("QC_SOURCE_ROOT")) > 0);
    if (qc_relaxng_validate(rng, xml, &err) < 0)
        fail_msg("not valid against %s: %s", rng, err->message);
    free(rng);
}

static void
test_golden(void **state)
{
    qc_test_models ms = {0};
    qc_strlist emus = {0};
    qc_hostfacts *hf = qc_testfx_host();
    qc_caps_req req = {.host = hf, .emulators = &emus, .model = qc_test_model,
                       .model_opaque = &ms};
    qc_error *err = NULL;
    char *xml, *json, *back;

    (void) state;
    qc_test_models_load(&ms, &emus);
    if (!(xml = qc_capabilities_format(&req, &err)))
        fail_msg("%s", err->message);
    qc_validate(xml);
    /* the facts libvirt 9.0 prints on this host, and qcaps's own additions */
    assert_non_null(strstr(xml, "<arch name='armv6l'>"));
    assert_non_null(strstr(xml, "<machine canonical='pc-q35-7.2' maxCpus='288'>q35</machine>"));
    assert_non_null(strstr(xml, "<arch name='loongarch64'>"));
    assert_null(strstr(xml, "qemu-system-x86_64-microvm"));
    qc_compare_golden(xml, "xml");

    req.json = true;
    if (!(json = qc_capabilities_format(&req, &err)))
        fail_msg("%s", err->message);
    qc_compare_golden(json, "json");
    /* the JSON mapping is lossless but for libvirt's cosmetic blank lines */
    if (!(back = qc_json_to_xml(json, &err)))
        fail_msg("%s", err->message);
    for (char *p; (p = strstr(xml, "\n\n"));)
        memmove(p, p + 1, strlen(p + 1) + 1);
    assert_string_equal(back, xml);
    free(back);
    free(json);
    free(xml);

    /* the newest libvirt's document of the same host and binaries */
    req.json = false;
    req.gen = QC_LV_LATEST;
    if (!(xml = qc_capabilities_format(&req, &err)))
        fail_msg("%s", err->message);
    qc_validate(xml);
    assert_non_null(strstr(xml, "<externalSnapshot/>"));
    assert_non_null(strstr(xml, " clusters='1' "));
    assert_non_null(strstr(xml, " cluster_id='0' "));
    /* loongarch64 is libvirt's own arch from 11 on, with ACPI */
    assert_non_null(strstr(xml, "<arch name='loongarch64'>"));
    qc_compare_golden(xml, "libvirt-12.8.xml");
    free(xml);
    qc_strlist_clear(&emus);
    qc_test_models_clear(&ms);
    qc_hostfacts_free(hf);
}

/* ---- binary choice: libvirt's fallbacks --------------------------------------------- */

static const qc_model *
qc_fake_model(const char *path, void *opaque, qc_error **err)
{
    qc_model *m = opaque;

    (void) path, (void) err;
    return m;
}

static void
test_binary_fallbacks(void **state)
{
    qc_hostfacts *hf = qc_hostfacts_new();
    qc_model *m = qc_model_new();
    qc_strlist emus = {0};
    qc_caps_req req = {.host = hf, .emulators = &emus, .model = qc_fake_model,
                       .model_opaque = m};
    qc_error *err = NULL;
    char *xml;

    (void) state;
    assert_non_null((hf->arch = strdup("x86_64")));
    assert_non_null((m->target = strdup("x86_64")));
    /* no qemu-system-i386: the native i686 guest falls back to qemu-system-x86_64; the
     * microvm variant and unrelated files are not guests */
    assert_int_equal(qc_strlist_add(&emus, "/opt/q/qemu-system-x86_64", NULL), 0);
    assert_int_equal(qc_strlist_add(&emus, "/opt/q/qemu-system-x86_64-microvm", NULL), 0);
    assert_int_equal(qc_strlist_add(&emus, "/opt/q/qemu-system-ppc64", NULL), 0);
    assert_non_null(xml = qc_capabilities_format(&req, &err));
    assert_non_null(strstr(xml, "<arch name='i686'>\n      <wordsize>32</wordsize>\n"
                                "      <emulator>/opt/q/qemu-system-x86_64</emulator>"));
    assert_non_null(strstr(xml, "<arch name='x86_64'>"));
    /* ppc64 and ppc64le guests can both use the ppc64 target, native or not */
    assert_non_null(strstr(xml, "<arch name='ppc64le'>\n      <wordsize>64</wordsize>\n"
                                "      <emulator>/opt/q/qemu-system-ppc64</emulator>"));
    assert_non_null(strstr(xml, "<arch name='ppc64'>"));
    assert_null(strstr(xml, "microvm"));
    assert_null(strstr(xml, "<domain"));   /* neither the tcg flag nor kvm */
    assert_null(strstr(xml, "<uuid>"));    /* unknown facts are left out */
    free(xml);
    qc_strlist_clear(&emus);
    qc_model_free(m);
    qc_hostfacts_free(hf);
}

/* ---- host facts ---------------------------------------------------------------------------- */

static void
test_hostfacts_file_roundtrip(void **state)
{
    char *path = NULL, *text, *again;
    qc_error *err = NULL;
    qc_hostfacts *hf;

    (void) state;
    assert_true(asprintf(&path, "%s/host/%s.json", qc_testfx_env("QC_FIXTURES"), QC_TESTFX_HOST) > 0);
    assert_non_null(text = qc_testfx_read(path));
    if (!(hf = qc_hostfacts_from_json(text, &err)))
        fail_msg("%s", err->message);
    assert_non_null(again = qc_hostfacts_to_json(hf, &err));
    assert_string_equal(again, text);
    free(again);
    free(text);
    free(path);
    qc_hostfacts_free(hf);
}

static void
test_hostfacts_live_roundtrip(void **state)
{
    qc_error *err = NULL;
    qc_hostfacts *hf, *back;
    char *a, *b;

    (void) state;
    if (!(hf = qc_hostfacts_read(NULL, &err)))
        fail_msg("%s", err->message);
    assert_non_null(hf->arch);
    assert_true(hf->n_cells >= 1);
    assert_true(hf->n_page_sizes >= 1);
    assert_true(hf->n_secmodels >= 2);
    assert_non_null(a = qc_hostfacts_to_json(hf, &err));
    if (!(back = qc_hostfacts_from_json(a, &err)))
        fail_msg("%s", err->message);
    assert_non_null(b = qc_hostfacts_to_json(back, &err));
    assert_string_equal(a, b);
    free(a);
    free(b);
    qc_hostfacts_free(back);
    qc_hostfacts_free(hf);
}

static void
qc_expect_format_error(const char *text, const char *needle)
{
    qc_error *err = NULL;

    assert_null(qc_hostfacts_from_json(text, &err));
    assert_non_null(err);
    assert_int_equal(err->code, QC_E_FORMAT);
    if (!strstr(err->message, needle))
        fail_msg("error '%s' lacks '%s'", err->message, needle);
    qc_error_free(err);
    /* and with no error slot at all */
    assert_null(qc_hostfacts_from_json(text, NULL));
}

static void
test_hostfacts_bad(void **state)
{
    static const char head[] = "{\"qcaps-host-facts\": 1, \"arch\": \"x86_64\", \"uuid\": null, "
                               "\"cpu\": {\"microcode\": null, \"signature\": null, "
                               "\"counter\": null, \"topology\": null, "
                               "\"maxphysaddr-bits\": null, \"page-sizes\": [4]}, "
                               "\"power-management\": [], \"iommu\": false, ";
    char *t = NULL;

    (void) state;
    qc_expect_format_error("", "host facts");
    qc_expect_format_error("[]", "expected a JSON object");
    qc_expect_format_error("{\"qcaps-host-facts\": 2}", "format version 2");
    qc_expect_format_error("{\"qcaps-host-facts\": 1}", "arch: missing");
    assert_true(asprintf(&t, "%s\"cells\": [{\"id\": 0, \"memory\": \"x\"}], \"cache\": [], "
                         "\"secmodels\": []}", head) > 0);
    qc_expect_format_error(t, "cells[0].memory: expected integer");
    free(t);
    assert_true(asprintf(&t, "%s\"cells\": [], \"cache\": [{\"id\": 0}], \"secmodels\": []}",
                         head) > 0);
    qc_expect_format_error(t, "cache[0].level: missing");
    free(t);
    assert_true(asprintf(&t, "%s\"cells\": [], \"cache\": [], \"secmodels\": [{\"model\": "
                         "\"dac\", \"doi\": \"0\", \"baselabels\": [7]}]}", head) > 0);
    qc_expect_format_error(t, "secmodels[0].baselabels[0]: expected object");
    free(t);
    assert_true(asprintf(&t, "%s\"cells\": [], \"cache\": [], \"secmodels\": []}", head) > 0);
    {
        qc_error *err = NULL;
        qc_hostfacts *hf = qc_hostfacts_from_json(t, &err);

        if (!hf)
            fail_msg("%s", err->message);
        assert_int_equal(hf->microcode, -1);
        assert_int_equal(hf->family, -1);
        qc_hostfacts_free(hf);
    }
    free(t);
}

static void
test_cpulist(void **state)
{
    int *ids = NULL;
    size_t n = 0;
    char *s;

    (void) state;
    assert_int_equal(qc_cpulist_parse("0-3,8,10-11,2", &ids, &n, NULL), 0);
    assert_int_equal(n, 7);
    assert_non_null(s = qc_cpulist_format(ids, n, NULL));
    assert_string_equal(s, "0-3,8,10-11");
    free(s);
    free(ids);
    assert_int_equal(qc_cpulist_parse("0,1", &ids, &n, NULL), 0);
    assert_non_null(s = qc_cpulist_format(ids, n, NULL));
    assert_string_equal(s, "0-1");
    free(s);
    free(ids);
    assert_int_equal(qc_cpulist_parse("3-1", &ids, &n, NULL), -1);
    assert_int_equal(qc_cpulist_parse("x", &ids, &n, NULL), -1);
}

/* ---- a fake sysfs: no NUMA, two hyper-threaded cores -------------------------------- */

static void
qc_put(const char *root, const char *rel, const char *text)
{
    char *p = NULL;

    assert_true(asprintf(&p, "%s%s", root, rel) > 0);
    for (char *s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    qc_write_file(p, text);
    free(p);
}

/* The host layer's one system read (introspect/host.h) under a root: the probe's view of
 * it takes the first processor block only, the switches come from the same tree. */
static void
test_fake_host_sys(void **state)
{
    char root[] = "/tmp/qc-hostsys-XXXXXX";
    qc_host_sys s = {0};
    qc_host h = {0};
    qc_error *err = NULL;
    char *cmd = NULL;

    (void) state;
    assert_non_null(mkdtemp(root));
    qc_put(root, "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\n"
                                  "cpu family\t: 25\nmodel\t\t: 1\nflags\t\t: b a\n\n"
                                  "processor\t: 1\nmodel\t\t: 7\n");
    qc_put(root, "/sys/module/kvm_intel/parameters/tdx", "Y\n");
    qc_put(root, "/dev/iommu", "");
    qc_put(root, "/sys/kernel/iommu_groups/0/type", "DMA\n");
    assert_int_equal(qc_host_sys_read(root, QC_HOST_SYS_CPUINFO | QC_HOST_SYS_SWITCHES, &s,
                                      &err), 0);
    assert_int_equal(s.cpuinfo.n, 5);
    assert_true(s.tdx && s.iommufd);
    assert_false(s.vfio); /* no /dev/vfio/vfio */
    assert_false(s.kvm_open);
    assert_int_equal(qc_host_from_sys(&h, &s, &err), 0);
    assert_string_equal(h.cpu_vendor, "AuthenticAMD");
    assert_int_equal(h.cpu_family, 25);
    assert_int_equal(h.cpu_model, 1);
    assert_int_equal(h.cpu_flags.n, 2);
    assert_string_equal(h.cpu_flags.v[0], "a");
    assert_null(h.arch);
    assert_false(h.kvm_usable);
    assert_true(h.tdx && h.iommufd);
    qc_host_clear(&h);
    qc_host_sys_clear(&s);
    assert_true(asprintf(&cmd, "rm -rf '%s'", root) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void
test_fake_sysfs(void **state)
{
    char root[] = "/tmp/qc-hostcaps-XXXXXX";
    qc_error *err = NULL;
    qc_hostfacts *hf;
    char *cmd = NULL;

    (void) state;
    assert_non_null(mkdtemp(root));
    qc_put(root, "/proc/cpuinfo", "processor\t: 0\ncpu family\t: 25\nmodel\t\t: 1\n"
                                  "stepping\t: 1\nmicrocode\t: 0xa0011d1\n"
                                  "address sizes\t: 48 bits physical, 48 bits virtual\n");
    qc_put(root, "/proc/meminfo", "MemTotal:        8192000 kB\nMemFree: 1 kB\n");
    qc_put(root, "/sys/devices/system/cpu/present", "0-3\n");
    for (int i = 0; i < 4; i++) {
        char rel[128], val[16];

        snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/topology/core_id", i);
        snprintf(val, sizeof(val), "%d\n", i / 2);
        qc_put(root, rel, val);
        snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/topology/"
                 "thread_siblings_list", i);
        qc_put(root, rel, i < 2 ? "0-1\n" : "2-3\n");
        snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cache/index3/level", i);
        qc_put(root, rel, "3\n");
        snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cache/index3/id", i);
        qc_put(root, rel, "0\n");
        snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cache/index3/type", i);
        qc_put(root, rel, "Unified\n");
        snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cache/index3/size", i);
        qc_put(root, rel, "32768K\n");
        snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cache/index3/"
                 "shared_cpu_list", i);
        qc_put(root, rel, "0-3\n");
    }
    qc_put(root, "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "10\n");
    qc_put(root, "/sys/kernel/iommu_groups/0/type", "DMA\n");
    if (!(hf = qc_hostfacts_read(root, &err)))
        fail_msg("%s", err->message);
    assert_int_equal(hf->microcode, 0xa0011d1);
    assert_int_equal(hf->family, 25);
    assert_int_equal(hf->phys_addr_bits, 48);
    assert_int_equal(hf->n_cells, 1);
    assert_int_equal(hf->cells[0].memory_kib, 8192000);
    assert_int_equal(hf->cells[0].n_cpus, 4);
    assert_string_equal(hf->cells[0].cpus[3].siblings, "2-3");
    assert_int_equal(hf->sockets, 1);
    assert_int_equal(hf->cores, 2);
    assert_int_equal(hf->threads, 2);
    assert_int_equal(hf->n_page_sizes, 2);
    assert_int_equal(hf->cells[0].pages[1].count, 10);
    assert_int_equal(hf->cells[0].pages[0].count, (8192000 - 10 * 2048) / hf->page_sizes[0]);
    assert_int_equal(hf->n_banks, 1);
    assert_int_equal(hf->banks[0].size, 32u << 20);
    assert_true(hf->iommu);
    assert_null(hf->uuid);
    assert_string_equal(hf->secmodels[0].model, "none");
    assert_string_equal(hf->secmodels[1].labels[0].label, "+0:+0");
    qc_hostfacts_free(hf);

    /* the key of a kept capabilities document reads these facts live: each change of one
     * (huge pages, memory, a CPU going offline) is another key, and the same facts the
     * same key again */
    {
        static const char *const changes[][3] = {
            {"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "20\n", "10\n"},
            {"/proc/meminfo", "MemTotal:        4096000 kB\n",
             "MemTotal:        8192000 kB\nMemFree: 1 kB\n"},
            {"/sys/devices/system/cpu/cpu3/online", "0\n", "1\n"},
            {"/sys/devices/system/cpu/cpu0/cache/index3/size", "16384K\n", "32768K\n"},
        };
        char *key = qc_lib_caps_key(NULL, root, NULL, QCAPS_FORMAT_XML, &err);
        char *json = qc_lib_caps_key(NULL, root, NULL, QCAPS_FORMAT_JSON, &err);

        assert_non_null(key);
        assert_non_null(json);
        assert_string_not_equal(key, json);
        for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
            char *k;

            qc_put(root, changes[i][0], changes[i][1]);
            assert_non_null(k = qc_lib_caps_key(NULL, root, NULL, QCAPS_FORMAT_XML, &err));
            assert_string_not_equal(k, key);
            free(k);
            qc_put(root, changes[i][0], changes[i][2]);
            assert_non_null(k = qc_lib_caps_key(NULL, root, NULL, QCAPS_FORMAT_XML, &err));
            assert_string_equal(k, key);
            free(k);
        }
        /* a read of uname and cpuinfo made for the cache too is the key's: the same key
         * as a read of its own, and what that read says is what the key holds */
        {
            qc_host_sys sys = {0};
            char *k;

            assert_int_equal(qc_host_sys_read(root, QC_HOST_SYS_ALL, &sys, &err), 0);
            assert_non_null(k = qc_lib_caps_key(NULL, root, &sys, QCAPS_FORMAT_XML, &err));
            assert_string_equal(k, key);
            free(k);
            for (size_t i = 0; i < sys.cpuinfo.n; i++)
                if (strncmp(sys.cpuinfo.v[i], "microcode", 9) == 0) {
                    free(sys.cpuinfo.v[i]);
                    assert_non_null(sys.cpuinfo.v[i] = strdup("microcode\t: 0xa0011d2"));
                }
            assert_non_null(k = qc_lib_caps_key(NULL, root, &sys, QCAPS_FORMAT_XML, &err));
            assert_string_not_equal(k, key);
            assert_non_null(strstr(k, "\"microcode\":167776722"));
            free(k);
            qc_host_sys_clear(&sys);
        }
        free(key);
        free(json);
    }
    assert_true(asprintf(&cmd, "rm -rf '%s'", root) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void
qc_rm_tree(const char *root)
{
    char *cmd = NULL;

    assert_true(asprintf(&cmd, "rm -rf '%s'", root) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* An environment variable set (NULL: unset) for a test, and put back. */
typedef struct qc_env_saved {
    const char *name;
    char *value;
} qc_env_saved;

static qc_env_saved
qc_env_set(const char *name, const char *value)
{
    const char *old = getenv(name);
    qc_env_saved s = {.name = name, .value = old ? strdup(old) : NULL};

    if (value)
        assert_int_equal(setenv(name, value, 1), 0);
    else
        assert_int_equal(unsetenv(name), 0);
    return s;
}

static void
qc_env_restore(qc_env_saved *s)
{
    if (s->value)
        assert_int_equal(setenv(s->name, s->value, 1), 0);
    else
        assert_int_equal(unsetenv(s->name), 0);
    free(s->value);
}

/* The capabilities facts' <cpu> come from the host layer's one read of a fake tree's
 * /proc/cpuinfo: its first processor block (a later block's values are not taken). */
static void
test_fake_cpuinfo_facts(void **state)
{
    char root[] = "/tmp/qc-hostcpu-XXXXXX";
    qc_hf_reader r = {.root = root};
    qc_error *err = NULL;
    qc_hostfacts *hf;

    (void) state;
    assert_non_null(mkdtemp(root));
    qc_put(root, "/proc/cpuinfo",
           "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
           "model name\t: Intel(R) Xeon(R)\nstepping\t: 7\nmicrocode\t: 0x5003604\n"
           "flags\t\t: fpu tsc constant_tsc nonstop_tsc\n"
           "address sizes\t: 46 bits physical, 48 bits virtual\n\n"
           "processor\t: 1\ncpu family\t: 6\nmodel\t\t: 86\nstepping\t: 8\n"
           "microcode\t: 0x1\nflags\t\t: fpu tsc\naddress sizes\t: 39 bits physical\n");
    if (!(hf = qc_hf_read_all(&r, &err)))
        fail_msg("%s", err->message);
    assert_int_equal(hf->microcode, 0x5003604);
    assert_int_equal(hf->family, 6);
    assert_int_equal(hf->model, 85);
    assert_int_equal(hf->stepping, 7);
    assert_int_equal(hf->phys_addr_bits, 46);
    assert_true(r.invtsc);
    assert_int_equal(hf->tsc_frequency, 0); /* never read under a root */
    qc_hostfacts_free(hf);

    /* without nonstop_tsc there is no invariant TSC; a missing "cpu family" leaves the
     * signature unknown */
    qc_put(root, "/proc/cpuinfo", "processor\t: 0\nmodel\t\t: 1\nmicrocode\t: 0x10\n"
                                  "flags\t\t: fpu constant_tsc\n");
    r.invtsc = true;
    if (!(hf = qc_hf_read_all(&r, &err)))
        fail_msg("%s", err->message);
    assert_false(r.invtsc);
    assert_int_equal(hf->microcode, 0x10);
    assert_int_equal(hf->family, -1);
    qc_hostfacts_free(hf);
    qc_rm_tree(root);
}

static const char qc_fw_descriptor[] =
    "{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"flash\", "
    "\"executable\": {\"filename\": \"/usr/share/OVMF/OVMF_CODE.fd\"}, "
    "\"nvram-template\": {\"filename\": \"/usr/share/OVMF/OVMF_VARS.fd\"}}, "
    "\"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}], "
    "\"features\": []}";

/* The default firmware search path, its descriptors' executables and the loader images
 * are read under a root; the names kept are the tree's own. */
static void
test_fake_firmware_dirs(void **state)
{
    char root[] = "/tmp/qc-hostfw-XXXXXX";
    qc_env_saved xdg = qc_env_set("XDG_CONFIG_HOME", "/xdg");
    qc_strlist dirs = {0};
    qc_fw_inputs rec = {0};
    qc_host h = {0};
    qc_error *err = NULL;
    char *want = NULL;

    (void) state;
    assert_non_null(mkdtemp(root));
    qc_put(root, "/usr/share/qemu/firmware/50-ovmf.json", qc_fw_descriptor);
    qc_put(root, "/usr/share/qemu/firmware/60-masked.json", qc_fw_descriptor);
    qc_put(root, "/etc/qemu/firmware/60-masked.json", "");
    qc_put(root, "/usr/share/OVMF/OVMF_CODE.fd", "code");

    assert_int_equal(qc_host_firmware_search_path_at(root, NULL, &dirs, &err), 0);
    assert_int_equal(dirs.n, geteuid() == 0 ? 2 : 3);
    assert_true(asprintf(&want, "%s/usr/share/qemu/firmware", root) > 0);
    assert_string_equal(dirs.v[0], want);
    free(want);
    assert_true(asprintf(&want, "%s/etc/qemu/firmware", root) > 0);
    assert_string_equal(dirs.v[1], want);
    free(want);
    if (geteuid() != 0) {
        assert_true(asprintf(&want, "%s/xdg/qemu/firmware", root) > 0);
        assert_string_equal(dirs.v[2], want);
        free(want);
    }
    qc_strlist_clear(&dirs);
    /* the real system stays the default; given directories are taken as they are */
    assert_int_equal(qc_host_firmware_search_path_at(NULL, NULL, &dirs, &err), 0);
    assert_string_equal(dirs.v[0], "/usr/share/qemu/firmware");
    qc_strlist_clear(&dirs);
    assert_int_equal(qc_host_firmware_search_path_at(root, (const char *const[]){"/d", NULL},
                                                     &dirs, &err), 0);
    assert_int_equal(dirs.n, 1);
    assert_string_equal(dirs.v[0], "/d");
    qc_strlist_clear(&dirs);

    assert_int_equal(qc_host_read_firmware_at(&h, root, NULL, &rec, &err), 0);
    assert_int_equal(h.n_firmware, 1); /* 60-masked.json masked by /etc */
    assert_string_equal(h.firmware[0].name, "50-ovmf.json");
    assert_null(h.firmware[0].error);
    assert_string_equal(h.firmware[0].executable, "/usr/share/OVMF/OVMF_CODE.fd");
    assert_true(h.firmware[0].executable_exists);
    assert_int_equal(h.firmware_images.n, 1);
    assert_string_equal(h.firmware_images.v[0], "/usr/share/OVMF/OVMF_CODE.fd");
    assert_true(asprintf(&want, "%s/usr/share/OVMF/OVMF_CODE.fd", root) > 0);
    assert_true(qc_strlist_index(&rec.paths, want) >= 0); /* the file read is noted */
    free(want);
    assert_true(qc_strlist_index(&rec.paths, "/usr/share/OVMF") < 0);
    qc_host_clear(&h);
    qc_strlist_clear(&rec.paths);
    qc_strlist_clear(&rec.sigs);
    qc_env_restore(&xdg);
    qc_rm_tree(root);
}

static void
qc_put_exec(const char *root, const char *rel, const char *text, mode_t mode)
{
    char *p = NULL;

    qc_put(root, rel, text);
    assert_true(asprintf(&p, "%s%s", root, rel) > 0);
    assert_int_equal(chmod(p, mode), 0);
    free(p);
}

/* qc_hostfs_which() under a root: the first executable in the list, empty and (under a
 * root) relative entries skipped, non-executable files passed over. */
static void
test_fake_which(void **state)
{
    char root[] = "/tmp/qc-hostwhich-XXXXXX";
    char cwd[PATH_MAX];
    qc_env_saved path = qc_env_set("PATH", "/usr/bin");
    qc_host h = {0};
    qc_error *err = NULL;
    char *want = NULL, *got;

    (void) state;
    assert_non_null(mkdtemp(root));
    qc_put_exec(root, "/usr/local/bin/tool", "", 0644);
    qc_put_exec(root, "/usr/bin/tool", "", 0755);
    qc_put_exec(root, "/bin/tool", "", 0755);

    assert_true(asprintf(&want, "%s/usr/bin/tool", root) > 0);
    got = qc_hostfs_which(root, "/usr/local/bin:/usr/bin:/bin", "tool");
    assert_non_null(got);
    assert_string_equal(got, want); /* the non-executable one is passed over */
    free(got);
    got = qc_hostfs_which(root, NULL, "tool"); /* $PATH */
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
    free(want);
    assert_true(asprintf(&want, "%s/bin/tool", root) > 0);
    got = qc_hostfs_which(root, "::usr/bin::/bin:", "tool");
    assert_non_null(got);
    assert_string_equal(got, want); /* empty and relative entries skipped */
    free(got);
    free(want);
    assert_null(qc_hostfs_which(root, "/usr/local/bin", "tool"));
    assert_null(qc_hostfs_which(root, "/usr/bin", "missing"));
    {
        qc_env_saved empty = qc_env_set("PATH", "");

        assert_true(asprintf(&want, "%s/usr/bin/tool", root) > 0);
        got = qc_hostfs_which(root, NULL, "tool"); /* empty $PATH: /usr/bin:/bin */
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
        free(want);
        qc_env_restore(&empty);
    }
    /* on the real system a relative entry is the current directory's, as it was */
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(root), 0);
    got = qc_hostfs_which(NULL, "usr/local/bin::usr/bin", "tool");
    assert_int_equal(chdir(cwd), 0);
    assert_non_null(got);
    assert_string_equal(got, "usr/bin/tool");
    free(got);

    /* the probe's swtpm read looks the three tools up there and runs the one found */
    qc_put_exec(root, "/usr/bin/swtpm", "", 0755);
    qc_put_exec(root, "/usr/bin/swtpm_setup",
                "#!/bin/sh\necho '{\"features\": [\"tpm-2.0\", \"tpm-1.2\"]}'\n", 0755);
    assert_int_equal(qc_host_read_rest_at(&h, root, &err), 0);
    assert_false(h.swtpm); /* no swtpm_ioctl */
    qc_host_clear(&h);
    qc_put_exec(root, "/usr/bin/swtpm_ioctl", "", 0755);
    assert_int_equal(qc_host_read_rest_at(&h, root, &err), 0);
    assert_true(h.swtpm);
    assert_int_equal(h.swtpm_features.n, 2);
    assert_string_equal(h.swtpm_features.v[0], "tpm-1.2");
    assert_string_equal(h.swtpm_features.v[1], "tpm-2.0");
    assert_int_equal(h.n_firmware, 0);
    qc_host_clear(&h);
    qc_env_restore(&path);
    qc_rm_tree(root);
}

/* A keyed read of this host leaves each CPU's topology and the cache banks out for the
 * boot id and the present and online CPUs (the fingerprint is in the sources), and a full
 * read has the same banks and topology every time; under a root nothing is fingerprinted. */
static void
test_keyed_banks(void **state)
{
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *full = NULL;
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *again = NULL;
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *keyed = NULL;
    QC_CLEANUP(qc_hostfacts_freep) qc_hostfacts *rooted = NULL;
    qc_autofree char *boot = qc_hostfs_read(NULL, "/proc/sys/kernel/random/boot_id");
    qc_autofree char *online = qc_hostfs_read(NULL, "/sys/devices/system/cpu/online");
    qc_autofree char *present = qc_hostfs_read(NULL, "/sys/devices/system/cpu/present");
    qc_autofree char *sources = NULL;
    qc_autofree char *rooted_sources = NULL;
    qc_autofree char *want = NULL;
    qc_error *err = NULL;

    (void) state;
    assert_non_null(full = qc_hostfacts_read(NULL, &err));
    assert_non_null(again = qc_hostfacts_read(NULL, &err));
    assert_int_equal(full->n_banks, again->n_banks);
    for (size_t i = 0; i < full->n_banks; i++)
        assert_string_equal(full->banks[i].cpus, again->banks[i].cpus);
    assert_int_equal(full->cores, again->cores);
    assert_int_equal(full->threads, again->threads);
    assert_non_null(keyed = qc_hostfacts_read_keyed(NULL, NULL, &sources, &err));
    if (!boot || !*boot) {
        assert_non_null(strstr(sources, "cpus: read"));
        assert_int_equal(keyed->n_banks, full->n_banks);
        return;
    }
    assert_int_equal(keyed->n_banks, 0);
    for (size_t i = 0; i < keyed->n_cells; i++)
        for (size_t j = 0; j < keyed->cells[i].n_cpus; j++)
            assert_null(keyed->cells[i].cpus[j].siblings);
    assert_true(asprintf(&want, "cpus: boot %s online %s present %s", boot,
                         online ? online : "?", present ? present : "?") > 0);
    if (!strstr(sources, want))
        fail_msg("'%s' not in the sources: %s", want, sources);
    assert_non_null(rooted = qc_hostfacts_read_keyed("/", NULL, &rooted_sources, &err));
    assert_non_null(strstr(rooted_sources, "cpus: read"));
    assert_int_equal(rooted->n_banks, full->n_banks);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_binary_fallbacks),
        cmocka_unit_test(test_hostfacts_file_roundtrip),
        cmocka_unit_test(test_hostfacts_live_roundtrip),
        cmocka_unit_test(test_hostfacts_bad),
        cmocka_unit_test(test_cpulist),
        cmocka_unit_test(test_fake_sysfs),
        cmocka_unit_test(test_fake_host_sys),
        cmocka_unit_test(test_fake_cpuinfo_facts),
        cmocka_unit_test(test_fake_firmware_dirs),
        cmocka_unit_test(test_fake_which),
        cmocka_unit_test(test_keyed_banks),
    };

    return cmocka_run_group_tests_name("hostcaps", tests, NULL, NULL);
}

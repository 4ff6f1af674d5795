/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-domcaps-rules.c: one test per domcaps mapping rule (firmware, enums, machines,
 * host-model, JSON mapping, RelaxNG error routing). */
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
#include "introspect/probe.h"
#include "qmp/fixture.h"
#include "schema/domcaps.h"
#include "schema/firmware.h"
#include "schema/relaxng.h"
#include "schema/xmljson.h"
#include "tests/helpers/testfx.h"

/* ---- helpers ------------------------------------------------------------------------- */

static char tmpdir[256];

static void
put(const char *rel, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
    assert_non_null(f = fopen(path, "we"));
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static int
setup_tmp(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "%s/qc-domcaps-XXXXXX",
             getenv("QC_BUILD_ROOT") ? getenv("QC_BUILD_ROOT") : "/tmp");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int
teardown_tmp(void **state)
{
    char *cmd = NULL;

    assert_true(asprintf(&cmd, "rm -rf '%s'", tmpdir) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return 0;
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
    assert_non_null(fx = qc_fixture_load(path, &err));
    o.fixture = fx;
    assert_non_null(m = qc_probe_run(&o, &err));
    qc_fixture_free(fx);
    free(path);
    return m;
}

/* ---- firmware: search path, masking, priority, globs, broken descriptors --------------- */

static const char fw_q35[] =
    "{\"interface-types\": [\"uefi\", \"bios\"], \"mapping\": {\"device\": \"flash\","
    " \"executable\": {\"filename\": \"%s/code.fd\", \"format\": \"raw\"}},"
    " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}],"
    " \"features\": [\"requires-smm\", \"secure-boot\"]}";
static const char fw_pc[] =
    "{\"interface-types\": [\"bios\"], \"mapping\": {\"device\": \"memory\","
    " \"filename\": \"/nonexistent/bios.bin\"},"
    " \"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-i440fx-*\"]}]}";

static int qc_warnings;

static void
count_warning(const char *msg, void *opaque)
{
    (void) opaque;
    assert_non_null(strstr(msg, "30-broken.json"));
    qc_warnings++;
}

static void
test_firmware(void **state)
{
    char buf[1024], d1[300], d2[300];
    const char *dirs[] = {d1, d2, NULL};
    qc_host h;
    qc_fw_result r;
    qc_error *err = NULL;
    qc_strlist legacy = {0};

    snprintf(d1, sizeof(d1), "%s/usr", tmpdir);
    snprintf(d2, sizeof(d2), "%s/etc", tmpdir);
    assert_int_equal(mkdir(d1, 0755), 0);
    assert_int_equal(mkdir(d2, 0755), 0);
    snprintf(buf, sizeof(buf), fw_q35, tmpdir);
    put("usr/50-q35.json", buf);
    put("usr/40-pc.json", fw_pc);
    put("usr/30-broken.json", "{\"interface-types\": ");
    put("usr/.hidden.json", buf);
    put("etc/40-pc.json", "");  /* masks usr/40-pc.json */
    put("code.fd", "x");
    memset(&h, 0, sizeof(h));
    assert_int_equal(qc_host_read_firmware(&h, dirs, &err), 0);
    assert_int_equal(h.n_firmware, 2);   /* masked and dot-files gone, broken kept */
    assert_string_equal(h.firmware[0].name, "30-broken.json");
    assert_non_null(h.firmware[0].error);
    assert_string_equal(h.firmware[1].name, "50-q35.json");
    assert_true(h.firmware[1].executable_exists);
    assert_false(qc_fw_matches(&h.firmware[1], "x86_64", "q35")); /* globs see canonical */
    assert_true(qc_fw_matches(&h.firmware[1], "x86_64", "pc-q35-7.2"));
    assert_false(qc_fw_matches(&h.firmware[1], "i386", "pc-q35-7.2"));

    memset(&r, 0, sizeof(r));
    qc_warnings = 0;
    assert_int_equal(qc_fw_resolve(h.firmware, h.n_firmware, &legacy, "x86_64", "pc-q35-7.2",
                                   count_warning, NULL, &r, &err), 0);
    assert_int_equal(qc_warnings, 1);
    assert_true(r.efi && r.bios && r.secure);
    assert_int_equal(r.loaders.n, 1);
    qc_fw_result_clear(&r);

    /* no match: the legacy list, secure only "no" */
    assert_int_equal(qc_strlist_add(&legacy, "/usr/share/OVMF/OVMF_CODE.fd", NULL), 0);
    assert_int_equal(qc_fw_resolve(h.firmware, h.n_firmware, &legacy, "x86_64",
                                   "pc-i440fx-7.2", NULL, NULL, &r, &err), 0);
    assert_false(r.efi || r.bios || r.secure);
    assert_int_equal(r.loaders.n, 1);
    assert_string_equal(r.loaders.v[0], "/usr/share/OVMF/OVMF_CODE.fd");
    qc_fw_result_clear(&r);
    qc_strlist_clear(&legacy);
    qc_host_clear(&h);
}

/* ---- enum order: libvirt's order, not the descriptor's --------------------------------- */

static void
test_enum_order(void **state)
{
    char buf[1024], d1[300];
    const char *dirs[] = {d1, NULL};
    qc_model *m = replay("caps_7.2.22_x86_64");
    qc_domcaps_req req = {QC_LV_9_0, NULL, "q35", "kvm"};
    qc_error *err = NULL;
    char *xml;

    snprintf(d1, sizeof(d1), "%s/order", tmpdir);
    assert_int_equal(mkdir(d1, 0755), 0);
    snprintf(buf, sizeof(buf), fw_q35, tmpdir);
    put("order/50-q35.json", buf);
    put("code.fd", "x");
    assert_int_equal(qc_host_read_firmware(&m->host, dirs, &err), 0);
    assert_non_null(xml = qc_domcaps_format(m, &req, NULL, NULL, &err));
    /* descriptor says uefi, bios: libvirt prints bios, efi */
    assert_non_null(strstr(xml, "<enum name='firmware'>\n      <value>bios</value>\n"
                                "      <value>efi</value>"));
    assert_non_null(strstr(xml, "<enum name='secure'>\n        <value>yes</value>\n"
                                "        <value>no</value>"));
    /* video: ... virtio, none, bochs, ramfb */
    assert_true(strstr(xml, "<value>virtio</value>\n        <value>none</value>\n"
                            "        <value>bochs</value>") != NULL);
    free(xml);
    qc_model_free(m);
}

/* ---- tuple resolution: aliases, defaults, errors listing the valid values --------------- */

static char *
render(const qc_model *m, const char *arch, const char *machine, const char *virttype,
       qc_error **err)
{
    qc_domcaps_req req = {QC_LV_9_0, arch, machine, virttype};

    return qc_domcaps_format(m, &req, NULL, NULL, err);
}

static void
test_machines(void **state)
{
    qc_model *x86 = replay("caps_7.2.22_x86_64");
    qc_model *arm = replay("caps_7.2.22_aarch64");
    qc_model *rv = replay("caps_7.2.22_riscv64");
    qc_model *avr = replay("caps_7.2.22_avr");
    qc_error *err = NULL;
    char *xml;

    assert_non_null(xml = render(x86, NULL, "q35", NULL, &err));
    assert_non_null(strstr(xml, "<machine>pc-q35-7.2</machine>"));
    assert_non_null(strstr(xml, "<domain>kvm</domain>"));
    free(xml);
    assert_non_null(xml = render(x86, NULL, NULL, NULL, &err)); /* libvirt prefers pc */
    assert_non_null(strstr(xml, "<machine>pc-i440fx-7.2</machine>"));
    free(xml);
    assert_non_null(xml = render(x86, "i686", "pc", "qemu", &err));
    assert_non_null(strstr(xml, "<arch>i686</arch>"));
    free(xml);
    /* many machines: the count and the nearest names, sorted */
    assert_null(render(x86, NULL, "q53", NULL, &err));
    assert_int_equal(err->code, QC_E_UNSUPPORTED);
    assert_non_null(strstr(err->message, "valid: 60 names; nearest: "));
    assert_non_null(strstr(err->message, ", q35, ..."));
    assert_null(strstr(err->message, "none"));
    qc_error_free(err);
    err = NULL;
    /* few machines: all of them, sorted */
    assert_null(render(avr, NULL, "nosuch", NULL, &err));
    assert_non_null(strstr(err->message, "valid: 2009, arduino-duemilanove, arduino-mega, "
                                          "arduino-mega-2560-v3, arduino-uno, mega, mega2560, "
                                          "uno"));
    qc_error_free(err);
    err = NULL;
    /* QEMU lists machine none; libvirt has no such guest machine */
    assert_non_null(qc_model_find_machine(x86, QC_ACCEL_KVM, "none"));
    assert_null(render(x86, NULL, "none", NULL, &err));
    assert_int_equal(err->code, QC_E_UNSUPPORTED);
    qc_error_free(err);
    err = NULL;
    assert_null(render(x86, "aarch64", NULL, NULL, &err));
    assert_non_null(strstr(err->message, "valid: x86_64, i686"));
    qc_error_free(err);
    err = NULL;
    assert_null(render(arm, NULL, NULL, "kvm", &err)); /* not native: no KVM pass */
    assert_non_null(strstr(err->message, "valid: qemu"));
    qc_error_free(err);
    err = NULL;
    assert_non_null(xml = render(arm, NULL, NULL, NULL, &err));
    assert_non_null(strstr(xml, "<machine>integratorcp</machine>")); /* libvirt 9.0 */
    free(xml);
    assert_non_null(xml = render(arm, NULL, "virt", NULL, &err));
    assert_non_null(strstr(xml, "<machine>virt-7.2</machine>"));
    free(xml);
    assert_non_null(xml = render(rv, NULL, NULL, NULL, &err)); /* spike_v1.10 absent */
    assert_non_null(strstr(xml, "<machine>spike</machine>"));
    free(xml);
    qc_model_free(x86);
    qc_model_free(arm);
    qc_model_free(rv);
    qc_model_free(avr);
}

/* ---- host-model: the model libvirt's decode picks, libvirt spellings -------------------- */

static void
add_prop(qc_cpu_expansion *e, const char *name, bool value)
{
    e->props = realloc(e->props, (e->n_props + 1) * sizeof(*e->props));
    memset(&e->props[e->n_props], 0, sizeof(*e->props));
    e->props[e->n_props].name = strdup(name);
    e->props[e->n_props].b = value;
    e->n_props++;
}

/* Each libvirt generation writes its own element set (schema/README.md, "Generations"). */
static char *
render_gen(const qc_model *m, qc_lv_gen gen, const char *machine, const char *virttype)
{
    qc_domcaps_req req = {gen, NULL, machine, virttype};
    qc_error *err = NULL;
    char *xml = qc_domcaps_format(m, &req, NULL, NULL, &err);

    if (!xml)
        fail_msg("%s", err->message);
    return xml;
}

static void
test_generations(void **state)
{
    qc_model *x86 = replay("caps_7.2.22_x86_64");
    char *v9 = render_gen(x86, QC_LV_9_0, "q35", "kvm");
    char *v11 = render_gen(x86, QC_LV_11_3, "q35", "kvm");
    char *v12 = render_gen(x86, QC_LV_12_8, "q35", "kvm");

    (void) state;
    /* 9.0: none of the later elements */
    for (size_t i = 0; i < 6; i++) {
        static const char *const later[] = {"<console ", "<crypto ", "<panic ", "<blockers ",
                                            "canonical=", "<firmwareFeatures "};
        if (strstr(v9, later[i]))
            fail_msg("libvirt 9.0 document has %s", later[i]);
    }
    assert_non_null(strstr(v9, "<value>handle</value>"));
    /* 11.3: versions, canonical names, blockers, crypto/panic, no console yet */
    assert_non_null(strstr(v11, "canonical='Skylake-Client-v1'>Skylake-Client</model>"));
    assert_non_null(strstr(v11, "<blockers model="));
    assert_non_null(strstr(v11, "<panic supported="));
    assert_null(strstr(v11, "<console "));
    assert_null(strstr(v11, "<firmwareFeatures "));
    /* 12.8: console, firmware features, varstore, tdx, iommufd; no 9p handle driver */
    assert_non_null(strstr(v12, "<console supported='yes'>"));
    assert_non_null(strstr(v12, "<firmwareFeatures supported='yes'>"));
    assert_non_null(strstr(v12, "<varstore supported='no'/>"));
    assert_non_null(strstr(v12, "<tdx supported='no'/>"));
    assert_non_null(strstr(v12, "<s390-pv supported='no'/>"));
    assert_non_null(strstr(v12, "<enum name='iommufd'>"));
    assert_null(strstr(v12, "<value>handle</value>"));
    /* sorted by name from 11 on: "486" before "Broadwell" before "athlon" */
    assert_true(strstr(v11, ">486</model>") < strstr(v11, ">Broadwell</model>"));
    assert_true(strstr(v11, ">Broadwell</model>") < strstr(v11, ">athlon</model>"));
    free(v9);
    free(v11);
    free(v12);
    qc_model_free(x86);
}

static void
add_number(qc_cpu_expansion *e, const char *name, int64_t value)
{
    add_prop(e, name, false);
    e->props[e->n_props - 1].type = QC_PROP_NUMBER;
    e->props[e->n_props - 1].n = value;
}

/* A model QEMU defines for accelerator a: a definition (alias of `alias_of`) and the
 * expansion's features, in QEMU's spelling. */
static void
add_accel_model(qc_model *m, qc_accel a, const char *name, const char *alias_of,
                const char *vendor, const char *const *features)
{
    qc_accel_caps *ac = &m->accel[a];
    qc_cpu_model_info *c;

    ac->cpu_defs = realloc(ac->cpu_defs, (ac->n_cpu_defs + 1) * sizeof(*ac->cpu_defs));
    memset(&ac->cpu_defs[ac->n_cpu_defs], 0, sizeof(*ac->cpu_defs));
    ac->cpu_defs[ac->n_cpu_defs].name = strdup(name);
    ac->cpu_defs[ac->n_cpu_defs].alias_of = alias_of ? strdup(alias_of) : NULL;
    ac->n_cpu_defs++;
    if (!features)
        return;
    m->cpu_models = realloc(m->cpu_models, (m->n_cpu_models + 1) * sizeof(*m->cpu_models));
    c = &m->cpu_models[m->n_cpu_models++];
    memset(c, 0, sizeof(*c));
    c->name = strdup(name);
    c->vendor = strdup(vendor);
    for (size_t i = 0; features[i]; i++)
        qc_strlist_add(&c->features, features[i], NULL);
    qc_strlist_sort(&c->features);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static bool
has_feature(const qc_host_cpu_model *c, const char *name, bool require)
{
    for (size_t i = 0; i < c->n_features; i++) {
        if (strcmp(c->features[i].name, name) == 0)
            return c->features[i].require == require;
    }
    return false;
}

static const char *
host_model_name(const qc_model *m, qc_accel a, qc_lv_gen g, bool host_cpu)
{
    static char name[64];
    qc_host_cpu_model *c = NULL;
    qc_error *err = NULL;

    assert_int_equal(qc_domcaps_host_cpu_model(m, a, g, host_cpu, &c, &err), 0);
    if (!c)
        return NULL;
    snprintf(name, sizeof(name), "%s", c->model);
    qc_host_cpu_model_free(c);
    return name;
}

/* host-model is the model libvirt's x86 decode picks from the generation's CPU map, with
 * the map's own model definitions: newest first, a model with the CPU's family/model
 * signature before any other, else the fewest features to require plus a growing cost per
 * feature to disable (QEMU's blockers of the model included); a generic model (no vendor
 * in the map) fits every vendor; a host CPU takes no model it lacks a feature of. */
static void
test_host_model(void **state)
{
    /* libvirt's kvm64 (the same in every generation's map), QEMU's spellings */
    static const char *const kvm64[] = {
        "apic", "clflush", "cmov", "cx16", "cx8", "de", "fpu", "fxsr", "lm", "mca", "mce",
        "mmx", "msr", "mtrr", "nx", "pae", "pat", "pge", "pni", "pse", "pse36", "sep", "sse",
        "sse2", "syscall", "tsc", NULL,
    };
    static const char *const defs[] = {"kvm64", "kvm64-v1", "qemu64", "EPYC-Genoa", "Conroe"};
    const char *sorted[64];
    size_t n = 0;
    qc_model *m = qc_model_new();
    qc_cpu_expansion *e = calloc(1, sizeof(*e));
    qc_host_cpu_model *c = NULL;
    qc_error *err = NULL;

    m->target = strdup("x86_64");
    m->host.arch = strdup("x86_64");
    m->host.cpu_vendor = strdup("AuthenticAMD");
    m->kvm = true;
    m->accel[QC_ACCEL_KVM].probed = true;
    m->accel[QC_ACCEL_KVM].host_cpu = e;
    e->model = strdup("base");
    e->vendor = strdup("AuthenticAMD");
    /* an AMD CPU (25, 17: Genoa) whose KVM offers kvm64's features, lahf_lm and the
     * hypervisor bit only (a nested guest's) */
    for (size_t i = 0; kvm64[i]; i++)
        sorted[n++] = kvm64[i];
    sorted[n++] = "hypervisor";
    sorted[n++] = "kvmclock"; /* KVM paravirt: never a model feature */
    sorted[n++] = "lahf-lm";
    sorted[n++] = "family";
    sorted[n++] = "model";
    sorted[n++] = "stepping";
    qsort(sorted, n, sizeof(*sorted), cmp_str); /* the expansion's props are sorted */
    for (size_t i = 0; i < n; i++) {
        if (strcmp(sorted[i], "family") == 0)
            add_number(e, "family", 25);
        else if (strcmp(sorted[i], "model") == 0)
            add_number(e, "model", 17);
        else if (strcmp(sorted[i], "stepping") == 0)
            add_number(e, "stepping", 1);
        else
            add_prop(e, sorted[i], true);
    }
    for (size_t i = 0; i < QC_N_ELEMENTS(defs); i++)
        add_accel_model(m, QC_ACCEL_KVM, defs[i], NULL, "AuthenticAMD", NULL);

    /* 9.0 has no EPYC-Genoa and Conroe is Intel's: kvm64, as qemu64 would disable svm */
    assert_int_equal(qc_domcaps_host_cpu_model(m, QC_ACCEL_KVM, QC_LV_9_0, false, &c, &err), 0);
    assert_non_null(c);
    assert_string_equal(c->model, "kvm64");
    assert_string_equal(c->vendor, "AMD");
    assert_int_equal(c->n_features, 2);
    assert_string_equal(c->features[0].name, "hypervisor");
    assert_true(c->features[0].require);
    assert_string_equal(c->features[1].name, "lahf_lm");
    assert_true(c->features[1].require);
    qc_host_cpu_model_free(c);
    c = NULL;

    /* 11.3's map has EPYC-Genoa, whose signature is the CPU's: it wins, disabling what
     * the CPU lacks (avx, avx512f, ...) */
    assert_int_equal(qc_domcaps_host_cpu_model(m, QC_ACCEL_KVM, QC_LV_11_3, false, &c, &err), 0);
    assert_string_equal(c->model, "EPYC-Genoa");
    assert_true(has_feature(c, "avx512f", false));
    assert_true(has_feature(c, "hypervisor", true));
    assert_false(has_feature(c, "lahf_lm", true)); /* EPYC-Genoa has it */
    qc_host_cpu_model_free(c);
    c = NULL;

    /* a host CPU is named only by a model it has every feature of; 11.3's map walks
     * kvm64-v1 before kvm64 */
    assert_string_equal(host_model_name(m, QC_ACCEL_KVM, QC_LV_11_3, true), "kvm64-v1");
    assert_string_equal(host_model_name(m, QC_ACCEL_KVM, QC_LV_9_0, true), "kvm64");

    /* a feature QEMU says blocks kvm64 is disabled even though the CPU has it */
    qc_strlist_add(&m->accel[QC_ACCEL_KVM].cpu_defs[0].blockers, "lm", NULL);
    assert_int_equal(qc_domcaps_host_cpu_model(m, QC_ACCEL_KVM, QC_LV_9_0, false, &c, &err), 0);
    assert_string_equal(c->model, "kvm64"); /* a tie with qemu64 (svm): walked first */
    assert_true(has_feature(c, "lm", false));
    qc_host_cpu_model_free(c);

    /* no expansion for TCG: no host-model, not an error */
    assert_null(host_model_name(m, QC_ACCEL_TCG, QC_LV_9_0, false));
    qc_model_free(m);
}

/* ---- JSON mapping ------------------------------------------------------------------------- */

/* qc_xml_to_json(xml) fails with @code and a message holding @what. */
static void
expect_json_error(const char *xml, int code, const char *what)
{
    qc_error *err = NULL;

    assert_null(qc_xml_to_json(xml, &err));
    assert_int_equal(err->code, code);
    if (!strstr(err->message, what))
        fail_msg("'%s' does not say '%s'", err->message, what);
    qc_error_free(err);
}

static void
expect_xml_error(const char *json, const char *what)
{
    qc_error *err = NULL;

    assert_null(qc_json_to_xml(json, &err));
    assert_int_equal(err->code, QC_E_FORMAT);
    if (!strstr(err->message, what))
        fail_msg("'%s' does not say '%s'", err->message, what);
    qc_error_free(err);
}

static void
test_json_mapping(void **state)
{
    /* one of each: a list of one stays a list, numbers and yes/no are typed, an element
     * that may carry attributes is an object even without them, and the blockers that
     * follow their model come back in place */
    static const char xml[] =
        "<domainCapabilities>\n  <path>/usr/bin/qemu-system-x86_64</path>\n"
        "  <domain>kvm</domain>\n  <machine>pc</machine>\n  <arch>x86_64</arch>\n"
        "  <vcpu max='255'/>\n  <os supported='yes'>\n    <loader supported='yes'>\n"
        "      <value>/x.fd</value>\n    </loader>\n  </os>\n  <cpu>\n"
        "    <mode name='custom' supported='yes'>\n"
        "      <model usable='no' vendor='Intel'>Broadwell</model>\n"
        "      <blockers model='Broadwell'>\n        <feature name='hle'/>\n"
        "      </blockers>\n      <model usable='yes' vendor='AMD'>EPYC</model>\n"
        "      <model usable='no' vendor='Intel'>Haswell</model>\n"
        "      <blockers model='Haswell'>\n        <feature name='rtm'/>\n"
        "        <feature name='hle'/>\n      </blockers>\n    </mode>\n  </cpu>\n"
        "  <features>\n    <sgx supported='yes'>\n      <flc>no</flc>\n      <sgx1>yes</sgx1>\n"
        "      <sgx2>no</sgx2>\n      <section_size unit='KiB'>524288</section_size>\n"
        "      <sections/>\n    </sgx>\n  </features>\n</domainCapabilities>\n";
    qc_error *err = NULL;
    char *json, *back, *bad;

    (void) state;
    assert_non_null(json = qc_xml_to_json(xml, &err));
    assert_non_null(strstr(json, "{\n  \"format-version\": 1,\n  \"domainCapabilities\": {"));
    assert_non_null(strstr(json, "\"@max\": 255"));
    assert_non_null(strstr(json, "\"value\": [\n          \"/x.fd\"\n        ]"));
    assert_non_null(strstr(json, "\"@supported\": true"));
    assert_non_null(strstr(json, "\"flc\": false,\n        \"sgx1\": true"));
    assert_non_null(strstr(json, "\"#text\": 524288"));
    assert_non_null(strstr(json, "\"sections\": {}"));
    assert_non_null(strstr(json, "\"blockers\": [\n"));
    assert_non_null(back = qc_json_to_xml(json, &err));
    assert_string_equal(back, xml);
    free(back);

    /* JSON -> XML: typed values only where they fit, a blocker naming no model, the
     * version */
    bad = strdup(json);
    memcpy(strstr(bad, "\"@model\": \"Haswell\"") + 11, "Haswelx", 7);
    expect_xml_error(bad, "mode.blockers: every item must name one of the \"model\" items");
    free(bad);
    bad = strdup(json);
    memcpy(strstr(bad, "\"format-version\": 1") + 18, "2", 1);
    expect_xml_error(bad, "format-version: 2 is not 1");
    free(bad);
    free(json);
    expect_xml_error("{\"format-version\": 1, \"domainCapabilities\": {\"vcpu\": {\"@max\": 1.5}}}",
                     "@max: expected a string, a non-negative integer or a boolean");
    expect_xml_error("{\"format-version\": 1, \"nosuch\": {}}", "\"nosuch\": not a document");
    expect_xml_error("[1]", "must be an object with \"format-version\"");

    /* XML -> JSON follows the grammar or fails, naming the element */
    expect_json_error("<domainCapabilities><path>a</path><path>b</path></domainCapabilities>",
                      QC_E_FORMAT, "<path> in <domainCapabilities> occurs twice");
    expect_json_error("<domainCapabilities><nosuch/></domainCapabilities>", QC_E_FORMAT,
                      "<nosuch> in <domainCapabilities> is not in the grammar");
    expect_json_error("<domainCapabilities><vcpu max='0x10'/></domainCapabilities>",
                      QC_E_FORMAT, "@max: '0x10' is not a decimal number");
    expect_json_error("<domainCapabilities><os supported='maybe'/></domainCapabilities>",
                      QC_E_FORMAT, "@supported: 'maybe' is not yes or no");
    expect_json_error("<domainCapabilities><os>text</os></domainCapabilities>", QC_E_FORMAT,
                      "<os> in <domainCapabilities> has text");
    expect_json_error("<other/>", QC_E_FORMAT, "<other>: not a document qcaps has a JSON form");
    expect_json_error("<a>", QC_E_XML, "not well-formed");
}

/* ---- RelaxNG: errors become qc_error --------------------------------------------------- */

static void
test_relaxng_errors(void **state)
{
    char *rng = NULL;
    qc_error *err = NULL;

    assert_true(asprintf(&rng, "%s/schema/domcapabilities.rng", getenv("QC_SOURCE_ROOT")) > 0);
    assert_int_equal(qc_relaxng_validate(rng, "<domainCapabilities/>", &err), -1);
    assert_int_equal(err->code, QC_E_XML);
    assert_non_null(strstr(err->message, "schema"));
    qc_error_free(err);
    err = NULL;
    assert_int_equal(qc_relaxng_validate(rng, "<unclosed>", &err), -1);
    assert_non_null(strstr(err->message, "well-formed"));
    qc_error_free(err);
    err = NULL;
    assert_int_equal(qc_relaxng_validate("/nonexistent.rng", "<a/>", &err), -1);
    qc_error_free(err);
    free(rng);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_firmware, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_enum_order, setup_tmp, teardown_tmp),
        cmocka_unit_test(test_machines),
        cmocka_unit_test(test_host_model),
        cmocka_unit_test(test_generations),
        cmocka_unit_test(test_json_mapping),
        cmocka_unit_test(test_relaxng_errors),
    };

    return cmocka_run_group_tests_name("domcaps-rules", tests, NULL, NULL);
}

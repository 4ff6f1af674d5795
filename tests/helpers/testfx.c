/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* testfx.c: the committed fixtures as cmocka tests use them (testfx.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "introspect/probe.h"
#include "qmp/fixture.h"
#include "tests/helpers/testfx.h"

const char *const qc_testfx_suffixes[QC_TESTFX_N] = {
    "aarch64", "alpha", "arm", "avr", "cris", "hppa", "i386", "loongarch64", "m68k",
    "microblaze", "microblazeel", "nios2", "or1k", "ppc", "ppc64", "ppc64le", "riscv32",
    "riscv64", "rx", "s390x", "sh4", "sh4eb", "tricore", "x86_64+microvm", "x86_64",
    "xtensa", "xtensaeb",
};

const char *
qc_testfx_env(const char *name)
{
    const char *v = getenv(name);

    if (!v || !*v)
        fail_msg("%s is not set (run through meson test)", name);
    return v;
}

char *
qc_testfx_read(const char *path)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem;
    char chunk[8192];
    size_t n;

    if (!f)
        return NULL;
    assert_non_null(mem = open_memstream(&buf, &len));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        fwrite(chunk, 1, n, mem);
    fclose(mem);
    fclose(f);
    return buf;
}

qc_model *
qc_testfx_replay(const char *suffix)
{
    char *path = NULL;
    qc_error *err = NULL;
    qc_probe_opts o = {0};
    qc_fixture *fx;
    qc_model *m;

    assert_non_null(suffix); /* a short qc_testfx_suffixes initializer leaves NULLs */
    assert_true(asprintf(&path, "%s/qmp/caps_7.2.22_%s.replies", qc_testfx_env("QC_FIXTURES"),
                         suffix) > 0);
    if (!(fx = qc_fixture_load(path, &err)))
        fail_msg("%s", err->message);
    o.fixture = fx;
    if (!(m = qc_probe_run(&o, &err)))
        fail_msg("%s: %s", path, err->message);
    qc_fixture_free(fx);
    free(path);
    assert_non_null(m->emulator);
    return m;
}

qc_hostfacts *
qc_testfx_host(void)
{
    char *path = NULL;
    qc_error *err = NULL;
    qc_hostfacts *hf;

    assert_true(asprintf(&path, "%s/host/%s.json", qc_testfx_env("QC_FIXTURES"),
                         QC_TESTFX_HOST) > 0);
    if (!(hf = qc_hostfacts_load(path, &err)))
        fail_msg("%s", err->message);
    free(path);
    return hf;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* testfx.c: the committed fixtures as cmocka tests use them (testfx.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <stdbool.h>
#include <unistd.h>

#include <cmocka.h>

#include "introspect/probe.h"
#include "qmp/fixture.h"
#include "tests/helpers/testfx.h"

static int
qc_testfx_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The file names of QC_TESTFX_SET, sorted, read once. */
static size_t
qc_testfx_files(char ***ret)
{
    static char *names[QC_TESTFX_MAX];
    static size_t n;
    static bool done;
    char *dir = NULL;
    struct dirent *e;
    DIR *d;

    if (!done) {
        assert_true(asprintf(&dir, "%s/qmp/%s", qc_testfx_env("QC_FIXTURES"),
                             QC_TESTFX_SET) > 0);
        if (!(d = opendir(dir)))
            fail_msg("cannot open %s", dir);
        while ((e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (strncmp(e->d_name, "caps_", 5) != 0 || len < 9 ||
                strcmp(e->d_name + len - 8, ".replies") != 0)
                continue;
            if (n == QC_TESTFX_MAX)
                fail_msg("%s: more than %d fixtures", dir, QC_TESTFX_MAX);
            assert_non_null(names[n++] = strdup(e->d_name));
        }
        closedir(d);
        free(dir);
        if (!n)
            fail_msg("no fixtures in set %s", QC_TESTFX_SET);
        qsort(names, n, sizeof(*names), qc_testfx_cmp);
        done = true;
    }
    *ret = names;
    return n;
}

size_t
qc_testfx_suffixes(const char *const **ret)
{
    static const char *suffixes[QC_TESTFX_MAX];
    char **files;
    size_t n = qc_testfx_files(&files);

    for (size_t i = 0; i < n; i++) {
        /* caps_<version>_<suffix>.replies: the version has no '_' */
        const char *s = strchr(files[i] + 5, '_');
        static char buf[QC_TESTFX_MAX][64];

        assert_non_null(s);
        snprintf(buf[i], sizeof(buf[i]), "%.*s", (int) (strlen(s + 1) - 8), s + 1);
        suffixes[i] = buf[i];
    }
    *ret = suffixes;
    return n;
}

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

char *
qc_testfx_path(const char *stem)
{
    char *qmp = NULL, *path = NULL;
    struct dirent *e;
    DIR *d;

    assert_true(asprintf(&qmp, "%s/qmp", qc_testfx_env("QC_FIXTURES")) > 0);
    if (!(d = opendir(qmp)))
        fail_msg("cannot open %s", qmp);
    while (!path && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        assert_true(asprintf(&path, "%s/%s/%s.replies", qmp, e->d_name, stem) > 0);
        if (access(path, R_OK) != 0) {
            free(path);
            path = NULL;
        }
    }
    closedir(d);
    if (!path)
        fail_msg("no fixture %s in any set of %s", stem, qmp);
    free(qmp);
    return path;
}

qc_model *
qc_testfx_replay(const char *suffix)
{
    char *path = NULL, **files;
    qc_error *err = NULL;
    qc_probe_opts o = {0};
    qc_fixture *fx;
    qc_model *m;
    size_t n = qc_testfx_files(&files);

    assert_non_null(suffix);
    for (size_t i = 0; i < n && !path; i++) {
        const char *s = strchr(files[i] + 5, '_');
        if (s && strncmp(s + 1, suffix, strlen(suffix)) == 0 &&
            strcmp(s + 1 + strlen(suffix), ".replies") == 0)
            assert_true(asprintf(&path, "%s/qmp/%s/%s", qc_testfx_env("QC_FIXTURES"),
                                 QC_TESTFX_SET, files[i]) > 0);
    }
    if (!path)
        fail_msg("no fixture of qemu-system-%s in set %s", suffix, QC_TESTFX_SET);
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

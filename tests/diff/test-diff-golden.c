/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-diff-golden.c: `qcaps diff` between the committed fixture generations (QEMU 7.2 ->
 * 10.0 -> 11.1) and between their host exports, against fixtures/expected/diff/ (text and
 * JSON). Run from the source root with relative paths, so the goldens name the fixtures
 * as a reader would type them. QC_TEST_REGENERATE=1 rewrites the goldens instead. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "tests/cli/runner.h"

#define QC_MAX_ARGS 12

typedef struct qc_golden {
    const char *name;                     /* the golden's file name in fixtures/expected/diff/ */
    const char *old_set, *new_set, *arch; /* arch NULL: the host exports of the sets */
    const char *opts[5];                  /* options before the two sides, NULL-terminated */
} qc_golden;

static qc_golden goldens[] = {
    {"bookworm-trixie_x86_64.txt", "bookworm", "trixie", "x86_64", {NULL}},
    {"trixie-forky_x86_64.txt", "trixie", "forky", "x86_64", {NULL}},
    {"bookworm-trixie_aarch64.txt", "bookworm", "trixie", "aarch64", {NULL}},
    {"trixie-forky_aarch64.txt", "trixie", "forky", "aarch64", {NULL}},
    {"bookworm-trixie_s390x.txt", "bookworm", "trixie", "s390x", {NULL}},
    {"trixie-forky_s390x.txt", "trixie", "forky", "s390x", {NULL}},
    {"bookworm-trixie_ppc64.txt", "bookworm", "trixie", "ppc64", {NULL}},
    {"trixie-forky_ppc64.txt", "trixie", "forky", "ppc64", {NULL}},
    {"bookworm-trixie_riscv64.txt", "bookworm", "trixie", "riscv64", {NULL}},
    {"trixie-forky_riscv64.txt", "trixie", "forky", "riscv64", {NULL}},
    {"bookworm-forky_x86_64.txt", "bookworm", "forky", "x86_64", {NULL}},
    {"bookworm-forky_x86_64.stat.txt", "bookworm", "forky", "x86_64", {"--stat", NULL}},
    {"bookworm-trixie_x86_64.json", "bookworm", "trixie", "x86_64", {"--format", "json", NULL}},
    {"trixie-forky_x86_64.json", "trixie", "forky", "x86_64", {"--format", "json", NULL}},
    {"bookworm-forky_x86_64.json", "bookworm", "forky", "x86_64", {"--format", "json", NULL}},
    {"bookworm-forky_x86_64-domcaps.txt",
     "bookworm",
     "forky",
     "x86_64",
     {"--document", "domcaps", NULL}},
    {"bookworm-forky_x86_64-domcaps-q35.txt",
     "bookworm",
     "forky",
     "x86_64",
     {"--document", "domcaps", "--machine", "q35"}},
    {"bookworm-forky_x86_64-capabilities.txt",
     "bookworm",
     "forky",
     "x86_64",
     {"--document", "capabilities", NULL}},
    {"bookworm-forky_hosts.txt", "bookworm", "forky", NULL, {NULL}},
    {"bookworm-forky_hosts.stat.txt", "bookworm", "forky", NULL, {"--stat", NULL}},
    {"bookworm-forky_hosts.stat.json",
     "bookworm",
     "forky",
     NULL,
     {"--stat", "--format", "json", NULL}},
    {"trixie-forky_hosts.stat.txt", "trixie", "forky", NULL, {"--stat", NULL}},
};

static char *exports_dir;

/* fixtures/qmp/<set>/caps_<version>_<arch>.replies, relative to the source root. */
static char *
qc_fixture(const char *set, const char *arch)
{
    char *dir = qc_xasprintf("fixtures/qmp/%s", set), *want = qc_xasprintf("_%s.replies", arch);
    char *found = NULL;
    struct dirent *e;
    DIR *d = opendir(dir);

    while (d && !found && (e = readdir(d))) {
        size_t n = strlen(e->d_name), w = strlen(want);

        if (n > w && strncmp(e->d_name, "caps_", 5) == 0 && strcmp(e->d_name + n - w, want) == 0)
            found = qc_xasprintf("%s/%s", dir, e->d_name);
    }
    if (d)
        closedir(d);
    free(dir);
    free(want);
    if (!found)
        fail_msg("no fixture of %s in fixtures/qmp/%s", arch, set);
    return found;
}

/* The host export of a set, made once per run in a private directory. */
static char *
qc_export(const char *set)
{
    const char *root = qc_env_path("QC_SOURCE_ROOT");
    char *out = qc_xasprintf("%s/%s.export", exports_dir, set);
    char *dir = qc_xasprintf("%s/fixtures/qmp/%s", root, set);
    char *facts = qc_xasprintf("%s/fixtures/host/%s_x86_64.json", root, set);
    qc_run r;

    if (access(out, R_OK) != 0) {
        const char *argv[] = {qc_env_path("QC_QCAPS"),
                              "export",
                              "--fixture-dir",
                              dir,
                              "--host-facts",
                              facts,
                              "--output",
                              out,
                              NULL};

        qc_run_cmd(&r, NULL, 120, argv);
        if (r.exit_code != 0)
            fail_msg("qcaps export of %s: exit %d: %s", set, r.exit_code, r.err);
        qc_run_clear(&r);
    }
    free(dir);
    free(facts);
    return out;
}

static void
test_golden(void **state)
{
    const qc_golden *g = *state;
    const char *argv[QC_MAX_ARGS + 1] = {qc_env_path("QC_QCAPS"), "diff"};
    char *old_p, *new_p, *path, *want;
    size_t n = 2;
    qc_run r;

    if (g->arch) {
        old_p = qc_fixture(g->old_set, g->arch);
        new_p = qc_fixture(g->new_set, g->arch);
    } else {
        /* run where the exports are, so the output names them as bookworm.export etc. */
        char *a = qc_export(g->old_set), *b = qc_export(g->new_set);

        free(a);
        free(b);
        old_p = qc_xasprintf("%s.export", g->old_set);
        new_p = qc_xasprintf("%s.export", g->new_set);
        assert_int_equal(chdir(exports_dir), 0);
    }
    for (size_t i = 0; i < 4 && g->opts[i]; i++)
        argv[n++] = g->opts[i];
    argv[n++] = old_p;
    argv[n++] = new_p;
    argv[n] = NULL;
    qc_run_cmd(&r, NULL, 120, argv);
    assert_int_equal(chdir(qc_env_path("QC_SOURCE_ROOT")), 0);
    if (r.exit_code != 1 || r.err[0])
        fail_msg("%s: exit %d (want 1, differences), stderr: %s", g->name, r.exit_code, r.err);
    path = qc_xasprintf("%s/expected/diff/%s", qc_env_path("QC_FIXTURES"), g->name);
    if (getenv("QC_TEST_REGENERATE"))
        assert_int_equal(qc_write_file(path, r.out, 0644), 0);
    if (!(want = qc_read_file(path)))
        fail_msg("missing %s (QC_TEST_REGENERATE=1 writes it)", path);
    if (strcmp(r.out, want) != 0)
        fail_msg("%s differs from the output of qcaps diff %s %s (QC_TEST_REGENERATE=1 "
                 "rewrites it; review the change)",
                 path, old_p, new_p);
    free(want);
    free(path);
    free(old_p);
    free(new_p);
    qc_run_clear(&r);
}

int
main(void)
{
    enum { N = QC_N_ELEMENTS(goldens) };
    struct CMUnitTest tests[N];
    int rc;

    if (chdir(qc_env_path("QC_SOURCE_ROOT")) != 0)
        return 99;
    exports_dir = qc_make_tmpdir("diff-golden");
    for (size_t i = 0; i < N; i++) {
        struct CMUnitTest t = {goldens[i].name, test_golden, NULL, NULL, &goldens[i]};

        tests[i] = t;
    }
    rc = _cmocka_run_group_tests("diff-golden", tests, N, NULL, NULL);
    qc_rmtree(exports_dir);
    free(exports_dir);
    return rc;
}

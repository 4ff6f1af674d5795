/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cache-live.c: `qcaps warm` on the real qemu-system-* binaries: the first warm probes
 * them all, the second none, and a cached probe prints what a live one prints. */
#include <glob.h>
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

#include "common/cleanup.h"
#include "tests/cli/runner.h"

/* Number of *.qcache entries in dir. */
static int
qc_count_entries(const char *dir)
{
    qc_autofree char *pat = qc_xasprintf("%s/*.qcache", dir);
    glob_t g;
    int n;

    if (glob(pat, 0, NULL, &g) != 0)
        return 0;
    n = (int) g.gl_pathc;
    globfree(&g);
    return n;
}

#define QC_X86 "/usr/bin/qemu-system-x86_64"

static void
t_warm_real(void **state)
{
    qc_autofree char *root = qc_make_tmpdir("cache-live");
    qc_autofree char *dir = NULL;
    qc_autofree char *want = NULL;
    qc_autofree char *cached = NULL;
    const char *q = qc_env_path("QC_QCAPS");
    const char *sum;
    int n = 0;
    double live_s;
    qc_run r;

    (void) state;
    assert_true(asprintf(&dir, "%s/cache", root) > 0);
    setenv("PATH", "/usr/bin:/bin", 1);
    qc_run_cmd(&r, root, 580, (const char *const[]){q, "warm", "--cache-dir", dir, NULL});
    fprintf(stderr, "# first warm (%.2fs): %s", r.seconds, strrchr(r.out, '\n') ? r.out : "");
    if (r.err && *r.err) /* why a binary failed */
        fprintf(stderr, "# its stderr: %s", r.err);
    assert_int_equal(r.exit_code, 0);
    /* every binary path on PATH, /usr/bin, /usr/local/bin, /usr/libexec (a directory
     * reached twice counts once; a symlinked binary such as ppc64le counts on its own) */
    sum = strstr(r.out, "warm: ");
    assert_non_null(sum);
    assert_int_equal(sscanf(sum, "warm: %d probed, 0 fresh, 0 failed", &n), 1);
    assert_true(n >= 1);
    assert_true(asprintf(&want, " 0 fresh, 0 failed") > 0);
    assert_non_null(strstr(sum, want));
    assert_int_equal(qc_count_lines(r.out), n + 1);
    qc_run_clear(&r);
    free(want);

    qc_run_cmd(&r, root, 60, (const char *const[]){q, "warm", "--cache-dir", dir, NULL});
    assert_int_equal(r.exit_code, 0);
    assert_true(asprintf(&want, "warm: 0 probed, %d fresh, 0 failed", n) > 0);
    if (!strstr(r.out, want))
        fail_msg("expected '%s' in: %s", want, r.out);
    qc_run_clear(&r);

    qc_run_cmd(&r, root, 60, (const char *const[]){q, "probe", "--cache-dir", dir, "--emulator",
                                                  QC_X86, "--format", "json", NULL});
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.err, "");
    cached = strdup(r.out);
    live_s = r.seconds;
    qc_run_clear(&r);
    qc_run_cmd(&r, root, 120, (const char *const[]){q, "probe", "--no-cache", "--emulator",
                                                   QC_X86, "--format", "json", NULL});
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, cached);
    fprintf(stderr, "# probe x86_64: cached %.3fs, live %.3fs\n", live_s, r.seconds);
    qc_run_clear(&r);
    qc_run_cmd(&r, root, 60, (const char *const[]){q, "cache", "check", "--cache-dir", dir,
                                                  NULL});
    assert_int_equal(r.exit_code, 0);
    qc_run_clear(&r);

    /* After warm, the host document (one guest per binary libvirt would look for, symlinked
     * ones included) is answered from the cache: no probe adds an entry (the document
     * itself is kept, as the cache's own answer). */
    {
        int before = qc_count_entries(dir);
        qc_run_cmd(&r, root, 120, (const char *const[]){q, "capabilities", "--cache-dir", dir,
                                                       NULL});
        assert_int_equal(r.exit_code, 0);
        assert_string_equal(r.err, "");
        assert_int_equal(qc_count_entries(dir), before);
        qc_run_clear(&r);
    }
    qc_rmtree(root);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_warm_real),
    };

    if (access(QC_X86, X_OK) != 0) {
        fprintf(stderr, "no %s: skipped\n", QC_X86);
        return 77;
    }
    return cmocka_run_group_tests_name("cache-live", tests, NULL, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-diff-live.c (suite slow): `qcaps diff` against this host's QEMU. A fixture (recorded
 * here, now) against the live binary it was recorded from is empty; an export of this host
 * against @host is empty. Exit 77 (skipped) without /usr/bin/qemu-system-x86_64. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/cli/runner.h"

#define QC_EMULATOR "/usr/bin/qemu-system-x86_64"

static int failures;

static void
qc_check(const char *what, const char *const argv[], int code, bool empty)
{
    qc_run r;

    qc_run_cmd(&r, NULL, 300, argv);
    if (r.exit_code != code || (empty && r.out[0])) {
        fprintf(stderr, "FAIL %s: exit %d (want %d)\nstdout: %.2000s\nstderr: %s\n", what,
                r.exit_code, code, r.out, r.err);
        failures++;
    } else {
        printf("ok %s\n", what);
    }
    qc_run_clear(&r);
}

/* A fixture of the live binary, recorded now into @dir: a committed one would have been
 * recorded on another machine (another CPU gives another KVM host-CPU expansion). */
static char *
qc_recorded_fixture(const char *qcaps, const char *dir)
{
    char *fx = qc_xasprintf("%s/x86_64.replies", dir);
    const char *argv[] = {qcaps, "record", "--emulator", QC_EMULATOR, "--output", fx, NULL};
    qc_run r;

    qc_run_cmd(&r, NULL, 300, argv);
    if (r.exit_code != 0) {
        fprintf(stderr, "FAIL recording %s: exit %d: %s\n", QC_EMULATOR, r.exit_code, r.err);
        failures++;
        free(fx);
        fx = NULL;
    }
    qc_run_clear(&r);
    return fx;
}

int
main(void)
{
    const char *qcaps = qc_env_path("QC_QCAPS");
    char *tmp, *fx, *export;

    if (access(QC_EMULATOR, X_OK) != 0) {
        printf("skip: no %s\n", QC_EMULATOR);
        return 77;
    }
    tmp = qc_make_tmpdir("diff-live");
    setenv("QCAPS_CACHE_DIR", tmp, 1);
    if (!(fx = qc_recorded_fixture(qcaps, tmp))) {
        qc_rmtree(tmp);
        free(tmp);
        return 1;
    }
    export = qc_xasprintf("%s/host.export", tmp);
    {
        const char *a1[] = {qcaps, "diff", fx, QC_EMULATOR, NULL};
        const char *a2[] = {qcaps, "diff", QC_EMULATOR, fx, NULL};
        const char *a3[] = {qcaps, "diff", "--document", "domcaps", fx, QC_EMULATOR, NULL};
        const char *a4[] = {qcaps, "export", "--output", export, NULL};
        const char *a5[] = {qcaps, "diff", export, "@host", NULL};
        const char *a6[] = {qcaps, "diff", "--document", "capabilities", export, "@host", NULL};
        const char *a7[] = {qcaps, "diff", fx, "@host", NULL};
        const char *a8[] = {qcaps, "diff", QC_EMULATOR, QC_EMULATOR, NULL};

        qc_check("fixture against the live binary it was recorded from", a1, 0, true);
        qc_check("live binary against its fixture", a2, 0, true);
        qc_check("domcaps of the fixture against the live binary's", a3, 0, true);
        qc_check("the live binary against itself", a8, 0, true);
        qc_check("export of this host", a4, 0, true);
        qc_check("export against @host", a5, 0, true);
        qc_check("capabilities of the export against @host's", a6, 0, true);
        qc_check("fixture against @host", a7, 0, true);
    }
    free(export);
    free(fx);
    qc_rmtree(tmp);
    free(tmp);
    return failures ? 1 : 0;
}

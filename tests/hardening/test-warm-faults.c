/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-warm-faults.c: `qcaps warm` over every installed QEMU plus broken fake ones caches
 * the good, reports each broken one on one clear line, and leaves nothing behind.
 *
 * The fakes (tests/helpers/fake-qemu in a private directory, named qemu-system-*) hang
 * before the greeting, hang mid-reply, crash mid-probe, send a 100 MB reply, send invalid
 * JSON, and exit with binary garbage on stderr; one more interleaves events with its
 * replies and must be cached like the real ones. Checks: exit status 2, one FAILED line
 * per broken fake and an entry for every other binary, one sanitised stderr line per
 * failure naming its cause, a bounded run time, an empty TMPDIR, no *.new file, and no
 * process started from the private directory. A second warm finds the entries fresh.
 * Suite 'slow': exits 77 when no /usr/bin/qemu-system-* is installed.
 */
#include <glob.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli/runner.h"
#include "check.h"

#define QC_WARM_TIMEOUT "8"  /* per probe, seconds: the two hanging fakes cost this */
#define QC_WARM_LIMIT 240.0  /* the whole warm-up, seconds */

typedef struct qc_fake_case {
    const char *name;    /* qemu-system-<name> */
    const char *mode;    /* --fake-mode */
    bool replays;        /* mode takes ":FIXTURE" (the x86_64 one) */
    const char *cause;   /* expected in its stderr line; NULL: must succeed */
} qc_fake_case;

static const qc_fake_case qc_fakes[] = {
    {"hang-greeting", "hang-before-greeting", false, "timed out"},
    {"hang-reply", "hang-mid-reply", false, "timed out"},
    {"crash", "crash-mid-probe", true, "signal 11"},
    {"huge-reply", "huge-reply", false, "exceeds"},
    {"invalid-json", "garbage", false, "invalid JSON"},
    {"stderr-garbage", "stderr-garbage-exit", false, "status 3"},
    {"events", "events", true, NULL},
};
#define QC_N_FAKES (sizeof(qc_fakes) / sizeof(qc_fakes[0]))

/* The line of `text` that contains `needle` (copied), or NULL. */
static char *
qc_line_with(const char *text, const char *needle)
{
    const char *hit = strstr(text, needle), *start, *end;

    if (!hit)
        return NULL;
    for (start = hit; start > text && start[-1] != '\n'; start--)
        ;
    end = strchr(hit, '\n');
    return strndup(start, end ? (size_t) (end - start) : strlen(start));
}

/* A fake in its own directory (the probe derives the target from the basename, so the
 * fixture-replaying ones are called qemu-system-x86_64 there). */
static char *
qc_make_fake(const char *dir, const qc_fake_case *fc, const char *fixture)
{
    char *sub = qc_xasprintf("%s/%s", dir, fc->name);
    char *mode = fc->replays ? qc_xasprintf("%s:%s", fc->mode, fixture) : strdup(fc->mode);
    char *path = qc_xasprintf("%s/qemu-system-%s", sub, fc->replays ? "x86_64" : fc->name);
    char *script = qc_xasprintf("#!/bin/sh\nexec '%s' --fake-mode '%s' \"$@\"\n",
                                qc_env_path("QC_FAKE_QEMU"), mode);

    if (mkdir(sub, 0700) < 0 || qc_write_file(path, script, 0755) < 0) {
        perror(path);
        exit(99);
    }
    free(sub);
    free(mode);
    free(script);
    return path;
}

static int
qc_count_suffix(const char *dir, const char *suffix)
{
    char *pat = qc_xasprintf("%s/*%s", dir, suffix);
    glob_t g;
    int n = 0;

    if (glob(pat, 0, NULL, &g) == 0)
        n = (int) g.gl_pathc;
    globfree(&g);
    free(pat);
    return n;
}

/* Only printable ASCII, tabs and newlines may reach the terminal. */
static bool
qc_is_clean_text(const char *s)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p >= 0x7f)
            return false;
    return true;
}

static void
qc_check_run(const qc_run *r, const char *tmp, const char *dir, const char *cache,
             size_t n_real, char **fakes, bool second)
{
    size_t n_failing = 0;
    char *summary;

    CHECK(r->signal == 0, "qcaps killed by signal %d (time limit %.0fs?)", r->signal,
          QC_WARM_LIMIT);
    CHECK(r->exit_code == 2, "exit %d, stderr:\n%s", r->exit_code, r->err);
    for (size_t i = 0; i < QC_N_FAKES; i++) {
        char *out = qc_line_with(r->out, fakes[i]);
        char *err = qc_line_with(r->err, fakes[i]);

        if (qc_fakes[i].cause) {
            n_failing++;
            CHECK(out && strstr(out, "FAILED"), "%s: no FAILED line:\n%s", fakes[i], r->out);
            CHECK(err && strstr(err, qc_fakes[i].cause), "%s: expected '%s' in: %s",
                  fakes[i], qc_fakes[i].cause, err ? err : "(no stderr line)");
        } else {
            CHECK(out && strstr(out, second ? "fresh" : "probed"), "%s: not %s:\n%s",
                  fakes[i], second ? "fresh" : "probed", r->out);
            CHECK(!err, "%s: unexpected stderr line: %s", fakes[i], err);
        }
        free(out);
        free(err);
    }
    CHECK(qc_count_lines(r->err) == (int) n_failing, "%d stderr lines for %zu failures:\n%s",
          qc_count_lines(r->err), n_failing, r->err);
    CHECK(qc_is_clean_text(r->err), "control or non-ASCII bytes on stderr");
    summary = qc_xasprintf("warm: %zu probed, %zu fresh, %zu failed", second ? 0 : n_real + 1,
                           second ? n_real + 1 : 0, n_failing);
    CHECK(strstr(r->out, summary) != NULL, "no '%s' in:\n%s", summary, r->out);
    free(summary);
    CHECK(qc_count_suffix(cache, ".qcache") == (int) n_real + 1, "%d entries, want %zu",
          qc_count_suffix(cache, ".qcache"), n_real + 1);
    CHECK(qc_count_suffix(cache, ".new") == 0, "a half-written entry is left");
    CHECK(qc_dir_count(tmp) == 0, "TMPDIR %s is not empty", tmp);
    CHECK(qc_count_procs_with(dir) == 0, "processes started from %s are still running", dir);
}

int
main(void)
{
    glob_t real;
    char *dir, *tmp, *cache, *fixture, *fakes[QC_N_FAKES];
    const char **argv;
    size_t n_real, argc = 0;
    qc_run r;

    if (glob("/usr/bin/qemu-system-*", 0, NULL, &real) != 0 || real.gl_pathc == 0) {
        printf("no /usr/bin/qemu-system-* installed: skipped\n");
        return 77;
    }
    n_real = real.gl_pathc;
    fixture = qc_fixture_for("x86_64");
    if (!fixture) {
        fprintf(stderr, "no x86_64 fixture under $QC_FIXTURES\n");
        return 99;
    }
    dir = qc_make_tmpdir("warm-faults");
    tmp = qc_xasprintf("%s/tmp", dir);
    cache = qc_xasprintf("%s/cache", dir);
    if (mkdir(tmp, 0700) < 0 || mkdir(cache, 0755) < 0) {
        perror(dir);
        return 99;
    }
    for (size_t i = 0; i < QC_N_FAKES; i++)
        fakes[i] = qc_make_fake(dir, &qc_fakes[i], fixture);

    argv = calloc(n_real + QC_N_FAKES + 16, sizeof(*argv));
    argv[argc++] = qc_env_path("QC_QCAPS");
    argv[argc++] = "warm";
    argv[argc++] = "--cache-dir";
    argv[argc++] = cache;
    argv[argc++] = "--jobs";
    argv[argc++] = "2";
    argv[argc++] = "--timeout";
    argv[argc++] = QC_WARM_TIMEOUT;
    for (size_t i = 0; i < n_real; i++)
        argv[argc++] = real.gl_pathv[i];
    for (size_t i = 0; i < QC_N_FAKES; i++)
        argv[argc++] = fakes[i];
    argv[argc] = NULL;

    for (int pass = 0; pass < 2; pass++) {
        qc_run_cmd(&r, tmp, QC_WARM_LIMIT, argv);
        printf("warm %s: exit %d in %.1fs\n%s", pass ? "again" : "cold", r.exit_code, r.seconds,
               r.out);
        qc_check_run(&r, tmp, dir, cache, n_real, fakes, pass == 1);
        qc_run_clear(&r);
    }

    if (qc_failures == 0)
        qc_rmtree(dir);
    else
        fprintf(stderr, "left %s for inspection\n", dir);
    for (size_t i = 0; i < QC_N_FAKES; i++)
        free(fakes[i]);
    free(argv);
    free(dir);
    free(tmp);
    free(cache);
    free(fixture);
    globfree(&real);
    printf("%s: %d failure(s)\n", qc_failures ? "FAIL" : "PASS", qc_failures);
    return qc_failures ? 1 : 0;
}

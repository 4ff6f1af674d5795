/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-load.c: 200 concurrent `qcaps domcaps` against a warm cache that `qcaps warm
 * --refresh` keeps rewriting: every answer is whole, schema-valid and the same.
 *
 * The queries run in waves of QC_WAVE processes (all local, outputs to files); between
 * spawns the test itself reads the entry file and checks that its key header's model
 * length matches the body (no half-written entry is ever visible). Each answer must exit
 * 0 with nothing on stderr (a broken entry would be reported there), validate against
 * schema/domcapabilities.rng and equal the first answer byte for byte. The whole run is
 * capped at QC_LOAD_LIMIT seconds. Afterwards TMPDIR is empty and no process started for
 * the test is left. Suite 'slow': uses /usr/bin/qemu-system-x86_64 (77 when absent).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../cli/runner.h"
#include "check.h"
#include "schema/relaxng.h"

#define QC_EMULATOR "/usr/bin/qemu-system-x86_64"
#define QC_QUERIES 200
#define QC_WAVE 20
#define QC_LOAD_LIMIT 180.0

static char *qc_dir, *qc_tmp, *qc_cache;

static double
qc_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Starts argv with TMPDIR set, stdout and stderr into files (NULL: /dev/null). */
static pid_t
qc_spawn(const char *const argv[], const char *out, const char *err)
{
    pid_t pid = fork();

    if (pid < 0) {
        perror("fork");
        exit(99);
    }
    if (pid == 0) {
        int o = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int e = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        setenv("TMPDIR", qc_tmp, 1);
        execv(argv[0], (char *const *) argv);
        _exit(127);
    }
    return pid;
}

static int
qc_wait(pid_t pid, bool block)
{
    int st = 0;
    pid_t r;

    while ((r = waitpid(pid, &st, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
        ;
    if (r == 0)
        return -2; /* still running */
    if (r < 0)
        return -3;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Reads the entry file (if any) and checks that it is whole: a key header line whose
 * model-bytes equals the length of the body after it (minus the final newline). */
static int
qc_check_entry_whole(void)
{
    char *pat = qc_xasprintf("%s/*.qcache", qc_cache);
    glob_t g;
    int seen = 0;

    if (glob(pat, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            char *text = qc_read_file(g.gl_pathv[i]);
            char *nl = text ? strchr(text, '\n') : NULL;
            json_object *h = NULL, *bytes = NULL, *gbytes = NULL;
            size_t body;

            if (!text)
                continue; /* replaced between glob and open: fine */
            seen++;
            CHECK(nl != NULL, "%s: no complete key header", g.gl_pathv[i]);
            if (nl) {
                *nl = '\0';
                h = json_tokener_parse(text);
                body = strlen(nl + 1);
                /* the guests view and the model, each ending in a newline */
                CHECK(h && json_object_object_get_ex(h, "model-bytes", &bytes) &&
                          json_object_object_get_ex(h, "guests-bytes", &gbytes) &&
                          (size_t) json_object_get_int64(gbytes) + 1 +
                                  (size_t) json_object_get_int64(bytes) + 1 == body,
                      "%s: half-written entry (%zu body bytes)", g.gl_pathv[i], body);
                json_object_put(h);
            }
            free(text);
        }
    }
    globfree(&g);
    free(pat);
    return seen;
}

/* The warm --refresh that keeps rewriting the entry. */
static pid_t
qc_start_rewrite(void)
{
    const char *argv[] = {qc_env_path("QC_QCAPS"), "warm", "--refresh", "--jobs", "1",
                          "--cache-dir", qc_cache, "--timeout", "60", QC_EMULATOR, NULL};
    return qc_spawn(argv, NULL, NULL);
}

static void
qc_check_answer(int i, int rc, const char *rng, char **first)
{
    char *out_path = qc_xasprintf("%s/out-%d.xml", qc_dir, i);
    char *err_path = qc_xasprintf("%s/err-%d.txt", qc_dir, i);
    char *out = qc_read_file(out_path), *err = qc_read_file(err_path);
    qc_error *e = NULL;

    CHECK(rc == 0, "query %d: exit %d: %s", i, rc, err ? err : "");
    CHECK(err && !*err, "query %d: stderr: %s", i, err ? err : "(unreadable)");
    CHECK(out && strstr(out, "</domainCapabilities>\n"), "query %d: incomplete document", i);
    if (out && qc_relaxng_validate(rng, out, &e) < 0) {
        CHECK(false, "query %d: not valid against %s: %s", i, rng,
              e && e->message ? e->message : "?");
        qc_error_free(e);
    }
    if (out && !*first)
        *first = strdup(out);
    else if (out)
        CHECK(strcmp(out, *first) == 0, "query %d: differs from the first answer", i);
    unlink(out_path);
    unlink(err_path);
    free(out_path);
    free(err_path);
    free(out);
    free(err);
}

int
main(void)
{
    const char *qcaps = qc_env_path("QC_QCAPS");
    const char *query[] = {qcaps, "domcaps", "--cache-dir", NULL, "--emulator", QC_EMULATOR,
                           NULL};
    char *rng, *first = NULL;
    double start;
    pid_t rewriter;
    int done = 0, rewrites = 0, entry_reads = 0, rc;

    if (access(QC_EMULATOR, X_OK) != 0) {
        printf("%s not installed: skipped\n", QC_EMULATOR);
        return 77;
    }
    rng = qc_xasprintf("%s/schema/domcapabilities.rng", qc_env_path("QC_SOURCE_ROOT"));
    qc_dir = qc_make_tmpdir("load");
    qc_tmp = qc_xasprintf("%s/tmp", qc_dir);
    qc_cache = qc_xasprintf("%s/cache", qc_dir);
    if (mkdir(qc_tmp, 0700) < 0 || mkdir(qc_cache, 0755) < 0) {
        perror(qc_dir);
        return 99;
    }
    query[3] = qc_cache;

    /* Cold warm-up first: the queries must be answered from the cache. */
    rc = qc_wait(qc_start_rewrite(), true);
    CHECK(rc == 0, "initial warm exited %d", rc);
    CHECK(qc_check_entry_whole() == 1, "no entry after the warm-up");

    start = qc_now();
    rewriter = qc_start_rewrite();
    while (done < QC_QUERIES && qc_now() - start < QC_LOAD_LIMIT) {
        pid_t wave[QC_WAVE];
        int n = QC_QUERIES - done < QC_WAVE ? QC_QUERIES - done : QC_WAVE;

        for (int i = 0; i < n; i++) {
            char *o = qc_xasprintf("%s/out-%d.xml", qc_dir, done + i);
            char *e = qc_xasprintf("%s/err-%d.txt", qc_dir, done + i);

            wave[i] = qc_spawn(query, o, e);
            free(o);
            free(e);
            entry_reads += qc_check_entry_whole();
        }
        for (int i = 0; i < n; i++) {
            rc = qc_wait(wave[i], true);
            qc_check_answer(done + i, rc, rng, &first);
        }
        done += n;
        /* Keep a rewrite running for as long as the queries run. */
        rc = qc_wait(rewriter, false);
        if (rc != -2) {
            CHECK(rc == 0, "warm --refresh exited %d", rc);
            rewrites++;
            rewriter = qc_start_rewrite();
        }
    }
    rc = qc_wait(rewriter, true);
    CHECK(rc == 0, "warm --refresh exited %d", rc);
    rewrites++;
    CHECK(done == QC_QUERIES, "only %d of %d queries within %.0fs", done, QC_QUERIES,
          QC_LOAD_LIMIT);
    CHECK(qc_check_entry_whole() == 1, "no entry at the end");
    {
        /* kept answers are written through <answer>.new<pid> and renamed: none may stay */
        char *pat = qc_xasprintf("%s/*.new*", qc_cache);
        glob_t g;
        CHECK(glob(pat, 0, NULL, &g) == GLOB_NOMATCH, "temporary files left in %s", qc_cache);
        globfree(&g);
        free(pat);
    }
    CHECK(qc_dir_count(qc_tmp) == 0, "TMPDIR %s is not empty", qc_tmp);
    CHECK(qc_count_procs_with(qc_dir) == 0, "processes of %s are still running", qc_dir);
    printf("%d queries in %.1fs (waves of %d) during %d rewrites of the entry; "
           "%d entry reads whole\n", done, qc_now() - start, QC_WAVE, rewrites, entry_reads);
    CHECK(rewrites >= 2, "the entry was rewritten only %d time(s) during the load", rewrites);

    if (qc_failures == 0)
        qc_rmtree(qc_dir);
    else
        fprintf(stderr, "left %s for inspection\n", qc_dir);
    free(first);
    free(rng);
    free(qc_dir);
    free(qc_tmp);
    free(qc_cache);
    printf("%s: %d failure(s)\n", qc_failures ? "FAIL" : "PASS", qc_failures);
    return qc_failures ? 1 : 0;
}

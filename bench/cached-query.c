/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cached-query.c: the library's cached domainCapabilities query in a loop, for the
 * benchmark (bench/run.sh).
 *
 *   cached-query [--iterations N] [--runs R] [--cache-dir DIR] EMULATOR
 *
 * One qcaps_context (cache mode USE) is created once; each run calls
 * qcaps_domcaps(ctx, {.emulator = EMULATOR}, XML) N times, and prints one line: the mean
 * wall time of one call in milliseconds. The cache must already hold a valid entry (the
 * first call is made before timing and must not take long: a probe would show up as a
 * first call over 1 s, which is reported and fails). Linked against libqcaps only. */
#define _GNU_SOURCE
#include <qcaps.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
fail(const char *what, qcaps_error *e)
{
    fprintf(stderr, "cached-query: %s: %s\n", what, e ? qcaps_error_message(e) : "failed");
    qcaps_error_free(e);
    return 2;
}

int
main(int argc, char **argv)
{
    int iterations = 100, runs = 1;
    const char *cache_dir = NULL, *emulator = NULL;
    qcaps_error *e = NULL;
    qcaps_context *ctx;
    size_t bytes = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
            iterations = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--cache-dir") && i + 1 < argc)
            cache_dir = argv[++i];
        else if (argv[i][0] != '-' && !emulator)
            emulator = argv[i];
        else {
            fprintf(stderr, "usage: cached-query [--iterations N] [--runs R] "
                            "[--cache-dir DIR] EMULATOR\n");
            return 1;
        }
    }
    if (!emulator || iterations < 1 || runs < 1) {
        fprintf(stderr, "cached-query: an EMULATOR, --iterations >= 1, --runs >= 1\n");
        return 1;
    }
    if (!(ctx = qcaps_context_new(&e)))
        return fail("context", e);
    if (cache_dir && qcaps_context_set_cache_dir(ctx, cache_dir, &e) < 0)
        return fail("cache dir", e);
    qcaps_context_set_cache_mode(ctx, QCAPS_CACHE_USE);

    qcaps_domcaps_query q = {.emulator = emulator};
    double t0 = now_ms();
    char *xml = qcaps_domcaps(ctx, &q, QCAPS_FORMAT_XML, &e);
    if (!xml)
        return fail(emulator, e);
    free(xml);
    if (now_ms() - t0 > 1000) {
        fprintf(stderr, "cached-query: the first call took %.0f ms: the cache was cold\n",
                now_ms() - t0);
        return 2;
    }
    for (int r = 0; r < runs; r++) {
        t0 = now_ms();
        for (int i = 0; i < iterations; i++) {
            xml = qcaps_domcaps(ctx, &q, QCAPS_FORMAT_XML, &e);
            if (!xml)
                return fail(emulator, e);
            bytes = strlen(xml);
            free(xml);
        }
        printf("%.4f\n", (now_ms() - t0) / iterations);
        fflush(stdout);
    }
    if (getenv("CACHED_QUERY_VERBOSE"))
        fprintf(stderr, "cached-query: %zu bytes of XML per call\n", bytes);
    qcaps_context_free(ctx);
    return 0;
}

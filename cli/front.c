/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* front.c: the `qcaps` binary: answers `qcaps domcaps` and `qcaps capabilities` from a
 * kept document when it can, and hands every other command line, unchanged, to the
 * engine (the full CLI).
 *
 * Why two binaries: a cached `qcaps domcaps` is a few file reads and a write, about
 * 0.3 ms, but libxml2 pulls ICU and libstdc++ into every process that links it, and
 * loading them costs more than a millisecond. This binary links no schema layer (meson
 * builds it without libxml2, so a dependency creeping in fails the link); the engine,
 * `qcaps-engine`, has everything. The engine is looked up next to this binary (the build
 * tree), then in the libexec directory beside this binary's directory (an install moved
 * or staged with DESTDIR: bin/ and libexec/ stay siblings), then in the libexec directory
 * it was built for.
 *
 * Contract: like every verb, it calls only include/qcaps.h (qcaps_domcaps_kept() and
 * qcaps_capabilities_kept(), which never render) and cli/'s helpers. When the fast path
 * answers, its output, warnings and exit code are the engine's for the same command line;
 * when it cannot answer (any other command, --help, a usage error, a replay,
 * --no-cache/--refresh, no valid kept document) it prints nothing and execs the engine
 * with the same argv and environment.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/domcaps.h"

#ifndef QC_LIBEXECDIR
#define QC_LIBEXECDIR "/usr/libexec"
#endif
#define QC_ENGINE_NAME "qcaps-engine"

/* Answers a domcaps command line from the cache: its exit code, or -1 to hand it over. */
static int
qc_front_domcaps(int argc, char **argv)
{
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qc_autofree char *msg = NULL;
    qc_autofree char *text = NULL;
    qcaps_context *ctx;
    qc_autofree char **args = calloc((size_t) argc + 1, sizeof(*args));
    qcaps_error *pe = NULL;
    qc_dc_opts o;
    int r;

    /* getopt_long() permutes what it parses: the engine must get argv as it was */
    if (!args)
        return -1;
    memcpy(args, argv, (size_t) argc * sizeof(*args));
    if (qc_dc_parse(argc, args, &o, &msg) != 0 || o.q.fixture || o.cache.no_cache ||
        o.cache.refresh)
        return -1;
    if (!(ctx = qc_dc_context(&o, &err)))
        return -1;
    r = qcaps_domcaps_kept(ctx, &o.q, strcmp(o.format, "json") == 0 ? QCAPS_FORMAT_JSON
                                                                      : QCAPS_FORMAT_XML,
                           &text, &pe);
    qcaps_context_free(ctx);
    if (r < 0)
        return qc_cli_fail_api(pe);
    return r > 0 ? qc_cli_print_document(text) : -1;
}

/* Answers a capabilities command line from the cache: its exit code, or -1 to hand it
 * over. Only the options of a live, cached query are taken here (the engine's option
 * table is cli/capabilities.c's; anything else, a wrong value included, is the engine's
 * to take or to reject). */
static int
qc_front_capabilities(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"libvirt", required_argument, NULL, 'L'},
        QC_CACHE_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qc_autofree char *text = NULL;
    qc_autofree char **args = calloc((size_t) argc + 1, sizeof(*args));
    const char *format = "xml", *libvirt = NULL;
    qc_cache_opts co = {0};
    qcaps_context *ctx;
    qcaps_error *pe = NULL;
    size_t n;
    int c, r;

    if (!args)
        return -1;
    memcpy(args, argv, (size_t) argc * sizeof(*args));
    qc_cli_getopt_begin();
    while ((c = getopt_long(argc, args, ":f:L:", longopts, NULL)) != -1) {
        if (c == 'f')
            format = optarg;
        else if (c == 'L')
            libvirt = optarg;
        else if (!qc_cache_opts_parse(&co, c, optarg))
            return -1;
    }
    if (optind < argc || (strcmp(format, "xml") != 0 && strcmp(format, "json") != 0) ||
        co.no_cache || co.refresh || !(ctx = qc_cli_context_new(&co, &err)))
        return -1;
    if (libvirt && qcaps_context_set_libvirt(ctx, libvirt, &pe) < 0) {
        qcaps_error_free(pe);
        qcaps_context_free(ctx);
        return -1;
    }
    r = qcaps_capabilities_kept(ctx, strcmp(format, "json") == 0 ? QCAPS_FORMAT_JSON
                                                                 : QCAPS_FORMAT_XML,
                                &text, &pe);
    qcaps_context_free(ctx);
    if (r < 0)
        return qc_cli_fail_api(pe);
    if (r == 0)
        return -1;
    /* as the engine writes it: the document as it is */
    n = strlen(text);
    if (fwrite(text, 1, n, stdout) != n || fflush(stdout) != 0) {
        qc_error_set_errno(&err, errno, "writing the output");
        return qc_cli_fail(err);
    }
    return QC_EXIT_OK;
}

/* The directory of this binary ("" when unknown), without the final slash. */
static void
qc_front_self_dir(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    char *slash;

    if (n <= 0) {
        buf[0] = '\0';
        return;
    }
    buf[n] = '\0';
    if ((slash = strrchr(buf, '/')))
        *slash = '\0';
    else
        buf[0] = '\0';
}

static int
qc_front_exec_engine(char **argv)
{
    char dir[PATH_MAX], path[2][PATH_MAX + 64];
    const char *fallback = QC_LIBEXECDIR "/" QC_ENGINE_NAME;
    const char *libexec = strrchr(QC_LIBEXECDIR, '/');
    int n = 0;

    qc_front_self_dir(dir, sizeof(dir));
    if (dir[0]) {
        if (snprintf(path[n], sizeof(path[n]), "%s/" QC_ENGINE_NAME, dir) <
            (int) sizeof(path[n]))
            n++;
        if (libexec && snprintf(path[n], sizeof(path[n]), "%s/..%s/" QC_ENGINE_NAME, dir,
                                libexec) < (int) sizeof(path[n]))
            n++;
    }
    for (int i = 0; i < n; i++) {
        if (access(path[i], X_OK) == 0)
            execv(path[i], argv);
    }
    execv(fallback, argv);
    fprintf(stderr, "qcaps: cannot run the qcaps engine (%s%s%s%s%s): %s\n",
            n > 0 ? path[0] : "", n > 0 ? ", " : "", n > 1 ? path[1] : "", n > 1 ? ", " : "",
            fallback, strerror(errno));
    return QC_EXIT_FAILURE;
}

int
main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "domcaps") == 0 ||
                     strcmp(argv[1], "domcapabilities") == 0)) {
        int r = qc_front_domcaps(argc - 1, argv + 1);
        if (r >= 0)
            return r;
    }
    if (argc > 1 && strcmp(argv[1], "capabilities") == 0) {
        int r = qc_front_capabilities(argc - 1, argv + 1);
        if (r >= 0)
            return r;
    }
    return qc_front_exec_engine(argv);
}

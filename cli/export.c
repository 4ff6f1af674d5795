/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* export.c: the `qcaps export` verb: one file holding a host's facts and every model, for
 * `qcaps diff` on another machine. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/fileio.h"

static const char qc_usage_export[] =
    "Usage: qcaps export --output FILE [--host-facts FILE] [--fixture-dir DIR]\n"
    "                    [--timeout SECONDS] [--cache-dir DIR] [--no-cache | --refresh]\n"
    "\n"
    "Write one file holding this host's facts and the capability model of every emulator\n"
    "it has: each qemu-system-* in $PATH and every other emulator with a cache entry\n"
    "whose binary is still there, answered from the cache or probed (as 'qcaps warm'\n"
    "would). 'qcaps diff' compares two such files, or one with @host, and says which\n"
    "machine types and CPU models a guest may use on both.\n"
    "\n"
    "  -o, --output FILE      where to write it ('-': standard output); replaced atomically\n"
    "  -H, --host-facts FILE  the host facts from FILE instead of this host's\n"
    "  -d, --fixture-dir DIR  the models of every recorded fixture (*.replies) in DIR\n"
    "                         instead of this host's emulators (with --host-facts, nothing\n"
    "                         of this machine is read)\n"
    "  -t, --timeout SECS     give up on a probe after SECS seconds (default "
    "60)\n" QC_CACHE_OPTS_HELP "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 failure.\n";

/* Writes text to path, replacing it atomically (fsync, rename). */
static int
qc_export_write(const char *path, const char *text, qc_error **err)
{
    struct iovec iov = {(void *) text, strlen(text)};

    if (strcmp(path, "-") == 0) {
        if (fputs(text, stdout) < 0 || fflush(stdout) != 0)
            return qc_error_set_errno(err, errno, "writing the export");
        return 0;
    }
    return qc_file_write_atomic(AT_FDCWD, path, &iov, 1, 0644, QC_SYNC_FILE, err);
}

int
qc_cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"host-facts", required_argument, NULL, 'H'},
        {"fixture-dir", required_argument, NULL, 'd'},
        {"timeout", required_argument, NULL, 't'},
        QC_VERB_LONGOPTS_END,
    };
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qcaps_host_query q = {0};
    const char *output = NULL;
    qcaps_context *ctx = NULL;
    qcaps_error *pe = NULL;
    qcaps_host *h = NULL;
    qc_cache_opts co = {0};
    char *text = NULL;
    int c, r, timeout_ms = 0, rc = QC_EXIT_FAILURE;

    qc_cli_getopt_begin();
    while ((c = getopt_long(argc, argv, ":o:H:d:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'H':
            q.host_facts = optarg;
            break;
        case 'd':
            q.fixture_dir = optarg;
            break;
        default:
            if ((r = qc_cli_opt_other("export", qc_usage_export, c, argv, &timeout_ms, &co)) >= 0)
                return r;
            break;
        }
    }
    if (optind < argc)
        return qc_cli_usage("export", "unexpected argument '%s'", argv[optind]);
    if (!output)
        return qc_cli_usage("export", "%s", "give --output FILE");
    if (!(ctx = qc_cli_context_new(&co, &err)))
        return err && err->code == QC_E_INVALID ? qc_cli_usage("export", "%s", err->message)
                                                : qc_cli_fail(err);
    qcaps_context_set_timeout(ctx, timeout_ms);
    if (!(h = qcaps_host_read(ctx, &q, &pe)) || !(text = qcaps_host_to_export(h, &pe))) {
        qc_cli_fail_api(qc_steal(&pe));
        goto out;
    }
    if (qc_export_write(output, text, &err) < 0) {
        qc_cli_fail(err);
        goto out;
    }
    if (strcmp(output, "-") != 0)
        fprintf(stderr, "qcaps: exported %zu emulators to %s\n", qcaps_host_model_count(h), output);
    rc = QC_EXIT_OK;
out:
    free(text);
    qcaps_error_free(pe);
    qcaps_host_free(h);
    qcaps_context_free(ctx);
    return rc;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cache.c: the `qcaps cache` verb: list, check and clear the capability cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

#define QC_LOCK_WAIT_MS 120000

static const char qc_usage_cache[] =
    "Usage: qcaps cache (list | check | clear) [--cache-dir DIR]\n"
    "\n"
    "  list    every entry: emulator, QEMU version, when it was probed, whether valid\n"
    "  check   verify every entry (keys and checksums); list those that are not valid\n"
    "  clear   remove every entry (each under its lock; other files are left alone)\n"
    "\n"
    QC_CACHE_DIR_HELP
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 failure or, for check, an invalid entry.\n";

/* ---- cache list | check | clear ------------------------------------------------------- */

static void
qc_format_time(long long t, char *buf, size_t len)
{
    time_t tt = (time_t) t;
    struct tm tm;

    if (t <= 0 || !localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(buf, len, "-");
}

static int
qc_cache_show(const qcaps_cache *c, bool only_invalid)
{
    qcaps_error *pe = NULL;
    qcaps_cache_entries *l = qcaps_cache_list(c, &pe);
    size_t n = qcaps_cache_entries_count(l), bad = 0;

    if (!l)
        return qc_cli_fail_api(pe);
    if (!only_invalid && n)
        printf("%-40s %-8s %-19s %s\n", "EMULATOR", "VERSION", "PROBED", "VALID");
    for (size_t i = 0; i < n; i++) {
        const qcaps_cache_entry *in = qcaps_cache_entries_get(l, i);
        bool fresh = in->state == QCAPS_ENTRY_FRESH;
        char when[32];

        if (!fresh)
            bad++;
        qc_format_time(in->probed_at, when, sizeof(when));
        if (!only_invalid)
            printf("%-40s %-8s %-19s %s%s%s\n", in->emulator ? in->emulator : in->file,
                   in->qemu_version ? in->qemu_version : "-", when, fresh ? "yes" : "no (",
                   fresh ? "" : qcaps_entry_state_name(in->state), fresh ? "" : ")");
        else if (!fresh)
            printf("  %-8s %s: %s\n", qcaps_entry_state_name(in->state),
                   in->emulator ? in->emulator : in->file, in->reason ? in->reason : "");
        if (!only_invalid && in->reason && !fresh)
            printf("    %s\n", in->reason);
    }
    qcaps_cache_entries_free(l);
    if (only_invalid)
        printf("check: %zu entries, %zu valid, %zu invalid (cache %s)\n", n, n - bad, bad,
               qcaps_cache_dir(c));
    else if (!n)
        printf("no entries in %s\n", qcaps_cache_dir(c));
    return only_invalid && bad ? QC_EXIT_FAILURE : QC_EXIT_OK;
}

/* The action on the cache `ctx` names. */
static int
qc_cache_act(qcaps_context *ctx, const char *action)
{
    qcaps_error *pe = NULL;
    qcaps_cache *c = qcaps_cache_open(ctx, &pe);
    int r, removed;

    if (!c)
        return qc_cli_fail_api(pe);
    if (!qcaps_cache_exists(c)) {
        printf("no entries in %s\n", qcaps_cache_dir(c));
        r = QC_EXIT_OK;
    } else if (strcmp(action, "list") == 0) {
        /* with the system cache a non-root user's queries also read (lib/context.c) */
        const qcaps_cache *s = qcaps_cache_system(c);

        r = qc_cache_show(c, false);
        if (s) {
            printf("\nread-only system cache %s (used when an entry above is missing or "
                   "not valid):\n", qcaps_cache_dir(s));
            r = qc_cache_show(s, false) ? QC_EXIT_FAILURE : r;
        }
    } else if (strcmp(action, "clear") == 0) {
        if ((removed = qcaps_cache_clear(c, QC_LOCK_WAIT_MS, &pe)) < 0) {
            r = qc_cli_fail_api(pe);
        } else {
            printf("removed %d entr%s from %s\n", removed, removed == 1 ? "y" : "ies",
                   qcaps_cache_dir(c));
            r = QC_EXIT_OK;
        }
    } else {
        r = qc_cache_show(c, true);
    }
    qcaps_cache_free(c);
    return r;
}

int
qc_cmd_cache(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"cache-dir", required_argument, NULL, QC_OPT_CACHE_DIR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    const char *dir = NULL, *action;
    qcaps_context *ctx = NULL;
    qcaps_error *pe = NULL;
    int ch, r;

    qc_cli_getopt_begin();
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (ch) {
        case QC_OPT_CACHE_DIR:
            dir = optarg;
            break;
        case ':':
            return qc_cli_usage_arg("cache", "option needs an argument:", argv[optind - 1]);
        default: /* --help, or an unknown option */
            return qc_cli_opt_other("cache", qc_usage_cache, ch, argv, NULL, NULL);
        }
    }
    if (optind != argc - 1)
        return qc_cli_usage_arg("cache",
                                optind == argc ? "missing action (list, check or clear)"
                                               : "unexpected argument",
                                argv[argc - 1]);
    action = argv[optind];
    if (strcmp(action, "list") != 0 && strcmp(action, "check") != 0 &&
        strcmp(action, "clear") != 0)
        return qc_cli_usage_arg("cache", "unknown action", action);
    if (dir && !*dir)
        return qc_cli_usage_arg("cache", "--cache-dir needs a directory name", NULL);
    if (!(ctx = qc_cli_context_new(NULL, &e)))
        return qc_cli_fail(e);
    if (qcaps_context_set_cache_dir(ctx, dir, &pe) < 0)
        r = qc_cli_fail_api(pe);
    else
        r = qc_cache_act(ctx, action);
    qcaps_context_free(ctx);
    return r;
}

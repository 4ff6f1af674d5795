/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* warm.c: the `qcaps warm` verb: fill or check the capability cache, with a live display of
 * the probes on a terminal. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/clock.h"

static const char qc_usage_warm[] =
    "Usage: qcaps warm [--jobs N] [--check] [--refresh] [--cache-dir DIR]\n"
    "                  [--timeout SECONDS] [EMULATOR...]\n"
    "\n"
    "Bring the capability cache up to date: probe every emulator whose entry is missing\n"
    "or stale, N at a time, and store the results. Without EMULATOR arguments, every\n"
    "qemu-system-* on $PATH and in /usr/bin, /usr/local/bin and /usr/libexec is taken\n"
    "(the same binary reached twice is warmed once, under the path found first).\n"
    "An entry is stale when any input of the probe changed: the binary (inode, size,\n"
    "mtime, ctime), QEMU's module directory, KVM usability, the kernel, the CPU\n"
    "(signature, microcode, flags), or the qcaps engine and format versions.\n"
    "\n"
    "  -j, --jobs N          probes at once (default: the number of online CPUs)\n"
    "      --check           only report which entries are stale and why; probe nothing\n"
    "      --refresh         probe every emulator, even those with a valid entry\n"
    QC_CACHE_DIR_HELP
    "  -t, --timeout SECS    give up on one probe after SECS seconds (default 60)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 every entry valid (or made valid), 1 usage error, 2 an emulator\n"
    "failed to probe (the others are still cached) or, with --check, an entry is\n"
    "missing or stale.\n";

/* ---- progress display ----------------------------------------------------------------- */

typedef struct qc_progress {
    bool tty;
    const qcaps_warm *w;
    size_t n;
    double *started;        /* per emulator: monotonic start, 0 if not probing */
    size_t live_drawn;      /* live lines currently on screen */
    int width;              /* column of the names */
} qc_progress;

/* Erases the live lines (the cursor sits below them). */
static void
qc_progress_erase(qc_progress *p)
{
    if (p->tty && p->live_drawn) {
        printf("\033[%zuA\r\033[J", p->live_drawn);
        p->live_drawn = 0;
    }
}

static void
qc_progress_draw(qc_progress *p)
{
    double now = qc_clock_now();

    if (!p->tty)
        return;
    for (size_t i = 0; i < p->n; i++) {
        if (p->started[i] > 0) {
            printf("  probing  %-*s %6.2fs\n", p->width, qcaps_warm_emulator(p->w, i),
                   now - p->started[i]);
            p->live_drawn++;
        }
    }
    fflush(stdout);
}

static void
qc_progress_tick(void *opaque)
{
    qc_progress *p = opaque;

    qc_progress_erase(p);
    qc_progress_draw(p);
}

static void
qc_progress_event(const qcaps_warm_event *ev, void *opaque)
{
    qc_progress *p = opaque;

    qc_progress_erase(p);
    switch (ev->kind) {
    case QCAPS_WARM_STARTED:
        p->started[ev->index] = qc_clock_now();
        break;
    case QCAPS_WARM_FRESH:
        p->started[ev->index] = 0;
        printf("  fresh    %-*s\n", p->width, ev->emulator);
        break;
    case QCAPS_WARM_PROBED:
        p->started[ev->index] = 0;
        printf("  probed   %-*s %6.2fs  QEMU %s%s%s%s\n", p->width, ev->emulator, ev->seconds,
               ev->qemu_version ? ev->qemu_version : "", ev->reason ? " (" : "",
               ev->reason ? ev->reason : "", ev->reason ? ")" : "");
        break;
    case QCAPS_WARM_FAILED:
        p->started[ev->index] = 0;
        printf("  FAILED   %-*s %6.2fs\n", p->width, ev->emulator, ev->seconds);
        fflush(stdout);
        qc_cli_failf(NULL, "%s", ev->message);
        break;
    case QCAPS_WARM_CHECKED:
        printf("  %-8s %s%s%s\n", qcaps_entry_state_name(ev->state), ev->emulator,
               ev->reason ? ": " : "", ev->reason ? ev->reason : "");
        return;
    }
    qc_progress_draw(p);
    if (!p->tty)
        fflush(stdout);
}

/* ---- warm ---------------------------------------------------------------------------- */

static int
qc_warm_check(qcaps_warm *w)
{
    qcaps_warm_summary sum = {0};
    qcaps_error *pe = NULL;
    qc_progress p = {0}; /* CHECKED events print one line each, nothing live */

    qcaps_warm_set_progress(w, qc_progress_event, NULL, 0, &p);
    if (qcaps_warm_run(w, &sum, &pe) < 0)
        return qc_cli_fail_api(pe);
    printf("check: %zu fresh, %zu missing or stale (cache %s)\n", sum.fresh, sum.invalid,
           qcaps_warm_cache_dir(w));
    return sum.invalid ? QC_EXIT_FAILURE : QC_EXIT_OK;
}

static int
qc_warm_run(qcaps_warm *w)
{
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    qcaps_warm_summary sum = {0};
    qcaps_error *pe = NULL;
    qc_progress p = {0};
    size_t n = qcaps_warm_count(w);
    int r;

    p.tty = isatty(STDOUT_FILENO) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
    p.w = w;
    p.n = n;
    if (!(p.started = calloc(n + 1, sizeof(*p.started)))) {
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        return qc_cli_fail(e);
    }
    for (size_t i = 0; i < n; i++) {
        int len = (int) strlen(qcaps_warm_emulator(w, i));
        p.width = len > p.width && len < 60 ? len : p.width;
    }
    qcaps_warm_set_progress(w, qc_progress_event, qc_progress_tick, p.tty ? 100 : 0, &p);
    r = qcaps_warm_run(w, &sum, &pe);
    qc_progress_erase(&p);
    free(p.started);
    if (r < 0)
        return qc_cli_fail_api(pe);
    printf("warm: %zu probed, %zu fresh, %zu failed in %.2fs (%u jobs, cache %s)\n", sum.probed,
           sum.fresh, sum.failed, sum.seconds, sum.jobs, qcaps_warm_cache_dir(w));
    fflush(stdout);
    return sum.failed ? QC_EXIT_FAILURE : QC_EXIT_OK;
}

static bool
qc_parse_uint(const char *s, unsigned max, unsigned *ret)
{
    char *end = NULL;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v == 0 || v > max)
        return false;
    *ret = (unsigned) v;
    return true;
}

enum { QC_OPT_CHECK = 0x300 };

int
qc_cmd_warm(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"jobs", required_argument, NULL, 'j'},
        {"check", no_argument, NULL, QC_OPT_CHECK},
        {"timeout", required_argument, NULL, 't'},
        QC_VERB_LONGOPTS_END,
    };
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    qcaps_context *ctx = NULL;
    qcaps_error *pe = NULL;
    qcaps_warm *w = NULL;
    qc_cache_opts co = {0};
    unsigned jobs = 0;
    bool check = false;
    int ch, timeout_ms = 0, r;

    qc_cli_getopt_begin();
    while ((ch = getopt_long(argc, argv, ":j:t:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            if (!qc_parse_uint(optarg, 1024, &jobs))
                return qc_cli_usage_arg("warm", "invalid --jobs (1 to 1024)", optarg);
            break;
        case 't':
            if (!qc_cli_parse_seconds(optarg, &timeout_ms))
                return qc_cli_usage_arg("warm", "invalid --timeout (seconds, > 0)", optarg);
            break;
        case QC_OPT_CHECK:
            check = true;
            break;
        case ':':
            return qc_cli_usage_arg("warm", "option needs an argument:", argv[optind - 1]);
        default: /* the cache options but --no-cache, --help, or an unknown option */
            if (qc_cache_opts_parse(&co, ch, optarg) && !co.no_cache)
                break;
            return qc_cli_opt_other("warm", qc_usage_warm, ch, argv, NULL, NULL);
        }
    }
    if (co.dir && !*co.dir)
        return qc_cli_usage_arg("warm", "--cache-dir needs a directory name", NULL);
    if (check && co.refresh)
        return qc_cli_usage_arg("warm", "--check and --refresh exclude each other", NULL);
    /* not qc_cache_opts_apply(): an empty $QCAPS_CACHE_DIR fails when the cache opens */
    if (!(ctx = qc_cli_context_new(NULL, &e)))
        return qc_cli_fail(e);
    if (qcaps_context_set_cache_dir(ctx, co.dir, &pe) < 0) {
        qcaps_context_free(ctx);
        return qc_cli_fail_api(pe);
    }
    qcaps_context_set_cache_mode(ctx, co.refresh ? QCAPS_CACHE_REFRESH : QCAPS_CACHE_USE);
    qcaps_context_set_timeout(ctx, timeout_ms);
    w = qcaps_warm_new(ctx, (const char *const *) argv + optind, (size_t) (argc - optind),
                       check ? QCAPS_WARM_CHECK : 0, &pe);
    qcaps_context_free(ctx);
    if (!w)
        return qc_cli_fail_api(pe);
    qcaps_warm_set_jobs(w, jobs);
    if (qcaps_warm_count(w) == 0)
        fprintf(stderr, "qcaps: warm: no qemu-system-* found on $PATH or in /usr/bin, "
                        "/usr/local/bin, /usr/libexec\n");
    r = check ? qc_warm_check(w) : qc_warm_run(w);
    qcaps_warm_free(w);
    return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cache.c: the `warm` and `cache` verbs: fill, check, list and clear the capability cache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cli/cli.h"
#include "common/path.h"
#include "introspect/host.h"

#define QC_LOCK_WAIT_MS 120000

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
    "      --cache-dir DIR   cache directory (default: $QCAPS_CACHE_DIR, else\n"
    "                        /var/cache/qcaps as root, else $XDG_CACHE_HOME/qcaps)\n"
    "  -t, --timeout SECS    give up on one probe after SECS seconds (default 60)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 every entry valid (or made valid), 1 usage error, 2 an emulator\n"
    "failed to probe (the others are still cached) or, with --check, an entry is\n"
    "missing or stale.\n";

static const char qc_usage_cache[] =
    "Usage: qcaps cache (list | check | clear) [--cache-dir DIR]\n"
    "\n"
    "  list    every entry: emulator, QEMU version, when it was probed, whether valid\n"
    "  check   verify every entry (keys and checksums); list those that are not valid\n"
    "  clear   remove every entry (each under its lock; other files are left alone)\n"
    "\n"
    "      --cache-dir DIR   cache directory (default: $QCAPS_CACHE_DIR, else\n"
    "                        /var/cache/qcaps as root, else $XDG_CACHE_HOME/qcaps)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 failure or, for check, an invalid entry.\n";

static int
qc_cache_usage(const char *verb, const char *msg, const char *arg)
{
    return qc_cli_usage(verb, "%s%s%s%s", msg, arg ? " '" : "", arg ? arg : "",
                        arg ? "'" : "");
}


/* ---- discovery ----------------------------------------------------------------------- */

/* Emulators to warm, each once: by absolute path (common/path.h: its directory resolved,
 * its name kept), so that a directory reached twice (merged /usr puts /bin and /usr/bin
 * on PATH) or one binary named twice on the command line (qemu-system-x ./qemu-system-x)
 * is probed once, while a symlinked binary (qemu-system-ppc64le -> qemu-system-ppc64)
 * keeps its own entry: queries, and so cache entries, are per path. */
typedef struct qc_emus {
    char **paths;
    size_t n;
} qc_emus;

static void
qc_emus_clear(qc_emus *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    memset(l, 0, sizeof(*l));
}

/* Adds `path` made absolute; one that cannot be (a bare name not in $PATH) is added as
 * given when `keep` (the probe then says what is wrong with it), else skipped. -1: OOM. */
static int
qc_emus_add(qc_emus *l, const char *path, bool keep)
{
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    char *abs = qc_path_absolute(path, &e);
    char **np;

    if (!abs && e && e->code == QC_E_NOMEM)
        return -1;
    if (!abs && (!keep || !(abs = strdup(path))))
        return keep ? -1 : 0;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->paths[i], abs) == 0) {
            free(abs);
            return 0;
        }
    }
    if (!(np = realloc(l->paths, (l->n + 1) * sizeof(*np)))) {
        free(abs);
        return -1;
    }
    l->paths = np;
    l->paths[l->n++] = abs;
    return 0;
}

/* Every emulator of this host (introspect/host.h, QC_EMU_EVERY). -1: OOM. */
static int
qc_emus_discover(qc_emus *l)
{
    qc_strlist found = {0};
    int r = qc_host_find_emulators(&(qc_emu_search) {.scope = QC_EMU_EVERY}, &found, NULL);

    for (size_t i = 0; r == 0 && i < found.n; i++)
        r = qc_emus_add(l, found.v[i], false);
    qc_strlist_clear(&found);
    return r;
}

/* ---- progress display ----------------------------------------------------------------- */

typedef struct qc_progress {
    bool tty;
    const char *const *emus;
    size_t n;
    double *started;        /* per emulator: monotonic start, 0 if not probing */
    size_t live_drawn;      /* live lines currently on screen */
    int width;              /* column of the names */
} qc_progress;

static double
qc_mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

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
    double now = qc_mono();

    if (!p->tty)
        return;
    for (size_t i = 0; i < p->n; i++) {
        if (p->started[i] > 0) {
            printf("  probing  %-*s %6.2fs\n", p->width, p->emus[i], now - p->started[i]);
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
qc_progress_event(const qc_warm_event *ev, void *opaque)
{
    qc_progress *p = opaque;

    qc_progress_erase(p);
    if (!ev->done) {
        p->started[ev->index] = qc_mono();
    } else {
        p->started[ev->index] = 0;
        switch (ev->result) {
        case QC_WARM_FRESH:
            printf("  fresh    %-*s\n", p->width, ev->emulator);
            break;
        case QC_WARM_PROBED:
            printf("  probed   %-*s %6.2fs  QEMU %d.%d.%d%s%s%s\n", p->width, ev->emulator,
                   ev->seconds, ev->model->version_major, ev->model->version_minor,
                   ev->model->version_micro, ev->reason ? " (" : "",
                   ev->reason ? ev->reason : "", ev->reason ? ")" : "");
            break;
        case QC_WARM_FAILED:
            printf("  FAILED   %-*s %6.2fs\n", p->width, ev->emulator, ev->seconds);
            fflush(stdout);
            qc_cli_failf(NULL, "%s", ev->error && ev->error->message ? ev->error->message
                                                                      : "probe failed");
            break;
        }
    }
    qc_progress_draw(p);
    if (!p->tty)
        fflush(stdout);
}

/* ---- warm ---------------------------------------------------------------------------- */

static int
qc_warm_check(qc_cache *c, const char *const *emus, size_t n)
{
    size_t bad = 0;

    for (size_t i = 0; i < n; i++) {
        QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
        qc_autofree char *reason = NULL;
        int st = qc_cache_lookup(c, emus[i], false, NULL, &reason, &e);

        if (st < 0)
            return qc_cli_fail(e);
        if (st != QC_CACHE_FRESH)
            bad++;
        printf("  %-8s %s%s%s\n", qc_cache_state_name((qc_cache_state) st), emus[i],
               reason ? ": " : "", reason ? reason : "");
    }
    printf("check: %zu fresh, %zu missing or stale (cache %s)\n", n - bad, bad,
           qc_cache_dir(c));
    return bad ? QC_EXIT_FAILURE : QC_EXIT_OK;
}

static int
qc_warm_run(qc_cache *c, const char *const *emus, size_t n, qc_warm_opts *wo)
{
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    qc_progress p = {0};
    qc_warm_summary sum = {0};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int r;

    p.tty = isatty(STDOUT_FILENO) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
    p.emus = emus;
    p.n = n;
    if (!(p.started = calloc(n + 1, sizeof(*p.started)))) {
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        return qc_cli_fail(e);
    }
    for (size_t i = 0; i < n; i++) {
        int len = (int) strlen(emus[i]);
        p.width = len > p.width && len < 60 ? len : p.width;
    }
    wo->event = qc_progress_event;
    wo->tick = qc_progress_tick;
    wo->tick_ms = p.tty ? 100 : 0;
    wo->opaque = &p;
    r = qc_cache_warm(c, emus, n, wo, &sum, &e);
    qc_progress_erase(&p);
    free(p.started);
    if (r < 0)
        return qc_cli_fail(e);
    printf("warm: %zu probed, %zu fresh, %zu failed in %.2fs (%u jobs, cache %s)\n", sum.probed,
           sum.fresh, sum.failed, sum.seconds,
           wo->jobs ? wo->jobs : (unsigned) (cpus > 0 ? cpus : 1), qc_cache_dir(c));
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
        {"help", no_argument, NULL, 'h'},
        QC_CACHE_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    QC_CLEANUP(qc_cache_freep) qc_cache *c = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    qc_cache_opts co = {0};
    qc_warm_opts wo = {0};
    qc_emus found = {0};
    bool check = false;
    int ch, r = 0;

    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":j:t:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            if (!qc_parse_uint(optarg, 1024, &wo.jobs))
                return qc_cache_usage("warm", "invalid --jobs (1 to 1024)", optarg);
            break;
        case 't':
            if (!qc_cli_parse_seconds(optarg, &wo.timeout_ms))
                return qc_cache_usage("warm", "invalid --timeout (seconds, > 0)", optarg);
            break;
        case QC_OPT_CHECK:
            check = true;
            break;
        case 'h':
            fputs(qc_usage_warm, stdout);
            return QC_EXIT_OK;
        case ':':
            return qc_cache_usage("warm", "option needs an argument:", argv[optind - 1]);
        default:
            if (qc_cache_opts_parse(&co, ch, optarg) && !co.no_cache)
                break;
            return qc_cache_usage("warm", "unknown option", argv[optind - 1]);
        }
    }
    if (co.dir && !*co.dir)
        return qc_cache_usage("warm", "--cache-dir needs a directory name", NULL);
    if (check && co.refresh)
        return qc_cache_usage("warm", "--check and --refresh exclude each other", NULL);
    wo.refresh = co.refresh;
    for (int i = optind; i < argc && r == 0; i++)
        r = qc_emus_add(&found, argv[i], true);
    if (r < 0 || (optind == argc && qc_emus_discover(&found) < 0)) {
        qc_error_set(&e, QC_E_NOMEM, "out of memory");
        qc_emus_clear(&found);
        return qc_cli_fail(e);
    }
    if (!(c = qc_cache_open(co.dir, !check, qc_cli_warning, NULL, &e))) {
        qc_emus_clear(&found);
        return qc_cli_fail(e);
    }
    {
        const char *const *emus = (const char *const *) found.paths;
        size_t n = found.n;

        if (n == 0)
            fprintf(stderr, "qcaps: warm: no qemu-system-* found on $PATH or in /usr/bin, "
                            "/usr/local/bin, /usr/libexec\n");
        r = check ? qc_warm_check(c, emus, n) : qc_warm_run(c, emus, n, &wo);
    }
    qc_emus_clear(&found);
    return r;
}

/* ---- cache list | check | clear ------------------------------------------------------- */

static void
qc_format_time(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t) t;
    struct tm tm;

    if (t <= 0 || !localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(buf, len, "-");
}

static int
qc_cache_show(qc_cache *c, bool only_invalid)
{
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    qc_cache_info *infos = NULL;
    size_t n = 0, bad = 0;

    if (qc_cache_list(c, &infos, &n, &e) < 0)
        return qc_cli_fail(e);
    if (!only_invalid && n)
        printf("%-40s %-8s %-19s %s\n", "EMULATOR", "VERSION", "PROBED", "VALID");
    for (size_t i = 0; i < n; i++) {
        qc_cache_info *in = &infos[i];
        char when[32];

        if (in->state != QC_CACHE_FRESH)
            bad++;
        qc_format_time(in->probed_at, when, sizeof(when));
        if (!only_invalid)
            printf("%-40s %-8s %-19s %s%s%s\n", in->emulator ? in->emulator : in->file,
                   in->qemu_version ? in->qemu_version : "-", when,
                   in->state == QC_CACHE_FRESH ? "yes" : "no (",
                   in->state == QC_CACHE_FRESH ? "" : qc_cache_state_name(in->state),
                   in->state == QC_CACHE_FRESH ? "" : ")");
        else if (in->state != QC_CACHE_FRESH)
            printf("  %-8s %s: %s\n", qc_cache_state_name(in->state),
                   in->emulator ? in->emulator : in->file, in->reason ? in->reason : "");
        if (!only_invalid && in->reason && in->state != QC_CACHE_FRESH)
            printf("    %s\n", in->reason);
        qc_cache_info_clear(in);
    }
    free(infos);
    if (only_invalid)
        printf("check: %zu entries, %zu valid, %zu invalid (cache %s)\n", n, n - bad, bad,
               qc_cache_dir(c));
    else if (!n)
        printf("no entries in %s\n", qc_cache_dir(c));
    return only_invalid && bad ? QC_EXIT_FAILURE : QC_EXIT_OK;
}

int
qc_cmd_cache(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"cache-dir", required_argument, NULL, QC_OPT_CACHE_DIR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    QC_CLEANUP(qc_cache_freep) qc_cache *c = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *e = NULL;
    const char *dir = NULL, *action;
    struct stat st;
    int ch, removed;

    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (ch) {
        case QC_OPT_CACHE_DIR:
            dir = optarg;
            break;
        case 'h':
            fputs(qc_usage_cache, stdout);
            return QC_EXIT_OK;
        case ':':
            return qc_cache_usage("cache", "option needs an argument:", argv[optind - 1]);
        default:
            return qc_cache_usage("cache", "unknown option", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return qc_cache_usage("cache", optind == argc ? "missing action (list, check or clear)"
                                                      : "unexpected argument", argv[argc - 1]);
    action = argv[optind];
    if (strcmp(action, "list") != 0 && strcmp(action, "check") != 0 &&
        strcmp(action, "clear") != 0)
        return qc_cache_usage("cache", "unknown action", action);
    if (dir && !*dir)
        return qc_cache_usage("cache", "--cache-dir needs a directory name", NULL);
    {
        qc_autofree char *path = dir ? strdup(dir) : qc_cache_default_dir(&e);
        if (!path)
            return qc_cli_fail(e);
        if (lstat(path, &st) < 0 && errno == ENOENT) {
            printf("no entries in %s\n", path);
            return QC_EXIT_OK;
        }
    }
    if (!(c = qc_cache_open(dir, false, qc_cli_warning, NULL, &e)))
        return qc_cli_fail(e);
    if (strcmp(action, "list") == 0 && !dir) {
        /* what a non-root user's queries also read (lib/context.c) */
        qc_autofree char *sys = qc_cache_system_dir();
        QC_CLEANUP(qc_cache_freep) qc_cache *s =
            sys && strcmp(sys, qc_cache_dir(c)) != 0 ? qc_cache_open(sys, false, NULL, NULL, NULL)
                                                     : NULL;
        int r = qc_cache_show(c, false);

        if (s) {
            printf("\nread-only system cache %s (used when an entry above is missing or "
                   "not valid):\n", qc_cache_dir(s));
            r = qc_cache_show(s, false) ? QC_EXIT_FAILURE : r;
        }
        return r;
    }
    if (strcmp(action, "clear") == 0) {
        if ((removed = qc_cache_clear(c, QC_LOCK_WAIT_MS, &e)) < 0)
            return qc_cli_fail(e);
        printf("removed %d entr%s from %s\n", removed, removed == 1 ? "y" : "ies",
               qc_cache_dir(c));
        return QC_EXIT_OK;
    }
    return qc_cache_show(c, strcmp(action, "check") == 0);
}

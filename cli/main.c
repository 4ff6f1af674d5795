/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main.c: the qcaps command: options, dispatch to a verb, error printing, exit codes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/cleanup.h"
#include "common/emergency.h"
#include "common/error.h"
#include "introspect/probe.h"
#include "lib/internal.h"
#include "model/model-json.h"
#include "model/model.h"
#include "qmp/fixture.h"


static const char qc_usage_main[] =
    "Usage: qcaps [--help] [--version] COMMAND [OPTIONS]\n"
    "\n"
    "Ask a QEMU binary what it can do, over QMP.\n"
    "\n"
    "Commands:\n"
    "  probe    start the emulator (or replay a fixture) and print its capability model\n"
    "  record   probe a live emulator and save the whole conversation as a fixture\n"
    "  domcaps  print libvirt's domainCapabilities of an emulator (XML or JSON); also\n"
    "           'domcapabilities', as virsh calls it\n"
    "  capabilities\n"
    "           print libvirt's host capabilities with one guest per emulator found\n"
    "  warm     probe every emulator whose capability cache entry is missing or stale\n"
    "  cache    list, check or clear the capability cache\n"
    "  diff     what changed between two emulators, fixtures, models or host exports\n"
    "  export   write this host's facts and every emulator's model to one file\n"
    "\n"
    "Run 'qcaps COMMAND --help' or 'qcaps help COMMAND' for a command's options. See\n"
    "qcaps(1).\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 probe failure, 128+N ended by signal N.\n";

static const char qc_usage_probe[] =
    "Usage: qcaps probe (--emulator PATH | --fixture FILE) [--format text|json]\n"
    "                   [--timeout SECONDS] [--tcg-only]\n"
    "                   [--cache-dir DIR] [--no-cache | --refresh]\n"
    "\n"
    "Start QEMU with -machine none under a private QMP monitor (a KVM pass and a TCG\n"
    "pass where KVM applies, run concurrently), query it, and print the capability\n"
    "model. A valid entry of the capability cache answers instead of QEMU (see 'qcaps\n"
    "warm'); a miss probes and stores the entry. With --fixture, replay a recorded\n"
    "conversation instead: no QEMU is started, the cache is not used, and the output is\n"
    "identical to that of the live probe that recorded it.\n"
    "\n"
    "  -e, --emulator PATH   the qemu-system-* binary to probe\n"
    "  -F, --fixture FILE    replay FILE (qcaps or libvirt .replies layout) instead\n"
    "  -f, --format FORMAT   text (a summary, default) or json (the full model)\n"
    "  -t, --timeout SECS    give up on the whole probe after SECS seconds (default 60)\n"
    "      --tcg-only        probe only with TCG, even where KVM is usable (no cache)\n"
    QC_CACHE_OPTS_HELP
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 probe failure.\n";

static const char qc_usage_record[] =
    "Usage: qcaps record --emulator PATH --output FILE [--timeout SECONDS] [--tcg-only]\n"
    "\n"
    "Probe a live emulator (never through the capability cache) and write everything\n"
    "the probe read from the outside world (every QMP exchange of every pass, plus the\n"
    "host facts it used) to FILE, which\n"
    "'qcaps probe --fixture FILE' then replays on any machine. FILE is replaced\n"
    "atomically and only when the probe succeeds.\n"
    "\n"
    "  -e, --emulator PATH   the qemu-system-* binary to probe\n"
    "  -o, --output FILE     where to write the fixture ('-': standard output)\n"
    "  -t, --timeout SECS    give up on the whole probe after SECS seconds (default 60)\n"
    "      --tcg-only        probe only with TCG, even where KVM is usable\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 success, 1 usage error, 2 probe failure.\n";

typedef struct qc_cli_opts {
    const char *emulator;
    const char *fixture;
    const char *output;
    const char *format;
    int timeout_ms;
    bool tcg_only;
    bool cache_given;       /* any of the cache options */
    qc_cache_opts cache;
} qc_cli_opts;

enum { QC_OPT_TCG_ONLY = 0x100 };




/* Parses the options shared by probe and record; returns -1 after printing usage text. */
static int
qc_parse_opts(const char *verb, const char *usage, int argc, char **argv, qc_cli_opts *o)
{
    static const struct option longopts[] = {
        {"emulator", required_argument, NULL, 'e'},
        {"fixture", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"timeout", required_argument, NULL, 't'},
        {"tcg-only", no_argument, NULL, QC_OPT_TCG_ONLY},
        {"help", no_argument, NULL, 'h'},
        QC_CACHE_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":e:F:o:f:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e':
            o->emulator = optarg;
            break;
        case 'F':
            o->fixture = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case 't':
            if (!qc_cli_parse_seconds(optarg, &o->timeout_ms)) {
                qc_cli_usage(verb, "invalid --timeout '%s' (seconds, > 0)", optarg);
                return -1;
            }
            break;
        case QC_OPT_TCG_ONLY:
            o->tcg_only = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return 1;
        case ':':
            qc_cli_usage(verb, "option '%s' needs an argument", argv[optind - 1]);
            return -1;
        default:
            if (qc_cache_opts_parse(&o->cache, c, optarg)) {
                o->cache_given = true;
                break;
            }
            qc_cli_usage(verb, "unknown option '%s'", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        qc_cli_usage(verb, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return 0;
}

static int
qc_cmd_probe(int argc, char **argv)
{
    qc_cli_opts o = {.format = "text"};
    QC_CLEANUP(qc_model_freep) qc_model *m = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qc_autofree char *text = NULL;
    qcaps_context *ctx = NULL;
    int r;

    if ((r = qc_parse_opts("probe", qc_usage_probe, argc, argv, &o)) != 0)
        return r < 0 ? QC_EXIT_USAGE : QC_EXIT_OK;
    if (o.output)
        return qc_cli_usage("probe", "%s", "--output belongs to 'qcaps record'");
    if (!o.emulator == !o.fixture)
        return qc_cli_usage("probe", "%s", "give --emulator PATH or --fixture FILE");
    if (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0)
        return qc_cli_usage("probe", "unknown --format '%s' (text or json)", o.format);

    if (o.fixture && (o.cache.dir || o.cache.refresh))
        return qc_cli_usage("probe", "%s", "--fixture replays never use the cache");
    if (o.fixture && o.tcg_only)
        return qc_cli_usage("probe", "%s", "--tcg-only and --fixture exclude each other: a "
                                           "replay gives the passes that were recorded");
    if (o.fixture && o.timeout_ms)
        return qc_cli_usage("probe", "%s", "--timeout and --fixture exclude each other: a "
                                           "replay starts no QEMU");
    if (o.tcg_only && (o.cache.dir || o.cache.refresh))
        return qc_cli_usage("probe", "%s", "--tcg-only probes are never cached");
    if (!(ctx = qc_cli_context_new(&o.cache, &err)))
        return err->code == QC_E_INVALID ? qc_cli_usage("probe", "%s", err->message)
                                         : qc_cli_fail(err);
    qcaps_context_set_timeout(ctx, o.timeout_ms);
    ctx->tcg_only = o.tcg_only;
    m = qc_context_model(ctx, o.emulator, o.fixture, &err);
    qcaps_context_free(ctx);
    if (!m)
        return qc_cli_fail(err);

    if (strcmp(o.format, "json") == 0)
        text = qc_model_to_string(m, &err);
    else
        text = qc_cli_summary(m, &err);
    if (!text)
        return qc_cli_fail(err);
    if (fputs(text, stdout) < 0 || fflush(stdout) != 0) {
        qc_error_set_errno(&err, errno, "writing the output");
        return qc_cli_fail(err);
    }
    return QC_EXIT_OK;
}

/* Copies file `path` to standard output, removing it first: a closed pipe (SIGPIPE)
 * must not leave it behind. */
static int
qc_copy_to_stdout(const char *path, qc_error **err)
{
    FILE *f = fopen(path, "re");
    char buf[65536];
    size_t n;

    if (!f)
        return qc_error_set_errno(err, errno, "cannot read '%s'", path);
    unlink(path);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        if (fwrite(buf, 1, n, stdout) != n) {
            fclose(f);
            return qc_error_set_errno(err, errno, "writing the output");
        }
    }
    fclose(f);
    if (fflush(stdout) != 0)
        return qc_error_set_errno(err, errno, "writing the output");
    return 0;
}

static int
qc_cmd_record(int argc, char **argv)
{
    qc_cli_opts o = {0};
    QC_CLEANUP(qc_model_freep) qc_model *m = NULL;
    QC_CLEANUP(qc_error_freep) qc_error *err = NULL;
    qc_autofree char *stdout_tmp = NULL;
    qc_probe_opts po = {0};
    int r, tmp_fd, em_slot = -1;

    if ((r = qc_parse_opts("record", qc_usage_record, argc, argv, &o)) != 0)
        return r < 0 ? QC_EXIT_USAGE : QC_EXIT_OK;
    if (o.fixture)
        return qc_cli_usage("record", "%s", "--fixture cannot be recorded again; give --emulator");
    if (o.format)
        return qc_cli_usage("record", "%s", "--format belongs to 'qcaps probe'");
    if (o.cache_given)
        return qc_cli_usage("record", "%s", "record always probes live; the cache options "
                              "do not apply");
    if (!o.emulator || !o.output)
        return qc_cli_usage("record", "%s", "give --emulator PATH and --output FILE");

    /* "-": standard output, recorded through a private file so that a failed probe
     * writes nothing */
    if (strcmp(o.output, "-") == 0) {
        const char *tmp = getenv("TMPDIR");
        if (asprintf(&stdout_tmp, "%s/qcaps-record-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0 ||
            (tmp_fd = mkstemp(stdout_tmp)) < 0) {
            qc_error_set_errno(&err, errno, "cannot create a temporary file for --output -");
            return qc_cli_fail(err);
        }
        close(tmp_fd);
        em_slot = qc_emergency_add_file(AT_FDCWD, stdout_tmp);
    }
    po.emulator = o.emulator;
    po.record_path = stdout_tmp ? stdout_tmp : o.output;
    po.timeout_ms = o.timeout_ms;
    po.accel_mode = o.tcg_only ? QC_PROBE_ACCEL_TCG_ONLY : QC_PROBE_ACCEL_AUTO;
    m = qc_probe_run(&po, &err);
    if (m && stdout_tmp && qc_copy_to_stdout(stdout_tmp, &err) < 0)
        qc_model_free(qc_steal(&m));
    if (stdout_tmp) {
        unlink(stdout_tmp);
        qc_emergency_remove(em_slot);
    }
    if (!m)
        return qc_cli_fail(err);
    fprintf(stderr, "qcaps: recorded %s (QEMU %d.%d.%d, %s) to %s\n", m->emulator,
            m->version_major, m->version_minor, m->version_micro, m->target,
            stdout_tmp ? "standard output" : o.output);
    return QC_EXIT_OK;
}

/* Runs verb `verb` (argv[0] is the verb). virsh's name domcapabilities is domcaps. */
static int
qc_dispatch(const char *verb, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int argc, char **argv);
    } verbs[] = {
        {"probe", qc_cmd_probe},       {"record", qc_cmd_record},
        {"domcaps", qc_cmd_domcaps},   {"domcapabilities", qc_cmd_domcaps},
        {"capabilities", qc_cmd_capabilities}, {"warm", qc_cmd_warm},
        {"cache", qc_cmd_cache},       {"diff", qc_cmd_diff},
        {"export", qc_cmd_export},
    };

    for (size_t i = 0; i < QC_N_ELEMENTS(verbs); i++) {
        if (strcmp(verb, verbs[i].name) == 0)
            return verbs[i].fn(argc, argv);
    }
    return qc_cli_usage(NULL, "unknown command '%s'", verb);
}

/* SIGINT, SIGTERM, SIGHUP mid-probe: no QEMU, directory or lock may stay behind; the
 * exit status is 128 + the signal, as a shell reports a process the signal killed. */
static void
qc_on_signal(int sig)
{
    qcaps_emergency_cleanup();
    _exit(128 + sig);
}

static void
qc_install_signal_handlers(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = qc_on_signal;
    sigfillset(&sa.sa_mask); /* one handler at a time */
    for (size_t i = 0; i < QC_N_ELEMENTS(sigs); i++) {
        struct sigaction old;
        /* a signal the caller ignores (nohup, a background job) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

int
main(int argc, char **argv)
{
    const char *verb;

    qc_install_signal_handlers();
    if (argc < 2)
        return qc_cli_usage(NULL, "%s", "missing command");
    verb = argv[1];
    /* "qcaps help VERB" is "qcaps VERB --help" */
    if (strcmp(verb, "help") == 0 && argc == 3) {
        char *help[] = {argv[2], (char *) "--help", NULL};
        if (strcmp(argv[2], "help") != 0)
            return qc_dispatch(argv[2], 2, help);
    }
    if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
        fputs(qc_usage_main, stdout);
        return QC_EXIT_OK;
    }
    if (strcmp(verb, "--version") == 0) {
        printf("qcaps %s\n", QC_VERSION);
        return QC_EXIT_OK;
    }
    return qc_dispatch(verb, argc - 1, argv + 1);
}

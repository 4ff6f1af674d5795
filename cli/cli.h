/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli.h: helpers of the qcaps command shared between its verbs. */
#ifndef QC_CLI_H
#define QC_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "qcaps.h"

#define QC_EXIT_OK 0
#define QC_EXIT_USAGE 1
#define QC_EXIT_FAILURE 2

/* "qcaps[ VERB]: <message>" and a pointer to the verb's help on stderr; returns 1. */
int qc_cli_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for "MSG 'ARG'", or MSG alone when arg is NULL (the style of cache and warm). */
int qc_cli_usage_arg(const char *verb, const char *msg, const char *arg);
/* The one error printer: "qcaps: <error message>" on stderr; returns 2. */
int qc_cli_fail(const qc_error *e);
/* The same for an error of the public API, which it frees. */
int qc_cli_fail_api(qcaps_error *e);
/* "qcaps[ VERB]: <message>" on stderr; returns 2. */
int qc_cli_failf(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A --timeout value: seconds (fractions allowed), > 0; false if invalid. */
bool qc_cli_parse_seconds(const char *s, int *ret_ms);
/* The operands getopt left in argv[optind..argc) of probe, record and domcaps: at most
 * one, naming the emulator as --emulator does. Returns 0 (setting *emulator if there is
 * one), or -1 with the usage message in *ret_msg (caller frees; NULL if out of memory):
 * a second operand, or one given with --emulator or --fixture. */
int qc_cli_emulator_operand(int argc, char **argv, const char **emulator, const char *fixture,
                            char **ret_msg);

typedef struct qc_cache_opts qc_cache_opts;
/* What a verb's getopt_long loop does with an option c (optarg its argument) it does not
 * handle itself: -h/--help prints usage and gives QC_EXIT_OK; -t/--timeout is parsed into
 * *timeout_ms and one of QC_CACHE_LONGOPTS recorded in co, both giving -1 (parse on); an
 * invalid --timeout, a missing argument (c is ':') or an unknown option is reported as a
 * usage error of verb, giving QC_EXIT_USAGE. timeout_ms or co NULL: the verb has no such
 * option. */
int qc_cli_opt_other(const char *verb, const char *usage, int c, char **argv, int *timeout_ms,
                     qc_cache_opts *co);

/* Verbs, each in its own file: parse argv (argv[0] is the verb), return the exit code
 * (0 ok, 1 usage, 2 failure). */
/* Starts a verb's getopt_long() loop: from argv[1], getopt's own messages off (a verb
 * reports a bad option with qc_cli_usage(), naming itself). */
static inline void
qc_cli_getopt_begin(void)
{
    optind = 1;
    opterr = 0;
}

int qc_cmd_probe(int argc, char **argv);        /* cli/probe.c */
int qc_cmd_record(int argc, char **argv);       /* cli/record.c */
int qc_cmd_domcaps(int argc, char **argv);      /* cli/domcaps.c */
int qc_cmd_capabilities(int argc, char **argv); /* cli/capabilities.c */
int qc_cmd_warm(int argc, char **argv);         /* cli/warm.c */
int qc_cmd_cache(int argc, char **argv);        /* cli/cache.c */
int qc_cmd_diff(int argc, char **argv);         /* cli/diff.c: exit 0 same, 1 differ, 2 */
int qc_cmd_export(int argc, char **argv);       /* cli/export.c */

/* ---- cache options shared by probe, domcaps, capabilities (cli/cache-opts.c) --------
 * Usage in a verb:
 *     static const struct option longopts[] = { ..., QC_CACHE_LONGOPTS, {NULL, 0, NULL, 0} };
 *     qc_cache_opts co = {0};
 *     ... default: if (qc_cache_opts_parse(&co, c, optarg)) break; ...
 *     if (!(ctx = qc_cli_context_new(&co, &err)))  -> QC_E_INVALID is a usage error (1)
 *     m = qc_context_model(ctx, emulator, fixture, &err);   (lib/internal.h)
 * and append QC_CACHE_OPTS_HELP to the verb's help text. */
enum { QC_OPT_CACHE_DIR = 0x200, QC_OPT_NO_CACHE, QC_OPT_REFRESH };
#define QC_CACHE_LONGOPTS                                                                      \
    {"cache-dir", required_argument, NULL, QC_OPT_CACHE_DIR},                                  \
        {"no-cache", no_argument, NULL, QC_OPT_NO_CACHE},                                      \
        {"refresh", no_argument, NULL, QC_OPT_REFRESH}
/* The end of the option table of a verb that takes the cache options: --help, those, and
 * the terminator. */
#define QC_VERB_LONGOPTS_END                                                                   \
    {"help", no_argument, NULL, 'h'}, QC_CACHE_LONGOPTS, {NULL, 0, NULL, 0}
/* --cache-dir in the help of the verbs that take only it of the cache options (or not
 * --no-cache): cache and warm. */
#define QC_CACHE_DIR_HELP                                                                      \
    "      --cache-dir DIR   cache directory (default: $QCAPS_CACHE_DIR, else\n"              \
    "                        /var/cache/qcaps as root, else $XDG_CACHE_HOME/qcaps)\n"
#define QC_CACHE_OPTS_HELP                                                                     \
    "      --cache-dir DIR   capability cache directory (default: $QCAPS_CACHE_DIR, else\n"    \
    "                        /var/cache/qcaps as root, else $XDG_CACHE_HOME/qcaps)\n"          \
    "      --no-cache        neither read nor write the cache: always probe\n"                 \
    "      --refresh         probe even if the cache entry is valid, and overwrite it\n"

struct qc_cache_opts {
    const char *dir;   /* --cache-dir, NULL: default */
    bool no_cache;     /* --no-cache */
    bool refresh;      /* --refresh */
};

/* Records option `c` (getopt_long's return value, `arg` its optarg) when it is one of
 * QC_CACHE_LONGOPTS and returns true; returns false for any other option. */
bool qc_cache_opts_parse(qc_cache_opts *o, int c, const char *arg);
/* Applies the options to ctx. -1 with QC_E_INVALID when they conflict (--no-cache with
 * --refresh or --cache-dir, or an empty DIR): report that as a usage error. */
int qc_cache_opts_apply(const qc_cache_opts *o, qcaps_context *ctx, qc_error **err);
/* A new context with `o` applied (o may be NULL) and qc_cli_warning as warning handler. */
qcaps_context *qc_cli_context_new(const qc_cache_opts *o, qc_error **err);
/* The CLI's warning handler: "qcaps: warning: MESSAGE" on stderr. */
void qc_cli_warning(const char *message, void *opaque);

/* ---- options probe and record share (cli/probe-opts.c) ------------------------------ */
typedef struct qc_probe_cli_opts {
    const char *emulator;
    const char *fixture;
    const char *output;
    const char *format;
    int timeout_ms;
    bool tcg_only;
    bool cache_given; /* any of the cache options */
    qc_cache_opts cache;
} qc_probe_cli_opts;

/* Parses argv of `verb` into o; prints `usage` for --help (returns 1) and usage errors
 * (returns -1); 0 otherwise. Whether an option applies is the verb's to check. */
int qc_probe_opts_parse(const char *verb, const char *usage, int argc, char **argv,
                        qc_probe_cli_opts *o);

#endif

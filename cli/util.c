/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* util.c: what every verb of the qcaps command shares: usage and failure messages, and
 * option values that mean the same everywhere. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

/* "qcaps[ VERB]: <message>", then, for a usage error, the pointer to the verb's help. */
static void
qc_cli_vreport(const char *verb, bool usage, const char *fmt, va_list ap)
{
    const char *sp = verb ? " " : "", *v = verb ? verb : "";

    fprintf(stderr, "qcaps%s%s: ", sp, v);
    vfprintf(stderr, fmt, ap);
    if (usage)
        fprintf(stderr, "\nTry 'qcaps%s%s --help'.\n", sp, v);
    else
        fputc('\n', stderr);
}

int
qc_cli_usage(const char *verb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qc_cli_vreport(verb, true, fmt, ap);
    va_end(ap);
    return QC_EXIT_USAGE;
}

int
qc_cli_usage_arg(const char *verb, const char *msg, const char *arg)
{
    return qc_cli_usage(verb, "%s%s%s%s", msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

int
qc_cli_failf(const char *verb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qc_cli_vreport(verb, false, fmt, ap);
    va_end(ap);
    return QC_EXIT_FAILURE;
}

int
qc_cli_fail(const qc_error *e)
{
    return qc_cli_failf(NULL, "%s", e && e->message ? e->message : "unknown error");
}

int
qc_cli_fail_api(qcaps_error *e)
{
    const char *msg = e ? qcaps_error_message(e) : NULL;

    qc_cli_failf(NULL, "%s", msg ? msg : "unknown error");
    qcaps_error_free(e);
    return QC_EXIT_FAILURE;
}

bool
qc_cli_parse_seconds(const char *s, int *ret_ms)
{
    char *end = NULL;
    double secs;

    errno = 0;
    secs = strtod(s, &end);
    if (errno || end == s || *end || !(secs > 0) || secs > INT_MAX / 1000.0)
        return false;
    *ret_ms = secs * 1000.0 < 1 ? 1 : (int) (secs * 1000.0);
    return true;
}

int
qc_cli_opt_other(const char *verb, const char *usage, int c, char **argv, int *timeout_ms,
                 qc_cache_opts *co)
{
    if (c == 'h') {
        fputs(usage, stdout);
        return QC_EXIT_OK;
    }
    if (c == 't' && timeout_ms) {
        if (!qc_cli_parse_seconds(optarg, timeout_ms))
            return qc_cli_usage(verb, "invalid --timeout '%s' (seconds, > 0)", optarg);
        return -1;
    }
    if (c == ':')
        return qc_cli_usage(verb, "option '%s' needs an argument", argv[optind - 1]);
    if (co && qc_cache_opts_parse(co, c, optarg))
        return -1;
    return qc_cli_usage(verb, "unknown option '%s'", argv[optind - 1]);
}

int
qc_cli_emulator_operand(int argc, char **argv, const char **emulator, const char *fixture,
                        char **ret_msg)
{
    int n;

    *ret_msg = NULL;
    if (optind + 1 < argc)
        n = asprintf(ret_msg, "unexpected argument '%s'", argv[optind + 1]);
    else if (optind < argc && (*emulator || fixture))
        n = asprintf(ret_msg, "the emulator '%s' and %s '%s' exclude each other: name one",
                     argv[optind], *emulator ? "--emulator" : "--fixture",
                     *emulator ? *emulator : fixture);
    else {
        if (optind < argc)
            *emulator = argv[optind];
        return 0;
    }
    if (n < 0)
        *ret_msg = NULL;
    return -1;
}

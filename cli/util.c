/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* util.c: what every verb of the qcaps command shares: usage and failure messages, and
 * option values that mean the same everywhere. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int
qc_cli_usage(const char *verb, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "qcaps%s%s: ", verb ? " " : "", verb ? verb : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'qcaps%s%s --help'.\n", verb ? " " : "", verb ? verb : "");
    return QC_EXIT_USAGE;
}

int
qc_cli_fail(const qc_error *e)
{
    fprintf(stderr, "qcaps: %s\n", e && e->message ? e->message : "unknown error");
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
